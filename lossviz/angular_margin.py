r"""Softmax with an angular margin: L-Softmax, SphereFace, CosFace (AM-Softmax), ArcFace.

All four are the softmax cross-entropy of a linear layer without bias,
:math:`W_j^\top x = \lVert W_j\rVert\,\lVert x\rVert\cos\theta_j`, in which the
true class's :math:`\cos\theta_y` is replaced by a smaller :math:`\psi(\theta_y)`:
the sample must beat every other class *by a margin* before the loss lets go.

* :func:`l_softmax_loss` and :func:`sphereface_loss` take the features and the
  class weights (the norms are part of their logits); the weights are
  ``(C, d)``, as ``torch.nn.Linear(d, C).weight``.
* :func:`cosface_loss` and :func:`arcface_loss` take the cosines
  :math:`\cos\theta_j` of normalised features and weights (:func:`cosine_logits`)
  and a scale :math:`s` that replaces the norms.
* The ``*_psi`` functions give the margin-adjusted target cosine alone, for
  plotting and checking.

Shapes follow :func:`torch.nn.functional.cross_entropy`: ``(N, C)``, or ``(C,)``
for one sample, with integer class indices as ``target``.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from ._checks import (
    Reduction,
    as_float,
    check_reduction,
    class_indices,
    class_logits,
    positive_int,
    reduce,
    scalar_in_range,
)
from ._terms import target_mask

__all__ = [
    "cosine_logits",
    "sphereface_psi",
    "cosface_psi",
    "arcface_psi",
    "l_softmax_loss",
    "sphereface_loss",
    "cosface_loss",
    "arcface_loss",
]


def _rows(x: Any, name: str, *, like: torch.Tensor | None = None) -> torch.Tensor:
    t = as_float(x, name, like=like)
    if t.ndim not in (1, 2) or t.shape[-1] == 0:
        raise ValueError(f"{name} must have shape (N, d) or (d,) with d >= 1, got {tuple(t.shape)}")
    if t.numel() and not bool((torch.linalg.vector_norm(t.detach(), dim=-1) > 0).all()):
        raise ValueError(f"{name} has a row of norm 0, which has no direction")
    return t


def _features_and_weight(features: Any, weight: Any) -> tuple[torch.Tensor, torch.Tensor]:
    x = _rows(features, "features")
    w = _rows(weight, "weight", like=x)
    if w.ndim != 2 or w.shape[1] != x.shape[-1]:
        raise ValueError(
            f"weight must have shape (C, d) with the features' d = {x.shape[-1]}, got {tuple(w.shape)}"
        )
    return x, w


def cosine_logits(features: Any, weight: Any) -> torch.Tensor:
    r"""Cosines between each feature and each class weight: the normalised linear layer.

    .. math::

        \cos\theta_{ij} = \frac{W_j^\top x_i}{\lVert W_j\rVert\,\lVert x_i\rVert}

    Args:
        features: shape ``(N, d)``, or ``(d,)`` for one sample; no zero row.
        weight: class weights, shape ``(C, d)`` as ``torch.nn.Linear(d, C).weight``;
            no zero row.

    Returns:
        Shape ``(N, C)`` (``(C,)`` for one sample), in :math:`[-1, 1]`.

    Reference:
        F. Wang, X. Xiang, J. Cheng, A. L. Yuille, "NormFace: L2 Hypersphere
        Embedding for Face Verification", ACM Multimedia 2017.

    Convention: ``F.linear(F.normalize(x), F.normalize(W))``, as in insightface,
    clamped to :math:`[-1, 1]` (rounding can give :math:`1 + 10^{-16}`, where
    :math:`\arccos` is undefined).
    """
    x, w = _features_and_weight(features, weight)
    return F.linear(F.normalize(x, dim=-1), F.normalize(w, dim=-1)).clamp(-1, 1)


def _unit_range(c: torch.Tensor) -> torch.Tensor:
    """Cosines clamped to [-1, 1], after checking they are cosines."""
    # Cosines computed in float32 can exceed 1 by an ulp or two; more than that
    # is not a cosine at all.
    slack = 4 * torch.finfo(c.dtype).eps
    if c.numel() and c.detach().abs().max() > 1 + slack:
        raise ValueError(f"cosine must lie in [-1, 1], got values up to {c.detach().abs().max().item():.6g} in size")
    return c.clamp(-1, 1)


def _cosines(cosine: Any) -> tuple[torch.Tensor, int]:
    c, dim = class_logits(cosine, "cosine")
    return _unit_range(c), dim


def _sine(c: torch.Tensor) -> torch.Tensor:
    r""":math:`\sin\theta = \sqrt{1 - \cos^2\theta}`, with derivative 0 where it is 0.

    The true derivative is infinite at :math:`\theta \in \{0, \pi\}`; 0 there
    keeps every gradient finite (and a zero upstream gradient from an unused
    ``torch.where`` branch from turning into ``0 * inf = nan``).
    """
    s2 = 1 - c * c
    positive = s2 > 0
    return torch.where(positive, torch.sqrt(torch.where(positive, s2, torch.ones_like(s2))), torch.zeros_like(s2))


def _chebyshev(c: torch.Tensor, m: int) -> torch.Tensor:
    r""":math:`\cos(m\theta) = T_m(\cos\theta)`: a polynomial, so no arccos in the gradient."""
    previous, current = torch.ones_like(c), c
    for _ in range(m - 1):
        previous, current = current, 2 * c * current - previous
    return current


def sphereface_psi(cosine: Any, margin: int = 4) -> torch.Tensor:
    r"""The multiplicative angular margin of L-Softmax and SphereFace.

    .. math::

        \psi(\theta) = (-1)^k \cos(m\theta) - 2k,
        \qquad \theta \in \Bigl[\frac{k\pi}{m}, \frac{(k+1)\pi}{m}\Bigr],
        \ k \in \{0, \dots, m-1\}

    :math:`\cos(m\theta)` alone would rise again past :math:`\theta = \pi/m`;
    the :math:`(-1)^k` and :math:`-2k` continue it as a continuous, decreasing
    function of :math:`\theta` from :math:`1` to :math:`1 - 2m`.

    Args:
        cosine: :math:`\cos\theta`, any shape, in :math:`[-1, 1]`.
        margin: the integer :math:`m \ge 1` (1 gives :math:`\cos\theta`).

    Returns:
        :math:`\psi(\theta)`, ``cosine``'s shape.

    References:
        W. Liu, Y. Wen, Z. Yu, M. Yang, "Large-Margin Softmax Loss for
        Convolutional Neural Networks", ICML 2016 (Eq. 6);
        W. Liu, Y. Wen, Z. Yu, M. Li, B. Raj, L. Song, "SphereFace: Deep
        Hypersphere Embedding for Face Recognition", CVPR 2017.

    Convention: :math:`\cos(m\theta)` is the Chebyshev polynomial
    :math:`T_m(\cos\theta)`, as in the papers' implementations, so the
    gradient is finite at :math:`\theta = 0` and :math:`\pi`; :math:`k` is
    taken as :math:`\min(\lfloor m\theta/\pi\rfloor, m - 1)` (the intervals
    share their ends, where both pieces agree).
    """
    c = _unit_range(as_float(cosine, "cosine"))
    m = positive_int(margin, "margin")
    k = torch.floor(m * torch.arccos(c.detach()) / math.pi).clamp(max=m - 1)
    return (1 - 2 * (k % 2)) * _chebyshev(c, m) - 2 * k


def cosface_psi(cosine: Any, margin: float = 0.35) -> torch.Tensor:
    r"""The additive cosine margin of CosFace and AM-Softmax.

    .. math::

        \psi(\theta) = \cos\theta - m

    Args:
        cosine: :math:`\cos\theta`, any shape, in :math:`[-1, 1]`.
        margin: :math:`m \ge 0`.

    Returns:
        :math:`\psi(\theta)`, ``cosine``'s shape.

    References: see :func:`cosface_loss`.
    """
    c = _unit_range(as_float(cosine, "cosine"))
    m = scalar_in_range(margin, "margin", lo=0.0)
    return c - m


def arcface_psi(cosine: Any, margin: float = 0.5, *, easy_margin: bool = False) -> torch.Tensor:
    r"""The additive angular margin of ArcFace, with insightface's handling past :math:`\pi - m`.

    .. math::

        \psi(\theta) = \begin{cases}
            \cos(\theta + m) & \theta + m < \pi \
            \cos\theta - m \sin m & \text{otherwise}
        \end{cases}
        \qquad\text{or, with } \texttt{easy\_margin}:\quad
        \psi(\theta) = \begin{cases}
            \cos(\theta + m) & \theta < \pi/2 \
            \cos\theta & \text{otherwise}
        \end{cases}

    :math:`\cos(\theta + m)` alone rises again once :math:`\theta + m > \pi`,
    rewarding a sample for moving *away* from its class. The default replaces
    it there by its first-order expansion in :math:`m`,
    :math:`\cos\theta - m\sin\theta`, with :math:`\sin\theta` frozen at its
    value at the threshold, :math:`\sin(\pi - m) = \sin m`: a CosFace-like
    margin :math:`\cos\theta - m\sin m`. That line starts
    :math:`\cos m + m \sin m - 1` below :math:`\cos(\pi) = -1`, so
    :math:`\psi` jumps down at :math:`\theta = \pi - m` (by 0.117 at
    :math:`m = 0.5`), and it stays decreasing. ``easy_margin`` applies the
    margin only to samples within :math:`90°` of their class.

    Args:
        cosine: :math:`\cos\theta`, any shape, in :math:`[-1, 1]`.
        margin: :math:`m \in [0, \pi]`, in radians.
        easy_margin: insightface's ``easy_margin`` switch.

    Returns:
        :math:`\psi(\theta)`, ``cosine``'s shape.

    References: see :func:`arcface_loss`.

    Convention: insightface's ``ArcMarginProduct``: ``phi = cos*cos_m -
    sin*sin_m``, used where ``cos > cos(pi - m)`` (or ``cos > 0`` with
    ``easy_margin``), else ``cos - sin(pi - m) * m`` (or ``cos``). At exactly
    :math:`\theta \in \{0, \pi\}`, where the derivative of :math:`\sin\theta`
    is infinite and insightface's gradient is NaN, lossviz takes it as 0.
    """
    c = _unit_range(as_float(cosine, "cosine"))
    m = scalar_in_range(margin, "margin", lo=0.0, hi=math.pi)
    shifted = c * math.cos(m) - _sine(c) * math.sin(m)
    if easy_margin:
        return torch.where(c > 0, shifted, c)
    return torch.where(c > math.cos(math.pi - m), shifted, c - math.sin(math.pi - m) * m)


def _margin_cross_entropy(
    logits: torch.Tensor, target_logit: torch.Tensor, target: Any, dim: int, reduction: Reduction, x_name: str
) -> torch.Tensor:
    """Cross-entropy of ``logits`` with the true class's logit replaced by ``target_logit``."""
    check_reduction(reduction)
    idx, _ = class_indices(target, logits, dim, x_name=x_name)
    mask = target_mask(idx, logits.shape[dim], dim)
    true = target_logit.gather(dim, idx.unsqueeze(dim))
    logits = torch.where(mask, true.expand_as(logits), logits)
    # logsumexp minus the true logit, rather than -log_softmax: a perfect
    # prediction then gives 0, not -0.
    return reduce(torch.logsumexp(logits, dim) - true.squeeze(dim), reduction)


