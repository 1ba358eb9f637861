r"""A synthetic, controlled stand-in for the imbalance of dense prediction.

A one-stage detector scores some :math:`10^4`–:math:`10^5` anchors per image, of
which a handful overlap an object. :func:`make_imbalanced_task` draws a binary
task with the same anatomy, in a feature space small enough to train on a laptop:

* **positives** (rate ``positive_rate``, default 1 in 1 000) sit at the object,
  :math:`x \sim \mathcal N(0, I/d)`, so :math:`\lVert x\rVert \approx 1`;
* **hard negatives** (rate ``hard_negative_rate``) fill a band around it:
  a uniform direction at a radius :math:`r \sim U(r_1, r_2)`, ``hard_band`` =
  :math:`(r_1, r_2)`. The band overlaps the positives' outer tail, so some
  examples are ambiguous whatever the model;
* **easy negatives** (all the rest) are background,
  :math:`x \sim \mathcal N(0, s^2 I)` conditioned on :math:`\lVert x\rVert \ge r_2`
  (``easy_scale`` = :math:`s`): far from the object, never inside the band;
* **label noise**: exactly ``round(label_noise * n)`` labels, chosen uniformly at
  random, are flipped. Almost all of them turn a background example into a
  "positive" that no sensible model can fit: the outliers of the GHM paper.

Think of :math:`x` as an anchor's offset from the object, :math:`\lVert x\rVert`
growing as its overlap shrinks. The object is at the origin, so
``features.norm(dim=1)`` is each example's distance from it.

:func:`detector_logits` skips the model: it draws the logits of a detector that has
almost converged on such a task, easy anchors, hard ones and outliers, directly.

References: Lin, Goyal, Girshick, He, Dollár, "Focal Loss for Dense Object
Detection", ICCV 2017 (the 1:1000 imbalance and its easy negatives); Li, Liu,
Wang, "Gradient Harmonized Single-stage Detector", AAAI 2019 (outliers).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, Sequence

import torch

from ._checks import positive_int, scalar_in_range

__all__ = [
    "EASY_NEGATIVE",
    "HARD_NEGATIVE",
    "POSITIVE",
    "ImbalancedTask",
    "detector_logits",
    "make_imbalanced_task",
    "stratified_split",
]

EASY_NEGATIVE, HARD_NEGATIVE, POSITIVE = 0, 1, 2


class ImbalancedTask(NamedTuple):
    """A draw of :func:`make_imbalanced_task`.

    Attributes:
        features: ``(n, dim)`` float32 inputs.
        labels: ``(n,)`` float32 labels in ``{0, 1}`` as observed (with label noise):
            what a model is trained on.
        clean_labels: ``(n,)`` float32 true labels (``kind == POSITIVE``): what a
            model is evaluated on.
        kind: ``(n,)`` int64, :data:`EASY_NEGATIVE`, :data:`HARD_NEGATIVE` or
            :data:`POSITIVE` (how the example was generated).
    """

    features: torch.Tensor
    labels: torch.Tensor
    clean_labels: torch.Tensor
    kind: torch.Tensor


def _unit_directions(m: int, dim: int, gen: torch.Generator) -> torch.Tensor:
    u = torch.randn(m, dim, generator=gen, dtype=torch.float64)
    return u / u.norm(dim=1, keepdim=True).clamp(min=1e-12)


def _background(m: int, dim: int, scale: float, r_min: float, gen: torch.Generator) -> torch.Tensor:
    """``m`` draws of N(0, scale^2 I) conditioned on norm >= r_min (by rejection)."""
    out = torch.randn(m, dim, generator=gen, dtype=torch.float64) * scale
    inside = out.norm(dim=1) < r_min
    while inside.any():
        out[inside] = torch.randn(int(inside.sum()), dim, generator=gen, dtype=torch.float64) * scale
        inside = out.norm(dim=1) < r_min
    return out


def make_imbalanced_task(
    n: int,
    *,
    positive_rate: float = 1e-3,
    hard_negative_rate: float = 0.02,
    label_noise: float = 1e-4,
    dim: int = 8,
    hard_band: tuple[float, float] = (1.2, 2.2),
    easy_scale: float = 1.5,
    seed: int = 0,
) -> ImbalancedTask:
    r"""Draw a binary task with a dense detector's imbalance (see the module docstring).

    .. math::

        x \mid \text{positive} \sim \mathcal N\!\left(0, \tfrac{1}{d} I\right), \quad
        x \mid \text{hard} = r u,\ r \sim U(r_1, r_2),\ u \sim U(S^{d-1}), \quad
        x \mid \text{easy} \sim \mathcal N(0, s^2 I) \ \text{given}\ \lVert x\rVert \ge r_2

    with exactly :math:`\operatorname{round}(n \rho_+)` positives,
    :math:`\operatorname{round}(n \rho_h)` hard negatives, the rest easy, in random
    order; then exactly :math:`\operatorname{round}(n \varepsilon)` labels flipped.

    Args:
        n: number of examples (at least 1).
        positive_rate: :math:`\rho_+`, fraction of positives, in ``[0, 1]``.
        hard_negative_rate: :math:`\rho_h`, fraction of hard negatives, in ``[0, 1]``;
            ``positive_rate + hard_negative_rate`` must not exceed 1.
        label_noise: :math:`\varepsilon`, fraction of flipped labels, in ``[0, 1]``.
        dim: feature dimension :math:`d` (at least 1).
        hard_band: :math:`(r_1, r_2)` with :math:`0 < r_1 < r_2`.
        easy_scale: :math:`s > 0`, spread of the background.
        seed: the draw is a deterministic function of all arguments.

    Returns:
        :class:`ImbalancedTask` ``(features, labels, clean_labels, kind)``.

    References:
        Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017, sec. 1 and 3;
        Li, Liu, Wang, "Gradient Harmonized Single-stage Detector", AAAI 2019, sec. 3.

    Convention: features are float32 (what a model trains on); the geometry is
    drawn in float64 first. A positive can also be flipped (to 0), with
    probability :math:`\varepsilon` like any example.
    """
    n = positive_int(n, "n")
    dim = positive_int(dim, "dim")
    rho_pos = scalar_in_range(positive_rate, "positive_rate", lo=0.0, hi=1.0)
    rho_hard = scalar_in_range(hard_negative_rate, "hard_negative_rate", lo=0.0, hi=1.0)
    if rho_pos + rho_hard > 1.0:
        raise ValueError(
            "positive_rate + hard_negative_rate must not exceed 1, "
            f"got {positive_rate!r} + {hard_negative_rate!r}"
        )
    eps = scalar_in_range(label_noise, "label_noise", lo=0.0, hi=1.0)
    try:
        r1, r2 = (float(v) for v in hard_band)
    except (TypeError, ValueError):
        raise ValueError(f"hard_band must be a pair of numbers (r1, r2), got {hard_band!r}") from None
    if not (0.0 < r1 < r2 < math.inf):
        raise ValueError(f"hard_band must satisfy 0 < r1 < r2 < inf, got {hard_band!r}")
    scale = scalar_in_range(easy_scale, "easy_scale", lo=0.0, lo_open=True)
    if scale == math.inf:
        raise ValueError(f"easy_scale must be finite, got {easy_scale!r}")
    if isinstance(seed, bool) or int(seed) != seed:
        raise ValueError(f"seed must be an integer, got {seed!r}")

    gen = torch.Generator().manual_seed(int(seed))
    n_pos = round(n * rho_pos)
    n_hard = min(round(n * rho_hard), n - n_pos)
    n_easy = n - n_pos - n_hard

    positives = torch.randn(n_pos, dim, generator=gen, dtype=torch.float64) / math.sqrt(dim)
    radius = r1 + (r2 - r1) * torch.rand(n_hard, 1, generator=gen, dtype=torch.float64)
    hard = radius * _unit_directions(n_hard, dim, gen)
    easy = _background(n_easy, dim, scale, r2, gen)

    kind = torch.cat(
        [
            torch.full((n_easy,), EASY_NEGATIVE),
            torch.full((n_hard,), HARD_NEGATIVE),
            torch.full((n_pos,), POSITIVE),
        ]
    )
    order = torch.randperm(n, generator=gen)
    features = torch.cat([easy, hard, positives])[order].to(torch.float32)
    kind = kind[order]
    clean = (kind == POSITIVE).to(torch.float32)
    labels = clean.clone()
    flipped = torch.randperm(n, generator=gen)[: round(n * eps)]
    labels[flipped] = 1.0 - labels[flipped]
    return ImbalancedTask(features, labels, clean, kind)


def stratified_split(
    strata: Any, fractions: Sequence[float], *, seed: int = 0
) -> tuple[torch.Tensor, ...]:
    r"""Split indices ``0..n-1`` into parts that keep every stratum's proportion.

    Within each stratum (each distinct value of ``strata``, e.g. the ``kind`` of
    :func:`make_imbalanced_task`), the indices are shuffled and cut into
    consecutive parts of sizes :math:`\lfloor m f_1 \rceil, \lfloor m (f_1 + f_2)
    \rceil - \lfloor m f_1 \rceil, \dots` (cumulative rounding, so sizes add up).

    Args:
        strata: 1-D integer labels of the examples (length :math:`n \ge 1`).
        fractions: the parts' fractions, each in ``(0, 1]``, summing to at most 1
            (a sum below 1 leaves the remainder out).
        seed: the split is a deterministic function of ``strata``, ``fractions``, ``seed``.

    Returns:
        One sorted int64 index tensor per fraction; the parts are disjoint.

    Reference: stratified sampling, e.g. Cochran, *Sampling Techniques*, 3rd ed.,
    Wiley, 1977, ch. 5 (proportional allocation).

    Convention: like ``sklearn.model_selection.train_test_split(stratify=...)``,
    but for any number of parts and with cumulative rounding per stratum.
    """
    s = torch.as_tensor(strata)
    if s.ndim != 1 or s.numel() == 0:
        raise ValueError(f"strata must be a non-empty 1-D tensor, got shape {tuple(s.shape)}")
    if s.is_complex() or (s.is_floating_point() and not torch.equal(s, s.round())):
        raise ValueError(f"strata must hold integer labels, got non-integer values of dtype {s.dtype}")
    try:
        fr = [float(f) for f in fractions]
    except (TypeError, ValueError):
        raise ValueError(f"fractions must be a sequence of numbers, got {fractions!r}") from None
    if not fr or any(not (0.0 < f <= 1.0) for f in fr) or sum(fr) > 1.0 + 1e-9:
        raise ValueError(f"fractions must lie in (0, 1] and sum to at most 1, got {fractions!r}")
    if isinstance(seed, bool) or int(seed) != seed:
        raise ValueError(f"seed must be an integer, got {seed!r}")

    gen = torch.Generator().manual_seed(int(seed))
    cumulative = torch.tensor([0.0] + fr, dtype=torch.float64).cumsum(0).clamp(max=1.0)
    parts: list[list[torch.Tensor]] = [[] for _ in fr]
    for value in torch.unique(s):
        members = torch.nonzero(s == value).squeeze(1)
        members = members[torch.randperm(members.numel(), generator=gen)]
        cuts = torch.round(cumulative * members.numel()).long().tolist()
        for i in range(len(fr)):
            parts[i].append(members[cuts[i] : cuts[i + 1]])
    return tuple(torch.sort(torch.cat(p)).values for p in parts)


def detector_logits(
    n: int = 100_000,
    *,
    outlier_fraction: float = 0.005,
    hard_fraction: float = 0.03,
    easy_margin: float = 5.0,
    positive_rate: float = 0.01,
    seed: int = 0,
    dtype: torch.dtype = torch.float64,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Logits and 0/1 targets of ``n`` anchors of a converging one-stage detector.

    Each anchor gets a margin :math:`m = x\,(2y - 1)`, positive when it is classified
    correctly, so that its gradient norm is :math:`g = |\sigma(x) - y| = \sigma(-m)`:

    .. math::

        m \sim \begin{cases}
        \mathcal N(-5, 1) & \text{outlier, probability } \rho_o \\
        U(-3, 3) & \text{hard, probability } \rho_h \\
        \mathcal N(m_e, 1.5^2) & \text{easy, the rest}
        \end{cases}

    independently of the target, :math:`y = 1` with probability ``positive_rate``.
    Most anchors are easy (:math:`g` near 0), a few are still being learnt, and the
    outliers are confidently wrong (:math:`g` near 1), like a mislabelled box: the
    U-shaped distribution of :math:`g` of Li et al.'s Figure 1.

    Args:
        n: number of anchors (at least 1).
        outlier_fraction: :math:`\rho_o`, in ``[0, 1]``.
        hard_fraction: :math:`\rho_h`, in ``[0, 1]``; ``outlier_fraction +
            hard_fraction`` must not exceed 1.
        easy_margin: :math:`m_e`, the easy anchors' mean margin (larger: easier).
        positive_rate: probability that an anchor is a positive, in ``[0, 1]``.
        seed: the draw is a deterministic function of all arguments but ``dtype``.
        dtype: floating dtype of both tensors.

    Returns:
        ``(logits, target)``, two ``(n,)`` tensors of ``dtype``.

    Reference: Li, Liu, Wang, "Gradient Harmonized Single-stage Detector", AAAI
    2019, Figure 1 (the distribution of the gradient norm of a converged detector).

    Convention: drawn in float64 and then converted, so every ``dtype`` holds the
    same numbers, rounded.
    """
    n = positive_int(n, "n")
    rho_outlier = scalar_in_range(outlier_fraction, "outlier_fraction", lo=0.0, hi=1.0)
    rho_hard = scalar_in_range(hard_fraction, "hard_fraction", lo=0.0, hi=1.0)
    if rho_outlier + rho_hard > 1.0:
        raise ValueError(
            f"outlier_fraction + hard_fraction must not exceed 1, got {outlier_fraction!r} + {hard_fraction!r}"
        )
    margin_easy = scalar_in_range(easy_margin, "easy_margin")
    if not math.isfinite(margin_easy):
        raise ValueError(f"easy_margin must be finite, got {easy_margin!r}")
    rho_pos = scalar_in_range(positive_rate, "positive_rate", lo=0.0, hi=1.0)
    if isinstance(seed, bool) or int(seed) != seed:
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if not dtype.is_floating_point:
        raise ValueError(f"dtype must be a floating dtype, got {dtype}")

    gen = torch.Generator().manual_seed(int(seed))

    def uniform() -> torch.Tensor:
        return torch.rand(n, generator=gen, dtype=torch.float64)

    def normal() -> torch.Tensor:
        return torch.randn(n, generator=gen, dtype=torch.float64)

    # The draws come in this order whatever the fractions, so that changing one
    # fraction relabels anchors but leaves every anchor's random numbers alone.
    target = (uniform() < rho_pos).double()
    kind = uniform()
    easy = margin_easy + 1.5 * normal()
    hard = 6 * uniform() - 3
    outlier = -5 + normal()
    margin = torch.where(kind < rho_outlier + rho_hard, hard, easy)
    margin = torch.where(kind < rho_outlier, outlier, margin)
    return (margin * (2 * target - 1)).to(dtype), target.to(dtype)
