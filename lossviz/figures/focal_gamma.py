"""Figures of the chapter "Focal loss I: the γ curves" (book/focal_gamma.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from ..focal import sigmoid_focal_loss
from ..gradients import grad
from ..plotting import COLOURS, LOSS_COLOURS, shade
from ..sliders import Slider, SliderFigure, slider_figure

__all__ = [
    "GAMMA",
    "gamma_curves",
    "gradient_slider",
    "hard_and_easy",
    "loss_slider",
    "saturated_gradient",
    "two_branches",
]

CE = LOSS_COLOURS["ce"]
FOCAL = LOSS_COLOURS["focal"]
# The well-classified half of a p_t axis, behind everything else.
EASY_BAND = "0.92"

GAMMA = Slider(0, 5, 0.1, value=2.0, label="γ")

# The sliders' p_t and x_t axes (the chapter's own p_t grid).
P_T = torch.linspace(0.001, 0.999, 999, dtype=torch.float64)
X_T = torch.linspace(-10, 10, 801, dtype=torch.float64)


def _focal_of_positive(logits: torch.Tensor, gamma: float) -> torch.Tensor:
    """Unweighted focal loss of positive examples with these logits."""
    return sigmoid_focal_loss(logits, torch.ones_like(logits), alpha=None, gamma=gamma)


def _focal_gradient(logits: torch.Tensor, gamma: float) -> torch.Tensor:
    """dFL/dx of positive examples, by autograd."""
    return grad(sigmoid_focal_loss, logits, torch.ones_like(logits), alpha=None, gamma=gamma)


def two_branches(p: torch.Tensor, ce_positive: torch.Tensor, ce_negative: torch.Tensor) -> Figure:
    """Cross-entropy's two branches differ against p but are one curve against p_t.

    ``ce_positive`` and ``ce_negative`` are the losses of a positive and of a
    negative example predicted ``p``.
    """
    fig = Figure(figsize=(11, 4.5))
    ax_p, ax_pt = fig.subplots(1, 2, sharey=True)
    ax_p.plot(p, ce_positive, color=CE, label="y = 1:  −log p")
    ax_p.plot(p, ce_negative, color=CE, ls="--", label="y = 0:  −log(1 − p)")
    ax_p.set(
        xlabel="predicted probability p of the positive class",
        ylabel="cross-entropy loss",
        ylim=(0, 5),
        title="Two branches against p",
    )
    ax_p.legend(loc="upper center")
    # A thick pale line under a dashed one: the two curves visibly coincide.
    ax_pt.plot(p, ce_positive, color=CE, lw=5, alpha=0.5, label="y = 1, with p_t = p")
    ax_pt.plot(1 - p, ce_negative, color=CE, ls="--", label="y = 0, with p_t = 1 − p")
    ax_pt.set(xlabel="p_t, probability of the true class", title="One curve against p_t")
    ax_pt.legend(loc="upper right")
    return fig


def gamma_curves(p_t: torch.Tensor, curves: Mapping[float, torch.Tensor]) -> Figure:
    """Lin et al.'s Figure 1: the larger γ, the earlier the focal loss drops to zero
    on well-classified examples, while misclassified ones keep most of their loss.

    ``curves`` maps each γ to the focal loss at ``p_t``; γ = 0 is drawn as
    cross-entropy, the others from light (small γ) to dark (large γ).
    """
    fig = Figure(figsize=(9, 5.5))
    ax = fig.subplots()
    ax.axvspan(0.5, 1.0, color=EASY_BAND, zorder=0)
    ax.annotate("well-classified examples\n(p_t > 0.5)", xy=(0.75, 2.6), ha="center", fontsize=13)
    ax.annotate("", xy=(0.98, 2.35), xytext=(0.52, 2.35), arrowprops={"arrowstyle": "<->", "lw": 1.5})
    # The γ family runs from a light shade of the focal colour (small γ) to a dark one (the largest).
    gamma_max = max(curves)
    for gamma, curve in curves.items():
        if gamma == 0:
            colour, label = CE, "γ = 0  (cross-entropy)"
        else:
            colour, label = shade(FOCAL, 0.55 - 0.95 * gamma / gamma_max), f"γ = {gamma}"
        ax.plot(p_t, curve, color=colour, label=label)
    ax.text(
        0.14,
        3.5,
        r"CE$(p_t) = -\log p_t$" "\n" r"FL$(p_t) = -(1 - p_t)^\gamma \log p_t$",
        fontsize=14,
        va="bottom",
    )
    ax.set(
        xlim=(0, 1),
        ylim=(0, 5),
        xlabel="p_t, probability of the ground-truth class",
        ylabel="loss",
        title="Focal loss for several γ (after Lin et al. 2017, Figure 1)",
    )
    ax.legend(loc="upper right")
    return fig


def loss_slider() -> SliderFigure:
    """Focal loss against p_t for the slider's γ, on a linear and a log axis: as γ
    grows the easy end sinks by orders of magnitude while the hard end barely moves.
    """
    # Every curve the slider can show, computed once (as NumPy, which matplotlib
    # takes fastest): the update only indexes.
    logits = torch.logit(P_T)
    curves = torch.stack([_focal_of_positive(logits, g) for g in GAMMA.grid()]).numpy()
    ce_curve = curves[GAMMA.index(0)]
    # CE / FL at p_t = 0.9, the dotted line.
    at_09 = torch.logit(torch.tensor([0.9], dtype=torch.float64))
    discounts = [(_focal_of_positive(at_09, 0) / _focal_of_positive(at_09, g)).item() for g in GAMMA.grid()]

    def setup(fig: Figure):
        ax_lin, ax_log = fig.subplots(1, 2)
        for ax in (ax_lin, ax_log):
            ax.axvspan(0.5, 1.0, color=EASY_BAND, zorder=0)
            ax.plot(P_T, ce_curve, color=CE, label="cross-entropy (γ = 0)")
            ax.set(xlim=(0, 1), xlabel="p_t, probability of the true class")
        # The changing artists go on top (zorder 6): an update then redraws only them.
        (fl_lin,) = ax_lin.plot(P_T, ce_curve, color=FOCAL, label="focal loss", zorder=6)
        (fl_log,) = ax_log.plot(P_T, ce_curve, color=FOCAL, zorder=6)
        ax_lin.set(ylim=(0, 5), ylabel="loss", title="Linear axis")
        ax_lin.text(0.75, 1.6, "well-\nclassified", ha="center", fontsize=12)
        ax_lin.legend(loc="upper right", fontsize=11)
        ax_log.set(yscale="log", ylim=(1e-8, 10), title="Logarithmic axis")
        ax_log.axvline(0.9, color="0.4", ls=":", lw=1.5)
        readout = ax_log.text(0.03, 0.05, "", transform=ax_log.transAxes, fontsize=12, zorder=6)

        def update(gamma: float):
            i = GAMMA.index(gamma)
            fl_lin.set_ydata(curves[i])
            fl_log.set_ydata(curves[i])
            readout.set_text(f"CE / FL at dotted line: {discounts[i]:,.0f}")
            return [fl_lin, fl_log, readout]

        return update

    return slider_figure(
        setup,
        figsize=(10, 4.5),
        gamma=GAMMA,
        alt="Focal loss against p_t for a chosen γ, with cross-entropy for "
        "reference, on a linear and a logarithmic loss axis",
    )


def gradient_slider() -> SliderFigure:
    """For the slider's γ: the fraction of cross-entropy's loss and of its gradient
    that the focal loss keeps, against p_t (the gradient always keeps more, and
    hard examples are pushed harder than by CE), and the two gradients against the
    logit x_t, as in Lin et al.'s Figure 6.
    """
    # Precomputed for every γ on the slider's grid. The gradient factor is
    # FL'/CE' by its definition, from autograd.
    logits = torch.logit(P_T)
    ce_gradient = _focal_gradient(logits, 0)
    loss_factors = torch.stack([(1 - P_T) ** g for g in GAMMA.grid()]).numpy()
    gradient_factors = torch.stack([_focal_gradient(logits, g) / ce_gradient for g in GAMMA.grid()]).numpy()
    gradients = torch.stack([_focal_gradient(X_T, g) for g in GAMMA.grid()]).numpy()
    start = GAMMA.index(GAMMA.initial())

    def setup(fig: Figure):
        ax_factor, ax_grad = fig.subplots(1, 2)
        ax_factor.axhline(1, color="0.5", lw=1)
        (loss_line,) = ax_factor.plot(P_T, loss_factors[start], color=FOCAL, label="loss factor (1 − p_t)^γ", zorder=6)
        (grad_line,) = ax_factor.plot(
            P_T, gradient_factors[start], color=FOCAL, ls="--", zorder=6, label="gradient factor FL′ / CE′"
        )
        ax_factor.fill_between([0, 1], 1, 1.7, color=FOCAL, alpha=0.08, lw=0)
        ax_factor.text(0.97, 1.03, "pushed harder than by CE", ha="right", va="bottom", fontsize=11)
        ax_factor.set(
            xlim=(0, 1),
            ylim=(0, 1.7),
            xlabel="p_t, probability of the true class",
            ylabel="fraction of CE kept",
            title="What survives of CE",
        )
        ax_factor.legend(loc="upper right", fontsize=11)

        ax_grad.axvspan(0, 10, color=EASY_BAND, zorder=0)
        ax_grad.plot(X_T, gradients[GAMMA.index(0)], color=CE, label="CE")
        (fl_grad,) = ax_grad.plot(X_T, gradients[start], color=FOCAL, label="FL", zorder=6)
        ax_grad.text(5, -1.1, "correctly\nclassified", ha="center", fontsize=11)
        ax_grad.set(
            xlim=(-10, 10),
            ylim=(-1.4, 0.1),
            xlabel="x_t = y·x, logit towards the true class",
            ylabel="dloss / dx (for y = +1)",
            title="Gradient (after Lin et al., Figure 6)",
        )
        ax_grad.legend(loc="lower right")

        def update(gamma: float):
            i = GAMMA.index(gamma)
            loss_line.set_ydata(loss_factors[i])
            grad_line.set_ydata(gradient_factors[i])
            fl_grad.set_ydata(gradients[i])
            return [loss_line, grad_line, fl_grad]

        return update

    return slider_figure(
        setup,
        figsize=(10, 4.5),
        gamma=GAMMA,
        alt="The loss and gradient factors of focal loss against p_t, and the "
        "focal and cross-entropy gradients against the logit x_t, for a "
        "chosen γ",
    )


def hard_and_easy(ce: Sequence[float], focal: Sequence[float]) -> Figure:
    """The worked example: one hard and one easy example under CE and under focal
    loss (γ = 2), on a log axis, with the hard / easy ratio of each loss; focal
    loss widens the ratio from hundreds to millions.

    ``ce`` and ``focal`` are each (hard loss, easy loss).
    """
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    positions = np.arange(2)
    hard, easy = [float(ce[0]), float(focal[0])], [float(ce[1]), float(focal[1])]
    ax.bar(positions - 0.2, hard, 0.38, color=COLOURS["hard"], label="hard positive, p_t = 0.1")
    ax.bar(positions + 0.2, easy, 0.38, color=COLOURS["easy"], label="easy negative, p_t = 0.99")
    for x, hard_loss, easy_loss in zip(positions, hard, easy):
        ax.annotate(f"ratio {hard_loss / easy_loss:,.0f}", xy=(x, 3 * hard_loss), ha="center", fontsize=13)
    ax.set_xticks(positions, ["cross-entropy", "focal loss, γ = 2"])
    ax.set(yscale="log", ylim=(1e-7, 1e5), ylabel="loss (log scale)", title="Hard versus easy, one example each")
    ax.legend(loc="upper center", ncols=2, fontsize=11)
    return fig


def saturated_gradient(logits: torch.Tensor, naive: torch.Tensor, stable: torch.Tensor) -> Figure:
    """|dFL/dx| of positives with γ = 0.5 against a growing logit: the stable
    gradient decays smoothly, the naive one becomes 0 or NaN once p_t rounds to 1.

    ``naive`` and ``stable`` are the two gradients at ``logits``; the naive
    one is drawn only where it is finite and non-zero.
    """
    fig = Figure(figsize=(9, 4.5))
    ax = fig.subplots()
    ax.semilogy(logits, stable.abs(), color=FOCAL, label="lossviz (log space)")
    usable = naive.isfinite() & (naive != 0)
    ax.semilogy(logits[usable], naive[usable].abs(), "o", ms=4, color="0.3", label="naive power")
    ax.axvspan(logits[~usable][0].item(), 45, color="0.9", zorder=0)
    ax.text(31, 1e-8, "naive gradient\nis 0 or NaN here", ha="center", fontsize=13)
    ax.set_yticks([1, 1e-10, 1e-20, 1e-30])
    ax.set(
        xlim=(0, 45),
        ylim=(1e-36, 10),
        xlabel="logit x of a positive example (float32)",
        ylabel="|dFL/dx|, γ = 0.5",
        title="A saturated logit: the naive gradient breaks, the stable one decays",
    )
    ax.legend(loc="lower left")
    return fig