def l_softmax_loss(
    features: Any, weight: Any, target: Any, *, margin: int = 2, reduction: Reduction = "mean"
) -> torch.Tensor:
    r"""Large-margin softmax (L-Softmax): the true class's angle multiplied by :math:`m`.

    .. math::

        \ell_i = -\log \frac{e^{\lVert W_{y_i}\rVert \lVert x_i\rVert \psi(\theta_{y_i})}}
            {e^{\lVert W_{y_i}\rVert \lVert x_i\rVert \psi(\theta_{y_i})}
             + \sum_{j \ne y_i} e^{\lVert W_j\rVert \lVert x_i\rVert \cos\theta_j}}

    with :math:`\psi` of :func:`sphereface_psi`.

    Args:
        features: shape ``(N, d)``, or ``(d,)`` for one sample; no zero row.
        weight: class weights, shape ``(C, d)``; no zero row.
        target: class indices in :math:`[0, C)`, shape ``(N,)`` (``()`` for one sample).
        margin: the integer :math:`m \ge 1`; 1 is plain softmax cross-entropy
            of ``features @ weight.T``.
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``target``'s shape for ``"none"``, else a scalar.

    Reference:
        W. Liu, Y. Wen, Z. Yu, M. Yang, "Large-Margin Softmax Loss for
        Convolutional Neural Networks", ICML 2016.

    Convention: no bias, as in the paper. The paper trains with
    :math:`(\lambda \cos\theta_y + \psi(\theta_y)) / (1 + \lambda)` in place of
    :math:`\psi`, :math:`\lambda` annealed towards 0; that schedule belongs to
    the training loop and is left out here (:math:`\lambda = 0`).
    """
    x, w = _features_and_weight(features, weight)
    scale = torch.linalg.vector_norm(x, dim=-1, keepdim=True) * torch.linalg.vector_norm(w, dim=-1)
    c = F.linear(F.normalize(x, dim=-1), F.normalize(w, dim=-1)).clamp(-1, 1)
    dim = c.ndim - 1
    return _margin_cross_entropy(scale * c, scale * sphereface_psi(c, margin), target, dim, reduction, "features")


