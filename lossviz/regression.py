"""Regression losses of the residual ``pred - target`` (PyTorch conventions)."""

from __future__ import annotations

import sys
from typing import Any

import torch

from ._checks import Reduction, reduce, residual, scalar_in_range

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"]

# An infinite beta or delta would make the loss 0 * inf; they are rejected.
_FINITE_MAX = sys.float_info.max


def _smooth_l1(d: torch.Tensor, beta: float) -> torch.Tensor:
    # Below the smallest normal number 1 / beta overflows (NaN gradients); the
    # quadratic zone is then narrower than rounding, so L1 is exact to rounding.
    if beta < torch.finfo(d.dtype).tiny:
        return d.abs()
    # Branch-free form: 0.5 c^2 / beta + |d| - |c| with c = clamp(d, -beta, beta).
    # Unlike torch.where over both branches, nothing here can overflow to inf and
    # poison the gradient with 0 * inf when beta is tiny and |d| is large.
    # |d| - |c| is grouped first: it is exactly 0 in the quadratic zone, so a tiny
    # quadratic term is not lost by adding it to |d| and subtracting |c| again.
    c = d.clamp(-beta, beta)
    return 0.5 * c * c / beta + (d.abs() - c.abs())


def mse_loss(pred: Any, target: Any, *, reduction: Reduction = "mean") -> torch.Tensor:
    r"""Squared error.

    .. math::

        L_i = (\hat y_i - y_i)^2

    Args:
        pred: predictions :math:`\hat y`, any shape.
        target: targets :math:`y`, same shape.
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``pred``'s shape for ``"none"``, else a scalar.

    Reference:
        A.-M. Legendre, "Nouvelles méthodes pour la détermination des orbites
        des comètes", Firmin Didot, 1805 (least squares).

    Convention: ``torch.nn.functional.mse_loss`` (no factor 1/2).
    """
    d = residual(pred, target)
    return reduce(d * d, reduction)


def l1_loss(pred: Any, target: Any, *, reduction: Reduction = "mean") -> torch.Tensor:
    r"""Absolute error.

    .. math::

        L_i = |\hat y_i - y_i|

    Args:
        pred: predictions :math:`\hat y`, any shape.
        target: targets :math:`y`, same shape.
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``pred``'s shape for ``"none"``, else a scalar.

    Reference:
        P. Bloomfield, W. L. Steiger, "Least Absolute Deviations: Theory,
        Applications and Algorithms", Birkhäuser, 1983.

    Convention: ``torch.nn.functional.l1_loss``; the (sub)gradient at a zero
    residual is 0.
    """
    return reduce(residual(pred, target).abs(), reduction)


def smooth_l1_loss(
    pred: Any, target: Any, *, beta: float = 1.0, reduction: Reduction = "mean"
) -> torch.Tensor:
    r"""Smooth L1: quadratic for small residuals, L1 with slope 1 beyond ``beta``.

    With :math:`d = \hat y - y`:

    .. math::

        L_i = \begin{cases}
            \dfrac{d_i^2}{2\beta} & |d_i| < \beta \\
            |d_i| - \dfrac{\beta}{2} & \text{otherwise}
        \end{cases}
        \qquad
        \mathrm{SmoothL1}_\beta = \mathrm{Huber}_\beta / \beta .

    Args:
        pred: predictions :math:`\hat y`, any shape.
        target: targets :math:`y`, same shape.
        beta: finite :math:`\beta \ge 0`, where the quadratic part ends;
            ``beta=0`` is exactly :func:`l1_loss`.
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``pred``'s shape for ``"none"``, else a scalar.

    Reference:
        R. Girshick, "Fast R-CNN", ICCV 2015.

    Convention: PyTorch's ``smooth_l1_loss`` (slope 1 in the linear part, so
    the gradient is bounded by 1 whatever ``beta``); Huber's parametrisation is
    :func:`huber_loss`.
    """
    b = scalar_in_range(beta, "beta", lo=0.0, hi=_FINITE_MAX)
    return reduce(_smooth_l1(residual(pred, target), b), reduction)


def huber_loss(
    pred: Any, target: Any, *, delta: float = 1.0, reduction: Reduction = "mean"
) -> torch.Tensor:
    r"""Huber loss: quadratic for small residuals, linear with slope ``delta`` beyond.

    With :math:`d = \hat y - y`:

    .. math::

        L_i = \begin{cases}
            \tfrac12 d_i^2 & |d_i| \le \delta \\
            \delta \left(|d_i| - \tfrac12 \delta\right) & \text{otherwise}
        \end{cases}
        \qquad
        \mathrm{Huber}_\delta = \delta \, \mathrm{SmoothL1}_\delta .

    Args:
        pred: predictions :math:`\hat y`, any shape.
        target: targets :math:`y`, same shape.
        delta: finite :math:`\delta > 0`, where the quadratic part ends.
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Returns:
        The loss; ``pred``'s shape for ``"none"``, else a scalar.

    Reference:
        P. J. Huber, "Robust Estimation of a Location Parameter", Annals of
        Mathematical Statistics, 1964.

    Convention: PyTorch's ``huber_loss`` (the quadratic part is
    :math:`\tfrac12 d^2` whatever ``delta``, so the gradient is the residual
    clipped to :math:`[-\delta, \delta]`).
    """
    dl = scalar_in_range(delta, "delta", lo=0.0, lo_open=True, hi=_FINITE_MAX)
    return reduce(dl * _smooth_l1(residual(pred, target), dl), reduction)
