r"""The harness of the chapter that compares the losses by training with each.

Every configuration (a loss and its hyper-parameters) is trained with every seed,
all at once: the runs' parameters are stacked along two leading dimensions
(configuration, seed) and one batched matrix product evaluates every run's network
on its seed's mini-batch. Adam works elementwise, so one Adam over the stacked
parameters of the *sum* of the runs' losses takes, for each run, exactly the steps
it would take alone. The chapter keeps the training loop and the comparisons; here
are the stacked network, the batched loss, the batched GHM density, the intervals
over seeds and the progress bar.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lossviz.ghm import gradient_density
from lossviz.sliders import STATIC_ENV

__all__ = [
    "BatchedGHM",
    "Config",
    "batched_average_precision",
    "batched_focal",
    "interval",
    "last_bin_phrase",
    "logits_of",
    "paired_difference",
    "progress",
    "stacked_logits",
    "stacked_mlp",
    "t_quantile",
    "unstack",
]


class Config(NamedTuple):
    """One configuration of the comparison.

    ``alpha=None`` weighs both classes 1 (plain CE); ``gamma`` is focal loss's
    focusing parameter (0: no focusing); ``bins > 0`` makes it GHM-C with that
    many bins and ``momentum``; ``prior`` is the initial probability the last
    bias sets (``None``: PyTorch's default initialisation).
    """

    alpha: float | None = None
    gamma: float = 0.0
    bins: int = 0
    momentum: float = 0.0
    prior: float | None = 0.01


def logits_of(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The model's logit for each row of ``x``, without recording a graph."""
    with torch.no_grad():
        return model(x).squeeze(1)


def _mlp(n_in: int, hidden: int, seed: int, prior: float | None) -> nn.Sequential:
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1)
    )
    if prior is not None:  # Lin et al.: start every example at p = prior
        nn.init.constant_(model[-1].bias, -math.log((1 - prior) / prior))
    return model


def stacked_mlp(
    n_in: int, hidden: int, seeds: Sequence[int], priors: Sequence[float | None]
) -> list[torch.Tensor]:
    r"""Parameters of one two-hidden-layer ReLU network per (configuration, seed).

    Run ``(c, s)`` starts from exactly the weights PyTorch's ``nn.Sequential``
    of ``nn.Linear`` layers draws after ``torch.manual_seed(seeds[s])``, with the
    last bias set to :math:`-\log\frac{1-\pi}{\pi}` for ``priors[c]`` = :math:`\pi`
    (Lin et al., 2017, sec. 4.1), so every configuration starts from the same
    network for a given seed. Returned as ``[W1, b1, W2, b2, W3, b3]`` of shapes
    ``(C, S, n_in, hidden)``, ``(C, S, 1, hidden)``, ..., ``(C, S, 1, 1)``
    (weights transposed, so that ``x @ W``), each a leaf that requires grad.
    """
    per_run = [[_mlp(n_in, hidden, seed, prior) for seed in seeds] for prior in priors]
    params = []
    for k in (0, 2, 4):
        params.append(torch.stack([torch.stack([m[k].weight.detach().T for m in row]) for row in per_run]))
        params.append(torch.stack([torch.stack([m[k].bias.detach()[None] for m in row]) for row in per_run]))
    return [p.clone().requires_grad_() for p in params]


def stacked_logits(params: Sequence[torch.Tensor], x: torch.Tensor, chunk: int = 512) -> torch.Tensor:
    """Every run's logits, ``(C, S, B)``.

    ``x`` is ``(S, B, n_in)``, one mini-batch per seed (shared by the
    configurations), or ``(N, n_in)``, one set shared by every run; the latter is
    evaluated without a graph, ``chunk`` rows at a time, so that a chunk's hidden
    activations for every run stay in the processor's cache (with 100 runs, 512
    rows score a large set four to six times faster than 8 192: measured).
    """
    w1, b1, w2, b2, w3, b3 = params
    if x.dim() == 2:
        with torch.no_grad():
            return torch.cat([stacked_logits(params, part[None]) for part in x.split(chunk)], dim=-1)
    # In place: each fresh activation buffer is megabytes, and the operating
    # system's zeroed pages for it cost more than the arithmetic (measured).
    # Autograd allows it: a product's backward needs its inputs, not its
    # output, and ReLU's needs only its output.
    h = torch.matmul(x, w1).add_(b1).relu_()
    h = torch.matmul(h, w2).add_(b2).relu_()
    return torch.matmul(h, w3).add_(b3).squeeze(-1)


def unstack(params: Sequence[torch.Tensor], c: int, s: int) -> nn.Sequential:
    """Run ``(c, s)`` of :func:`stacked_mlp` as an ordinary ``nn.Sequential``."""
    w1 = params[0]
    model = _mlp(w1.shape[2], w1.shape[3], 0, None)
    with torch.no_grad():
        for k, (w, b) in enumerate(zip(params[::2], params[1::2])):
            model[2 * k].weight.copy_(w[c, s].T)
            model[2 * k].bias.copy_(b[c, s, 0])
    return model


