"""Input conversion and validation shared by every loss, and the input helpers
several loss families share (class scores and indices, binary pairs, residuals).

Conventions (stated once, followed everywhere):

* Inputs are anything :func:`torch.as_tensor` accepts. A floating-point
  ``torch.Tensor`` keeps its dtype (so ``float32`` training code stays
  ``float32`` and autograd graphs are preserved); everything else is converted
  to ``float64``, because the book's figures probe extreme logits.
* Shapes must match exactly: a loss never broadcasts a target silently.
* Bad input raises :class:`ValueError` whose message names the argument.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import torch

Reduction = Literal["none", "mean", "sum"]
REDUCTIONS = ("none", "mean", "sum")


def as_float(x: Any, name: str, *, like: torch.Tensor | None = None) -> torch.Tensor:
    """Convert ``x`` to a floating tensor and reject NaN.

    With ``like``, the result takes ``like``'s dtype and device (used for
    targets, which follow the predictions they are compared with).
    """
    dtype = torch.float64 if like is None else like.dtype
    device = None if like is None else like.device
    if isinstance(x, torch.Tensor):
        keep = x.is_floating_point() and like is None
        t = x if keep else x.to(dtype=dtype, device=device)
    else:
        # Converting straight to the target dtype: a list of Python floats would
        # otherwise pass through float32 and lose digits.
        try:
            t = torch.as_tensor(x, dtype=dtype, device=device)
        except (TypeError, ValueError, RuntimeError) as err:
            raise ValueError(f"{name} could not be converted to a tensor: {err}") from None
    if has_nan(t):
        raise ValueError(f"{name} contains NaN")
    return t


def has_nan(t: torch.Tensor) -> bool:
    """Whether a floating tensor holds a NaN.

    ``t.min()`` propagates NaN, and this one reduction reads ``t`` once without
    writing anything: about 10x faster than ``torch.isnan(t).any()``, which
    first writes a boolean tensor of ``t``'s size.
    """
    return t.numel() > 0 and bool(torch.isnan(t.detach().min()))


def as_index(x: Any, name: str, *, device: torch.device | None = None) -> torch.Tensor:
    """Convert ``x`` to an integer (int64) tensor of class indices."""
    t = torch.as_tensor(x, device=device)
    if t.is_floating_point():
        if torch.isnan(t).any():
            raise ValueError(f"{name} contains NaN")
        if not torch.equal(t, t.round()):
            raise ValueError(f"{name} must hold integer class indices, got non-integer values")
    elif t.dtype == torch.bool or t.is_complex():
        raise ValueError(f"{name} must hold integer class indices, got dtype {t.dtype}")
    return t.to(torch.int64)


def same_shape(a: torch.Tensor, b: torch.Tensor, name_a: str, name_b: str) -> None:
    """Require identical shapes (no broadcasting)."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_b} must have the same shape as {name_a}: "
            f"got {tuple(b.shape)} and {tuple(a.shape)}"
        )


def in_closed_range(t: torch.Tensor, lo: float, hi: float, name: str) -> None:
    """Require every element of ``t`` to lie in ``[lo, hi]``."""
    if not t.numel():
        return
    t_min, t_max = (v.item() for v in torch.aminmax(t.detach()))  # one pass for both
    if t_min < lo or t_max > hi:
        raise ValueError(
            f"{name} must lie in [{lo}, {hi}], got values in [{t_min:.6g}, {t_max:.6g}]"
        )


def scalar_in_range(
    value: float,
    name: str,
    *,
    lo: float = -math.inf,
    hi: float = math.inf,
    lo_open: bool = False,
) -> float:
    """Validate a scalar hyper-parameter and return it as a float."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    too_low = v <= lo if lo_open else v < lo
    if math.isnan(v) or too_low or v > hi:
        left = "(" if lo_open else "["
        raise ValueError(f"{name} must lie in {left}{lo}, {hi}], got {value!r}")
    return v


def positive_int(value: int, name: str) -> int:
    """Validate a count such as the number of bins (an integer >= 1)."""
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def check_reduction(reduction: Reduction) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def reduce(loss: torch.Tensor, reduction: Reduction) -> torch.Tensor:
    """Apply ``"none" | "mean" | "sum"`` to a per-element loss."""
    check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def class_logits(
    logits: Any, name: str = "logits", *, min_classes: int = 1
) -> tuple[torch.Tensor, int]:
    """Class scores and their class dimension (PyTorch: dim 1, or dim 0 for one sample)."""
    x = as_float(logits, name)
    if x.ndim == 0:
        raise ValueError(f"{name} must have a class dimension, got a scalar")
    dim = 1 if x.ndim >= 2 else 0
    if x.shape[dim] < min_classes:
        raise ValueError(f"{name} must have at least {min_classes} classes, got {x.shape[dim]}")
    return x, dim


def class_indices(
    target: Any,
    x: torch.Tensor,
    dim: int,
    ignore_index: int | None = None,
    *,
    x_name: str = "logits",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Validated class indices, with ignored positions replaced by class 0
    (so that gathering stays legal), and the mask of positions that count."""
    idx = as_index(target, "target", device=x.device)
    expected = x.shape[:dim] + x.shape[dim + 1 :]
    if idx.shape != expected:
        raise ValueError(
            f"target must have the shape of {x_name} without the class dimension "
            f"{tuple(expected)}, got {tuple(idx.shape)}"
        )
    valid = torch.ones_like(idx, dtype=torch.bool) if ignore_index is None else idx != ignore_index
    kept = idx[valid]
    n_classes = x.shape[dim]
    if kept.numel() and (kept.min() < 0 or kept.max() >= n_classes):
        raise ValueError(
            f"target class indices must lie in [0, {n_classes - 1}]"
            + ("" if ignore_index is None else f" or equal ignore_index={ignore_index}")
            + f", got values in [{kept.min().item()}, {kept.max().item()}]"
        )
    return idx.where(valid, 0), valid


def binary_pair(logits: Any, target: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits and a same-shaped (possibly soft) binary target in [0, 1]."""
    x = as_float(logits, "logits")
    y = as_float(target, "target", like=x)
    same_shape(x, y, "logits", "target")
    # Outside [0, 1] the formula still returns numbers (even negative losses),
    # which is exactly the silent failure this check exists to stop.
    in_closed_range(y, 0.0, 1.0, "target")
    return x, y


def residual(pred: Any, target: Any) -> torch.Tensor:
    """``pred - target``, of two same-shaped tensors (PyTorch's regression convention)."""
    p = as_float(pred, "pred")
    t = as_float(target, "target", like=p)
    same_shape(p, t, "pred", "target")
    return p - t
