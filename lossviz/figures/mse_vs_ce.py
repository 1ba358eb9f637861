"""Figures and tables of the chapter on MSE and cross-entropy behind a sigmoid (``book/mse_vs_ce.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from IPython.display import HTML
from matplotlib.figure import Figure

from ..plotting import COLOURS, LOSS_COLOURS
from ..sliders import Slider, SliderFigure, slider_figure
from .common import html_table

__all__ = [
    "TARGET",
    "CURRENT_Z",
    "START",
    "RATE",
    "DOG_LOGIT",
    "sigmoid_saturation",
    "gradient_explorer",
    "corner_table",
    "gradient_against_error",
    "descent_explorer",
    "softmax_explorer",
    "pairs_table",
]

MSE_COLOUR = LOSS_COLOURS["mse"]
CE_COLOUR = LOSS_COLOURS["ce"]

TARGET = Slider(0, 1, 0.05, value=1.0, label="target y", static=[0, 0.25, 0.5, 0.75, 1])
CURRENT_Z = Slider(-8, 8, 0.5, value=-4.0, label="current z", static=[-6, -4, -2, 0, 2, 4, 6])
# The gradient-descent runs' grids: the chapter runs every (start, rate) pair of these.
START = Slider(0, 3, 0.25, value=2.0, label="w₀ = b₀", static=[0, 0.5, 1, 1.5, 2, 2.5, 3])
RATE = Slider(0.05, 1.0, 0.05, value=0.15, label="rate η", static=[0.05, 0.15, 0.3, 0.6, 1.0])
# The dog logit s of the three-class example, whose logits are (-s, s, 0).
DOG_LOGIT = Slider(-5, 5, 0.5, value=5.0, label="dog logit s")

_Z_AXIS = np.linspace(-8, 8, 321)
# The readout boxes of the slider figures.
_READOUT = dict(ha="right", va="bottom", fontsize=12, bbox=dict(boxstyle="round", fc="white", ec="0.7"))


def _sigmoid(z: np.ndarray | float) -> np.ndarray:
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def _sigmoid_gradients(z: np.ndarray | float, y: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Y = σ(z) and ∂L/∂z for ½ MSE, (Y − y)·Y(1 − Y), and for CE, Y − y.

    The formulas the chapter checks against autograd.
    """
    output = _sigmoid(z)
    return output, (output - y) * output * (1 - output), output - y


def sigmoid_saturation() -> Figure:
    """σ(z) and its slope σ′(z) = Y(1 − Y): the slope peaks at 1/4 and is nearly 0 for |z| ≥ 4."""
    output = _sigmoid(_Z_AXIS)
    slope = output * (1 - output)
    slope_at_4 = float(_sigmoid(4.0) * _sigmoid(-4.0))
    fig = Figure(figsize=(9, 4))
    ax = fig.subplots()
    ax.plot(_Z_AXIS, output, color="0.2", label="σ(z)")
    ax.plot(_Z_AXIS, slope, color=LOSS_COLOURS["focal"], label="σ′(z) = Y(1 − Y)")
    for side in (-1, 1):
        ax.axvspan(4 * side, 8 * side, color="0.88", zorder=0)
        ax.text(6 * side, 0.4, f"flat:\nσ′ < {slope_at_4:.3f}", ha="center")
    ax.set(
        xlabel="pre-activation z = wx + b",
        ylabel="value",
        xlim=(-8, 8),
        ylim=(0, 1.02),
        title="The sigmoid saturates on both sides",
    )
    ax.legend(loc="upper left", bbox_to_anchor=(0.26, 1.0))
    return fig


