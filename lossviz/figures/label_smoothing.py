"""Figures of the chapter on label smoothing (``book/label_smoothing.md``)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from matplotlib.figure import Figure

from ..plotting import COLOURS, LOSS_COLOURS, shade
from ..sliders import Slider, SliderFigure, slider_figure

__all__ = ["EPSILON", "loss_vs_gap", "optimal_gap_by_classes", "two_conventions"]

CE_COLOUR = LOSS_COLOURS["ce"]
# The other convention is drawn as a reference beside PyTorch's (and lossviz's).
OTHER_CONVENTION_COLOUR = COLOURS["reference"]

EPSILON = Slider(0.0, 0.5, 0.01, value=0.1, label="ε")
# Fixed curves under the one the slider moves: from light (no smoothing) to dark.
# Three, so that their labels have room in both panels; the lightest shade still
# has 4.5:1 contrast on white, as text needs (WCAG 2.1, 1.4.3).
_REFERENCE_EPSILONS = [0.0, 0.2, 0.4]
_REFERENCE_SHADES = [shade(COLOURS["reference"], a) for a in np.linspace(0.25, 0.0, len(_REFERENCE_EPSILONS))]
# The book's font size: at the page's width (the 880-px frame shown about 670 px
# wide) it is 11 px, where the 10 pt of before was 8.
_LABEL_SIZE = 13


def _label_end(ax, x: float, y: float, text: str, colour, below: bool = False) -> None:
    """Write ``text`` at the right end ``(x, y)`` of a curve, just above it (or below)."""
    ax.annotate(
        text,
        (x, y),
        xytext=(-3, -4 if below else 4),
        textcoords="offset points",
        ha="right",
        va="top" if below else "bottom",
        fontsize=_LABEL_SIZE,
        color=colour,
    )


def loss_vs_gap(
    gap_axis: np.ndarray,
    loss_curves: np.ndarray,
    grad_curves: np.ndarray,
    best_gap: Callable[[float], float],
    n_classes: int,
) -> SliderFigure:
    """The smoothed cross-entropy and its gradient against the logit gap Δ, with the minimum Δ* marked.

    ``loss_curves`` and ``grad_curves`` hold one row per value of :data:`EPSILON`
    over ``gap_axis``; ``best_gap(ε)`` is Δ* for ε > 0. The claim: without smoothing
    the loss keeps falling as the gap grows; any ε > 0 gives it a valley at a finite
    Δ*, nearer and higher the larger ε.
    """
    if not len(loss_curves) == len(grad_curves) == len(EPSILON.grid()):
        raise ValueError(f"need one curve per slider value, {len(EPSILON.grid())}")

    def setup(fig: Figure):
        ax_loss, ax_grad = fig.subplots(1, 2)
        for eps, colour in zip(_REFERENCE_EPSILONS, _REFERENCE_SHADES):
            i = EPSILON.index(eps)
            ax_loss.plot(gap_axis, loss_curves[i], color=colour, lw=1.5)
            _label_end(ax_loss, gap_axis[-1], loss_curves[i][-1], f"ε = {eps:g}", colour)
            ax_grad.plot(gap_axis, grad_curves[i], color=colour, lw=1.5)
            # ε = 0 ends on the zero line: its label goes below, clear of the slider's
            # curve at ε = 0.1, which ends just above.
            _label_end(ax_grad, gap_axis[-1], grad_curves[i][-1], f"ε = {eps:g}", colour, below=eps == 0)
        (loss_line,) = ax_loss.plot(gap_axis, loss_curves[0], color=CE_COLOUR, lw=3, zorder=4)
        (minimum_dot,) = ax_loss.plot([], [], "o", ms=11, color=CE_COLOUR, mec="k", zorder=5)
        minimum_line = ax_loss.axvline(0, color=CE_COLOUR, ls="--", lw=1.5, zorder=4)
        label = ax_loss.text(0.03, 0.95, "", transform=ax_loss.transAxes, va="top", fontsize=13, zorder=5)
        ax_loss.set(
            xlabel="logit gap Δ (true class − others)",
            ylabel="smoothed cross-entropy",
            xlim=(-2, 14),
            ylim=(0, 7),
            title=f"Loss, K = {n_classes}",
        )

        ax_grad.axhline(0, color="0.3", lw=1)
        (grad_line,) = ax_grad.plot(gap_axis, grad_curves[0], color=CE_COLOUR, lw=3, zorder=4)
        (zero_dot,) = ax_grad.plot([], [], "o", ms=11, color=CE_COLOUR, mec="k", zorder=5)
        ax_grad.set(
            xlabel="logit gap Δ", ylabel="∂L/∂Δ = p_true − q_true", xlim=(-2, 14), ylim=(-1, 0.6), title="Gradient"
        )

        def update(epsilon: float):
            i = EPSILON.index(epsilon)
            loss_line.set_ydata(loss_curves[i])
            grad_line.set_ydata(grad_curves[i])
            if epsilon == 0:
                # No minimum: park the markers outside the axes.
                minimum_dot.set_data([], [])
                zero_dot.set_data([], [])
                minimum_line.set_xdata([20, 20])
                label.set_text("ε = 0: no minimum, Δ* = ∞")
            else:
                star = best_gap(epsilon)
                value = np.interp(star, gap_axis, loss_curves[i])
                minimum_dot.set_data([star], [value])
                zero_dot.set_data([star], [0.0])
                minimum_line.set_xdata([star, star])
                label.set_text(f"Δ* = {star:.2f},  floor {value:.3f}")
            return [loss_line, grad_line, minimum_dot, zero_dot, minimum_line, label]

        return update

    return slider_figure(
        setup,
        figsize=(11, 4.6),
        epsilon=EPSILON,
        alt="Smoothed cross-entropy and its gradient against the logit gap, with the optimal gap marked",
    )


def optimal_gap_by_classes(best_gap: Callable[..., float]) -> Figure:
    """The optimal logit gap Δ* against ε for K = 2, 10, 100 and 1000 classes, Inception-v3's marked.

    ``best_gap(ε, n_classes=K)`` is Δ*. The claim: Δ* falls with ε and grows with K,
    only logarithmically, and stays finite for ImageNet's K = 1000 at ε = 0.1.
    """
    eps_axis = np.linspace(0.005, 0.5, 400)
    class_counts = [2, 10, 100, 1000]
    fig = Figure(figsize=(9, 4.6))
    ax = fig.subplots()
    # One hue, darker for more classes.
    for k, amount in zip(class_counts, [0.3, 0.0, -0.35, -0.6]):
        ax.plot(
            eps_axis, [best_gap(e, n_classes=k) for e in eps_axis], color=shade(CE_COLOUR, amount), label=f"K = {k}"
        )
    inception = (0.1, best_gap(0.1, n_classes=1000))
    ax.plot(*inception, "o", ms=11, color=CE_COLOUR, mec="k")
    ax.annotate(
        "Inception-v3: K = 1000, ε = 0.1",
        xy=inception,
        xytext=(0.17, 11),
        arrowprops=dict(arrowstyle="->"),
        fontsize=12,
    )
    ax.set(xlabel="ε", ylabel="optimal logit gap Δ*", xlim=(0, 0.5), ylim=(0, 14), title="Δ* = log(1 + (1 − ε)K / ε)")
    ax.legend(loc="upper right")
    return fig


def two_conventions(over_k: torch.Tensor, over_k_minus_1: torch.Tensor, epsilon: float) -> Figure:
    """The smoothed target in the ε/K and ε/(K − 1) conventions, and the optimal gap each asks for against K.

    ``over_k`` and ``over_k_minus_1`` are the two targets for one K, true class first.
    The claim: the conventions differ most for few classes and meet as K grows.
    """
    n_classes = len(over_k)
    fig = Figure(figsize=(11, 4.4))
    ax_bars, ax_gap = fig.subplots(1, 2)
    positions = np.arange(n_classes)
    ax_bars.bar(positions - 0.2, over_k.numpy(), width=0.4, color=CE_COLOUR, label="ε/K (PyTorch, lossviz)")
    ax_bars.bar(positions + 0.2, over_k_minus_1.numpy(), width=0.4, color=OTHER_CONVENTION_COLOUR, label="ε/(K − 1)")
    ax_bars.set_yscale("log")
    ax_bars.set(
        xticks=positions,
        xticklabels=["true"] + [f"other {i}" for i in range(1, n_classes)],
        ylabel="target probability (log scale)",
        ylim=(0.01, 2),
        title=f"Smoothed targets, ε = {epsilon:g}, K = {n_classes}",
    )
    ax_bars.legend(loc="upper right")

    # Δ* = log(q_true / q_other), with each convention's q_true and q_other.
    k_axis = np.arange(2, 101)
    over_k_gaps = [math.log((1 - epsilon + epsilon / k) / (epsilon / k)) for k in k_axis]
    over_k_minus_1_gaps = [math.log((1 - epsilon) / (epsilon / (k - 1))) for k in k_axis]
    ax_gap.plot(k_axis, over_k_gaps, color=CE_COLOUR, label="ε/K")
    ax_gap.plot(k_axis, over_k_minus_1_gaps, color=OTHER_CONVENTION_COLOUR, label="ε/(K − 1)")
    ax_gap.set(
        xscale="log", xlabel="number of classes K", ylabel="optimal logit gap Δ*", title=f"Optimal gap, ε = {epsilon:g}"
    )
    ax_gap.legend(loc="lower right")
    return fig
