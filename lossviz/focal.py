"""Focal losses: binary (sigmoid) and multi-class (softmax)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from ._checks import (
    Reduction,
    as_float,
    binary_pair,
    class_indices,
    class_logits,
    in_closed_range,
    reduce,
    scalar_in_range,
)
from ._terms import alpha_t, bce_with_logits, target_mask

__all__ = ["sigmoid_focal_loss", "softmax_focal_loss"]


def _modulating_factor(log_one_minus_pt: torch.Tensor, gamma: float) -> torch.Tensor:
    r""":math:`(1 - p_t)^\gamma` evaluated as :math:`\exp(\gamma \log(1 - p_t))`.

    The direct power has derivative :math:`\gamma (1 - p_t)^{\gamma - 1}`, which
    is infinite at :math:`p_t = 1` for :math:`\gamma < 1` and then multiplies a
    zero into NaN; in log space the chain rule only meets finite factors.
    For :math:`\gamma = 0` the factor is 1, also where :math:`p_t = 1`
    exactly (:math:`0^0 = 1`, as ``torch.pow`` has it; ``exp(0 * -inf)`` is NaN).
    """
    if gamma == 0:
        return torch.ones_like(log_one_minus_pt)
    return torch.exp(gamma * log_one_minus_pt)


def sigmoid_focal_loss(
    logits: Any,
    target: Any,
    *,
    alpha: float | None = 0.25,
    gamma: float = 2.0,
    reduction: Reduction = "none",
) -> torch.Tensor:
    r"""Binary focal loss on logits: cross-entropy down-weighted on easy examples.

    .. math::

        \mathrm{FL} = -\alpha_t (1 - p_t)^\gamma \log p_t, \qquad
        p_t = p\, y + (1 - p)(1 - y), \quad
        \alpha_t = \alpha\, y + (1 - \alpha)(1 - y), \quad p = \sigma(x),

    with :math:`-\log p_t` the binary cross-entropy on logits. For hard labels
    written :math:`y \in \{-1, +1\}` and :math:`x_t = y x`, the gradient is

    .. math::

        \frac{\partial \mathrm{FL}}{\partial x}
        = \alpha_t\, y\, (1 - p_t)^\gamma \left(\gamma\, p_t \log p_t + p_t - 1\right).

    Args:
        logits: any shape.
        target: the logits' shape, each in ``[0, 1]`` (soft labels allowed).
        alpha: weight of the positives in ``[0, 1]``; ``None`` disables weighting.
        gamma: focusing parameter :math:`\gamma \ge 0` (``0`` gives
            (alpha-balanced) cross-entropy).
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Returns:
        The loss (elementwise with ``reduction="none"``, the default).

    References:
        Lin, Goyal, Girshick, He, Dollar, "Focal Loss for Dense Object
        Detection", ICCV 2017, eq. (5) and appendix B.

    Convention: ``torchvision.ops.sigmoid_focal_loss`` (``alpha`` weights the
    positives, soft targets enter :math:`p_t` linearly, default ``"none"``),
    with ``alpha=None`` instead of a negative ``alpha`` to switch weighting off.
    :math:`\log(1 - p_t)` is computed as
    :math:`\operatorname{logaddexp}(\log\sigma(x) + \log(1 - y), \log\sigma(-x) + \log y)`,
    so loss and gradient stay finite for every :math:`\gamma \ge 0` at saturated logits.
    At an infinite logit with the matching hard label the loss is exactly 0,
    with gradient 0 (torchvision returns NaN there, from its cross-entropy term).
    """
    x, y = binary_pair(logits, target)
    g = scalar_in_range(gamma, "gamma", lo=0.0)
    # 1 - p_t = sigmoid(x) (1 - y) + sigmoid(-x) y; log(0) = -inf for a hard
    # label only drops its term from the logaddexp, in value and in gradient.
    a, b = F.logsigmoid(x) + torch.log1p(-y), F.logsigmoid(-x) + torch.log(y)
    # Both terms are -inf where p_t = 1 exactly (the matching hard label at an
    # infinite logit): logaddexp's gradient there is exp(-inf + inf) = NaN, so
    # it runs on zeros and the exact -inf is put back (a constant, gradient 0).
    dead = (a == -torch.inf) & (b == -torch.inf)
    log_one_minus_pt = torch.logaddexp(a.masked_fill(dead, 0.0), b.masked_fill(dead, 0.0))
    log_one_minus_pt = log_one_minus_pt.masked_fill(dead, -torch.inf)
    loss = _modulating_factor(log_one_minus_pt, g) * bce_with_logits(x, y)
    if alpha is not None:
        loss = alpha_t(scalar_in_range(alpha, "alpha", lo=0.0, hi=1.0), y) * loss
    return reduce(loss, reduction)


def softmax_focal_loss(
    logits: Any,
    target: Any,
    *,
    alpha: Any = None,
    gamma: float = 2.0,
    reduction: Reduction = "mean",
) -> torch.Tensor:
    r"""Multi-class focal loss on logits with class-index targets.

    .. math::

        \mathrm{FL} = -\alpha_t (1 - p_t)^\gamma \log p_t, \qquad
        p_t = \operatorname{softmax}(x)_t,

    where :math:`t` is the target class and :math:`\alpha_t` its weight. With
    :math:`p = \operatorname{softmax}(x)` the gradient is

    .. math::

        \frac{\partial \mathrm{FL}}{\partial x_j}
        = \alpha_t \left(\gamma (1 - p_t)^{\gamma - 1} p_t \log p_t - (1 - p_t)^\gamma\right)
          (\delta_{tj} - p_j).

    Args:
        logits: shape ``(N, K, d1, ...)``, or ``(K,)`` for a single sample; ``K >= 2``.
        target: integer class indices of shape ``(N, d1, ...)`` (``()`` for one sample).
        alpha: ``None`` (no weighting) or ``K`` per-class weights, each in ``[0, 1]``.
        gamma: focusing parameter :math:`\gamma \ge 0` (``0`` with ``alpha=None``
            gives :func:`~lossviz.cross_entropy`).
        reduction: ``"none"`` | ``"mean"`` (over samples and positions) | ``"sum"``.

    Returns:
        The loss, of the target's shape with ``reduction="none"``.

    References:
        Lin, Goyal, Girshick, He, Dollar, "Focal Loss for Dense Object
        Detection", ICCV 2017 (sec. 3.2 notes the multi-class extension).

    Convention: class dimension as :func:`torch.nn.functional.cross_entropy`;
    :math:`\log(1 - p_t)` is the log-sum-exp of the other classes' logits minus
    that of all logits, so gradients stay finite for :math:`\gamma < 1` when
    :math:`p_t` saturates at 1, and masked classes (logit :math:`-\infty`)
    contribute nothing, as in :func:`torch.nn.functional.cross_entropy`, even
    when every class but the target is masked (:math:`p_t = 1`: loss 0, gradient 0).
    """
    x, dim = class_logits(logits, min_classes=2)
    n_classes = x.shape[dim]
    g = scalar_in_range(gamma, "gamma", lo=0.0)
    idx, _ = class_indices(target, x, dim)
    at_target = target_mask(idx, n_classes, dim)
    log_all = torch.logsumexp(x, dim)
    nll = log_all - x.gather(dim, idx.unsqueeze(dim)).squeeze(dim)  # -log p_t
    others = x.masked_fill(at_target, -torch.inf)
    # Every other class masked (-inf): p_t = 1 exactly, and logsumexp's gradient
    # would be NaN; as in sigmoid_focal_loss, compute on zeros, put -inf back.
    dead = others.eq(-torch.inf).all(dim, keepdim=True)
    log_others = torch.logsumexp(others.masked_fill(dead, 0.0), dim)
    log_one_minus_pt = log_others.masked_fill(dead.squeeze(dim), -torch.inf) - log_all
    loss = _modulating_factor(log_one_minus_pt, g) * nll
    if alpha is not None:
        a = as_float(alpha, "alpha", like=x)
        if a.shape != (n_classes,):
            raise ValueError(
                f"alpha must hold {n_classes} per-class weights, got shape {tuple(a.shape)}"
            )
        in_closed_range(a, 0.0, 1.0, "alpha")
        loss = a[idx] * loss
    return reduce(loss, reduction)
