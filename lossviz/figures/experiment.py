"""Figures and tables of the chapter "Does it actually help?" (``book/experiment.md``).

The chapter trains, evaluates and summarises; these functions only draw what it
computed. Runs are filed as in the chapter: ``"CE"``, ``"CE, no prior"``,
``("α-CE", α)``, ``("FL", γ, α)`` and ``("GHM-C", bins, momentum)``;
``summary(key)`` is the chapter's ``(mean validation AP, mean test AP,
half-width of the test AP's 95 % interval)`` of a configuration.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Mapping, Sequence

import numpy as np
import torch
from IPython.display import HTML
from matplotlib.figure import Figure

from lossviz.data import EASY_NEGATIVE, HARD_NEGATIVE, POSITIVE, make_imbalanced_task
from lossviz.experiment import logits_of
from lossviz.figures.common import html_table
from lossviz.metrics import precision_recall_curve
from lossviz.plotting import COLOURS, LOSS_COLOURS, shade
from lossviz.sliders import Slider, SliderFigure, slider_figure

__all__ = [
    "GAMMA",
    "alpha_ce_table",
    "ap_by_budget",
    "budget_table",
    "first_steps",
    "focal_table",
    "gradient_norms",
    "kinds_by_distance",
    "loss_concentration",
    "other_runs_table",
    "precision_recall_curves",
    "split_table",
]

# (mean validation AP, mean test AP, half-width of the test AP's 95 % interval).
Summary = tuple[float, float, float]
SummaryOf = Callable[[Hashable], Summary]
# The test AP of a configuration's seeds at a budget, and the interval of a mean.
RunsOf = Callable[[Hashable, int], np.ndarray]
IntervalOf = Callable[[np.ndarray], tuple[float, float]]

KIND_NAMES = {EASY_NEGATIVE: "easy negatives", HARD_NEGATIVE: "hard negatives", POSITIVE: "positives"}
KIND_COLOURS = {EASY_NEGATIVE: COLOURS["easy"], HARD_NEGATIVE: COLOURS["hard"], POSITIVE: COLOURS["positive"]}
# Where make_imbalanced_task puts the hard negatives unless told otherwise.
HARD_BAND: tuple[float, float] = inspect.signature(make_imbalanced_task).parameters["hard_band"].default

# The focusing parameter of the loss-concentration figure, and the values of γ
# Lin et al. drew in their Figure 4, darker for a larger γ (the lightest still
# 3:1 on white).
GAMMA = Slider(0, 5, 0.25, value=2.0, label="γ")
PAPER_GAMMAS: tuple[tuple[float, tuple[float, float, float]], ...] = tuple(
    (gamma, shade(LOSS_COLOURS["focal"], amount)) for gamma, amount in ((0, 0.15), (0.5, -0.1), (1, -0.35), (2, -0.6))
)

# COCO AP of RetinaNet with ResNet-50 (Lin et al. 2017): Table 1a, α-balanced CE by
# α; Table 1b, focal loss by γ, with the α the paper chose for it.
LIN_TABLE_1A = {0.25: 10.8, 0.5: 30.2, 0.75: 31.1, 0.99: 28.7}
LIN_TABLE_1B = {0: (0.75, 31.1), 0.5: (0.5, 32.9), 1: (0.25, 33.7), 2: (0.25, 34.0), 5: (0.25, 32.2)}

# The colour of a run's loss, by the first part of its key.
_FAMILY_COLOURS = {
    "CE": LOSS_COLOURS["ce"],
    "α-CE": LOSS_COLOURS["alpha_ce"],
    "FL": LOSS_COLOURS["focal"],
    "GHM-C": LOSS_COLOURS["ghm"],
}


def split_table(kind: torch.Tensor, flipped: torch.Tensor, splits: Sequence[torch.Tensor]) -> HTML:
    """How many examples of each kind, and of flipped labels, the training,
    validation and test splits hold: stratified by kind, the three hold the same mix.

    Args:
        kind: each example's kind (``lossviz.data.EASY_NEGATIVE``, ...).
        flipped: which examples' labels were flipped.
        splits: the training, validation and test indices.
    """
    groups = [(name, kind == k) for k, name in KIND_NAMES.items()] + [("flipped labels", flipped)]
    rows = [[name] + [f"{int(members[idx].sum()):,}" for idx in splits] for name, members in groups]
    rows.append(["all"] + [f"{len(idx):,}" for idx in splits])
    return html_table(["", "training", "validation", "test"], rows)


def kinds_by_distance(radius: torch.Tensor, kind: torch.Tensor, fake: torch.Tensor) -> Figure:
    """Histogram of the distance from the object, by kind, on a log scale: the kinds
    are separated by distance except where the positives' tail reaches into the band
    of hard negatives, and the flipped labels sit in the background.

    Args:
        radius, kind: each training example's distance ‖x‖ and kind.
        fake: which training examples are background labelled 1 by mistake.
    """
    fig = Figure(figsize=(10, 4.8))
    ax = fig.subplots()
    bins = np.linspace(0, 9, 91)
    for k, name in KIND_NAMES.items():
        ax.hist(radius[kind == k].numpy(), bins=bins, color=KIND_COLOURS[k], alpha=0.75, label=name)
    ax.hist(radius[fake].numpy(), bins=bins, color="black", label="flipped: background labelled 1")
    ax.axvspan(*HARD_BAND, color=shade(COLOURS["hard"], 0.88), zorder=0)
    ax.text(sum(HARD_BAND) / 2, 2e5, "hard\nband", ha="center", va="top", fontsize=12)
    ax.set(
        yscale="log",
        ylim=(0.8, 3e5),
        xlim=(0, 9),
        xlabel="distance from the object, ‖x‖",
        ylabel="training examples per bin",
        title="Who is where: the training split by kind",
    )
    ax.legend(loc="upper right")
    return fig


def first_steps(curves: Mapping[str, np.ndarray]) -> Figure:
    """Plain CE with the prior (solid) and without it (dashed), step by step: the
    batch loss and the negatives' part of it (left, log scale), and the negatives'
    share of it (right). Without the prior the negatives pay almost all of the loss
    at first, and the loss starts far higher.

    Args:
        curves: for ``"CE"`` and ``"CE, no prior"``, an array (seed, step, 2) of
            the positives' and the negatives' parts of each batch's loss.
    """
    fig = Figure(figsize=(12, 5.4))
    ax_loss, ax_share = fig.subplots(1, 2)
    for name, style in [("CE", "-"), ("CE, no prior", "--")]:
        pos, neg = curves[name][..., 0].mean(0), curves[name][..., 1].mean(0)
        steps = np.arange(1, len(pos) + 1)
        ax_loss.plot(steps, pos + neg, style, color=LOSS_COLOURS["ce"], label=f"{name}: total")
        ax_loss.plot(steps, neg, style, color="0.45", lw=1.8, label=f"{name}: negatives' part")
        ax_share.plot(steps, 100 * neg / (pos + neg), style, color=LOSS_COLOURS["ce"], label=name)
    ax_loss.set(yscale="log", xlabel="training step", ylabel="batch loss (mean over seeds)", title="Loss per step")
    fig.legend(*ax_loss.get_legend_handles_labels(), loc="outside lower center", ncol=4, fontsize=11)
    ax_share.set(xlabel="training step", ylabel="share from negatives (%)", ylim=(0, 100), title="Who pays the loss")
    ax_share.legend(loc="upper right")
    return fig


def _fl_key(gamma: float, alpha: float) -> Hashable:
    """Focal loss with γ = 0 is α-balanced CE, filed under ``("α-CE", alpha)``."""
    return ("α-CE", alpha) if gamma == 0 else ("FL", gamma, alpha)


def _ap_text(summary: Summary, bold: bool = False) -> str:
    """Mean ± interval of the test AP, in bold for the configuration chosen on validation."""
    _, mean, half = summary
    text = f"{mean:.3f} ± {half:.3f}"
    return f"<b>{text}</b>" if bold else text


def alpha_ce_table(summary: SummaryOf, alphas: Sequence[float], best_alpha: float) -> HTML:
    """α-balanced CE's test AP for each α, the one chosen on validation in bold,
    beside Lin et al.'s COCO AP (Table 1a), whose pattern, not level, compares."""
    rows = [
        [
            f"{a:g}" + (" (= CE)" if a == 0.5 else ""),
            _ap_text(summary(("α-CE", a)), a == best_alpha),
            f"{LIN_TABLE_1A[a]:.1f}",
        ]
        for a in alphas
    ]
    caption = "α-balanced CE (γ = 0), test AP ± 95 % interval. Bold: the α chosen on the validation split."
    return html_table(["α", "AP here (test)", "AP, Lin et al. (COCO)"], rows, caption=caption)


