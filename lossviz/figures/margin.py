"""Figures of the chapter on margin losses (``book/margin.md``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from ..gradients import grad
from ..plotting import COLOURS, LOSS_COLOURS, shade
from ..sliders import Slider, SliderFigure, slider_figure

__all__ = [
    "BAD_MARGIN",
    "MARGIN_COLOURS",
    "margin_gradients",
    "one_bad_point",
    "surrogate_losses",
    "threshold_risk",
]

# The book's colours for the margin losses, under the names the chapter's legends use.
MARGIN_COLOURS: dict[str, str] = {
    "0-1": LOSS_COLOURS["zero_one"],
    "hinge": LOSS_COLOURS["hinge"],
    "squared hinge": LOSS_COLOURS["squared_hinge"],
    "logistic": LOSS_COLOURS["logistic"],
    "exponential": LOSS_COLOURS["exponential"],
    "modified Huber": LOSS_COLOURS["modified_huber"],
}

BAD_MARGIN = Slider(-8, 0, 0.25, value=-4, label="bad point's margin")

# Modified Huber is the squared hinge for m ≥ -1: dashed, so both stay visible.
_DASHED = {"modified Huber"}


def _label(name: str) -> str:
    # The chapter's surrogate-loss figures draw the logistic loss divided by ln 2.
    return "logistic / ln 2" if name == "logistic" else name


def surrogate_losses(margin: torch.Tensor, curves: Mapping[str, torch.Tensor]) -> Figure:
    """The margin losses against the margin, over the misclassified and inside-the-margin zones.

    ``curves[name]`` is the loss ``name`` of :data:`MARGIN_COLOURS` at each
    ``margin`` (the logistic one divided by ln 2). The claim: every surrogate is
    a convex upper bound on the zero-one loss.
    """
    low, high = margin[0].item(), margin[-1].item()
    # Tall enough that modified Huber's straight tail -4m, below m = -1, parts visibly
    # from the squared hinge before both leave the top.
    top = 9.0
    fig = Figure(figsize=(10, 5.5))
    ax = fig.subplots()
    ax.axvspan(low, 0, color=shade(COLOURS["error"], 0.89), zorder=0)
    ax.axvspan(0, 1, color=shade(COLOURS["positive"], 0.89), zorder=0)
    ax.text(low / 2, 0.5, "misclassified (m < 0)", ha="center", va="center")
    ax.text(0.5, 0.96 * top, "correct, inside\nthe margin", ha="center", va="top")
    ax.text((1 + high) / 2, 0.96 * top, "correct", ha="center", va="top")
    for name, values in curves.items():
        ax.plot(
            margin,
            values,
            "--" if name in _DASHED else "-",
            color=MARGIN_COLOURS[name],
            label=_label(name),
            lw=3 if name == "0-1" else 2.5,
        )
    ax.set(
        xlabel="margin m = y·f(x)",
        ylabel="loss",
        xlim=(low, high),
        ylim=(0, top),
        title="Convex surrogates of the zero-one loss",
    )
    if "modified Huber" in curves:
        on_tail = -1.75  # a margin on the straight part, below m = -1
        ax.annotate(
            "modified Huber:\nthe line −4m",
            xy=(on_tail, -4 * on_tail),
            xytext=(-1.2, 7.6),
            ha="left",
            va="center",
            arrowprops=dict(arrowstyle="->"),
            fontsize=12,
        )
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.82))
    return fig


def threshold_risk(
    thresholds: torch.Tensor, risk: Mapping[str, torch.Tensor], x_pos: torch.Tensor, x_neg: torch.Tensor
) -> Figure:
    """Average loss of the classifier sign(x − t) against t, each minimum marked, and the data.

    ``risk[name]`` is the mean loss at each threshold; ``x_pos`` and ``x_neg`` are
    the points of the two classes. The claim: the zero-one risk is a staircase
    with several minima, the hinge and logistic risks are convex with one.
    """
    fig = Figure(figsize=(10, 4.8))
    ax = fig.subplots()
    for name, r in risk.items():
        colour = MARGIN_COLOURS[name]
        ax.plot(thresholds, r, color=colour, label=_label(name))
        ax.plot(thresholds[r.argmin()].item(), r.min(), "o", ms=9, color=colour, mec="k")
    # On the axes' bottom edge; clip_on=False, or the edge cuts the markers.
    for points, marker, colour, label in [
        (x_pos, "^", COLOURS["reference"], "class +1"),
        (x_neg, "v", COLOURS["error"], "class −1"),
    ]:
        ax.plot(points, np.full(len(points), -0.06), marker, color=colour, ms=9, label=label, clip_on=False)
    ax.set(
        xlabel="decision threshold t  (classifier: sign(x − t))",
        ylabel="average loss",
        ylim=(-0.1, 2.6),
        title="Training objective along one parameter",
    )
    ax.legend(loc="upper center", ncols=5, fontsize=11)
    return fig


def margin_gradients(margin: torch.Tensor, gradients: Mapping[str, torch.Tensor]) -> Figure:
    """∂L/∂m of each surrogate against the margin, with its limit as m → −∞ written beside it.

    The claim: hinge and logistic push with a force bounded by 1, modified Huber
    by 4, squared hinge and exponential without bound; hinge, squared hinge and
    modified Huber let go past m = 1.
    """
    fig = Figure(figsize=(10, 5))
    ax = fig.subplots()
    for name, g in gradients.items():
        ax.plot(margin, g, "--" if name in _DASHED else "-", color=MARGIN_COLOURS[name], label=name)
    ax.axhline(0, color="0.3", lw=1)
    ax.text(-3.9, -1.5, "hinge, logistic: bounded by 1", fontsize=12, va="center")
    ax.text(-3.9, -4.6, "modified Huber: bounded by 4", fontsize=12, va="center")
    ax.text(-1.75, -9.0, "exponential and squared\nhinge: unbounded", fontsize=12, va="center")
    ax.set(
        xlabel="margin m",
        ylabel="∂L/∂m",
        xlim=(-4, 3),
        ylim=(-10, 0.5),
        title="Gradients of the margin losses (logistic in natural log)",
    )
    ax.legend(loc="lower right")
    return fig


def one_bad_point(
    losses: Mapping[str, Callable[..., torch.Tensor]],
    ordinary: torch.Tensor,
    shares: Mapping[str, Sequence[float]],
) -> SliderFigure:
    """Each surrogate's push on one badly misclassified point, and that point's share of the total.

    ``shares[name]`` is the bad point's share of the total push under
    ``losses[name]``, for each value of :data:`BAD_MARGIN`; ``ordinary`` holds the
    margins of the other points. The claim: under the exponential loss and the
    squared hinge one far-off point takes most of the push; under the bounded
    losses it cannot.
    """
    bad_margins = np.array(BAD_MARGIN.grid(), dtype=float)
    surrogates = list(shares)
    share_table = {name: np.array(shares[name]) for name in surrogates}
    for name, values in share_table.items():
        if values.shape != bad_margins.shape:
            raise ValueError(f"shares[{name!r}] must hold one share per slider value, {len(bad_margins)} in all")
    curve_margin = np.linspace(-8, 3, 600)
    curve_push = {
        name: grad(losses[name], curve_margin, np.ones_like(curve_margin), reduction="none").abs().numpy()
        for name in surrogates
    }
    push_at_bad = {name: np.interp(bad_margins, curve_margin, curve_push[name]) for name in surrogates}

    def setup(fig: Figure):
        ax_push, ax_share = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
        for name in surrogates:
            # Clipped at 1e-6: the log scale cannot show the zero push past m = 1.
            ax_push.semilogy(curve_margin, np.maximum(curve_push[name], 1e-6), color=MARGIN_COLOURS[name], label=name)
        ax_push.plot(ordinary.numpy(), np.full(len(ordinary), 1.3e-4), "|", color="0.4", ms=12)
        ax_push.text(1.5, 3e-4, f"the {len(ordinary)} ordinary points", ha="center", fontsize=11)
        bad_line = ax_push.axvline(BAD_MARGIN.initial(), color=COLOURS["error"], lw=2, ls="--", zorder=4)
        dots = {
            name: ax_push.plot([], [], "o", ms=9, color=MARGIN_COLOURS[name], mec="k", zorder=5)[0]
            for name in surrogates
        }
        ax_push.set(
            xlabel="margin m",
            ylabel="|∂L/∂m|  (log scale)",
            xlim=(-8, 3),
            ylim=(1e-4, 1e4),
            title="Push on a point of margin m",
        )
        fig.legend(loc="outside upper center", ncols=5, fontsize=11)

        positions = np.arange(len(surrogates))
        bars = ax_share.bar(
            positions, np.zeros(len(surrogates)), color=[MARGIN_COLOURS[n] for n in surrogates], zorder=4
        )
        labels = [ax_share.text(p, 0, "", ha="center", va="bottom", fontsize=12, zorder=5) for p in positions]
        ax_share.set_xticks(positions, [n.replace(" ", "\n") for n in surrogates], fontsize=11)
        ax_share.set(ylim=(0, 1.1), ylabel="share of the total push", title="What one bad point gets")

        def update(bad_margin: float):
            i = BAD_MARGIN.index(bad_margin)
            bad_line.set_xdata([bad_margin, bad_margin])
            for name, bar, label in zip(surrogates, bars, labels):
                dots[name].set_data([bad_margin], [push_at_bad[name][i]])
                share = share_table[name][i]
                bar.set_height(share)
                label.set_position((bar.get_x() + bar.get_width() / 2, share + 0.01))
                label.set_text(f"{100 * share:.0f}%")
            return [bad_line, *dots.values(), *bars, *labels]

        return update

    return slider_figure(
        setup,
        figsize=(11, 4.8),
        bad_margin=BAD_MARGIN,
        alt="Gradient of each margin loss with one badly misclassified point marked, "
        "and that point's share of the total gradient",
    )