def batched_focal(
    logits: torch.Tensor, labels: torch.Tensor, alpha: torch.Tensor, gamma: torch.Tensor
) -> torch.Tensor:
    r"""Elementwise focal loss with a different :math:`\alpha` and :math:`\gamma` per run.

    .. math::
        \mathrm{FL}(p_t) = -\alpha_t (1 - p_t)^\gamma \log p_t, \qquad
        (1 - p_t)^\gamma = \exp\bigl(\gamma \log \sigma(-x_t)\bigr),

    with :math:`x_t = x` for a positive and :math:`-x` for a negative, so
    :math:`p_t = \sigma(x_t)`. Written with log-sigmoids, loss and gradient stay
    finite at any finite logit, and :math:`\gamma = 0` contributes no
    :math:`0 \cdot \infty` to the gradient when :math:`p_t` rounds to 1.
    ``alpha`` (the positives' weight; NaN for weight 1 on both classes) and
    ``gamma`` broadcast against ``logits``. Equal to ``lossviz.sigmoid_focal_loss``
    (``alpha=None`` for NaN) run by run.

    Reference: Lin, Goyal, Girshick, He, Dollár, "Focal Loss for Dense Object
    Detection", ICCV 2017, eq. 5.
    """
    x_t = torch.where(labels > 0.5, logits, -logits)
    alpha_t = torch.where(labels > 0.5, alpha, 1 - alpha)
    alpha_t = torch.where(torch.isnan(alpha_t), 1.0, alpha_t)
    return -alpha_t * torch.exp(gamma * F.logsigmoid(-x_t)) * F.logsigmoid(x_t)


