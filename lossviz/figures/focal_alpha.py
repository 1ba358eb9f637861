"""Figures of the chapter "Focal loss II: α weighting and the imbalance arithmetic"
(book/focal_alpha.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text

from ..classification import binary_cross_entropy
from ..focal import sigmoid_focal_loss
from ..plotting import LOSS_COLOURS, shade
from ..sliders import Slider, SliderFigure, slider_figure

__all__ = [
    "ALPHA",
    "CALCULATOR_ALPHA",
    "CALCULATOR_GAMMA",
    "COUNT_RATIO",
    "PT_EASY",
    "alpha_against_gamma",
    "count_calculator",
    "four_to_one_slider",
    "gamma_alpha_calculator",
    "one_and_two_stage",
    "table_1",
]

LOSSES = ["CE", "α-CE", "FL"]
LOSS_COLOUR = {"CE": LOSS_COLOURS["ce"], "α-CE": LOSS_COLOURS["alpha_ce"], "FL": LOSS_COLOURS["focal"]}
# Easy examples are drawn in a light shade of their loss's colour, hard ones in the colour.
EASY_SHADE = 0.6
# The one-stage detector dark, the two-stage one light.
DETECTOR_GREYS = ["0.3", "0.65"]

ALPHA = Slider(0.05, 0.95, 0.05, value=0.5, label="α")
CALCULATOR_GAMMA = Slider(0, 5, 0.1, value=2.0, label="γ (FL)", static=[0, 0.5, 1, 2, 3, 5])
CALCULATOR_ALPHA = Slider(0.05, 0.95, 0.05, value=0.5, label="α (α-CE, FL)", static=[0.1, 0.25, 0.5, 0.75, 0.9])
PT_EASY = Slider(0.6, 0.99, 0.01, value=0.9, label="easy p_t", static=[0.6, 0.7, 0.8, 0.9, 0.95, 0.99])
COUNT_RATIO = Slider(0, 4, 0.25, value=3, label="log₁₀(easy : hard)", static=[0, 1, 2, 3, 4])
# The count calculator's settings, the paper's best ones (Table 1): CE, α-CE, FL.
PAPER_SETTINGS = [{"alpha": None, "gamma": 0.0}, {"alpha": 0.75, "gamma": 0.0}, {"alpha": 0.25, "gamma": 2.0}]


def _unit_losses(pt_easy: float, pt_hard: float, alpha: float | None = None, gamma: float = 0.0) -> np.ndarray:
    """The losses of one easy negative at ``pt_easy`` and one hard positive at ``pt_hard``."""
    p_positive = torch.tensor([1 - pt_easy, pt_hard], dtype=torch.float64)
    targets = torch.tensor([0.0, 1.0], dtype=torch.float64)
    return sigmoid_focal_loss(torch.logit(p_positive), targets, alpha=alpha, gamma=gamma).numpy()


def one_and_two_stage(candidates: Sequence[int], shares: Sequence[float]) -> Figure:
    """A one-stage detector's classifier sees fifty times more boxes than a
    two-stage one's, and far fewer of them are positives.

    ``candidates`` and ``shares`` (the positives' fraction) are each (one-stage,
    two-stage).
    """
    fig = Figure(figsize=(10, 3.6))
    ax_count, ax_share = fig.subplots(1, 2)
    rows = ["one-stage", "two-stage"]
    ax_count.barh(rows, candidates, color=DETECTOR_GREYS)
    ax_count.set(
        xscale="log",
        xlim=(100, 1e6),
        xlabel="candidate boxes per image (log scale)",
        title="What the classifier sees",
    )
    ax_count.invert_yaxis()
    percentages = [100 * share for share in shares]
    ax_share.barh(rows, percentages, color=DETECTOR_GREYS)
    for i, percentage in enumerate(percentages):
        ax_share.text(percentage + 0.6, i, f"{percentage:.1f} %", va="center", fontsize=13)
    ax_share.set(xlim=(0, 35), xlabel="positives among training examples (%)", title="How balanced it is")
    ax_share.invert_yaxis()
    ax_share.set_yticklabels([])
    return fig


def four_to_one_slider(logits: torch.Tensor, targets: torch.Tensor) -> SliderFigure:
    """The class totals of α-balanced cross-entropy for the slider's α, and their
    ratio against α: the totals are equal only at α = n₋/(n₋ + n₊), and the
    source's weight typed as α makes the negatives dominate.

    ``logits`` and ``targets`` are the examples, all with the same unweighted loss.
    """
    unweighted = binary_cross_entropy(logits, targets, reduction="none")
    negatives, positives = targets == 0, targets == 1
    neg_loss, pos_loss = unweighted[negatives].sum().item(), unweighted[positives].sum().item()
    alphas = np.array(ALPHA.grid())
    ratio_curve = (1 - alphas) * neg_loss / (alphas * pos_loss)
    balancing = neg_loss / (neg_loss + pos_loss)
    # The source's 0.2 was meant for the negatives: typed as α it lands on 1 - α,
    # marked on the ratio curve's grid point.
    mistyped_index = ALPHA.index(1 - balancing)
    mistyped = ALPHA.grid()[mistyped_index]
    colour = LOSS_COLOUR["α-CE"]

    def setup(fig: Figure):
        ax_bars, ax_ratio = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
        # Changing artists on top (zorder 10): an update redraws only them.
        bars = ax_bars.bar(
            [f"{int(negatives.sum())} negatives", f"{int(positives.sum())} positive"],
            [neg_loss, pos_loss],
            color=[shade(colour, EASY_SHADE), colour],
            zorder=10,
        )
        ax_bars.set(ylim=(0, 3), ylabel="class total of α-CE", title="Class totals")
        ax_ratio.plot(alphas, ratio_curve, color=colour)
        ax_ratio.axhline(1, color="0.5", lw=1)
        ax_ratio.plot([balancing], [1], "o", color="k", ms=7)
        ax_ratio.annotate(
            f"equal totals:\nα = {balancing:g}",
            xy=(balancing, 1),
            xytext=(0.62, 6),
            fontsize=12,
            arrowprops={"arrowstyle": "->", "lw": 1},
        )
        mistyped_ratio = ratio_curve[mistyped_index]
        ax_ratio.plot([mistyped], [mistyped_ratio], "s", color="k", ms=7)
        ax_ratio.annotate(
            f"the source's {mistyped:g},\ntyped as α",
            xy=(mistyped, mistyped_ratio),
            xytext=(0.3, 25),
            fontsize=12,
            arrowprops={"arrowstyle": "->", "lw": 1},
        )
        (marker,) = ax_ratio.plot([], [], "o", color=colour, ms=13, alpha=0.7, zorder=10)
        ax_ratio.set(
            yscale="log",
            ylim=(0.1, 200),
            xlim=(0, 1),
            xlabel="α (weight of the positives)",
            ylabel="negatives' total / positives'",
            title="Balance",
        )

        def update(alpha: float):
            bars[0].set_height((1 - alpha) * neg_loss)
            bars[1].set_height(alpha * pos_loss)
            marker.set_data([alpha], [ratio_curve[ALPHA.index(alpha)]])
            return [*bars, marker]

        return update

    return slider_figure(
        setup,
        figsize=(10, 4.2),
        alpha=ALPHA,
        alt="Class totals of alpha-balanced cross-entropy for four negatives "
        "and one positive, and the ratio of the totals against alpha",
    )


class _StampedText(Text):
    """A text that renders each string once and pastes its pixels afterwards.

    Matplotlib (3.11) lays out and renders a text glyph by glyph on every draw, of
    the order of 0.1 ms a glyph: a slider's long title, redrawn on every update,
    cost more than all its bars. A title that takes a few distinct strings is
    rendered once per string, alone on a transparent canvas, and composited from
    then on, pixel for pixel the same.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._stamps: dict[tuple, tuple[int, int, np.ndarray]] = {}

    def draw(self, renderer) -> None:
        if not isinstance(renderer, RendererAgg):  # a vector backend: nothing to gain
            super().draw(renderer)
            return
        if not self.get_visible() or not self.get_text():
            return
        anchor = tuple(self.get_transform().transform(self.get_unitless_position()))
        key = (self.get_text(), anchor, renderer.width, renderer.height, renderer.dpi)
        if key not in self._stamps:
            alone = RendererAgg(renderer.width, renderer.height, renderer.dpi)
            super().draw(alone)
            # Room for the antialiasing around the glyphs' boxes.
            box = self.get_window_extent(alone).padded(2)
            left, right = max(int(box.x0), 0), min(int(np.ceil(box.x1)), int(renderer.width))
            bottom, top = max(int(box.y0), 0), min(int(np.ceil(box.y1)), int(renderer.height))
            # The buffer's rows run downwards; draw_image takes them upwards.
            pixels = np.asarray(alone.buffer_rgba())[::-1][bottom:top, left:right]
            self._stamps[key] = (left, bottom, pixels.copy())
        left, bottom, pixels = self._stamps[key]
        gc = renderer.new_gc()
        renderer.draw_image(gc, left, bottom, pixels)
        gc.restore()
        self.stale = False


