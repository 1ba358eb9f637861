"""Elementwise terms several losses share, each exact where its naive form is not.

Not input validation (that is :mod:`lossviz._checks`): these take tensors that
have been checked already.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def bce_with_logits(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Elementwise binary cross-entropy on logits.

    Each side is a log-sigmoid, so neither term cancels catastrophically at
    large |x| (unlike ``softplus(x) - x * y``) and the gradient is
    ``sigmoid(x) - y`` everywhere. A term of weight 0 is dropped, so an
    infinite logit with the matching hard label gives exactly 0, with gradient
    0, instead of ``0 * inf = nan``. (Adding the two terms, the dropped one
    being ``+0.``, avoids printing ``-0.`` for a perfect prediction.)
    """
    return weighted_log(y, -F.logsigmoid(x)) + weighted_log(1 - y, -F.logsigmoid(-x))


def alpha_t(alpha: float, y: torch.Tensor) -> torch.Tensor:
    """Per-element class weight: ``alpha`` for positives, ``1 - alpha`` for negatives."""
    return alpha * y + (1 - alpha) * (1 - y)


def weighted_log(w: torch.Tensor, logp: torch.Tensor) -> torch.Tensor:
    """``w * logp`` with ``0 * (-inf) = 0`` in value *and* gradient.

    A class (or binary outcome) of weight 0 drops out even where its log
    probability is ``-inf`` (a masked logit, or a saturated one), as
    ``0 log 0 = 0``; substituting 0 for ``logp`` there keeps the gradient
    with respect to ``w`` finite too.
    """
    return w * torch.where(w != 0, logp, torch.zeros_like(logp))


def target_mask(idx: torch.Tensor, n_classes: int, dim: int) -> torch.Tensor:
    """Boolean mask of the target class, shaped like the scores (class axis ``dim``)."""
    return F.one_hot(idx, n_classes).movedim(-1, dim).bool()
