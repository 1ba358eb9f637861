r"""Gradient Harmonizing Mechanism (GHM): losses reweighted by gradient density.

GHM bins every element by its *gradient norm* :math:`g` and divides its loss
by how crowded its bin is, so that neither the flood of easy examples
(:math:`g \approx 0`) nor the few outliers (:math:`g \approx 1`) dominates the
gradient.

Reference: Buyu Li, Yu Liu, Xiaogang Wang, "Gradient Harmonized Single-stage
Detector", AAAI 2019. Conventions follow mmdetection's ``GHMC`` / ``GHMR``
(``mmdet/models/losses/ghm_loss.py``) exactly, with its per-bin Python loop
replaced by one pass that finds every element's bin arithmetically, one
``bincount`` and one gather from a table of ``bins`` weights:

* bin :math:`i` holds :math:`e_i \le g < e_{i+1}` with :math:`e_i = i/\text{bins}`
  computed in ``g``'s dtype (mmdet's ``arange(bins + 1) / bins``; ``linspace``
  can differ from it by one ulp) and the last edge raised to ``1 + 1e-6``
  (GHM-C) or ``1e3`` (GHM-R), so that :math:`g = 1` falls in the last bin;
* :math:`N` is the number of valid elements (at least 1); the number of
  non-empty bins :math:`n` is counted in the *current* batch, with or without
  momentum;
* the weights are constants (detached): no gradient flows through the histogram;
* ``label_weight`` is only a mask (``> 0`` means valid); its values multiply
  nothing. mmdet's class-index targets (expanded to one-hot) and its
  ``loss_weight`` are left out: pass binary targets of the logits' shape and
  scale the loss yourself.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch
import torch.nn.functional as F

from ._checks import (
    Reduction,
    as_float,
    binary_pair,
    in_closed_range,
    positive_int,
    reduce,
    residual,
    same_shape,
    scalar_in_range,
)

__all__ = [
    "GradientDensity",
    "gradient_norm",
    "gradient_density",
    "ghmc_loss",
    "authentic_smooth_l1",
    "GHMC",
    "GHMR",
]

_GHMC_TOP = 1.0 + 1e-6
_GHMR_TOP = 1e3


class GradientDensity(NamedTuple):
    """Histogram of gradient norms, the bin of every element and its GHM weight."""

    edges: torch.Tensor
    counts: torch.Tensor
    weights: torch.Tensor
    # Exposed so that a caller never re-bins g itself: the floor (g * bins).long()
    # puts elements at the edges in the wrong bin (see _bin_index).
    bin_index: torch.Tensor


def _edges(bins: int, top: float, like: torch.Tensor) -> torch.Tensor:
    """mmdet's edges ``arange(bins + 1) / bins`` in ``like``'s dtype, the last raised to ``top``."""
    edges = torch.arange(bins + 1, dtype=like.dtype, device=like.device) / bins
    edges[-1] = top
    return edges


def _bin_index(g: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
    """Flat int32 index ``i`` with ``edges[i] <= g < edges[i + 1]`` for every ``g`` in [0, 1].

    ``floor(g * bins)`` alone is not exact: ``g * bins`` and the edges
    ``i / bins`` are both rounded, so right at an edge the two disagree either
    way (float32, 22 bins: ``g = edges[13] = 0.59090906`` but ``g * 22`` rounds
    to 12.999999; float64, 10 bins: ``g = 0.8999999999999999 < edges[9] = 0.9``
    but ``g * 10`` rounds to 9.0). The *nearest* edge ``r = round(g * bins)``
    is robust instead: rounding errors of a few ulps only matter halfway
    between two edges, and both of those bound ``g``'s own bin. So ``r`` is the
    lower or the upper edge of that bin, and one comparison with the true edge
    tells which. This needs ``bins * eps <= 1/4`` (up to 2**21 bins in float32,
    32 in bfloat16); beyond that ``bucketize`` does the exact search.

    The true edge ``edges[r]`` is ``r / bins`` computed exactly as
    :func:`_edges` computes it, so it is recomputed elementwise rather than
    gathered from ``edges`` (a gather costs several of these passes). Only the
    top edge differs (1 here, ``top > 1`` there), and only for ``g = 1``, which
    the final clamp puts in the last bin either way.
    """
    bins = len(edges) - 1
    g = g.reshape(-1)
    if bins * torch.finfo(g.dtype).eps > 0.25:
        index = (torch.bucketize(g, edges, right=True) - 1).int()
    else:
        # In place, and int32 rather than int64: at this size memory traffic is the cost.
        nearest = (g * bins).round_()
        index = nearest.int()
        below = g < nearest.div_(bins)  # g < edges[r]: r is the upper edge
        index -= below.view(torch.uint8)  # a view: no int copy of the mask
    # Only reachable when the dtype rounds the top edge down to 1 (float16,
    # bfloat16): g = 1 belongs in the last bin, as with mmdet's float32 edges.
    return index.clamp_(max=bins - 1)


def _histogram(
    g: torch.Tensor, valid: torch.Tensor | None, edges: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(flat bin index of every element, counts of valid elements per bin)``.

    Masked-out elements get the extra index ``bins``: one ``bincount`` then
    counts only the valid ones (no boolean indexing, which would copy them),
    and :func:`_harmonize` gives that index weight 0. ``valid=None``: all valid.
    """
    bins = len(edges) - 1
    index = _bin_index(g, edges)
    if valid is not None:
        index = torch.where(valid.reshape(-1), index, bins)
    counts = torch.bincount(index, minlength=bins + 1)[:bins]
    return index, counts


