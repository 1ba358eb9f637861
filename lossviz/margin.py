r"""Classification losses of the margin: binary, multi-class and multi-label.

Definitions follow scikit-learn (``sklearn.metrics`` and ``SGDClassifier``'s
losses) and, for :func:`multi_margin_loss`, PyTorch.

* Binary: every loss except :func:`brier_score` takes real-valued decision
  values ``scores`` :math:`f(x)` and labels ``target`` in :math:`\{-1, +1\}`;
  labels in :math:`\{0, 1\}` must be mapped with ``2 * y - 1`` first (anything
  else raises ``ValueError``, because a 0 label would silently zero the margin).
* Multi-class: ``scores`` has a class dimension, as in
  :func:`torch.nn.functional.cross_entropy` (``(N, C, d1, ...)``, or ``(C,)``
  for one sample) and ``target`` holds integer class indices.
* Multi-label: :func:`label_ranking_loss` takes a 0/1 indicator matrix and a
  score per label, as ``sklearn.metrics.label_ranking_loss``.
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
    in_closed_range,
    reduce,
    same_shape,
    scalar_in_range,
)
from ._terms import target_mask

__all__ = [
    "signed_margin",
    "zero_one_loss",
    "hinge_loss",
    "squared_hinge_loss",
    "logistic_loss",
    "exponential_loss",
    "modified_huber_loss",
    "brier_score",
    "multiclass_margin",
    "crammer_singer_hinge_loss",
    "multi_margin_loss",
    "label_ranking_loss",
]


def _labels(values: torch.Tensor, allowed: tuple[float, float], name: str, hint: str) -> None:
    ok = (values == allowed[0]) | (values == allowed[1])
    if not bool(ok.all()):
        bad = values[~ok].flatten()[0].item()
        raise ValueError(
            f"{name} must hold only {allowed[0]:g} and {allowed[1]:g}{hint}, got {bad:g}"
        )


def _zero_one(m: torch.Tensor) -> torch.Tensor:
    """1 where ``m <= 0``, else 0, kept in the autograd graph with derivative 0."""
    # 1 - [m > 0] built from sign(), whose autograd derivative is 0: the loss
    # stays in the graph, so lossviz.grad returns the true gradient (zeros)
    # instead of failing on a tensor without grad_fn.
    return 1 - torch.sign(m).clamp(min=0)


def signed_margin(scores: Any, target: Any) -> torch.Tensor:
    r"""The margin :math:`m_i = y_i f(x_i)`: positive when classified correctly.

    .. math::

        m_i = y_i \, f(x_i), \qquad y_i \in \{-1, +1\}

    Args:
        scores: real-valued decision values :math:`f(x)`, any shape.
        target: labels in :math:`\{-1, +1\}`, same shape (map 0/1 labels with
            ``2 * y - 1``).

    Returns:
        The margins, ``scores``' shape.
    """
    f = as_float(scores, "scores")
    y = as_float(target, "target", like=f)
    same_shape(f, y, "scores", "target")
    _labels(y, (-1.0, 1.0), "target", " (map {0, 1} labels with 2 * y - 1)")
    return y * f


def zero_one_loss(scores: Any, target: Any, *, reduction: Reduction = "mean") -> torch.Tensor:
    r"""Misclassification indicator; its gradient is zero everywhere.

    .. math::

        L_i = \mathbb{1}[m_i \le 0]

    Args:
        scores: real-valued decision values :math:`f(x)`, any shape.
        target: labels in :math:`\{-1, +1\}`, same shape (map 0/1 labels with
            ``2 * y - 1``).
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``scores``' shape for ``"none"``, else a scalar.

    Reference: ``sklearn.metrics.zero_one_loss`` applied to predictions
    :math:`\operatorname{sign} f(x)`.

    Convention: a score of exactly 0 is an error whatever the label (:math:`m = 0`
    counts as misclassified), so hinge, squared hinge, modified Huber,
    exponential and logistic / :math:`\ln 2` all bound this loss from above.
    """
    return reduce(_zero_one(signed_margin(scores, target)), reduction)


def hinge_loss(scores: Any, target: Any, *, reduction: Reduction = "mean") -> torch.Tensor:
    r"""Hinge loss of the support vector machine.

    .. math::

        L_i = \max(0, 1 - m_i)

    Args:
        scores: real-valued decision values :math:`f(x)`, any shape.
        target: labels in :math:`\{-1, +1\}`, same shape (map 0/1 labels with
            ``2 * y - 1``).
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``scores``' shape for ``"none"``, else a scalar.

    Reference:
        C. Cortes, V. Vapnik, "Support-Vector Networks", Machine Learning, 1995.

    Convention: ``sklearn.metrics.hinge_loss`` (margin threshold 1); the
    subgradient at :math:`m = 1` is 0.
    """
    return reduce(F.relu(1 - signed_margin(scores, target)), reduction)


def squared_hinge_loss(scores: Any, target: Any, *, reduction: Reduction = "mean") -> torch.Tensor:
    r"""Squared hinge loss (differentiable at the hinge).

    .. math::

        L_i = \max(0, 1 - m_i)^2

    Args:
        scores: real-valued decision values :math:`f(x)`, any shape.
        target: labels in :math:`\{-1, +1\}`, same shape (map 0/1 labels with
            ``2 * y - 1``).
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``scores``' shape for ``"none"``, else a scalar.

    Reference: scikit-learn's ``SGDClassifier(loss="squared_hinge")``
    (L2-SVM: C.-P. Lee, C.-J. Lin, "A Study on L2-Loss (Squared Hinge-Loss)
    Multiclass SVM", Neural Computation, 2013).
    """
    return reduce(F.relu(1 - signed_margin(scores, target)) ** 2, reduction)


def logistic_loss(scores: Any, target: Any, *, reduction: Reduction = "mean") -> torch.Tensor:
    r"""Logistic (log) loss, computed stably as a softplus.

    .. math::

        L_i = \ln\left(1 + e^{-m_i}\right) = \operatorname{softplus}(-m_i)

    Args:
        scores: real-valued decision values :math:`f(x)`, any shape.
        target: labels in :math:`\{-1, +1\}`, same shape (map 0/1 labels with
            ``2 * y - 1``).
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``scores``' shape for ``"none"``, else a scalar.

    Reference: scikit-learn's ``SGDClassifier(loss="log_loss")``; equal to
    ``sklearn.metrics.log_loss`` of the probabilities :math:`\sigma(f(x))`
    with labels :math:`(y + 1) / 2`.

    Convention: natural logarithm (divide by :math:`\ln 2` for the version
    that equals 1 at :math:`m = 0` and bounds the 0-1 loss). Finite, with a
    finite gradient, for any finite margin.
    """
    return reduce(F.softplus(-signed_margin(scores, target)), reduction)


def exponential_loss(scores: Any, target: Any, *, reduction: Reduction = "mean") -> torch.Tensor:
    r"""Exponential loss minimised by AdaBoost.

    .. math::

        L_i = e^{-m_i}

    Args:
        scores: real-valued decision values :math:`f(x)`, any shape.
        target: labels in :math:`\{-1, +1\}`, same shape (map 0/1 labels with
            ``2 * y - 1``).
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``scores``' shape for ``"none"``, else a scalar.

    Reference:
        Y. Freund, R. E. Schapire, "A Decision-Theoretic Generalization of
        On-Line Learning and an Application to Boosting", Journal of Computer
        and System Sciences, 1997.

    Convention: no finiteness promise. The true value overflows: the loss and
    its gradient are ``inf`` once :math:`m < -709.78` in float64 (:math:`-88.72`
    in float32), e.g. at :math:`m = -10^4`. That is the point the book makes
    about this loss's sensitivity to outliers, so it is not clipped.
    """
    return reduce(torch.exp(-signed_margin(scores, target)), reduction)


def modified_huber_loss(scores: Any, target: Any, *, reduction: Reduction = "mean") -> torch.Tensor:
    r"""Modified Huber loss: squared hinge, continued linearly below :math:`m = -1`.

    .. math::

        L_i = \begin{cases}
            \max(0, 1 - m_i)^2 & m_i \ge -1 \\
            -4 m_i & m_i < -1
        \end{cases}

    Args:
        scores: real-valued decision values :math:`f(x)`, any shape.
        target: labels in :math:`\{-1, +1\}`, same shape (map 0/1 labels with
            ``2 * y - 1``).
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``scores``' shape for ``"none"``, else a scalar.

    Reference:
        T. Zhang, "Solving Large Scale Linear Prediction Problems Using
        Stochastic Gradient Descent Algorithms", ICML 2004.

    Convention: scikit-learn's ``SGDClassifier(loss="modified_huber")``.
    """
    m = signed_margin(scores, target)
    # Branch-free: with c = max(m, -1), (1 - c)^2 - 4 (m - c) is both cases,
    # and neither piece can overflow to inf in an unused torch.where branch.
    c = m.clamp(min=-1)
    return reduce(F.relu(1 - c) ** 2 - 4 * (m - c), reduction)


def brier_score(prob: Any, target: Any, *, reduction: Reduction = "mean") -> torch.Tensor:
    r"""Brier score: squared error of a predicted probability.

    .. math::

        L_i = (p_i - y_i)^2, \qquad y_i \in \{0, 1\}

    Args:
        prob: predicted probabilities of the positive class, in :math:`[0, 1]`.
        target: labels in :math:`\{0, 1\}` (unlike the margin losses of this
            module, which take :math:`\pm 1`), same shape.
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``prob``'s shape for ``"none"``, else a scalar.

    Reference:
        G. W. Brier, "Verification of Forecasts Expressed in Terms of
        Probability", Monthly Weather Review, 1950.

    Convention: ``sklearn.metrics.brier_score_loss`` for binary labels (the
    positive class only, not summed over both classes). Probabilities of
    exactly 0 or 1 are used as given (a confident wrong forecast scores 1), as
    in ``brier_score_loss``; unlike scikit-learn's ``log_loss``, which clips
    :math:`p` to :math:`[\epsilon, 1 - \epsilon]`, nothing is clipped, and
    nothing needs to be: the score is bounded.
    """
    p = as_float(prob, "prob")
    y = as_float(target, "target", like=p)
    same_shape(p, y, "prob", "target")
    in_closed_range(p, 0.0, 1.0, "prob")
    _labels(y, (0.0, 1.0), "target", "")
    return reduce((p - y) ** 2, reduction)


def _scores_and_classes(
    scores: Any, target: Any, min_classes: int
) -> tuple[torch.Tensor, torch.Tensor, int]:
    x, dim = class_logits(scores, "scores", min_classes=min_classes)
    idx, _ = class_indices(target, x, dim, x_name="scores")
    return x, idx, dim


def multiclass_margin(scores: Any, target: Any) -> torch.Tensor:
    r"""Multi-class margin: the true class's score minus the best other score.

    .. math::

        m_i = f_{y_i}(x_i) - \max_{j \ne y_i} f_j(x_i)

    Positive exactly when the true class wins outright; with two classes and
    scores :math:`(-f, f)` it is :math:`2 y f`, twice the binary
    :func:`signed_margin`.

    Args:
        scores: real-valued class scores, shape ``(N, C, d1, ...)`` or ``(C,)``
            for one sample, :math:`C \ge 2`.
        target: integer class indices in :math:`[0, C)`, shape ``(N, d1, ...)``
            (``()`` for one sample).

    Returns:
        The margins, ``target``'s shape.

    Reference:
        K. Crammer, Y. Singer, "On the Algorithmic Implementation of Multiclass
        Kernel-based Vector Machines", JMLR 2001.

    Convention: the margin of ``sklearn.metrics.hinge_loss`` for more than two
    classes. Where several other classes tie for the maximum, autograd splits
    the gradient equally between them (a valid subgradient).
    """
    x, idx, dim = _scores_and_classes(scores, target, min_classes=2)
    true = x.gather(dim, idx.unsqueeze(dim)).squeeze(dim)
    best_other = x.masked_fill(target_mask(idx, x.shape[dim], dim), -math.inf).amax(dim)
    return true - best_other


def crammer_singer_hinge_loss(
    scores: Any, target: Any, *, reduction: Reduction = "mean"
) -> torch.Tensor:
    r"""Crammer–Singer multi-class hinge loss: the hinge of the multi-class margin.

    .. math::

        L_i = \max\Bigl(0,\ 1 - f_{y_i}(x_i) + \max_{j \ne y_i} f_j(x_i)\Bigr)
            = \max(0, 1 - m_i)

    with :math:`m_i` the :func:`multiclass_margin`.

    Args:
        scores: real-valued class scores, shape ``(N, C, d1, ...)`` or ``(C,)``
            for one sample, :math:`C \ge 2`.
        target: integer class indices in :math:`[0, C)`, shape ``(N, d1, ...)``
            (``()`` for one sample).
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``target``'s shape for ``"none"``, else a scalar.

    Reference:
        K. Crammer, Y. Singer, "On the Algorithmic Implementation of Multiclass
        Kernel-based Vector Machines", JMLR 2001.

    Convention: ``sklearn.metrics.hinge_loss`` with more than two classes
    (``y_true`` encoded as indices ``0 .. C-1``; its ``sample_weight`` is
    ``np.average`` of the ``"none"`` output). Only the *most* violating other
    class counts, and nothing is divided by :math:`C`. PyTorch's
    :func:`multi_margin_loss` (Weston–Watkins) instead *sums* the violations
    of every other class and divides by :math:`C`: with margin 1 and
    :math:`p = 1` the two agree when at most one other class violates the
    margin, up to that factor :math:`1/C`.
    """
    return reduce(F.relu(1 - multiclass_margin(scores, target)), reduction)


def multi_margin_loss(
    scores: Any,
    target: Any,
    *,
    p: int = 1,
    margin: float = 1.0,
    weight: Any = None,
    reduction: Reduction = "mean",
) -> torch.Tensor:
    r"""Weston–Watkins multi-class hinge loss, as PyTorch's ``multi_margin_loss``.

    .. math::

        L_i = \frac{w_{y_i}}{C} \sum_{j \ne y_i}
              \max\bigl(0,\ \Delta - f_{y_i}(x_i) + f_j(x_i)\bigr)^{p}

    with margin :math:`\Delta`, :math:`p \in \{1, 2\}` and class weights
    :math:`w` (all 1 by default).

    Args:
        scores: real-valued class scores, shape ``(N, C, d1, ...)`` or ``(C,)``
            for one sample.
        target: integer class indices in :math:`[0, C)`, shape ``(N, d1, ...)``
            (``()`` for one sample).
        p: 1 (hinge) or 2 (squared hinge).
        margin: :math:`\Delta`, any real number.
        weight: ``None`` or :math:`C` non-negative per-class weights; sample
            :math:`i` is weighted by its true class's :math:`w_{y_i}`.
        reduction: ``"none"``, ``"mean"`` or ``"sum"``; ``"mean"`` is the plain
            mean over samples (not divided by the weights' sum).

    Returns:
        The loss; ``target``'s shape for ``"none"``, else a scalar.

    Reference:
        J. Weston, C. Watkins, "Support Vector Machines for Multi-Class Pattern
        Recognition", ESANN 1999. Implementation:
        :func:`torch.nn.functional.multi_margin_loss`.

    Convention: PyTorch's, which differs from the sklearn/Crammer–Singer
    :func:`crammer_singer_hinge_loss` in two ways: every other class that
    comes within the margin adds its own violation (a sum, not the maximum),
    and the sum is divided by the number of classes :math:`C` (the true class
    included, although it never contributes). The weight multiplies the
    :math:`p`-th power, as PyTorch computes it (its documentation puts
    :math:`w_{y_i}` inside the power, which differs for :math:`p = 2`).
    Unlike PyTorch, negative weights are rejected. Scores with extra
    dimensions ``d1, ...`` are accepted (PyTorch takes 1-D or 2-D only).
    """
    x, idx, dim = _scores_and_classes(scores, target, min_classes=1)
    if isinstance(p, bool) or p not in (1, 2):
        raise ValueError(f"p must be 1 or 2, got {p!r}")
    delta = scalar_in_range(margin, "margin")
    check_reduction(reduction)
    n_classes = x.shape[dim]
    true = x.gather(dim, idx.unsqueeze(dim))
    violation = F.relu(delta - true + x) ** p
    # The true class would "violate" its own margin by delta; it is no competitor.
    violation = violation.masked_fill(target_mask(idx, n_classes, dim), 0.0)
    loss = violation.sum(dim) / n_classes
    if weight is not None:
        w = as_float(weight, "weight", like=x)
        if w.shape != (n_classes,):
            raise ValueError(
                f"weight must hold {n_classes} per-class weights, got shape {tuple(w.shape)}"
            )
        in_closed_range(w, 0.0, math.inf, "weight")
        loss = w[idx] * loss
    return reduce(loss, reduction)


def label_ranking_loss(y_true: Any, y_score: Any, *, reduction: Reduction = "mean") -> torch.Tensor:
    r"""Label ranking loss: the fraction of (relevant, irrelevant) label pairs ranked wrongly.

    .. math::

        L_i = \frac{1}{|Y_i|\,(K - |Y_i|)}
              \sum_{j \in Y_i} \sum_{k \notin Y_i} \mathbb{1}[s_{ij} \le s_{ik}]

    for sample :math:`i` with relevant labels :math:`Y_i` among :math:`K`;
    :math:`L_i = 0` when :math:`Y_i` is empty or holds every label. Each term
    is the zero-one loss of the pairwise margin :math:`s_{ij} - s_{ik}`.

    Args:
        y_true: relevance indicators in :math:`\{0, 1\}` (or booleans), shape
            ``(n_samples, n_labels)``.
        y_score: real-valued scores, same shape; only their order within a
            sample matters.
        reduction: ``"none"`` (one value per sample), ``"mean"`` or ``"sum"``.

    Returns:
        The loss; shape ``(n_samples,)`` for ``"none"``, else a scalar. Its
        gradient is zero wherever it exists (``lossviz.grad`` returns zeros).

    Reference:
        G. Tsoumakas, I. Katakis, I. Vlahavas, "Mining Multi-label Data", Data
        Mining and Knowledge Discovery Handbook, Springer, 2010.

    Convention: ``sklearn.metrics.label_ranking_loss``: a tie between a
    relevant and an irrelevant label counts as wrong (otherwise equal scores
    everywhere would reach zero loss), and a sample with no relevant or no
    irrelevant label scores 0 and still counts in the mean. sklearn's
    ``sample_weight`` is ``np.average`` of the ``"none"`` output. Empty input
    (no sample or no label) raises ``ValueError``, as in sklearn. Compares all
    :math:`K^2` label pairs of a sample at once, which suits tens of labels,
    not thousands.
    """
    s = as_float(y_score, "y_score")
    y = as_float(y_true, "y_true", like=s)
    same_shape(s, y, "y_score", "y_true")
    if s.ndim != 2:
        raise ValueError(
            f"y_true and y_score must have shape (n_samples, n_labels), got {tuple(s.shape)}"
        )
    if y.numel() == 0:
        # The mean over no samples would be NaN; sklearn raises here too.
        raise ValueError(
            f"y_true must hold at least one sample and one label, got shape {tuple(y.shape)}"
        )
    _labels(y, (0.0, 1.0), "y_true", "")
    pairs = y[:, :, None] * (1 - y[:, None, :])  # relevant j, irrelevant k
    wrong = (pairs * _zero_one(s[:, :, None] - s[:, None, :])).sum((1, 2))
    # A sample without pairs has wrong = 0; dividing by 1 gives sklearn's 0.
    return reduce(wrong / pairs.sum((1, 2)).clamp(min=1), reduction)