def focal_table(summary: SummaryOf, best_alpha: Mapping[float, float]) -> HTML:
    """Focal loss's test AP for each γ with the α chosen for it on validation,
    beside the α Lin et al. chose and their COCO AP (Table 1b).

    Args:
        best_alpha: γ -> the α chosen on validation (γ = 0 is α-balanced CE).
    """
    rows = [
        [
            f"{g:g}",
            f"{a:g}",
            _ap_text(summary(_fl_key(g, a))),
            f"{LIN_TABLE_1B[g][0]:g}",
            f"{LIN_TABLE_1B[g][1]:.1f}",
        ]
        for g, a in best_alpha.items()
    ]
    header = ["γ", "α chosen here", "AP here (test)", "α, Lin et al.", "AP, Lin et al. (COCO)"]
    caption = "Focal loss, α chosen on the validation split for each γ (γ = 0 is α-balanced CE)."
    return html_table(header, rows, caption=caption)


def other_runs_table(summary: SummaryOf, ghm_keys: Sequence[Hashable]) -> HTML:
    """Test AP of plain CE with and without the prior, and of each GHM-C configuration."""
    others = [("CE (no α)", "CE"), ("CE without the prior", "CE, no prior")]
    others += [(_label(key), key) for key in ghm_keys]
    return html_table(
        ["loss", "AP here (test)"], [[name, _ap_text(summary(key))] for name, key in others], caption="The other runs."
    )


