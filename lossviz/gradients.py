"""Gradients of any loss by autograd, for comparing with the book's formulas."""

from __future__ import annotations

from typing import Any, Callable

import torch

from ._checks import as_float


def grad(loss_fn: Callable[..., torch.Tensor], x: Any, *args: Any, **kwargs: Any) -> torch.Tensor:
    r"""Return :math:`\partial \left(\sum_i L_i\right) / \partial x` by autograd.

    ``loss_fn(x, *args, **kwargs)`` is evaluated on a fresh leaf copy of ``x``
    (converted like every loss input: float64 unless ``x`` is already a floating
    tensor); whatever reduction it applies, the result is summed before
    differentiating, so with ``reduction="none"`` each entry of the returned
    tensor is the derivative of that element's own loss.

    Args:
        loss_fn: any function of ``x`` returning a tensor.
        x: the argument to differentiate with respect to.
        *args, **kwargs: passed to ``loss_fn`` unchanged.

    Returns:
        A tensor of ``x``'s shape, detached from any graph.
    """
    leaf = as_float(x, "x").detach().clone().requires_grad_(True)
    with torch.enable_grad():
        total = loss_fn(leaf, *args, **kwargs).sum()
        (g,) = torch.autograd.grad(total, leaf, allow_unused=True)
    return torch.zeros_like(leaf) if g is None else g.detach()