# Bar geometry, as ax.bar and ax.barh draw it: the easy total of loss k spans
# k - 0.39 to k - 0.01 (the hard one k + 0.01 to k + 0.39); a share bar, k ± 0.4.
TOTAL_WIDTH = 0.38
SHARE_HEIGHT = 0.8


def _changing_bars(ax: Axes, colours: list) -> PolyCollection:
    """Bars that an update reshapes, as one artist: a matplotlib Rectangle costs
    about 0.3 ms to draw, three of them in one collection not much more than one.
    Drawn pixel for pixel like ax.bar's, and on top (zorder 10), so that an update
    redraws only them and what lies over them.
    """
    return ax.add_collection(PolyCollection([], facecolors=colours, edgecolors="none", zorder=10), autolim=False)


def _totals_axes(ax: Axes, ylim: tuple[float, float]) -> tuple[PolyCollection, list, list]:
    """Grouped bars (easy light, hard dark) for CE, α-CE and FL on a log axis,
    with a label above each pair; returns the easy bars, hard bars and labels.
    """
    easy_bars = _changing_bars(ax, [shade(LOSS_COLOUR[name], EASY_SHADE) for name in LOSSES])
    # The hard bars lie just below (zorder 9; they never overlap the easy ones), so
    # that a figure whose hard totals stay put can leave them in the background.
    hard_bars = list(ax.bar(np.arange(3) + 0.2, 1.0, TOTAL_WIDTH, color=[LOSS_COLOUR[n] for n in LOSSES], zorder=9))
    labels = [ax.text(k, ylim[1] / 300, "", ha="center", fontsize=12, zorder=10) for k in range(3)]
    ax.text(-0.45, ylim[1] / 12, "easy total ÷ hard total:", fontsize=11)
    ax.set_xticks(range(3), LOSSES)
    ax.set(yscale="log", ylim=ylim, xlim=(-0.5, 2.5), ylabel="group total (log scale)")
    # Ticks only where bars can reach; the space above holds the labels.
    ax.set_yticks(10.0 ** np.arange(-4, 7, 2))
    ax.legend(
        handles=[Patch(color="0.75", label="easy"), Patch(color="0.3", label="hard")],
        loc="upper right",
        ncols=2,
        fontsize=11,
        bbox_to_anchor=(1, 0.76),
    )
    return easy_bars, hard_bars, labels