def _n_valid(counts: torch.Tensor) -> torch.Tensor:
    """mmdet's normalizer: the number of valid elements, at least 1."""
    return counts.sum().clamp(min=1)


def _harmonize(
    index: torch.Tensor,
    counts: torch.Tensor,
    density: torch.Tensor,
    dtype: torch.dtype,
) -> torch.Tensor:
    """Flat weights ``N / density[bin] / n``, 0 for the masked-out index ``bins``.

    ``density`` is the batch's counts or their running average. Only empty bins
    can have zero density and no element lies in one, so the ``inf`` they
    produce is never gathered.
    """
    n_nonempty = (counts > 0).sum().clamp(min=1)
    per_bin = _n_valid(counts) / density.to(torch.float64) / n_nonempty
    table = torch.cat([per_bin.to(dtype), per_bin.new_zeros(1, dtype=dtype)])
    # index_select rather than table[index]: the same gather, about twice as fast.
    return table.index_select(0, index)


def _mask(label_weight: Any, like: torch.Tensor, like_name: str) -> torch.Tensor | None:
    """Boolean validity mask from ``label_weight`` (mmdet: ``label_weight > 0``).

    None, meaning every element is valid, if it is absent or all positive.
    """
    if label_weight is None:
        return None
    lw = as_float(label_weight, "label_weight", like=like)
    same_shape(like, lw, like_name, "label_weight")
    if lw.numel() and lw.min() > 0:
        return None  # all valid (e.g. all ones): skip the mask and its where()
    return lw > 0


def _mu(mu: float) -> float:
    return scalar_in_range(mu, "mu", lo=0.0, lo_open=True)


