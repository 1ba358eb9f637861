"""Figures of the chapter "GHM: gradient density instead of hand-tuned weights"
(``book/ghm.md``).

The chapter computes the batches, gradients, weights and trajectories the prose
talks about; the functions here draw them. Losses are named as in the chapter's
legends: ``"CE"``, ``"FL (γ = 2)"`` and ``"GHM-C"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import torch
from matplotlib.figure import Figure

from ..ghm import GradientDensity, gradient_density
from ..plotting import COLOURS, LOSS_COLOURS, shade
from ..sliders import Slider, SliderFigure, slider_figure

__all__ = [
    "BINS",
    "LOSS_COLOURS_BY_NAME",
    "MOMENTUM",
    "MU",
    "OUTLIERS",
    "RESIDUAL_RANGE",
    "BinProfile",
    "bin_profile",
    "binning_slider",
    "ghmr_slider",
    "gradient_norm_histogram",
    "gradient_shares",
    "momentum_slider",
]

LOSS_COLOURS_BY_NAME = {
    "CE": LOSS_COLOURS["ce"],
    "FL (γ = 2)": LOSS_COLOURS["focal"],
    "GHM-C": LOSS_COLOURS["ghm"],
}

BINS = Slider(5, 30, 1, value=10, label="bins M", static=[5, 10, 15, 20, 25, 30])
# Percent of injected outliers in the batch.
OUTLIERS = Slider(0, 2, 0.25, value=0.5, label="outliers (%)", static=[0, 0.5, 1, 2])
MOMENTUM = Slider(0, 0.95, 0.05, value=0.75, label="momentum m")
# ASL1's μ, and Smooth L1's β = μ.
MU = Slider(0.02, 0.5, 0.02, value=0.1, label="μ", static=13)
# The residuals |d| that ghmr_slider shows: from well inside the smallest μ to 1.
RESIDUAL_RANGE = (1e-3, 1.0)


def gradient_norm_histogram(g: torch.Tensor) -> Figure:
    """The fraction of a batch's examples in each of 50 bins of the gradient norm
    g = |p − y|, on a log scale: a U, a huge peak of easy examples (g near 0), a
    thin middle and a second, smaller peak of confidently wrong outliers (g near 1).
    """
    edges = np.linspace(0, 1, 51)
    counts, _ = np.histogram(g.numpy(), bins=edges)
    fig = Figure(figsize=(9, 4.2))
    ax = fig.subplots()
    # The bands first: opaque, they lie under the histogram.
    ax.axvspan(0, 0.1, color=shade(COLOURS["easy"], 0.8))
    ax.axvspan(0.9, 1, color=shade(COLOURS["error"], 0.85))
    ax.stairs(counts / g.numel(), edges, fill=True, color="0.6", baseline=1e-6)
    ax.text(0.105, 0.3, "easy: the bulk\nof the batch", va="top")
    ax.text(0.895, 0.3, "outliers:\nconfidently wrong", va="top", ha="right")
    ax.set(
        yscale="log",
        ylim=(1e-5, 1),
        xlim=(0, 1),
        xlabel="gradient norm g = |p − y|",
        ylabel="fraction of examples",
        title="Gradient norms of one batch (50 bins)",
    )
    return fig


class BinProfile(NamedTuple):
    """What :func:`binning_slider` draws for one histogram of gradient norms.

    Attributes:
        edges: the ``M + 1`` bin edges, ``0, 1/M, ..., 1``.
        density: the gradient density of each bin divided by N, GD/N = M count / N
            (a histogram of area 1); NaN for an empty bin.
        weight: the GHM-C weight of an example in each bin, N / (n count), with n
            the number of non-empty bins; NaN for an empty bin, which has nobody.
        occupied: n.
    """

    edges: np.ndarray
    density: np.ndarray
    weight: np.ndarray
    occupied: int


def bin_profile(density: GradientDensity) -> BinProfile:
    """Density and weight of each bin of ``density`` (see :class:`BinProfile`)."""
    counts = density.counts.double()
    occupied = int((counts > 0).sum())
    bins = counts.numel()
    empty = counts.numpy() == 0
    gd_over_n = (counts * bins / counts.sum()).numpy()
    weight = (counts.sum() / (occupied * counts)).numpy()
    gd_over_n[empty] = np.nan
    weight[empty] = np.nan
    return BinProfile(np.linspace(0, 1, bins + 1), gd_over_n, weight, occupied)


def binning_slider(gradient_norms: Sequence[torch.Tensor]) -> SliderFigure:
    """The gradient density GD/N of a batch (left) and the GHM-C weight of each bin
    (right, with CE's weight 1), as sliders set the number of bins M and the
    percent of outliers: on a log scale the weights are the density upside down,
    and the more outliers pile up near g = 1, the less each of them weighs.

    ``gradient_norms`` holds one batch's gradient norms per value of :data:`OUTLIERS`.
    """
    # Precomputed once per slider position, so that an update only swaps arrays.
    profiles = [[bin_profile(gradient_density(g, bins)) for g in gradient_norms] for bins in BINS.grid()]

    def setup(fig: Figure):
        ax_density, ax_weight = fig.subplots(1, 2)
        edges, gd, w, _ = profiles[BINS.index(BINS.initial())][OUTLIERS.index(OUTLIERS.initial())]
        # What the update changes sits on top (zorder 4): only it is redrawn.
        density_steps = ax_density.stairs(gd, edges, fill=True, color="0.6", baseline=1e-4, zorder=4)
        weight_steps = ax_weight.stairs(
            w, edges, color=LOSS_COLOURS_BY_NAME["GHM-C"], lw=3, baseline=None, zorder=4, label="GHM-C weight w"
        )
        ax_weight.axhline(1, color=LOSS_COLOURS_BY_NAME["CE"], ls="--", label="CE (weight 1)")
        note = ax_weight.text(0.5, 0.04, "", transform=ax_weight.transAxes, ha="center", zorder=4)
        ax_density.set(
            yscale="log",
            ylim=(1e-4, 30),
            xlim=(0, 1),
            xlabel="gradient norm g",
            ylabel="gradient density GD(g) / N",
            title="How crowded each bin is",
        )
        ax_weight.set(
            yscale="log",
            ylim=(0.01, 1e4),
            xlim=(0, 1),
            xlabel="gradient norm g",
            ylabel="weight per example",
            title="w = N / (n · count)",
        )
        # Below the changing artists, so that it stays in the cached background.
        ax_weight.legend(loc="upper left").set_zorder(3)

        def update(bins: int, outliers: float):
            edges, gd, w, occupied = profiles[BINS.index(bins)][OUTLIERS.index(outliers)]
            density_steps.set_data(gd, edges)
            weight_steps.set_data(w, edges)
            note.set_text(f"{occupied} of M = {bins} bins occupied")
            return [density_steps, weight_steps, note]

        return update

    return slider_figure(
        setup,
        figsize=(9.5, 4.5),
        bins=BINS,
        outliers=OUTLIERS,
        alt="Gradient density of a detector batch (left, log scale) and the GHM weight of each bin (right)",
    )


def gradient_shares(
    g: torch.Tensor, per_example: Mapping[str, torch.Tensor], per_region: Mapping[str, torch.Tensor]
) -> Figure:
    """Where CE, focal loss and GHM-C put the gradient, each rescaled to CE's total:
    per example against the original gradient norm g (left) and per region of g
    (right, the percent of the total): both reweightings silence the easy mass,
    focal loss hands the outliers the most, GHM-C the least.

    ``per_example[name]`` holds each example's rescaled |gradient|;
    ``per_region[name]`` the fraction of the total in each of the equal regions of g.
    """
    fig = Figure(figsize=(10, 4.5))
    ax_each, ax_total = fig.subplots(1, 2)
    order = torch.argsort(g)[::20]  # every 20th example, in order of g
    for name, r in per_example.items():
        ax_each.plot(g[order], r[order], color=LOSS_COLOURS_BY_NAME[name], label=name)
    ax_each.set(
        yscale="log",
        ylim=(1e-5, 30),
        xlim=(0, 1),
        xlabel="original gradient norm g",
        ylabel="gradient norm after reweighting",
        title="Per example (same total as CE)",
    )
    ax_each.legend(loc="lower right")

    regions = len(next(iter(per_region.values())))
    centres = (np.arange(regions) + 0.5) / regions
    width = 0.28 / regions
    for k, (name, share) in enumerate(per_region.items()):
        offset = (k - (len(per_region) - 1) / 2) * width
        ax_total.bar(centres + offset, 100 * share.numpy(), width=width, color=LOSS_COLOURS_BY_NAME[name], label=name)
    ax_total.set(
        yscale="log",
        ylim=(0.1, 100),
        xlim=(0, 1),
        xlabel=f"gradient norm g ({regions} regions)",
        ylabel="share of the total gradient (%)",
        title="Total per region",
    )
    ax_total.legend(loc="upper center")
    return fig


def momentum_slider(trajectories: Sequence[Mapping[bool, np.ndarray]], bin_names: Sequence[str]) -> SliderFigure:
    """The GHM-C weight of an example in three bins (easy, middle, outliers), batch
    after batch, without and with bias correction, as the slider sets the momentum:
    without the correction the first batches' weights are too large by up to
    1 / (1 − m); with it they start right. Dotted: each batch's own weights
    (momentum 0).

    ``trajectories[MOMENTUM.index(m)][corrected]`` is a (batches, bins) array, one
    column per entry of ``bin_names``.
    """
    colours = [COLOURS["easy"], COLOURS["hard"], COLOURS["error"]]
    batches = len(trajectories[0][False])
    batch_index = np.arange(1, batches + 1)
    at_zero = trajectories[MOMENTUM.index(0)]

    def setup(fig: Figure):
        axes = fig.subplots(1, 2, sharey=True)
        lines = {}
        for ax, corrected in zip(axes, (False, True)):
            for k, (name, colour) in enumerate(zip(bin_names, colours)):
                per_batch = at_zero[corrected][:, k]
                ax.plot(batch_index, per_batch, ":", color=colour, lw=1.8)
                (lines[corrected, k],) = ax.plot(batch_index, per_batch, zorder=4, color=colour, label=name)
            ax.set(yscale="log", ylim=(0.03, 1000), xlim=(1, batches), xlabel="batch")
        axes[0].set(ylabel="weight of one example", title="bias_correction=False (mmdetection)")
        axes[1].set_title("bias_correction=True (lossviz default)")
        axes[0].plot([], [], ":", color="k", lw=1.8, label="momentum 0")
        axes[0].legend(loc="upper right", fontsize=11, ncol=2).set_zorder(3)

        def update(momentum: float):
            i = MOMENTUM.index(momentum)
            for (corrected, k), line in lines.items():
                line.set_ydata(trajectories[i][corrected][:, k])
            return list(lines.values())

        return update

    return slider_figure(
        setup,
        figsize=(9.5, 4.5),
        momentum=MOMENTUM,
        alt=f"GHM-C weights of three bins over {batches} batches, without and with bias correction",
    )


def ghmr_slider(
    residual: torch.Tensor, regression: Sequence[Mapping[str, tuple[np.ndarray, np.ndarray]]]
) -> SliderFigure:
    """Authentic Smooth L1 and Smooth L1 with β = μ: loss (left) and gradient
    (right) against the residual |d| on a log scale, as the slider sets μ, with a
    dashed line at |d| = μ: Smooth L1's gradient is 1 beyond μ, so its size cannot
    rank the examples there; ASL1's keeps rising towards 1.

    Both losses are even in d, so ``residual`` holds positive values spanning
    :data:`RESIDUAL_RANGE`. A log axis keeps the region around μ, where the two differ,
    as wide at μ = 0.02 as at μ = 0.5; on a linear axis over [-1, 1] the two looked
    alike at small μ.

    ``regression[MU.index(mu)]`` maps ``"ASL1"`` and ``"Smooth L1, β = μ"`` to
    their (loss, gradient) at every ``residual``.
    """
    colours = {"ASL1": LOSS_COLOURS["ghm"], "Smooth L1, β = μ": LOSS_COLOURS["ce"]}
    first = regression[MU.index(MU.initial())]

    def setup(fig: Figure):
        ax_loss, ax_grad = fig.subplots(1, 2)
        curves = {}
        for name, colour in colours.items():
            loss, slope = first[name]
            (curves[name, 0],) = ax_loss.plot(residual, loss, color=colour, zorder=4, label=name)
            (curves[name, 1],) = ax_grad.plot(residual, slope, color=colour, zorder=4)
        ax_loss.plot(residual, residual, ":", color="0.4", lw=1.8, label="|d| (and slope 1)")
        ax_grad.axhline(1, color="0.4", ls=":", lw=1.8)
        # Dashed at |d| = μ: Smooth L1's kink, ASL1's bend.
        edges_mu = [ax.axvline(MU.initial(), color="0.5", ls="--", lw=1.5, zorder=4) for ax in (ax_loss, ax_grad)]
        edges_mu[0].set_label("|d| = μ")
        for ax in (ax_loss, ax_grad):
            ax.set(xscale="log", xlim=RESIDUAL_RANGE, xlabel="residual |d| (log scale)")
        ax_loss.set(yscale="log", ylim=(1e-5, 1), ylabel="loss (log scale)", title="Loss")
        ax_grad.set(ylim=(0, 1.1), ylabel="∂ loss / ∂d", title="Gradient (its size is g)")
        ax_loss.legend(loc="upper left", fontsize=11).set_zorder(3)

        def update(mu: float):
            for (name, k), line in curves.items():
                line.set_ydata(regression[MU.index(mu)][name][k])
            for line in edges_mu:
                line.set_xdata([mu, mu])
            return [*curves.values(), *edges_mu]

        return update

    return slider_figure(
        setup,
        figsize=(9.5, 4.5),
        mu=MU,
        alt="Authentic Smooth L1 and Smooth L1 with beta = mu: loss and gradient against the residual "
        "on a log scale",
    )