class BatchedGHM:
    r"""GHM-C weights for many runs at once, each with its own bins and momentum.

    For run :math:`r` with :math:`K_r` bins and momentum :math:`m_r`, exactly
    ``lossviz.GHMC(K_r, m_r)`` (bias-corrected) applied to that run's batch: the
    weight of an example in bin :math:`i` is :math:`N / (n\, \hat a_i)`, with
    :math:`\hat a_i` the running count of bin :math:`i` (updated only when the batch
    hits it, and divided by :math:`1 - m^{t_i}`), :math:`n` the number of bins the
    batch hits and :math:`N` the batch size. One ``bincount`` counts every run's
    bins (run :math:`r` owns the slots :math:`r K_{\max}, \dots`).

    Reference: Li, Liu, Wang, "Gradient Harmonized Single-stage Detector", AAAI 2019.
    """

    def __init__(self, bins: Sequence[int], momentum: Sequence[float]) -> None:
        self.bins = torch.as_tensor(bins, dtype=torch.float64)[:, None]
        self.momentum = torch.as_tensor(momentum, dtype=torch.float64)[:, None]
        self.width = int(self.bins.max())
        self.acc = torch.zeros(len(bins), self.width, dtype=torch.float64)
        self.updates = torch.zeros(len(bins), self.width, dtype=torch.float64)

    @torch.no_grad()
    def __call__(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Weights of ``logits`` ``(runs, N)``, one row per run."""
        g = (torch.sigmoid(logits.double()) - labels).abs()
        # Each run's bins as lossviz.gradient_density draws them (exact at the bin
        # edges, where the floor of g * bins is not), one call per number of bins.
        index = torch.empty_like(g, dtype=torch.long)
        for bins in self.bins[:, 0].unique():
            runs = self.bins[:, 0] == bins
            index[runs] = gradient_density(g[runs], int(bins)).bin_index
        flat = index + self.width * torch.arange(len(index))[:, None]
        counts = torch.bincount(flat.reshape(-1), minlength=self.acc.numel()).view_as(self.acc)
        hit = counts > 0
        m = self.momentum
        self.acc = torch.where(hit, m * self.acc + (1 - m) * counts, self.acc)
        self.updates += hit
        density = self.acc / (1 - m ** self.updates.clamp(min=1))
        per_bin = logits.shape[1] / density / hit.sum(1, keepdim=True)
        return per_bin.gather(1, index).to(logits.dtype)


def batched_average_precision(scores: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    r"""Average precision of every row of ``scores`` ``(..., N)`` against shared ``labels`` ``(N,)``.

    .. math::
        \mathrm{AP} = \frac{1}{P} \sum_{i:\, y_i = 1}
        \frac{\#\{j : y_j = 1,\ s_j \ge s_i\}}{\#\{j : s_j \ge s_i\}},

    the mean over the :math:`P` positives of the precision at the threshold
    :math:`s_i`: equal, ties included, to ``lossviz.metrics.average_precision``
    row by row. Only the few positives are sorted; each negative is placed among
    them by a binary search, so a row costs :math:`O(N \log P)` instead of a
    sort of all :math:`N` scores, for every row in one call.

    Reference: Manning, Raghavan, Schütze, *Introduction to Information
    Retrieval*, Cambridge University Press, 2008, sec. 8.4.
    """
    positive = torch.as_tensor(labels) == 1
    if not positive.any():
        raise ValueError("labels must contain at least one positive")
    rows = scores.reshape(-1, scores.shape[-1])
    pos = rows[:, positive].sort(-1).values.contiguous()
    n_pos = pos.shape[1]
    # Negatives at or above the k-th smallest positive: those whose index
    # among the sorted positives (counting ties as below) exceeds k.
    above = torch.searchsorted(pos, rows[:, ~positive].contiguous(), right=True)
    offset = (n_pos + 1) * torch.arange(len(rows))[:, None]
    counts = torch.bincount((above + offset).reshape(-1), minlength=len(rows) * (n_pos + 1))
    fp = counts.view(len(rows), n_pos + 1).flip(-1).cumsum(-1).flip(-1)[:, 1:]
    tp = n_pos - torch.searchsorted(pos, pos, right=False)
    precision = tp.double() / (tp + fp).double()
    return precision.mean(-1).view(scores.shape[:-1])


def t_quantile(q: float, df: int) -> float:
    """The ``q`` quantile of Student's t with ``df`` degrees of freedom (q > 1/2).

    The density is integrated numerically (Simpson on a fine grid) and the
    quantile found by bisection: accurate to about 1e-6, enough for an interval.
    """

    def cdf(t: float) -> float:
        grid = np.linspace(0, t, 2001)
        log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
        pdf = np.exp(log_c - (df + 1) / 2 * np.log1p(grid**2 / df))
        h = grid[1] - grid[0]
        return 0.5 + h / 3 * (pdf[0] + pdf[-1] + 4 * pdf[1:-1:2].sum() + 2 * pdf[2:-1:2].sum())

    lo, hi = 0.0, 1000.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < q else (lo, mid)
    return (lo + hi) / 2


def interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    r"""Mean and half-width of the Student-t interval of the mean over the last axis.

    :math:`\bar v \pm t_{(1+\text{level})/2,\, n-1}\, s / \sqrt n`, with :math:`s` the
    sample standard deviation of the :math:`n` values (the seeds).
    """
    values = np.asarray(values, dtype=float)
    n = values.shape[-1]
    half = t_quantile((1 + level) / 2, n - 1) * values.std(-1, ddof=1) / math.sqrt(n)
    return values.mean(-1), half


def paired_difference(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float, bool]:
    """Mean of ``a - b`` over paired seeds, the interval's half-width, and whether
    the interval excludes 0 (a difference the seeds support).

    The runs of a seed share their initial weights and mini-batches, so the
    per-seed difference removes that seed's luck from the comparison.
    """
    mean, half = interval(np.asarray(a) - np.asarray(b), level)
    return float(mean), float(half), bool(abs(mean) > half)


def progress(iterable: Iterable, **kwargs) -> Iterable:
    """``tqdm.auto`` progress over ``iterable`` in a kernel or a terminal, and none
    while the book is built (``LOSSVIZ_STATIC_SLIDERS`` set): the bar writes to
    stderr, which the strict build treats as a failure, and a page has no use for it.
    """
    from tqdm.auto import tqdm

    return tqdm(iterable, disable=bool(os.environ.get(STATIC_ENV)), **kwargs)


def _of_them(n: int, noun: str) -> str:
    """'none of them true positives', '1 of them a true positive', '5 of them ...'."""
    if n == 0:
        return f"none of them {noun}s"
    return f"1 of them a {noun}" if n == 1 else f"{n:,} of them {noun}s"


def last_bin_phrase(bins: np.ndarray, n_bins: int, positive: np.ndarray, fake: np.ndarray) -> str:
    """Who is in the last of ``n_bins`` gradient-norm bins, and what that makes of it.

    Args:
        bins: each example's bin, in ``0 .. n_bins - 1``.
        positive: which examples are true positives.
        fake: which examples are background carrying the label 1 by mistake.
    """
    top = bins == n_bins - 1
    n_top = int(top.sum())
    if n_top == 0:
        return "no example at all"
    n_pos, n_fake = int((top & positive).sum()), int((top & fake).sum())
    planted = "all" if n_fake == n_top else "mostly" if 2 * n_fake > n_top else None
    reading = f": the outliers of the GHM paper are, here, {planted} label errors we planted" if planted else ""
    return (
        f"{n_top:,} example{'s' if n_top > 1 else ''}, "
        f"{_of_them(n_pos, 'true positive')} and "
        f"{_of_them(n_fake, 'flipped label')}{reading}"
    )