def sphereface_loss(
    features: Any, weight: Any, target: Any, *, margin: int = 4, reduction: Reduction = "mean"
) -> torch.Tensor:
    r"""A-Softmax (SphereFace): L-Softmax with unit class weights.

    .. math::

        \ell_i = -\log \frac{e^{\lVert x_i\rVert \psi(\theta_{y_i})}}
            {e^{\lVert x_i\rVert \psi(\theta_{y_i})}
             + \sum_{j \ne y_i} e^{\lVert x_i\rVert \cos\theta_j}}

    with :math:`\psi` of :func:`sphereface_psi`: the decision depends on the
    angles alone.

    Args:
        features: shape ``(N, d)``, or ``(d,)`` for one sample; no zero row.
        weight: class weights, shape ``(C, d)``, normalised here; no zero row.
        target: class indices in :math:`[0, C)`, shape ``(N,)`` (``()`` for one sample).
        margin: the integer :math:`m \ge 1` (the paper uses 4).
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``target``'s shape for ``"none"``, else a scalar.

    Reference:
        W. Liu, Y. Wen, Z. Yu, M. Li, B. Raj, L. Song, "SphereFace: Deep
        Hypersphere Embedding for Face Recognition", CVPR 2017.

    Convention: as :func:`l_softmax_loss` (no bias, :math:`\lambda = 0`).
    """
    x, w = _features_and_weight(features, weight)
    return l_softmax_loss(x, F.normalize(w, dim=-1), target, margin=margin, reduction=reduction)