def _share_axes(ax: Axes) -> PolyCollection:
    """Horizontal 100 % bars, the easy group's share from the left over the hard
    group's colour; returns the easy shares' bars.
    """
    easy_share = _changing_bars(ax, [shade(LOSS_COLOUR[n], EASY_SHADE) for n in LOSSES])
    # The hard group's share is what the easy one leaves uncovered: a full bar
    # under it, which never changes.
    ax.barh(range(3), 1, SHARE_HEIGHT, color=[LOSS_COLOUR[n] for n in LOSSES], zorder=9)
    ax.axvline(0.5, color="k", lw=1, ls=":", zorder=11)
    ax.set_yticks(range(3), LOSSES)
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), xlabel="share of the total loss", title="easy ◀   share   ▶ hard")
    return easy_share


def _set_bars(bars: tuple, easy: np.ndarray, hard: np.ndarray, hard_changes: bool = True) -> list:
    """Show the group totals ``easy`` and ``hard`` (one per loss) on both panels;
    returns the artists changed (the hard bars only if ``hard_changes``).
    """
    easy_bars, hard_bars, labels, easy_share = bars
    left = np.arange(3) - 0.2 - TOTAL_WIDTH / 2
    easy_bars.set_verts([[(x, 0), (x, e), (x + TOTAL_WIDTH, e), (x + TOTAL_WIDTH, 0)] for x, e in zip(left, easy)])
    shares = easy / (easy + hard)
    top = np.arange(3) - SHARE_HEIGHT / 2
    easy_share.set_verts([[(0, y), (s, y), (s, y + SHARE_HEIGHT), (0, y + SHARE_HEIGHT)] for y, s in zip(top, shares)])
    for k in range(3):
        hard_bars[k].set_height(hard[k])
        labels[k].set_text(f"{easy[k] / hard[k]:.3g}×")
    return [easy_bars, *(hard_bars if hard_changes else []), *labels, easy_share]