def _bce_gradient_norm(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    # In place: one new tensor instead of three.
    return torch.sigmoid(x.detach()).sub_(y.detach()).abs_()


def _asl1(d: torch.Tensor, mu: float) -> torch.Tensor:
    return d * d / (torch.sqrt(d * d + mu * mu) + mu)


def _asl1_gradient_norm(d: torch.Tensor, mu: float) -> torch.Tensor:
    # mmdet's form: sqrt(fl(d*d) + mu^2) >= |d| in floating point, so g <= 1.
    # In place where the operand is our own temporary: two new tensors instead of five.
    d = d.detach()
    return (d / (d * d).add_(mu * mu).sqrt_()).abs_()


def gradient_norm(logits: Any, target: Any) -> torch.Tensor:
    r"""Gradient norm of sigmoid cross-entropy with respect to the logit.

    .. math::
        g = \left|\sigma(x) - y\right|
          = \left|\frac{\partial\,\mathrm{BCE}(x, y)}{\partial x}\right|

    Args:
        logits: raw scores :math:`x`, any shape.
        target: targets :math:`y \in [0, 1]`, same shape.

    Returns:
        :math:`g \in [0, 1]`, detached, same shape.

    Reference: Li, Liu, Wang, "Gradient Harmonized Single-stage Detector",
    AAAI 2019 (mmdet's ``g = |pred.sigmoid() - target|``).
    """
    return _bce_gradient_norm(*binary_pair(logits, target))


def gradient_density(
    g: Any, bins: int = 10, *, valid: Any = None
) -> GradientDensity:
    r"""Histogram gradient norms and return the GHM weight of every element.

    .. math::
        w_j = \frac{N}{n \cdot \mathrm{count}(\mathrm{bin}(g_j))}

    with :math:`N` the number of valid elements and :math:`n` the number of
    non-empty bins, so the weights of the valid elements sum to :math:`N`.

    Args:
        g: gradient norms in :math:`[0, 1]`, any shape (e.g. from :func:`gradient_norm`).
        bins: number of equal-width bins on :math:`[0, 1]` (at least 1).
        valid: optional boolean mask of ``g``'s shape; masked-out elements are
            not counted and get weight 0 (mmdet's ``label_weight > 0``).

    Returns:
        ``GradientDensity(edges, counts, weights, bin_index)``: ``bins + 1``
        edges (last one ``1 + 1e-6``, as in mmdet), int64 counts of valid
        elements per bin, detached weights of ``g``'s shape and dtype, and the
        int64 bin of every element (``g``'s shape; -1 where ``valid`` is false),
        so that ``counts == bincount(bin_index[valid])``.

    Reference: Li, Liu, Wang, "Gradient Harmonized Single-stage Detector",
    AAAI 2019 (gradient density over unit regions); weights as in mmdet's
    ``GHMC``.
    """
    g = as_float(g, "g").detach()
    in_closed_range(g, 0.0, 1.0, "g")
    bins = positive_int(bins, "bins")
    if valid is not None:
        valid = torch.as_tensor(valid, device=g.device)
        if valid.dtype != torch.bool:
            raise ValueError(f"valid must be a boolean mask, got dtype {valid.dtype}")
        same_shape(g, valid, "g", "valid")
    edges = _edges(bins, _GHMC_TOP, g)
    index, counts = _histogram(g, valid, edges)
    weights = _harmonize(index, counts, counts, g.dtype).view(g.shape)
    bin_index = torch.where(index < bins, index, -1).long().view(g.shape)
    return GradientDensity(edges, counts, weights, bin_index)


def ghmc_loss(
    logits: Any, target: Any, *, bins: int = 10, label_weight: Any = None
) -> torch.Tensor:
    r"""GHM-C: sigmoid cross-entropy divided by the density of its gradient norm.

    .. math::
        L = \frac{1}{N} \sum_j w_j\, \mathrm{BCE}(x_j, y_j), \qquad
        w_j = \frac{N}{n \cdot \mathrm{count}(\mathrm{bin}(g_j))}, \quad
        g_j = |\sigma(x_j) - y_j|

    The weights are constants, so :math:`\partial L / \partial x_j = w_j(\sigma(x_j) - y_j)/N`.

    Args:
        logits: raw scores :math:`x`, any shape.
        target: targets :math:`y \in [0, 1]`, same shape.
        bins: number of gradient-norm bins (at least 1).
        label_weight: optional, same shape; elements with ``label_weight <= 0``
            are ignored (not counted, weight 0). Used only as a mask, as in mmdet.

    Returns:
        The scalar loss (0 when no element is valid).

    Reference: Li, Liu, Wang, "Gradient Harmonized Single-stage Detector",
    AAAI 2019; mmdet's ``GHMC`` with ``momentum=0``.
    """
    return GHMC(bins)(logits, target, label_weight)


def authentic_smooth_l1(
    pred: Any, target: Any, *, mu: float = 0.02, reduction: Reduction = "mean"
) -> torch.Tensor:
    r"""Authentic Smooth L1 (ASL1): a smooth L1 whose gradient norm is bounded by 1.

    .. math::
        \mathrm{ASL}_1(d) = \sqrt{d^2 + \mu^2} - \mu = \frac{d^2}{\sqrt{d^2 + \mu^2} + \mu},
        \qquad d = \text{pred} - \text{target},
        \qquad \frac{\partial\,\mathrm{ASL}_1}{\partial d} = \frac{d}{\sqrt{d^2 + \mu^2}}

    Args:
        pred: predictions, any shape.
        target: regression targets, same shape.
        mu: smoothing scale :math:`\mu > 0` (quadratic for :math:`|d| \ll \mu`).
        reduction: ``"none" | "mean" | "sum"``.

    Returns:
        The loss, reduced as requested.

    Reference: Li, Liu, Wang, "Gradient Harmonized Single-stage Detector",
    AAAI 2019. The second form is used (equal to mmdet's first form up
    to rounding) because it does not cancel for :math:`|d| \ll \mu`.
    """
    return reduce(_asl1(residual(pred, target), _mu(mu)), reduction)


class _GHM(torch.nn.Module):
    """Running gradient density shared by :class:`GHMC` and :class:`GHMR`."""

    acc_sum: torch.Tensor
    updates: torch.Tensor

    def __init__(self, bins: int, momentum: float, bias_correction: bool, top: float) -> None:
        super().__init__()
        self.bins = positive_int(bins, "bins")
        self.momentum = scalar_in_range(momentum, "momentum", lo=0.0, hi=1.0)
        if self.momentum == 1.0:
            raise ValueError(f"momentum must lie in [0, 1), got {momentum!r}")
        self.bias_correction = bool(bias_correction)
        self.top = top
        self.register_buffer("acc_sum", torch.zeros(self.bins, dtype=torch.float64))
        self.register_buffer("updates", torch.zeros(self.bins, dtype=torch.int64))

    def reset(self) -> None:
        """Forget the running density (as if freshly constructed)."""
        self.acc_sum.zero_()
        self.updates.zero_()

    def extra_repr(self) -> str:
        return f"bins={self.bins}, momentum={self.momentum}, bias_correction={self.bias_correction}"

    @torch.no_grad()
    def _weights(
        self, g: torch.Tensor, valid: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(weights of g's shape, number of valid elements N >= 1 in g's dtype)``."""
        index, counts = _histogram(g, valid, _edges(self.bins, self.top, g))
        hit = (counts > 0).to(self.acc_sum.device)
        m = self.momentum
        # mmdet updates only the bins hit by this batch; the others keep their average.
        acc = torch.where(hit, m * self.acc_sum + (1 - m) * counts.to(self.acc_sum), self.acc_sum)
        self.acc_sum.copy_(acc)
        self.updates.add_(hit.long())
        if self.bias_correction:
            # Adam-style: bin i has been averaged t_i times starting from 0.
            acc = acc / (1 - m ** self.updates.clamp(min=1).double())
        weights = _harmonize(index, counts, acc.to(g.device), g.dtype).view(g.shape)
        return weights, _n_valid(counts).to(g.dtype)


class GHMC(_GHM):
    r"""GHM-C loss with an optional running (momentum) estimate of the gradient density.

    .. math::
        L = \frac{1}{N} \sum_j \frac{N}{n\, \hat a_{b(j)}}\, \mathrm{BCE}(x_j, y_j), \qquad
        a_i \leftarrow m\, a_i + (1 - m)\, \mathrm{count}_i \ \text{(non-empty bins only)}, \qquad
        \hat a_i = \frac{a_i}{1 - m^{t_i}}

    where :math:`b(j)` is the bin of :math:`g_j = |\sigma(x_j) - y_j|`, :math:`n` the
    number of bins non-empty in this batch and :math:`t_i` the number of updates bin
    :math:`i` has received. The running sums :math:`a_i` (buffer ``acc_sum``) and
    :math:`t_i` (buffer ``updates``) persist across calls; :meth:`reset` clears them.

    Warm-up: :math:`a_i` starts at 0, so mmdet's uncorrected average
    underestimates the density of a bin for its first updates and inflates its
    weights by up to :math:`1/(1-m)` (10x for :math:`m = 0.9`). With
    ``bias_correction=True`` (default) :math:`\hat a_i` removes this, as Adam does,
    so a constant stream gets the momentum-0 weights from the first call;
    ``bias_correction=False`` uses :math:`\hat a_i = a_i` and reproduces mmdet exactly.
    With ``momentum=0`` both equal :func:`ghmc_loss`.

    Args:
        bins: number of gradient-norm bins (at least 1).
        momentum: :math:`m \in [0, 1)`.
        bias_correction: divide by :math:`1 - m^{t_i}` (see above).

    Call ``module(pred, target, label_weight=None)`` with logits, binary targets
    in :math:`[0, 1]` of the same shape and an optional mask (``> 0`` is valid);
    returns the scalar loss and updates the running density.

    Reference: Li, Liu, Wang, "Gradient Harmonized Single-stage Detector",
    AAAI 2019 (EMA of the unit-region counts); mmdet's ``GHMC``.
    """

    def __init__(
        self, bins: int = 10, momentum: float = 0.0, *, bias_correction: bool = True
    ) -> None:
        super().__init__(bins, momentum, bias_correction, _GHMC_TOP)

    def forward(self, pred: Any, target: Any, label_weight: Any = None) -> torch.Tensor:
        x, y = binary_pair(pred, target)
        valid = _mask(label_weight, x, "logits")
        weights, n_valid = self._weights(_bce_gradient_norm(x, y), valid)
        bce = F.binary_cross_entropy_with_logits(x, y, weights, reduction="sum")
        return bce / n_valid


class GHMR(_GHM):
    r"""GHM-R loss: Authentic Smooth L1 divided by the density of its gradient norm.

    .. math::
        L = \frac{1}{N} \sum_j \frac{N}{n\, \hat a_{b(j)}}\, \mathrm{ASL}_1(d_j), \qquad
        d_j = \text{pred}_j - \text{target}_j, \qquad
        g_j = \frac{|d_j|}{\sqrt{d_j^2 + \mu^2}}

    with the running density :math:`\hat a` exactly as in :class:`GHMC` (same
    ``momentum``, ``bias_correction`` and warm-up discussion; :math:`\hat a` is the
    batch's counts when ``momentum=0``). mmdet's last edge is ``1e3`` here.

    mmdet's ``GHMR`` normalizes by ``label_weight.sum()`` rather than by the valid
    count; since the same :math:`N` multiplies the weights, it cancels and the
    loss is the same. :math:`N` = valid count is used here.

    Args:
        mu: ASL1 smoothing scale :math:`\mu > 0`.
        bins: number of gradient-norm bins (at least 1).
        momentum: :math:`m \in [0, 1)`.
        bias_correction: divide the running density by :math:`1 - m^{t_i}`.

    Call ``module(pred, target, label_weight=None)``; returns the scalar loss.

    Reference: Li, Liu, Wang, "Gradient Harmonized Single-stage Detector",
    AAAI 2019; mmdet's ``GHMR``.
    """

    def __init__(
        self,
        mu: float = 0.02,
        bins: int = 10,
        momentum: float = 0.0,
        *,
        bias_correction: bool = True,
    ) -> None:
        super().__init__(bins, momentum, bias_correction, _GHMR_TOP)
        self.mu = _mu(mu)

    def extra_repr(self) -> str:
        return f"mu={self.mu}, " + super().extra_repr()

    def forward(self, pred: Any, target: Any, label_weight: Any = None) -> torch.Tensor:
        d = residual(pred, target)
        valid = _mask(label_weight, d, "pred")
        weights, n_valid = self._weights(_asl1_gradient_norm(d, self.mu), valid)
        return (_asl1(d, self.mu) * weights).sum() / n_valid
