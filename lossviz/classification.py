"""Cross-entropy family: multi-class, binary and alpha-balanced cross-entropy,
Kullback-Leibler divergence and Shannon entropy."""

from __future__ import annotations

import math
import numbers
from typing import Any

import torch
import torch.nn.functional as F

from ._checks import (
    Reduction,
    as_float,
    binary_pair,
    check_reduction,
    class_indices,
    class_logits,
    in_closed_range,
    reduce,
    same_shape,
    scalar_in_range,
)
from ._terms import alpha_t, bce_with_logits, weighted_log

__all__ = [
    "cross_entropy",
    "binary_cross_entropy",
    "balanced_cross_entropy",
    "kl_divergence",
    "entropy",
]


def _xlogy(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """``p * log(q)`` with ``0 log 0 = 0`` in value *and* gradient.

    Plain ``torch.xlogy`` has gradient ``p / q = 0 / 0`` with respect to ``q``
    where both vanish; substituting ``q = 1`` there keeps that gradient 0.
    """
    return torch.xlogy(p, torch.where(p > 0, q, torch.ones_like(q)))


def _distribution(x: Any, name: str, *, like: torch.Tensor | None = None) -> torch.Tensor:
    """A tensor of probability vectors along its last dimension."""
    t = as_float(x, name, like=like)
    if t.ndim == 0:
        raise ValueError(f"{name} must have a last (distribution) dimension, got a scalar")
    in_closed_range(t, 0.0, 1.0, name)
    # Rounding in a sum of n terms grows with n; 8 n ulp admits any honestly
    # normalised vector (about 1e-6 for a few float32 classes) and nothing coarser.
    # A float32 array or tensor keeps its float32 rounding when computed in
    # float64, so the coarser of the two precisions sets the ulp.
    given = torch.as_tensor(x) if hasattr(x, "dtype") else t
    ulp = max(torch.finfo(d).eps for d in (t.dtype, given.dtype) if d.is_floating_point)
    tol = 8 * t.shape[-1] * ulp
    err = (t.detach().sum(-1) - 1).abs()
    if err.numel() and err.max() > tol:
        raise ValueError(
            f"{name} must sum to 1 over its last dimension, "
            f"got a deviation of {err.max().item():.3g}"
        )
    return t


def cross_entropy(
    logits: Any,
    target: Any,
    *,
    label_smoothing: float = 0.0,
    ignore_index: int | None = None,
    reduction: Reduction = "mean",
) -> torch.Tensor:
    r"""Softmax cross-entropy between logits and class indices or class probabilities.

    .. math::

        \ell = -\sum_{c=1}^{K} \tilde y_c \log \operatorname{softmax}(x)_c,
        \qquad \tilde y = (1 - \varepsilon)\, y + \varepsilon / K,

    where :math:`y` is the one-hot encoding of the target index (or the given
    probability vector) and :math:`\varepsilon` the label smoothing. The
    gradient is :math:`\partial \ell / \partial x = \operatorname{softmax}(x) - \tilde y`.

    Args:
        logits: shape ``(N, K, d1, ...)``, or ``(K,)`` for a single sample.
        target: integer class indices of shape ``(N, d1, ...)`` (``()`` for a
            single sample), or floating class probabilities of the logits'
            shape, each in ``[0, 1]``.
        label_smoothing: :math:`\varepsilon \in [0, 1]`.
        ignore_index: a target index whose positions contribute 0 and are left
            out of the mean (index targets only).
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``; ``"mean"`` divides by the
            number of non-ignored positions (``nan`` if there are none, as in PyTorch).

    Returns:
        The loss, of the target's index shape with ``reduction="none"``.

    References:
        Goodfellow, Bengio, Courville, *Deep Learning*, MIT Press, 2016, sec. 6.2.2.
        Label smoothing: Szegedy, Vanhoucke, Ioffe, Shlens, Wojna, "Rethinking
        the Inception Architecture for Computer Vision", CVPR 2016.

    Convention: identical to :func:`torch.nn.functional.cross_entropy`
    (class dimension, floating target = probabilities, smoothing
    :math:`\varepsilon / K` on every class, ignored positions excluded from the mean).
    A class of target weight :math:`\tilde y_c = 0` contributes nothing
    (:math:`0 \log 0 = 0`), so a masked class (logit :math:`-\infty`) gives a
    finite loss and gradient, as in PyTorch for index targets. With
    :math:`\varepsilon > 0` every class has weight :math:`\varepsilon / K > 0`
    and the loss is :math:`+\infty` (the gradient stays finite), also as in
    PyTorch. Unlike PyTorch, which returns NaN from :math:`0 \cdot \infty`, a
    probability target of 0 on a masked class gives the finite value, and
    :math:`\varepsilon = 1` with a masked target class gives :math:`+\infty`.
    """
    x, dim = class_logits(logits)
    eps = scalar_in_range(label_smoothing, "label_smoothing", lo=0.0, hi=1.0)
    check_reduction(reduction)
    n_classes = x.shape[dim]
    logp = F.log_softmax(x, dim)
    try:
        t = torch.as_tensor(target)
    except (TypeError, ValueError, RuntimeError) as err:
        raise ValueError(f"target could not be converted to a tensor: {err}") from None
    if t.is_floating_point():
        if ignore_index is not None:
            raise ValueError("ignore_index applies only to class-index targets")
        y = as_float(target, "target", like=x)
        same_shape(x, y, "logits", "target")
        in_closed_range(y, 0.0, 1.0, "target")
        return reduce(-weighted_log((1 - eps) * y + eps / n_classes, logp).sum(dim), reduction)
    if ignore_index is not None and (
        isinstance(ignore_index, bool) or not isinstance(ignore_index, numbers.Integral)
    ):
        raise ValueError(f"ignore_index must be an integer, got {ignore_index!r}")
    idx, valid = class_indices(t, x, dim, ignore_index)
    nll = -logp.gather(dim, idx.unsqueeze(dim)).squeeze(dim)
    # Smoothing spreads eps over all K classes, i.e. adds eps times the mean NLL.
    # Each term is added only if its weight is nonzero: a masked class
    # (logit -inf) must not turn 0 * inf into NaN, as PyTorch's does not.
    loss = (1 - eps) * nll if eps < 1 else torch.zeros_like(nll)
    if eps > 0:
        loss = loss - eps * logp.mean(dim)
    loss = torch.where(valid, loss, torch.zeros_like(loss))
    if reduction == "mean":
        return loss.sum() / valid.sum()
    return reduce(loss, reduction)


def binary_cross_entropy(logits: Any, target: Any, *, reduction: Reduction = "mean") -> torch.Tensor:
    r"""Binary cross-entropy on logits (sigmoid + log-loss, computed stably).

    .. math::

        \ell = -y \log \sigma(x) - (1 - y) \log \sigma(-x),
        \qquad \frac{\partial \ell}{\partial x} = \sigma(x) - y.

    Args:
        logits: any shape.
        target: the logits' shape, each in ``[0, 1]`` (soft labels allowed).
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Returns:
        The loss (elementwise with ``reduction="none"``).

    References:
        Goodfellow, Bengio, Courville, *Deep Learning*, MIT Press, 2016, sec. 6.2.2.2.

    Convention: equal to :func:`torch.nn.functional.binary_cross_entropy_with_logits`,
    except that a target outside ``[0, 1]`` raises instead of giving a
    meaningless (possibly negative) loss, and that at an infinite logit the
    exact limit is returned: 0 (gradient 0) with the matching hard label,
    :math:`+\infty` otherwise, where PyTorch returns NaN for the hard labels.
    """
    x, y = binary_pair(logits, target)
    return reduce(bce_with_logits(x, y), reduction)


def balanced_cross_entropy(
    logits: Any, target: Any, *, alpha: float = 0.25, reduction: Reduction = "mean"
) -> torch.Tensor:
    r"""Alpha-balanced binary cross-entropy on logits.

    .. math::

        \ell = -\alpha_t \log p_t, \qquad
        \alpha_t = \alpha\, y + (1 - \alpha)(1 - y),

    with :math:`-\log p_t` the binary cross-entropy of :func:`binary_cross_entropy`.

    Args:
        logits: any shape.
        target: the logits' shape, each in ``[0, 1]``.
        alpha: weight of the positive class, in ``[0, 1]``.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Returns:
        The loss (elementwise with ``reduction="none"``).

    References:
        Lin, Goyal, Girshick, He, Dollar, "Focal Loss for Dense Object
        Detection", ICCV 2017, eq. (2).

    Convention: ``alpha`` weights the positives, as in the paper and
    ``torchvision.ops.sigmoid_focal_loss``; at infinite logits, as
    :func:`binary_cross_entropy`.
    """
    x, y = binary_pair(logits, target)
    a = scalar_in_range(alpha, "alpha", lo=0.0, hi=1.0)
    return reduce(alpha_t(a, y) * bce_with_logits(x, y), reduction)


def kl_divergence(p: Any, q: Any, *, reduction: Reduction = "mean") -> torch.Tensor:
    r"""Kullback-Leibler divergence :math:`\mathrm{KL}(p \,\|\, q)` between probability vectors.

    .. math::

        \mathrm{KL}(p \,\|\, q) = \sum_c p_c \log \frac{p_c}{q_c},
        \qquad 0 \log 0 = 0,

    summed over the last dimension, then reduced over the others.

    Args:
        p: the reference distribution(s), last dimension summing to 1.
        q: the approximating distribution(s), same shape.
        reduction: ``"none"`` (shape ``p.shape[:-1]``) | ``"mean"`` | ``"sum"``.

    Returns:
        The divergence in nats (``inf`` where some :math:`p_c > 0 = q_c`).

    References:
        Kullback, Leibler, "On Information and Sufficiency", The Annals of
        Mathematical Statistics, 1951.

    Convention: arguments in the mathematical order on probabilities;
    ``"mean"`` equals PyTorch's ``F.kl_div(q.log(), p, reduction="batchmean")``
    for 2-D inputs (PyTorch takes log-``q`` first and ``p`` second).
    Probabilities of exactly 0 or 1 are taken as given: :math:`0 \log 0 = 0`
    and :math:`p_c > 0 = q_c` gives :math:`+\infty`. For a one-hot ``p`` this
    is the log loss :math:`-\log q_y`, and unlike scikit-learn's ``log_loss``,
    which clips :math:`q` to :math:`[\epsilon, 1 - \epsilon]` (:math:`\epsilon`
    the machine epsilon of its dtype) and so reports about 36 nats in float64
    for :math:`q_y = 0`, a certain wrong prediction costs :math:`+\infty`, as
    ``scipy.stats.entropy(p, q)`` has it.
    """
    p = _distribution(p, "p")
    q = _distribution(q, "q", like=p)
    same_shape(p, q, "p", "q")
    return reduce((_xlogy(p, p) - _xlogy(p, q)).sum(-1), reduction)


def entropy(p: Any, *, base: float = math.e) -> torch.Tensor:
    r"""Shannon entropy of probability vectors along the last dimension.

    .. math::

        H(p) = -\sum_c p_c \log_b p_c, \qquad 0 \log 0 = 0.

    Args:
        p: distribution(s), last dimension summing to 1.
        base: logarithm base :math:`b > 0, b \neq 1` (``e``: nats, ``2``: bits).

    Returns:
        Tensor of shape ``p.shape[:-1]``.

    References:
        Shannon, "A Mathematical Theory of Communication", Bell System
        Technical Journal, 1948.

    Convention: ``scipy.stats.entropy``. Probabilities of exactly 0 or 1 are
    taken as given, with :math:`0 \log 0 = 0` (so a certain outcome has entropy
    exactly 0); nothing is clipped, unlike scikit-learn's ``log_loss``, which
    clips probabilities to :math:`[\epsilon, 1 - \epsilon]`.
    """
    p = _distribution(p, "p")
    b = scalar_in_range(base, "base", lo=0.0, lo_open=True)
    if b == 1.0:
        raise ValueError("base must not be 1")
    return -_xlogy(p, p).sum(-1) / math.log(b)
