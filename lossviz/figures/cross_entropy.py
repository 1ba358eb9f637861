"""Figures of the chapter on entropy, cross-entropy and KL divergence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from ..classification import binary_cross_entropy, entropy
from ..plotting import COLOURS, LOSS_COLOURS, shade
from ..sliders import Slider, SliderFigure, slider_figure

__all__ = ["CENTRE", "bce_curves", "coin_entropy", "kl_asymmetry"]

# Where the narrow Q sits on the 20 outcomes of the KL figure.
CENTRE = Slider(0, 19, 0.1, value=5.0, label="centre of Q")


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
    Q_bumps: torch.Tensor,
    forward: Sequence[float] | torch.Tensor,
    reverse: Sequence[float] | torch.Tensor,
) -> SliderFigure:
    """A fixed bimodal P and a narrow Q moved by the slider, beside KL(P‖Q) and KL(Q‖P)
    against Q's centre: the two directions disagree.

    ``Q_bumps``, ``forward`` and ``reverse`` hold Q and the two divergences for each
    value of :data:`CENTRE`'s grid, in order.
    """
    centres = CENTRE.grid()
    if not len(Q_bumps) == len(forward) == len(reverse) == len(centres):
        raise ValueError(f"Q_bumps, forward and reverse need one entry per slider value ({len(centres)})")

    def setup(fig: Figure):
        ax_dist, ax_kl = fig.subplots(1, 2)
        # As arrays: matplotlib warns about a tensor's __array_wrap__ in bar().
        ax_dist.bar(np.asarray(support), np.asarray(P), color="0.75", label="P (fixed)")
        # Moving artists on top (high zorder): only they are redrawn when the slider moves.
        (q_line,) = ax_dist.plot(
            support, Q_bumps[CENTRE.index(CENTRE.initial())], "o-", color=COLOURS["prediction"], label="Q", zorder=10
        )
        ax_dist.set(xlabel="outcome", ylabel="probability", ylim=(0, 0.5), title="P and Q")
        ax_dist.legend(loc="upper right")
        # Two directions of one divergence: one hue, told apart by shade and dashes.
        # KL(P‖Q) takes cross-entropy's colour: it is what cross-entropy minimises.
        forward_colour, reverse_colour = LOSS_COLOURS["ce"], shade(LOSS_COLOURS["ce"], -0.6)
        ax_kl.plot(centres, forward, color=forward_colour, label="KL(P‖Q)")
        ax_kl.plot(centres, reverse, "--", color=reverse_colour, label="KL(Q‖P)")
        (forward_dot,) = ax_kl.plot([], [], "o", color=forward_colour, ms=10, zorder=10)
        (reverse_dot,) = ax_kl.plot([], [], "o", color=reverse_colour, ms=10, zorder=10)
        ax_kl.set(xlabel="centre of Q", ylabel="divergence (nats)", title="The two directions disagree")
        ax_kl.legend(loc="upper center")

        def update(centre: float) -> list[Artist]:
            i = CENTRE.index(centre)
            q_line.set_ydata(Q_bumps[i])
            forward_dot.set_data([centre], [forward[i]])
            reverse_dot.set_data([centre], [reverse[i]])
            return [q_line, forward_dot, reverse_dot]

        return update

    return slider_figure(
        setup,
        centre=CENTRE,
        alt="A bimodal P with a narrow Q, and KL(P‖Q) and KL(Q‖P) against Q's centre",
    )
