"""Figures of the chapter on regression losses (``book/regression.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from ..gradients import grad
from ..plotting import COLOURS, LOSS_COLOURS, shade
from ..regression import huber_loss, l1_loss, mse_loss, smooth_l1_loss
from ..sliders import Slider, SliderFigure, slider_figure

__all__ = [
    "BETA",
    "DELTA",
    "OUTLIER_COUNT",
    "OUTLIER_SIZE",
    "STYLE",
    "descent_runs",
    "huber_rescaled",
    "losses_and_gradients",
    "robustness",
]

# One colour per loss. Huber is dashed: at β = δ = 1 it lies on Smooth L1. L1 is
# wider, a band beneath the hybrids where they coincide with it (their gradient of
# ±1, the first steps of descent), as the data's L1 and Smooth L1 lines nearly do.
STYLE: dict[str, dict[str, object]] = {
    "L2": dict(color=LOSS_COLOURS["mse"]),
    "L1": dict(color=LOSS_COLOURS["l1"], linewidth=4.5),
    "Smooth L1": dict(color=LOSS_COLOURS["other"]),
    "Huber": dict(color=LOSS_COLOURS["ghm"], linestyle="--"),
}

_THRESHOLDS = dict(lo=0.25, hi=3.0, step=0.05, value=1.0, static=[0.25, 0.5, 1.0, 2.0, 3.0])
BETA = Slider(**_THRESHOLDS, label="β (Smooth L1)")
DELTA = Slider(**_THRESHOLDS, label="δ (Huber)")
OUTLIER_COUNT = Slider(0, 10, 1, value=4, label="outliers", static=[0, 2, 4, 6, 8, 10])
OUTLIER_SIZE = Slider(0, 20, 1, value=12, label="outlier size", static=[0, 4, 8, 12, 16, 20])

_RESIDUAL = torch.linspace(-4, 4, 801, dtype=torch.float64)


def _threshold_curves(loss_fn, parameter: str, slider: Slider) -> tuple[np.ndarray, np.ndarray]:
    """Loss and gradient against the residual, one row per value of ``slider``."""
    target = torch.zeros_like(_RESIDUAL)
    settings = [{parameter: t, "reduction": "none"} for t in slider.grid()]
    loss = torch.stack([loss_fn(_RESIDUAL, target, **kw) for kw in settings])
    gradient = torch.stack([grad(loss_fn, _RESIDUAL, target, **kw) for kw in settings])
    # NumPy arrays: matplotlib handles them much faster than tensors in set_ydata.
    return loss.numpy(), gradient.numpy()


def losses_and_gradients() -> SliderFigure:
    """L2, L1, Smooth L1 (β) and Huber (δ) and their gradients against the residual.

    The claim: the losses differ little, the gradients a lot. L2's grows without
    bound, L1's is ±1 even at tiny residuals, and both hybrids clip L2's, Smooth L1
    always at ±1 (β sets how soon), Huber at ±δ.
    """
    smooth_loss, smooth_grad = _threshold_curves(smooth_l1_loss, "beta", BETA)
    huber_values, huber_grad = _threshold_curves(huber_loss, "delta", DELTA)
    residual, zero = _RESIDUAL.numpy(), torch.zeros_like(_RESIDUAL)

    def setup(fig: Figure):
        ax_loss, ax_grad = fig.subplots(1, 2)
        ax_loss.plot(residual, mse_loss(_RESIDUAL, zero, reduction="none"), label="L2", **STYLE["L2"])
        ax_loss.plot(residual, l1_loss(_RESIDUAL, zero, reduction="none"), label="L1", **STYLE["L1"])
        # The moving curves are drawn last (high zorder), so a slider move redraws only them.
        (smooth_line,) = ax_loss.plot(residual, smooth_loss[0], label="Smooth L1 (β)", zorder=4, **STYLE["Smooth L1"])
        (huber_line,) = ax_loss.plot(residual, huber_values[0], label="Huber (δ)", zorder=4, **STYLE["Huber"])
        ax_loss.set(xlabel="residual d = prediction − target", ylabel="loss", ylim=(0, 5), xlim=(-4, 4), title="Loss")
        fig.legend(loc="outside upper center", ncols=4)

        # The two regimes the text talks about: large residuals early, small ones late.
        ax_grad.axvspan(-4, -2.5, color="0.9", zorder=0)
        ax_grad.axvspan(2.5, 4, color="0.9", zorder=0)
        ax_grad.axvspan(-0.4, 0.4, color=shade(COLOURS["positive"], 0.85), zorder=0)
        ax_grad.text(3.25, -3.3, "early:\nlarge |d|", ha="center", fontsize=11)
        ax_grad.text(0, 3.6, "late: small |d|", ha="center", fontsize=11)
        ax_grad.plot(residual, 2 * residual, label="L2", **STYLE["L2"])
        ax_grad.plot(residual, np.sign(residual), label="L1", **STYLE["L1"])
        (smooth_grad_line,) = ax_grad.plot(residual, smooth_grad[0], zorder=4, **STYLE["Smooth L1"])
        (huber_grad_line,) = ax_grad.plot(residual, huber_grad[0], zorder=4, **STYLE["Huber"])
        ax_grad.set(xlabel="residual d", ylabel="∂L/∂d", ylim=(-4, 4.2), xlim=(-4, 4), title="Gradient")

        def update(beta: float, delta: float):
            i, j = BETA.index(beta), DELTA.index(delta)
            smooth_line.set_ydata(smooth_loss[i])
            huber_line.set_ydata(huber_values[j])
            smooth_grad_line.set_ydata(smooth_grad[i])
            huber_grad_line.set_ydata(huber_grad[j])
            return [smooth_line, huber_line, smooth_grad_line, huber_grad_line]

        return update

    return slider_figure(
        setup,
        figsize=(10, 4.6),
        beta=BETA,
        delta=DELTA,
        alt="L2, L1, Smooth L1 and Huber losses and their gradients against the residual",
    )


def huber_rescaled(thresholds: Sequence[float] = (0.5, 1.0, 2.0)) -> Figure:
    """Huber and Smooth L1 for a few thresholds, then Smooth L1 with Huber / β on it.

    The claim: Huber and Smooth L1 differ unless the threshold is 1, and dividing
    Huber by β makes it Smooth L1 for every β.
    """
    d = torch.linspace(-4, 4, 801, dtype=torch.float64)
    zero = torch.zeros_like(d)
    # The thresholds in order, from a light to a dark shade of one colour; the
    # lightest keeps 3:1 contrast on white.
    amounts = np.linspace(0.25, -0.6, len(thresholds))
    fig = Figure(figsize=(11, 4.4))
    ax_both, ax_overlay = fig.subplots(1, 2, sharey=True)
    for t, amount in zip(thresholds, amounts):
        colour = shade(COLOURS["positive"], amount)
        huber = huber_loss(d, zero, delta=t, reduction="none")
        smooth = smooth_l1_loss(d, zero, beta=t, reduction="none")
        ax_both.plot(d, huber, "--", color=colour, label=f"Huber, δ = {t:g}")
        ax_both.plot(d, smooth, color=colour, label=f"Smooth L1, β = {t:g}")
        ax_overlay.plot(d, smooth, color=colour, lw=6, alpha=0.35)
        ax_overlay.plot(d[::40], (huber / t)[::40], "o", color=colour, ms=6, label=f"Huber$_{{{t:g}}}$ / {t:g}")
    ax_both.set(title="Before rescaling", xlabel="residual d", ylabel="loss", ylim=(0, 4))
    ax_overlay.set(title="Smooth L1$_β$ (bands) and Huber$_β$ / β (dots)", xlabel="residual d")
    ax_both.legend(loc="upper center", fontsize=10, ncols=2)
    ax_overlay.legend(loc="upper center", fontsize=11)
    return fig


def descent_runs(runs: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> Figure:
    """Distance to the optimum and gradient size along gradient-descent runs.

    ``runs`` maps a loss name of :data:`STYLE` to the residuals and gradients of
    each step. The claim: L2 starts with a large gradient and converges
    geometrically, L1 keeps jumping over the optimum, Smooth L1 walks like L1
    and then converges like L2.
    """
    fig = Figure(figsize=(11, 4.4))
    ax_res, ax_grad = fig.subplots(1, 2)
    for name, (residuals, gradients) in runs.items():
        steps = np.arange(len(residuals))
        # 1e-300: a residual of exactly 0 stays on the log scale.
        ax_res.semilogy(steps, np.abs(residuals) + 1e-300, marker="o", ms=4, label=name, **STYLE[name])
        ax_grad.plot(steps, np.abs(gradients), marker="o", ms=4, label=name, **STYLE[name])
    # Down to the smallest residual of any run: the chapter quotes where L2 ends.
    smallest = min(np.abs(residuals)[residuals != 0].min() for residuals, _ in runs.values())
    ax_res.set(
        xlabel="gradient-descent step",
        ylabel="|residual| (log scale)",
        ylim=(smallest / 10, 30),
        title="Distance to the optimum",
    )
    ax_res.annotate(
        "L1 keeps jumping\nover the optimum",
        xy=(30, 0.12),
        xytext=(16, 1e-7),
        arrowprops=dict(arrowstyle="->"),
        fontsize=12,
    )
    ax_grad.set(xlabel="gradient-descent step", ylabel="|∂L/∂d|", title="Size of the gradient")
    ax_grad.annotate(
        "L2's first gradient\ngrows with the error",
        xy=(0.5, abs(runs["L2"][1][0])),
        xytext=(8, 9),
        arrowprops=dict(arrowstyle="->"),
        fontsize=12,
    )
    ax_grad.legend(loc="center right")
    return fig


def robustness(
    x: torch.Tensor,
    y_clean: torch.Tensor,
    outlier_order: torch.Tensor,
    fits: Mapping[str, torch.Tensor],
    centre_error: Mapping[str, np.ndarray],
    true_line: tuple[float, float],
    centre: float = 0.5,
) -> SliderFigure:
    """Lines fitted by each loss to data with upward outliers, and how far each is dragged.

    ``fits[name]`` holds intercept and slope, shape ``(2, counts, sizes)``, and
    ``centre_error[name]`` the fitted minus true height at ``x = centre``, shape
    ``(counts, sizes)``, for every value of :data:`OUTLIER_COUNT` and
    :data:`OUTLIER_SIZE`; the first ``count`` points of ``outlier_order`` are
    shifted up by ``size``. The claim: the L2 line follows the outliers, in
    proportion to their size; L1 and Smooth L1 stay with the bulk of the data.
    """
    shape = (len(OUTLIER_COUNT.grid()), len(OUTLIER_SIZE.grid()))
    for name, error in centre_error.items():
        if tuple(fits[name].shape) != (2, *shape) or error.shape != shape:
            raise ValueError(f"{name}: fits and errors must cover the sliders' {shape} settings")
    # NumPy copies for drawing: matplotlib handles them much faster than tensors.
    x_np, y_np, order = x.numpy(), y_clean.numpy(), outlier_order.numpy()
    fits_np = {name: p.numpy() for name, p in fits.items()}
    sizes = np.array(OUTLIER_SIZE.grid(), dtype=float)
    intercept, slope = true_line
    # The L1 and Smooth L1 fits lie within a fraction of a unit of each other: Smooth L1
    # dashed over L1's wide band keeps both visible where they overlap.
    style = {**STYLE, "Smooth L1": {**STYLE["Smooth L1"], "linestyle": (0, (4, 2))}}

    def setup(fig: Figure):
        ax_fit, ax_err = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        ax_fit.plot(x_np, intercept + slope * x_np, ":", color="0.4", lw=2, label="true line")
        # Everything that moves has a high zorder, so a slider move redraws only it.
        (inliers,) = ax_fit.plot(x_np, y_np, "o", ms=5, color="0.55", zorder=4, label="data")
        (outliers,) = ax_fit.plot([], [], "D", ms=7, color=COLOURS["error"], zorder=4, label="outliers")
        labels = {"L2": "L2 fit", "L1": "L1 fit", "Smooth L1": "Smooth L1 (β = 2) fit"}
        lines = {n: ax_fit.plot(x_np, x_np, label=labels[n], zorder=5, **style[n])[0] for n in fits}
        ax_fit.set(xlabel="x", ylabel="y", xlim=(-0.03, 1.03), ylim=(-1, 33), title="Lines fitted under each loss")
        fig.legend(loc="outside upper center", ncols=6, fontsize=11)

        curves = {n: ax_err.plot(sizes, sizes, zorder=4, **style[n])[0] for n in fits}
        dots = {n: ax_err.plot([], [], "o", ms=10, color=STYLE[n]["color"], mec="k", zorder=5)[0] for n in fits}
        ax_err.axhline(0, color="0.4", lw=1)
        top = max(e.max() for e in centre_error.values())
        ax_err.set(
            xlabel="outlier size (shift of each outlier)",
            ylabel=f"fitted − true height at x = {centre:g}",
            xlim=(0, 20),
            ylim=(-1, top + 0.5),
            title="How far the line is dragged",
        )

        def update(count: int, size: int):
            k, s = OUTLIER_COUNT.index(count), OUTLIER_SIZE.index(size)
            chosen = order[:k]
            is_inlier = np.ones(len(x_np), dtype=bool)
            is_inlier[chosen] = False
            inliers.set_data(x_np[is_inlier], y_np[is_inlier])
            outliers.set_data(x_np[chosen], y_np[chosen] + sizes[s])
            for name in fits:
                b, a = fits_np[name][:, k, s]
                lines[name].set_ydata(b + a * x_np)
                curves[name].set_ydata(centre_error[name][k])
                dots[name].set_data([size], [centre_error[name][k, s]])
            return [inliers, outliers, *lines.values(), *curves.values(), *dots.values()]

        return update

    return slider_figure(
        setup,
        figsize=(11, 4.8),
        count=OUTLIER_COUNT,
        size=OUTLIER_SIZE,
        alt="Lines fitted by L2, L1 and Smooth L1 to data with upward outliers, and each line's error",
    )
