r"""Ranking metrics for a rare positive class: precision–recall curve and average precision.

Accuracy is useless at 1 positive in 1 000 (predicting "negative" everywhere
scores 99.9 %); the ROC curve is dominated by the easy negatives. Precision and
recall look only at what the model ranks high, which is what a detector's
user sees, so the book scores its experiments by average precision (AP).

Conventions: scores are anything :func:`torch.as_tensor` accepts (logits or
probabilities: only their order matters); labels are 0/1 (or boolean) of the
scores' shape; tied scores form one threshold (no arbitrary order inside a tie);
NaN scores and label sets without a positive raise ``ValueError``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch

from ._checks import as_float, same_shape

__all__ = ["PrecisionRecall", "precision_recall_curve", "average_precision"]


class PrecisionRecall(NamedTuple):
    """Points of a precision–recall curve, one per distinct score, highest score first."""

    precision: torch.Tensor
    recall: torch.Tensor
    thresholds: torch.Tensor


def _scores_labels(scores: Any, labels: Any) -> tuple[torch.Tensor, torch.Tensor]:
    s = as_float(scores, "scores").detach()
    try:
        y = torch.as_tensor(labels).detach()
    except (TypeError, ValueError, RuntimeError) as err:
        raise ValueError(f"labels could not be converted to a tensor: {err}") from None
    same_shape(s, y, "scores", "labels")
    if y.is_complex() or not torch.all((y == 0) | (y == 1)):
        raise ValueError("labels must hold only 0 and 1 (or False and True)")
    if not (y == 1).any():
        raise ValueError("labels must contain at least one positive: AP and recall are undefined without one")
    return s.to(torch.float64).reshape(-1), y.to(torch.float64).reshape(-1)


def precision_recall_curve(scores: Any, labels: Any) -> PrecisionRecall:
    r"""Precision and recall at every distinct score threshold, from the top score down.

    For threshold :math:`t_k` (the :math:`k`-th largest distinct score), the
    examples with score :math:`\ge t_k` are predicted positive and

    .. math::

        P_k = \frac{\mathrm{TP}_k}{\mathrm{TP}_k + \mathrm{FP}_k}, \qquad
        R_k = \frac{\mathrm{TP}_k}{\#\{\text{positives}\}}.

    Args:
        scores: any shape; higher means "more likely positive".
        labels: the scores' shape, values 0/1 (at least one 1).

    Returns:
        :class:`PrecisionRecall` ``(precision, recall, thresholds)``, float64 1-D
        tensors of equal length (the number of distinct scores), thresholds
        decreasing, recall non-decreasing and ending at 1.

    Reference: Manning, Raghavan, Schütze, *Introduction to Information
    Retrieval*, Cambridge University Press, 2008, sec. 8.4.

    Convention: ``sklearn.metrics.precision_recall_curve`` returns the same
    points in the opposite order plus a final (precision 1, recall 0) point
    with no threshold; here every point has its threshold.
    """
    s, y = _scores_labels(scores, labels)
    order = torch.argsort(s, descending=True, stable=True)
    s, y = s[order], y[order]
    tp = torch.cumsum(y, 0)
    fp = torch.cumsum(1.0 - y, 0)
    # The last position of each run of equal scores: a tie is one threshold.
    last = torch.cat([torch.nonzero(s[1:] != s[:-1]).squeeze(1), torch.tensor([s.numel() - 1])])
    tp, fp = tp[last], fp[last]
    return PrecisionRecall(tp / (tp + fp), tp / tp[-1], s[last])


def average_precision(scores: Any, labels: Any) -> torch.Tensor:
    r"""Average precision: the precision averaged over the recall levels reached.

    .. math::

        \mathrm{AP} = \sum_k (R_k - R_{k-1})\, P_k, \qquad R_0 = 0,

    over the points of :func:`precision_recall_curve`. With no ties this is the
    mean, over the positives, of the precision at each positive's rank.

    Args:
        scores: any shape; higher means "more likely positive".
        labels: the scores' shape, values 0/1 (at least one 1).

    Returns:
        AP in :math:`(0, 1]` as a 0-dim float64 tensor.

    Reference: Zhu, "Recall, Precision and Average Precision", University of
    Waterloo, 2004; Manning, Raghavan, Schütze, *Introduction to Information
    Retrieval*, 2008, sec. 8.4.

    Convention: equal to ``sklearn.metrics.average_precision_score`` (step-wise,
    not interpolated). PASCAL VOC's AP interpolates precision; COCO's averages
    an interpolated AP over box-overlap thresholds; neither applies without boxes.
    """
    curve = precision_recall_curve(scores, labels)
    recall_steps = torch.diff(curve.recall, prepend=curve.recall.new_zeros(1))
    return (recall_steps * curve.precision).sum()
