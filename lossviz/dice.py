"""Dice loss for (soft) binary segmentation masks."""

from __future__ import annotations

from typing import Any

import torch

from ._checks import Reduction, as_float, in_closed_range, reduce, same_shape, scalar_in_range

__all__ = ["dice_loss"]


def dice_loss(
    logits: Any,
    target: Any,
    *,
    smooth: float = 1.0,
    squared: bool = False,
    reduction: Reduction = "mean",
) -> torch.Tensor:
    r"""Soft Dice loss of sigmoid probabilities, one Dice coefficient per sample.

    With :math:`p = \sigma(x)` and sums over every non-batch element of sample
    :math:`n`:

    .. math::

        L_n = 1 - \frac{2 \sum_j p_j g_j + s}{\sum_j p_j + \sum_j g_j + s}
        \qquad\text{or, with ``squared=True``,}\qquad
        L_n = 1 - \frac{2 \sum_j p_j g_j + s}{\sum_j p_j^2 + \sum_j g_j^2 + s}.

    On hard masks the Dice coefficient (Dice 1945; Sørensen 1948) equals the F1
    score; :math:`L_n \in [0, 1]` whenever :math:`g \in [0, 1]`.

    Args:
        logits: raw scores of shape ``(N, ...)``; dim 0 is the batch and there
            must be at least one more dim. A 1-D input is rejected rather than
            guessed at (a batch of single pixels or one flat mask?): pass
            ``logits[None]`` for one sample.
        target: ground-truth mask of the same shape, values in :math:`[0, 1]`
            (soft masks allowed).
        smooth: :math:`s \ge 0`, added to numerator and denominator. It keeps
            empty masks well defined and the gradient bounded.
        squared: use the squared denominator of V-Net.
        reduction: ``"none"`` (shape ``(N,)``), ``"mean"`` or ``"sum"`` over
            the batch.

    Returns:
        The loss, a tensor of shape ``(N,)`` or ``()``.

    Reference:
        F. Milletari, N. Navab, S.-A. Ahmadi, "V-Net: Fully Convolutional Neural
        Networks for Volumetric Medical Image Segmentation", 3DV 2016.

    Convention: one coefficient per sample, summed over channels and space
    (libraries differ: some pool the whole batch, some average per channel).
    With ``smooth=0`` a sample whose denominator is exactly zero (empty target
    and prediction) scores :math:`L_n = 0` with zero gradient instead of 0/0.
    """
    x = as_float(logits, "logits")
    g = as_float(target, "target", like=x)
    same_shape(x, g, "logits", "target")
    if x.dim() < 2:
        raise ValueError(
            f"logits must have shape (N, ...) with a batch dim and at least one more, "
            f"got shape {tuple(x.shape)}; use logits[None] for a single sample"
        )
    in_closed_range(g, 0.0, 1.0, "target")
    s = scalar_in_range(smooth, "smooth", lo=0.0)

    p = torch.sigmoid(x).flatten(1)
    g = g.flatten(1)
    numerator = 2 * (p * g).sum(1) + s
    denominator = ((p * p).sum(1) + (g * g).sum(1) if squared else p.sum(1) + g.sum(1)) + s
    # Only reachable with s = 0; masking the denominator too keeps 0/0 out of the backward pass.
    empty = denominator == 0
    dice = torch.where(empty, 1.0, numerator / torch.where(empty, 1.0, denominator))
    return reduce(1 - dice, reduction)