def gradient_explorer() -> SliderFigure:
    """Where a sigmoid neuron is (its output and error) and ∂L/∂z under MSE and CE.

    The claim: for a badly wrong neuron CE's gradient is near its largest size while
    MSE's is near zero; MSE's gradient fades at both ends of the sigmoid whatever the
    target, CE's grows with the distance to the target.
    """

    def setup(fig: Figure):
        ax_out, ax_grad = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
        initial = _sigmoid_gradients(_Z_AXIS, TARGET.initial())

        ax_out.plot(_Z_AXIS, initial[0], color="0.2", label="Y = σ(z)")
        target_line = ax_out.axhline(1.0, color="0.4", ls="--", lw=2, label="target y")
        (error_bar,) = ax_out.plot([], [], color=COLOURS["error"], lw=5, solid_capstyle="butt", label="error Y − y")
        (neuron_dot,) = ax_out.plot([], [], "o", color="0.1", ms=11)
        ax_out.set(
            xlabel="pre-activation z",
            ylabel="output Y",
            xlim=(-8, 8),
            ylim=(-0.03, 1.03),
            xticks=range(-8, 9, 4),
            title="Where the neuron is",
        )

        ax_grad.axhline(0, color="0.5", lw=1)
        (mse_line,) = ax_grad.plot(_Z_AXIS, initial[1], color=MSE_COLOUR, label="MSE: (Y − y)·Y(1 − Y)")
        (ce_line,) = ax_grad.plot(_Z_AXIS, initial[2], color=CE_COLOUR, label="CE: Y − y")
        (mse_dot,) = ax_grad.plot([], [], "o", color=MSE_COLOUR, ms=11, mec="k")
        (ce_dot,) = ax_grad.plot([], [], "o", color=CE_COLOUR, ms=11, mec="k")
        # One line of text: every line of a live-updated text costs a few milliseconds.
        readout = ax_grad.text(0.98, 0.04, "", transform=ax_grad.transAxes, **_READOUT)
        ax_grad.set(
            xlabel="pre-activation z",
            ylabel="∂L/∂z",
            xlim=(-8, 8),
            ylim=(-1.05, 1.05),
            xticks=range(-8, 9, 4),
            title="The gradient each loss sends back",
        )
        # One legend under both panels: the moving artists could cross one inside a panel.
        handles = [*ax_out.get_legend_handles_labels()[0], *ax_grad.get_legend_handles_labels()[0]]
        fig.legend(handles=handles, loc="outside lower center", ncol=5, fontsize=11)
        moving = [target_line, error_bar, neuron_dot, mse_line, ce_line, mse_dot, ce_dot, readout]
        for artist in moving:
            artist.set_zorder(10)  # drawn last, so a live update redraws only these

        def update(y: float, z: float):
            # Cheap enough to compute for each frame: nothing to precompute and look up.
            _, mse_curve, ce_curve = _sigmoid_gradients(_Z_AXIS, y)
            output, mse_here, ce_here = (float(v) for v in _sigmoid_gradients(z, y))
            target_line.set_ydata([y, y])
            error_bar.set_data([z, z], [y, output])
            neuron_dot.set_data([z], [output])
            mse_line.set_ydata(mse_curve)
            ce_line.set_ydata(ce_curve)
            mse_dot.set_data([z], [mse_here])
            ce_dot.set_data([z], [ce_here])
            readout.set_text(f"MSE {mse_here:+.5f}    CE {ce_here:+.4f}")
            return moving

        return update

    return slider_figure(
        setup,
        figsize=(9, 4.5),
        y=TARGET,
        z=CURRENT_Z,
        # No slash (as in ∂L/∂z): checks for alt text that is a file name reject it.
        alt="Left: the sigmoid, a target line and a red bar from the neuron's output to it; "
        "right: the MSE and cross-entropy gradients with respect to z against z, the neuron's marked",
    )


def corner_table(
    targets: Sequence[float], outputs: Sequence[float], mse_grads: Sequence[float], ce_grads: Sequence[float]
) -> HTML:
    """The four corner cases, one row each: target, output, error, far or near, and both gradients.

    A case is "far" when the output misses the target by more than 0.5.
    """
    rows = [
        [
            f"{y:.0f}",
            f"{out:.4f}",
            f"{out - y:+.4f}",
            "<b>far</b>" if abs(out - y) > 0.5 else "near",
            f"{g_mse:+.5f}",
            f"{g_ce:+.4f}",
        ]
        for y, out, g_mse, g_ce in zip(targets, outputs, mse_grads, ce_grads)
    ]
    return html_table(["target y", "output Y", "error Y − y", "", "MSE ∂L/∂z", "CE ∂L/∂z"], rows)