def cosface_loss(
    cosine: Any, target: Any, *, scale: float = 64.0, margin: float = 0.35, reduction: Reduction = "mean"
) -> torch.Tensor:
    r"""Large margin cosine loss (CosFace), also called additive margin softmax (AM-Softmax).

    .. math::

        \ell_i = -\log \frac{e^{s(\cos\theta_{y_i} - m)}}
            {e^{s(\cos\theta_{y_i} - m)} + \sum_{j \ne y_i} e^{s\cos\theta_j}}

    Args:
        cosine: :math:`\cos\theta_j` of normalised features and class weights
            (:func:`cosine_logits`), shape ``(N, C)`` or ``(C,)``.
        target: class indices in :math:`[0, C)`, shape ``(N,)`` (``()`` for one sample).
        scale: :math:`s > 0` (CosFace uses 64, AM-Softmax 30).
        margin: :math:`m \ge 0` (both papers use 0.35); 0 is NormFace's
            normalised softmax.
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``target``'s shape for ``"none"``, else a scalar.

    References:
        H. Wang, Y. Wang, Z. Zhou, X. Ji, D. Gong, J. Zhou, Z. Li, W. Liu,
        "CosFace: Large Margin Cosine Loss for Deep Face Recognition", CVPR 2018;
        F. Wang, J. Cheng, W. Liu, H. Liu, "Additive Margin Softmax for Face
        Verification", IEEE Signal Processing Letters, 2018.

    Convention: insightface's ``CombinedMarginLoss`` with ``m1 = 1, m2 = 0,
    m3 = m``; cosines exceeding :math:`\pm 1` by rounding are clamped.
    """
    c, dim = _cosines(cosine)
    s = scalar_in_range(scale, "scale", lo=0.0, lo_open=True)
    return _margin_cross_entropy(s * c, s * cosface_psi(c, margin), target, dim, reduction, "cosine")


