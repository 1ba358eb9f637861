"""Figures of the chapter on entropy, cross-entropy and KL divergence."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.artist import Artist
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from ..classification import binary_cross_entropy, entropy
from ..plotting import COLOURS, LOSS_COLOURS
from ..sliders import Slider, SliderFigure, slider_figure

__all__ = ["CENTRE", "WIDTH", "bce_curves", "coin_entropy", "kl_asymmetry"]

# The centre and width of the bump Q over the 20 outcomes of the KL figure. Besides
# every whole centre and every width, the static site holds the centres the chapter
# names: P's two modes and their midpoint.
CENTRE = Slider(0, 19, 0.5, value=5.0, label="centre of Q", static=[5, 9.5, 14])
WIDTH = Slider(0.5, 8, 0.5, value=1.0, label="width of Q")


def coin_entropy() -> Figure:
    """The entropy of a coin against P(heads): 1 bit for a fair coin, 0 for a certain one."""
    p = torch.linspace(0.0, 1.0, 401)
    h = entropy(torch.stack([p, 1 - p], dim=-1), base=2)
    fig = Figure()
    ax = fig.subplots()
    # Entropy is the cross-entropy of a distribution with itself.
    ax.plot(p, h, color=LOSS_COLOURS["ce"])
    ax.set(xlabel="P(heads)", ylabel="entropy (bits)", title="Entropy of a coin")
    return fig


def bce_curves() -> Figure:
    """Binary cross-entropy against the predicted probability for each label: without
    bound for a confident wrong answer, near zero for a right one."""
    prob = torch.linspace(0.001, 0.999, 500)
    logit = torch.logit(prob)
    fig = Figure()
    ax = fig.subplots()
    for y, label, colour in [
        (1.0, "label y = 1:  −log ŷ", COLOURS["positive"]),
        (0.0, "label y = 0:  −log(1 − ŷ)", COLOURS["negative"]),
    ]:
        loss = binary_cross_entropy(logit, torch.full_like(logit, y), reduction="none")
        ax.plot(prob, loss, color=colour, label=label)
    ax.set(xlabel="predicted probability ŷ of the positive class", ylabel="loss", ylim=(0, 7))
    ax.legend()
    return fig


def kl_asymmetry(
    support: torch.Tensor,
    P: torch.Tensor,
    Q: torch.Tensor,
    forward: torch.Tensor,
    reverse: torch.Tensor,
) -> SliderFigure:
    """A fixed bimodal P and a bump Q whose centre and width the sliders set, beside
    maps of KL(P‖Q) and KL(Q‖P) over (centre, width), each with its minimum starred:
    the two directions prefer different Qs.

    ``Q`` holds Q for each pair of :data:`CENTRE` and :data:`WIDTH` grid values, shape
    (centres, widths, outcomes); ``forward`` and ``reverse`` hold the two divergences,
    shape (centres, widths).
    """
    centres, widths = np.asarray(CENTRE.grid()), np.asarray(WIDTH.grid())
    shape = (len(centres), len(widths))
    if not (Q.shape[:2] == forward.shape == reverse.shape == shape and Q.shape[2] == len(support)):
        raise ValueError(f"Q, forward and reverse need one entry per (centre, width) pair of the sliders {shape}")
    # NumPy arrays: matplotlib warns about a tensor's __array_wrap__ in bar(), and a
    # live update is faster without tensors.
    support_np, P_np, Q_np = np.asarray(support), np.asarray(P), np.asarray(Q)
    maps = {"KL(P‖Q)": np.asarray(forward), "KL(Q‖P)": np.asarray(reverse)}
    # Every cell at the minimum: a P symmetric about its midpoint gives KL(Q‖P) two.
    minima = {name: np.argwhere(np.isclose(values, values.min(), rtol=1e-9, atol=0)) for name, values in maps.items()}
    # One logarithmic scale for both maps, so that their colours compare.
    norm = LogNorm(min(m.min() for m in maps.values()), max(m.max() for m in maps.values()))
    # Each grid value at the centre of its cell.
    extent = (
        centres[0] - CENTRE.step / 2, centres[-1] + CENTRE.step / 2,
        widths[0] - WIDTH.step / 2, widths[-1] + WIDTH.step / 2,
    )

    def setup(fig: Figure):
        ax_dist, *map_axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.25, 1, 1]})
        ax_dist.bar(support_np, P_np, color="0.75", label="P (fixed)")
        # Moving artists on top (high zorder): only they are redrawn when a slider moves.
        (q_line,) = ax_dist.plot(support_np, Q_np[0, 0], "o-", color=COLOURS["prediction"], ms=4, label="Q", zorder=10)
        # High enough for the narrowest Q.
        ax_dist.set(xlabel="outcome", ylabel="probability", ylim=(0, 1.05 * Q_np.max()), title="P and Q")
        ax_dist.legend(loc="upper right")
        readout = fig.suptitle(" ", fontsize=14)
        dots = []
        for ax, (name, values) in zip(map_axes, maps.items()):
            image = ax.imshow(
                values.T, origin="lower", extent=extent, aspect="auto", cmap="viridis_r", norm=norm,
                interpolation="nearest",
            )
            ax.plot(centres[minima[name][:, 0]], widths[minima[name][:, 1]], "*", color="white", mec="k", ms=18)
            (dot,) = ax.plot([], [], "o", color=COLOURS["prediction"], mec="white", mew=1.5, ms=10, zorder=10)
            dots.append(dot)
            ax.set(xlabel="centre of Q", title=name, xticks=range(0, 20, 5))
            ax.grid(False)
        map_axes[0].set_ylabel("width of Q")
        map_axes[1].tick_params(labelleft=False)
        colour_bar = fig.colorbar(image, ax=map_axes, label="divergence (nats)", shrink=0.9)
        colour_bar.set_ticks([1, 2, 5, 10], labels=["1", "2", "5", "10"])

        def update(centre: float, width: float) -> list[Artist]:
            i, j = CENTRE.index(centre), WIDTH.index(width)
            q_line.set_ydata(Q_np[i, j])
            for dot in dots:
                dot.set_data([centre], [width])
            forward_here, reverse_here = (values[i, j] for values in maps.values())
            readout.set_text(f"This Q:  KL(P‖Q) = {forward_here:.2f} nats,  KL(Q‖P) = {reverse_here:.2f} nats")
            return [q_line, readout, *dots]

        return update

    where = {
        name: f"centre{'s' if len(cells) > 1 else ''} {' and '.join(f'{centres[i]:g}' for i in cells[:, 0])}, "
        f"width {' and '.join(dict.fromkeys(f'{widths[j]:g}' for j in cells[:, 1]))}"
        for name, cells in minima.items()
    }
    return slider_figure(
        setup,
        centre=CENTRE,
        width=WIDTH,
        alt="A two-bump P as bars with a bump Q; maps of KL(P‖Q) and KL(Q‖P) over Q's centre and "
        f"width, stars at the minima: KL(P‖Q) at a wide Q between the bumps ({where['KL(P‖Q)']}), "
        f"KL(Q‖P) at a narrow Q on either bump ({where['KL(Q‖P)']})",
    )