def gamma_alpha_calculator(n_easy: int, n_hard: int, pt_easy: float, pt_hard: float) -> SliderFigure:
    """Group totals of ``n_easy`` easy negatives and ``n_hard`` hard positives
    under CE, α-CE and FL for the sliders' γ and α, and each group's share: as γ
    grows the focal loss's share flips from the easy group to the hard one.
    """
    # One easy and one hard example's loss for every γ on the slider's grid;
    # α only multiplies them, so the update is arithmetic.
    unit = np.stack([_unit_losses(pt_easy, pt_hard, gamma=g) for g in CALCULATOR_GAMMA.grid()])
    easy_unit_ce, hard_unit_ce = unit[CALCULATOR_GAMMA.index(0)]

    def setup(fig: Figure):
        ax_totals, ax_share = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        bars = (*_totals_axes(ax_totals, (1e-4, 1e10)), _share_axes(ax_share))
        ax_totals.set_title(f"{n_easy:,} easy (p_t = {pt_easy}), {n_hard} hard (p_t = {pt_hard})", fontsize=12)

        def update(gamma: float, alpha: float):
            easy_unit, hard_unit = unit[CALCULATOR_GAMMA.index(gamma)]
            easy = n_easy * np.array([easy_unit_ce, (1 - alpha) * easy_unit_ce, (1 - alpha) * easy_unit])
            hard = n_hard * np.array([hard_unit_ce, alpha * hard_unit_ce, alpha * hard_unit])
            return _set_bars(bars, easy, hard)

        return update

    return slider_figure(
        setup,
        figsize=(10, 4.6),
        gamma=CALCULATOR_GAMMA,
        alpha=CALCULATOR_ALPHA,
        alt=f"Total loss of {n_easy:,} easy and {n_hard} hard examples under "
        "cross-entropy, alpha-balanced cross-entropy and focal loss, for "
        "chosen gamma and alpha",
    )


def count_calculator(n_hard: int, pt_hard: float) -> SliderFigure:
    """Group totals and shares under the paper's best settings of CE, α-CE and
    FL for the sliders' easy p_t and easy : hard count: as the easy examples get
    easier, the focal loss's easy total collapses far faster than CE's.
    """
    # losses[i, k]: one easy and one hard example's loss, with the easy one at
    # PT_EASY.grid()[i], under setting k.
    losses = np.array([[_unit_losses(pe, pt_hard, **s) for s in PAPER_SETTINGS] for pe in PT_EASY.grid()])
    per_easy = losses[:, :, 0]
    per_hard = losses[0, :, 1]  # the same at every easy p_t

    def setup(fig: Figure):
        ax_totals, ax_share = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        bars = (*_totals_axes(ax_totals, (1e-5, 1e11)), _share_axes(ax_share))
        ax_totals.set_xticks(range(3), ["CE", "α-CE\nα = 0.75", "FL\nγ = 2, α = 0.25"], fontsize=11)
        # Where set_title puts a title; it takes one string per count ratio.
        title = _StampedText(
            0.5,
            1.0,
            "",
            transform=ax_totals.transAxes + ax_totals.titleOffsetTrans,
            ha="center",
            va="baseline",
            fontsize=12,
            zorder=10,
            clip_on=False,
        )
        ax_totals.add_artist(title)

        def update(pt_easy: float, log_ratio: float):
            count = n_hard * 10**log_ratio
            title.set_text(f"{count:,.0f} easy : {n_hard} hard")
            easy = count * per_easy[PT_EASY.index(pt_easy)]
            # The hard examples' totals are the same at every setting.
            return [*_set_bars(bars, easy, n_hard * per_hard, hard_changes=False), title]

        return update

    return slider_figure(
        setup,
        figsize=(10, 4.8),
        pt_easy=PT_EASY,
        log_ratio=COUNT_RATIO,
        alt="Total loss of the easy and the hard examples under cross-entropy, "
        "alpha-balanced cross-entropy and focal loss, for a chosen easy p_t "
        "and count ratio",
    )