def arcface_loss(
    cosine: Any,
    target: Any,
    *,
    scale: float = 64.0,
    margin: float = 0.5,
    easy_margin: bool = False,
    reduction: Reduction = "mean",
) -> torch.Tensor:
    r"""Additive angular margin loss (ArcFace).

    .. math::

        \ell_i = -\log \frac{e^{s\,\psi(\theta_{y_i})}}
            {e^{s\,\psi(\theta_{y_i})} + \sum_{j \ne y_i} e^{s\cos\theta_j}},
        \qquad \psi(\theta) = \cos(\theta + m) \text{ for } \theta + m < \pi

    with :math:`\psi` of :func:`arcface_psi` (which says what happens past
    :math:`\pi - m`).

    Args:
        cosine: :math:`\cos\theta_j` of normalised features and class weights
            (:func:`cosine_logits`), shape ``(N, C)`` or ``(C,)``.
        target: class indices in :math:`[0, C)`, shape ``(N,)`` (``()`` for one sample).
        scale: :math:`s > 0` (the paper uses 64).
        margin: :math:`m \in [0, \pi]` in radians (the paper uses 0.5); 0 is
            NormFace's normalised softmax.
        easy_margin: apply the margin only where :math:`\cos\theta_y > 0`.
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``target``'s shape for ``"none"``, else a scalar.

    Reference:
        J. Deng, J. Guo, N. Xue, S. Zafeiriou, "ArcFace: Additive Angular
        Margin Loss for Deep Face Recognition", CVPR 2019.

    Convention: insightface's ``ArcMarginProduct`` followed by
    ``CrossEntropyLoss`` (threshold :math:`\cos(\pi - m)` and fallback
    :math:`\cos\theta - m\sin m`, or ``easy_margin``), not the paper's bare
    :math:`\cos(\theta + m)`, which is not monotonic in :math:`\theta`.
    """
    c, dim = _cosines(cosine)
    s = scalar_in_range(scale, "scale", lo=0.0, lo_open=True)
    return _margin_cross_entropy(
        s * c, s * arcface_psi(c, margin, easy_margin=easy_margin), target, dim, reduction, "cosine"
    )