def budget_table(
    best: Mapping[tuple[str, int], Hashable], runs: RunsOf, budgets: Sequence[int], interval: IntervalOf
) -> HTML:
    """For each loss family and budget, the configuration chosen on validation and
    its test AP, mean ± 95 % interval over the seeds.

    Args:
        best: (family, budget) -> the chosen configuration's key.
        runs: ``runs(key, budget)``, the test AP of the key's seeds.
        interval: mean and half-width of the interval of the seeds' mean.
    """
    families = list(dict.fromkeys(family for family, _ in best))
    rows = []
    for family in families:
        row = [family]
        for b in budgets:
            mean, half = interval(runs(best[family, b], b))
            row.append(f"{mean:.3f} ± {half:.3f} ({_label(best[family, b])})")
        rows.append(row)
    caption = "Test AP (mean ± 95 % interval over seeds) of the configuration chosen on validation, by budget."
    return html_table(["loss"] + [f"{b:,} steps" for b in budgets], rows, caption=caption)


def ap_by_budget(
    best: Mapping[tuple[str, int], Hashable],
    runs: RunsOf,
    budgets: Sequence[int],
    interval: IntervalOf,
    reference_ap: float,
) -> Figure:
    """Test AP against the training budget (log scale) for each loss family, tuned on
    validation at each budget, mean ± 95 % interval over seeds, with the
    distance-to-the-object reference.
    """
    fig = Figure(figsize=(9, 5.5))
    ax = fig.subplots()
    families = list(dict.fromkeys(family for family, _ in best))
    for k, family in enumerate(families):
        stats = np.array([interval(runs(best[family, b], b)) for b in budgets])
        # Families side by side at each budget, so that the intervals do not hide each other.
        shifted = np.array(budgets) * 1.04 ** (k - (len(families) - 1) / 2)
        colour = _FAMILY_COLOURS.get(family, LOSS_COLOURS["focal"])
        ax.errorbar(shifted, stats[:, 0], yerr=stats[:, 1], color=colour, marker="o", capsize=4, label=family)
    ax.axhline(reference_ap, color=COLOURS["reference"], lw=1.2, label="reference: distance to the object")
    ax.set(
        xscale="log",
        xticks=list(budgets),
        xticklabels=[f"{b:,}" for b in budgets],
        xlabel="training steps (budget)",
        ylabel="test AP (mean ± 95 % interval)",
        title="Each loss, tuned on validation, by budget",
    )
    ax.minorticks_off()
    ax.legend(loc="lower right")
    return fig