def gradient_against_error(near_error: float, far_error: float, gradient: float) -> Figure:
    """|∂L/∂z| against |Y − y| for a target of 1: CE's grows with the error, MSE's rises and falls.

    Marks the two errors, one small and one large, that get the same MSE ``gradient``.
    """
    error = np.linspace(0, 1, 501)[1:]
    output = 1 - error  # the target is 1
    fig = Figure(figsize=(9, 4.5))
    ax = fig.subplots()
    ax.plot(error, error, color=CE_COLOUR, label="CE: |Y − y|")
    ax.plot(error, error * output * (1 - output), color=MSE_COLOUR, label="MSE: |Y − y|·Y(1 − Y)")
    ax.plot(
        [near_error, far_error], [gradient, gradient], "o--", color=COLOURS["error"], ms=9, label="same MSE gradient"
    )
    arrow = dict(arrowstyle="->", color="0.3")
    ax.annotate(f"nearly right\n(error {near_error:.3f})", (near_error, gradient), xytext=(0.1, 1e-3), arrowprops=arrow)
    ax.annotate(f"badly wrong\n(error {far_error:.3f})", (far_error, gradient), xytext=(0.68, 1e-3), arrowprops=arrow)
    ax.set(
        xlabel="size of the error |Y − y|   (target y = 1)",
        ylabel="size of the gradient |∂L/∂z|",
        yscale="log",
        xlim=(0, 1),
        ylim=(1e-4, 1.5),
        title="Only the cross-entropy gradient grows with the error",
    )
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 0.02))
    return fig


def descent_explorer(
    outputs: Mapping[str, torch.Tensor], losses: Mapping[str, torch.Tensor], half_steps: Mapping[str, torch.Tensor]
) -> SliderFigure:
    """Gradient descent of one sigmoid neuron under MSE and CE: output and normalised loss against step.

    Each argument maps "MSE" and "CE" to a run's values: ``outputs`` and ``losses``
    indexed [step, start, rate], ``half_steps`` (the first step with the output below
    half its start) indexed [start, rate], over the grids of :data:`START` and
    :data:`RATE`. The claim: from a badly wrong start MSE stalls, CE does not.
    """
    grids = (len(START.grid()), len(RATE.grid()))
    if any(values.shape[-2:] != grids for values in [*outputs.values(), *losses.values(), *half_steps.values()]):
        raise ValueError(f"the runs must cover the sliders' grids, {grids} (start, rate) pairs")
    # NumPy arrays: matplotlib handles them faster than tensors in a live update.
    out_paths = {name: values.numpy() for name, values in outputs.items()}
    loss_paths = {name: (values / values[0]).numpy() for name, values in losses.items()}
    halves = {name: values.numpy() for name, values in half_steps.items()}
    n_steps = len(out_paths["MSE"]) - 1
    steps = np.arange(n_steps + 1)
    colours = {"MSE": MSE_COLOUR, "CE": CE_COLOUR}

    def setup(fig: Figure):
        ax_out, ax_loss = fig.subplots(1, 2)
        curves = {}
        for ax, kind in [(ax_out, "out"), (ax_loss, "loss")]:
            for name, colour in colours.items():
                # Drawn last (zorder 10): an update redraws only them.
                (curves[kind, name],) = ax.plot(steps, np.zeros(len(steps)), color=colour, label=name, zorder=10)
            ax.set(xlabel="gradient-descent step", xlim=(0, n_steps), ylim=(-0.02, 1.02))
        # The legend sits under the panels, where no curve can run through it.
        fig.legend(handles=[curves["out", "MSE"], curves["out", "CE"]], loc="outside lower center", ncol=2)
        ax_out.set(ylabel="output Y (target 0)", title="The neuron's output")
        ax_loss.set(ylabel="loss / loss at step 0", title="Normalised loss")
        readout = fig.suptitle(" ", fontsize=14)

        def update(start: float, rate: float):
            i, j = START.index(start), RATE.index(rate)
            for name in colours:
                curves["out", name].set_ydata(out_paths[name][:, i, j])
                curves["loss", name].set_ydata(loss_paths[name][:, i, j])
            texts = {name: f"{k}" if (k := halves[name][i, j]) <= n_steps else f"> {n_steps}" for name in colours}
            readout.set_text(f"Steps to halve the output:   MSE {texts['MSE']},   CE {texts['CE']}")
            return [*curves.values(), readout]

        return update

    return slider_figure(
        setup,
        figsize=(9, 4.5),
        start=START,
        rate=RATE,
        alt="Gradient descent of one sigmoid neuron from x = 1 to target 0: "
        "output and normalised loss against step, for MSE and cross-entropy",
    )


