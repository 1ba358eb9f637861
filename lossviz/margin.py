r"""Binary classification losses of the margin :math:`m = y f(x)`, labels :math:`y \in \{-1, +1\}`.

Definitions follow scikit-learn (``sklearn.metrics`` and ``SGDClassifier``'s
losses). Every loss except :func:`brier_score` takes real-valued decision
values ``scores`` :math:`f(x)` and labels ``target`` in :math:`\{-1, +1\}`:
labels in :math:`\{0, 1\}` must be mapped with ``2 * y - 1`` first (anything
else raises ``ValueError``, because a 0 label would silently zero the margin).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from ._checks import Reduction, as_float, in_closed_range, reduce, same_shape

__all__ = [
    "signed_margin",
    "zero_one_loss",
    "hinge_loss",
    "squared_hinge_loss",
    "logistic_loss",
    "exponential_loss",
    "modified_huber_loss",
    "brier_score",
]


def _labels(values: torch.Tensor, allowed: tuple[float, float], name: str, hint: str) -> None:
    ok = (values == allowed[0]) | (values == allowed[1])
    if not bool(ok.all()):
        bad = values[~ok].flatten()[0].item()
        raise ValueError(
            f"{name} must hold only {allowed[0]:g} and {allowed[1]:g}{hint}, got {bad:g}"
        )


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
    m = signed_margin(scores, target)
    # 1 - [m > 0] built from sign(), whose autograd derivative is 0: the loss
    # stays in the graph, so lossviz.grad returns the true gradient (zeros)
    # instead of failing on a tensor without grad_fn.
    return reduce(1 - torch.sign(m).clamp(min=0), reduction)


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
    positive class only, not summed over both classes).
    """
    p = as_float(prob, "prob")
    y = as_float(target, "target", like=p)
    same_shape(p, y, "prob", "target")
    in_closed_range(p, 0.0, 1.0, "prob")
    _labels(y, (0.0, 1.0), "target", "")
    return reduce((p - y) ** 2, reduction)