def _label(key: Hashable) -> str:
    """A run's configuration as a legend names it, e.g. "focal, γ = 1, α = 0.25"."""
    if key == "CE":
        return "CE"
    family, *values = key
    if family == "α-CE":
        return f"α-CE, α = {values[0]:g}"
    if family == "FL":
        return f"focal, γ = {values[0]:g}, α = {values[1]:g}"
    return f"GHM-C, {values[0]} bins, momentum {values[1]:g}"


def precision_recall_curves(
    runs: Mapping[Hashable, Mapping[str, object]], x: torch.Tensor, y: torch.Tensor, seed: int
) -> Figure:
    """Precision against recall on the test split for one run of each loss: where
    each model starts letting hard negatives into the top of its ranking.

    Args:
        runs: key -> one run (``{"model", "test", ...}``), all of the same seed.
        x, y: the test examples and their clean labels.
        seed: the runs' seed, for the title.
    """
    fig = Figure(figsize=(9, 5.5))
    ax = fig.subplots()
    for key, run in runs.items():
        curve = precision_recall_curve(logits_of(run["model"], x), y)
        colour = _FAMILY_COLOURS[key if key == "CE" else key[0]]
        label = f"{_label(key)} (AP {run['test']:.3f})"
        ax.step(curve.recall, curve.precision, where="pre", color=colour, label=label)
    ax.set(
        xlim=(0, 1),
        ylim=(0, 1.02),
        xlabel="recall",
        ylabel="precision",
        title=f"Precision–recall on the test split (seed {seed})",
    )
    ax.legend(loc="lower left")
    return fig


def loss_concentration(
    cdfs: Mapping[str, Sequence[tuple[np.ndarray, np.ndarray]]], top_share: Callable[[str, float, float], float]
) -> SliderFigure:
    """Lin et al.'s Figure 4 with a slider for γ: the cumulative share of the focal
    loss against the fraction of examples, easiest first, for the positives and the
    negatives. For the negatives a large γ puts nearly all the loss on the hardest
    few; for the positives γ hardly matters.

    Args:
        cdfs: for ``"positives"`` and ``"negatives"``, (fraction, cumulative share)
            for each value of ``GAMMA.grid()``, in order.
        top_share: ``top_share(group, gamma, top)``, the share of the group's loss
            carried by its hardest ``top`` fraction (the readout's number).
    """
    groups = ("positives", "negatives")

    def setup(fig: Figure) -> Callable[..., list]:
        axes = fig.subplots(1, 2)
        lines = []
        for ax, group in zip(axes, groups):
            for gamma, colour in PAPER_GAMMAS:
                fraction, cumulative = cdfs[group][GAMMA.index(gamma)]
                ax.plot(fraction, cumulative, color=colour, lw=1.6, label=f"γ = {gamma:g}")
            (line,) = ax.plot(*cdfs[group][0], color="black", lw=3, zorder=6, label="slider γ")
            lines.append(line)
            ax.set(xlim=(0, 1), ylim=(0, 1), xlabel=f"fraction of {group} (easiest first)", title=group.capitalize())
        axes[0].set_ylabel("cumulative share of the loss")
        axes[0].legend(loc="upper left", fontsize=11)
        box = {"facecolor": "white", "edgecolor": "0.8"}
        readout = axes[1].text(0.03, 0.93, "", transform=axes[1].transAxes, fontsize=12, zorder=6, va="top", bbox=box)

        def update(gamma: float) -> list:
            k = GAMMA.index(gamma)
            for line, group in zip(lines, groups):
                line.set_ydata(cdfs[group][k][1])
            share = top_share("negatives", gamma, 0.01)
            readout.set_text(f"hardest 1 % of negatives:\n{100 * share:.1f} % of their loss")
            return [*lines, readout]

        return update

    return slider_figure(
        setup,
        figsize=(11, 4.8),
        gamma=GAMMA,
        alt="Cumulative share of the focal loss against the fraction of test examples, easiest first, for "
        "positives and negatives, for γ = 0, 0.5, 1, 2 and for the γ chosen with the slider",
    )