def softmax_explorer(
    classes: Sequence[str], target: torch.Tensor, probs: torch.Tensor, ce_grad: torch.Tensor, mse_grad: torch.Tensor
) -> SliderFigure:
    """A softmax's probabilities and the gradient on each logit under CE and under squared error.

    ``probs``, ``ce_grad`` and ``mse_grad`` hold one row per value of :data:`DOG_LOGIT`;
    ``target`` is the one-hot target. The claim: the squared error's gradient
    vanishes when the softmax is confidently wrong, CE's does not.
    """
    if not len(probs) == len(ce_grad) == len(mse_grad) == len(DOG_LOGIT.grid()):
        raise ValueError(f"need one row per slider value, {len(DOG_LOGIT.grid())}")
    probs_np, ce_np, mse_np = probs.numpy(), ce_grad.numpy(), mse_grad.numpy()
    true_index = int(target.argmax())
    true_class = classes[true_index]

    def setup(fig: Figure):
        ax_prob, ax_grad = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.4]})
        positions = np.arange(len(classes))
        prob_bars = ax_prob.bar(positions, probs_np[0], color="0.55", width=0.6, label="softmax p")
        ax_prob.plot(
            positions, target.numpy(), "_", color=COLOURS["target"], ms=40, mew=4, label="target (one-hot)", zorder=11
        )
        ax_prob.set(
            xticks=positions,
            xticklabels=classes,
            ylim=(0, 1.05),
            ylabel="probability",
            title=f"Prediction (true class: {true_class})",
        )
        ax_prob.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=11, markerscale=0.5)

        width = 0.38
        ce_bars = ax_grad.bar(positions - width / 2, ce_np[0], width, color=CE_COLOUR, label="CE: p − y")
        mse_bars = ax_grad.bar(positions + width / 2, mse_np[0], width, color=MSE_COLOUR, label="MSE: Jacobianᵀ(p − y)")
        ax_grad.axhline(0, color="0.3", lw=1, zorder=11)
        ax_grad.set(
            xticks=positions,
            xticklabels=classes,
            ylim=(-1.05, 1.05),
            ylabel=r"$\partial L / \partial z_k$",
            title="Gradient on each logit",
        )
        ax_grad.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=11)
        readout = ax_grad.text(0.98, 0.04, "", transform=ax_grad.transAxes, **_READOUT)
        moving = [*prob_bars, *ce_bars, *mse_bars, readout]
        for artist in moving:
            artist.set_zorder(10)  # drawn (nearly) last, so a live update redraws little else

        def update(s: float):
            i = DOG_LOGIT.index(s)
            for bars, values in [(prob_bars, probs_np[i]), (ce_bars, ce_np[i]), (mse_bars, mse_np[i])]:
                for bar, value in zip(bars, values):
                    bar.set_height(float(value))
            # Two significant digits, not decimals: a confident mistake gives the true
            # class a probability of order 1e-5, which three decimals would show as 0.
            readout.set_text(
                f"p({true_class}) = {probs_np[i, true_index]:.2g}    MSE on {true_class}: {mse_np[i, true_index]:+.5f}"
            )
            return moving

        return update

    return slider_figure(
        setup,
        figsize=(9, 4.5),
        s=DOG_LOGIT,
        alt=f"Three-class softmax for a {true_class} image: predicted probabilities, and "
        "the gradient on each logit under cross-entropy and under squared "
        "error",
    )


def pairs_table(pairs: Sequence[tuple[str, str, str, str, torch.Tensor, torch.Tensor]]) -> HTML:
    """Output activations and losses with their ∂L/∂z and its size at a badly wrong point.

    Each pair is (output, loss, PyTorch spelling, ∂L/∂z formula, autograd gradient,
    formula's gradient); the table shows the autograd gradient's norm.
    """
    rows = [
        [output, loss, f"<code>{spelling}</code>", formula, f"{by_autograd.norm():.4f}"]
        for output, loss, spelling, formula, by_autograd, _ in pairs
    ]
    return html_table(["output", "loss", "PyTorch", "∂L/∂z", "‖∂L/∂z‖ when wrong"], rows)