def table_1(table_1a: Mapping[float, float], table_1b: Sequence[tuple[float, float, float]]) -> Figure:
    """Lin et al.'s Tables 1a and 1b: α-CE is best at α = .75 and fails for small
    α; the focal loss beats the best α-CE for every γ > 0, best at γ = 2.

    ``table_1a`` maps α to AP; ``table_1b`` holds (γ, best α, AP) rows.
    """
    fig = Figure(figsize=(11, 4.8))
    ax_a, ax_b = fig.subplots(1, 2)
    alphas, aps = zip(*table_1a.items())
    ax_a.plot(alphas, aps, "o-", color=LOSS_COLOUR["α-CE"])
    ax_a.set(
        xscale="logit",
        xlim=(0.05, 0.9995),
        ylim=(-2, 36),
        xlabel="α (logit scale)",
        ylabel="COCO AP (%)",
        title="Table 1a: α-CE, γ = 0",
    )
    ax_a.set_xticks([0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999], ["0.1", ".25", ".5", ".75", ".9", ".99", ".999"])
    ax_a.minorticks_off()
    best_alpha = max(table_1a, key=table_1a.get)
    ax_a.annotate(
        f"best: α = {best_alpha:g}".replace("0.", "."),
        xy=(best_alpha, table_1a[best_alpha]),
        xytext=(0.2, 33),
        fontsize=12,
        arrowprops={"arrowstyle": "->", "lw": 1},
    )

    gammas, best_alphas, aps_b = zip(*table_1b)
    positions = range(len(gammas))
    ax_b.plot(positions, aps_b, "o-", color=LOSS_COLOUR["FL"])
    ax_b.axhline(table_1a[best_alpha], color=LOSS_COLOUR["α-CE"], ls="--", lw=1.5)
    ax_b.text(6.2, 30.9, "best α-CE", ha="right", va="top", fontsize=11, color=LOSS_COLOUR["α-CE"])
    ax_b.set_xticks(list(positions), [f"{g:g}\n{a:g}".replace("0.", ".") for g, a in zip(gammas, best_alphas)])
    # Row labels for the two-line tick labels.
    ax_b.annotate(
        "γ:\nα:",
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(-12, -7),
        textcoords="offset points",
        ha="right",
        va="top",
    )
    ax_b.set(ylim=(30, 35), xlim=(-0.4, 6.4), ylabel="COCO AP (%)", title="Table 1b: FL, each γ with its best α")
    return fig


def alpha_against_gamma(
    gammas: Sequence[float], toy_alphas: Sequence[float], table_1b: Sequence[tuple[float, float, float]]
) -> Figure:
    """The α that equalises the toy groups' totals falls as γ rises, as the
    paper's best α does (Table 1b): the more γ mutes the easy negatives, the
    less weight the positives need.
    """
    fig = Figure(figsize=(8, 4.2))
    ax = fig.subplots()
    ax.plot(gammas, toy_alphas, color=LOSS_COLOUR["FL"], label="toy: α that equalises the two groups' totals")
    ax.plot(
        [g for g, _, _ in table_1b],
        [a for _, a, _ in table_1b],
        "s",
        color="k",
        ms=8,
        label="paper: best α for each γ (Table 1b)",
    )
    ax.axhline(0.5, color="0.5", lw=1, ls=":")
    ax.set(
        xlim=(-0.15, 5.15),
        ylim=(0, 1.05),
        xlabel="γ",
        ylabel="α (weight of the positives)",
        title="The more γ mutes the easy negatives, the less α the positives need",
    )
    ax.legend(loc="upper right")
    return fig