def gradient_norms(
    bin_ce: np.ndarray, fake: np.ndarray, bin_fl: np.ndarray, gradient_share: Mapping[str, np.ndarray]
) -> Figure:
    """Li et al.'s Figure 1 on our models. Left: the distribution of the gradient
    norm g = |p − y| over the training split, for the CE model (bars, its flipped
    labels in black) and the focal model (line): a huge easy mass at
    g ≈ 0 and a few confident mistakes at g ≈ 1. Right: each loss's share of its
    total gradient, bin by bin, at the focal model's predictions.

    Args:
        bin_ce, bin_fl: each training example's gradient-norm bin under the CE and
            the focal model; the number of bins is that of ``gradient_share``.
        fake: which training examples are background labelled 1 by mistake.
        gradient_share: for ``"CE"``, ``"FL, γ = 2"`` and ``"GHM-C"``, the share
            of the total gradient in each bin.
    """
    n_bins = len(next(iter(gradient_share.values())))
    edges = np.linspace(0, 1, n_bins + 1)
    centres, width = (edges[:-1] + edges[1:]) / 2, 1 / n_bins
    fig = Figure(figsize=(12, 5))
    ax_hist, ax_contrib = fig.subplots(1, 2)
    per_bin = np.bincount(bin_ce, minlength=n_bins) / len(bin_ce)
    ax_hist.bar(centres, per_bin, width=width, color=LOSS_COLOURS["ce"], alpha=0.8, label="CE model")
    flipped = np.bincount(bin_ce[fake], minlength=n_bins) / len(bin_ce)
    ax_hist.bar(centres, flipped, width=width, color="black", label="CE model: flipped labels")
    focal_hist = np.bincount(bin_fl, minlength=n_bins) / len(bin_fl)
    ax_hist.step(
        edges,
        np.append(focal_hist, focal_hist[-1]),
        where="post",
        color=LOSS_COLOURS["focal"],
        lw=2.5,
        label="focal model (γ = 2)",
    )
    ax_hist.set(
        yscale="log",
        xlim=(0, 1),
        ylim=(3e-6, 3),
        xlabel="gradient norm g = |p − y|",
        ylabel="fraction of training examples",
        title="Gradient-norm distribution",
    )
    ax_hist.legend(loc="upper center", fontsize=11)
    colours = {"CE": LOSS_COLOURS["ce"], "FL, γ = 2": LOSS_COLOURS["focal"], "GHM-C": LOSS_COLOURS["ghm"]}
    for name, share in gradient_share.items():
        ax_contrib.step(edges, np.append(share, share[-1]), where="post", color=colours[name], label=name)
    ax_contrib.set(
        yscale="log",
        xlim=(0, 1),
        ylim=(1e-4, 1.5),
        xlabel="gradient norm g of the focal model",
        ylabel="share of the total gradient",
        title="Where each loss puts the gradient",
    )
    ax_contrib.legend(loc="lower center", ncol=3)
    return fig
