"""Figures of the chapter on box regression (``book/boxes.md``): the IoU family of losses.

The chapter computes the losses, the gradients and the numbers its prose quotes;
the functions here draw them. Losses are keyed by the chapter's names (``"IoU"``,
``"GIoU"``, ..., ``"SIoU"``), boxes are ``(x1, y1, x2, y2)`` tensors as in
:mod:`lossviz.boxes`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import matplotlib.colors as mcolors
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from lossviz.boxes import box_convert, box_geometry
from lossviz.plotting import COLOURS, LOSS_COLOURS, shade
from lossviz.regression import l1_loss, mse_loss
from lossviz.sliders import Slider, SliderFigure, Update, slider_figure

__all__ = [
    "BOX_COLOURS",
    "BOX_STYLES",
    "CENTRE_X",
    "CENTRE_Y",
    "WIDTH",
    "HEIGHT",
    "same_coordinate_error",
    "moving_square",
    "resized_box",
    "sliding_apart",
    "box_inside_box",
    "same_iou_shapes",
    "shape_pushes",
    "focal_weighting",
    "angle_and_distance_cost",
    "loss_against_shift",
    "loss_against_scale",
]

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

# The book's colours for the seven box losses, under the names the chapter uses.
BOX_COLOURS: dict[str, str] = {
    "IoU": LOSS_COLOURS["iou"],
    "GIoU": LOSS_COLOURS["giou"],
    "DIoU": LOSS_COLOURS["diou"],
    "CIoU": LOSS_COLOURS["ciou"],
    "EIoU": LOSS_COLOURS["eiou"],
    "Focal-EIoU": LOSS_COLOURS["focal_eiou"],
    "SIoU": LOSS_COLOURS["siou"],
}
# Several losses coincide on purpose in some figures; dashes keep the hidden curve visible.
BOX_STYLES: dict[str, str] = {
    "IoU": "-",
    "GIoU": "--",
    "DIoU": "-",
    "CIoU": "--",
    "EIoU": ":",
    "Focal-EIoU": "-",
    "SIoU": "-.",
}
# Translucent rather than shade()d fills: where the two boxes overlap their fills mix,
# so the intersection, the quantity the chapter is about, shows as a third tone (and
# neither box hides the other's edge).
TARGET_STYLE = {"facecolor": mcolors.to_rgba(COLOURS["target"], 0.2), "edgecolor": COLOURS["target"], "lw": 2.5}
PRED_STYLE = {"facecolor": mcolors.to_rgba(COLOURS["prediction"], 0.133), "edgecolor": COLOURS["prediction"], "lw": 2.5}
ENCLOSING_STYLE = {"fill": False, "edgecolor": "0.35", "lw": 1.5, "ls": "--"}

# The two slider figures: a 3 × 3 square moved around the target, and a box centred at
# (1.5, 0.5) resized.
CENTRE_X = Slider(-7, 7, 0.1, value=2.0, label="centre x", static=[-6, -4, -2, 0, 2, 4, 6])
CENTRE_Y = Slider(-4, 4, 0.1, value=1.0, label="centre y", static=[-3, -1.5, 0, 1.5, 3])
WIDTH = Slider(0.5, 8, 0.1, value=4.0, label="width", static=[1, 2, 4, 6, 8])
HEIGHT = Slider(0.5, 6, 0.1, value=1.0, label="height", static=[0.5, 1, 2, 4, 6])
SQUARE_SIDE = 3.0
RESIZED_CENTRE = (1.5, 0.5)

# The three shapes of the aspect-ratio figure, all of area 4 and IoU 0.5 with the 4 × 2
# target: a strip, a square and a scaled-down copy of the target. Shades of the
# prediction's colour, told apart by their dashes as well.
SAME_IOU_SHAPES = {"4 × 1": (4.0, 1.0), "2 × 2": (2.0, 2.0), "2.83 × 1.41": (8**0.5, 2**0.5)}
SAME_IOU_STYLES = [
    (COLOURS["prediction"], "-"),
    (shade(COLOURS["prediction"], -0.35), "--"),
    (shade(COLOURS["prediction"], -0.65), ":"),
]


def _corners(
    cx: torch.Tensor | float, cy: torch.Tensor | float, w: torch.Tensor | float, h: torch.Tensor | float
) -> torch.Tensor:
    """xyxy boxes from broadcastable centres and sizes."""
    parts = torch.broadcast_tensors(*(torch.as_tensor(v, dtype=torch.float64) for v in (cx, cy, w, h)))
    return box_convert(torch.stack(parts, dim=-1), "cxcywh", "xyxy")


def _rectangle(box: torch.Tensor, **style: object) -> Rectangle:
    """A matplotlib rectangle (corner and size) for one xyxy box."""
    x, y, w, h = box_convert(box, "xyxy", "xywh").reshape(4).tolist()
    return Rectangle((x, y), w, h, **style)


def _size(box: torch.Tensor) -> tuple[float, float]:
    _, _, w, h = box_convert(box, "xyxy", "cxcywh").reshape(4).tolist()
    return w, h


def _plot_losses(ax: Axes, x: torch.Tensor, curves: Mapping[str, torch.Tensor]) -> None:
    for name, values in curves.items():
        ax.plot(x, values, color=BOX_COLOURS[name], ls=BOX_STYLES[name], label=name)


def same_coordinate_error(predictions: Mapping[str, torch.Tensor], target: torch.Tensor) -> Figure:
    """Each prediction drawn over the target, titled with its summed L1 and L2 losses and its IoU:
    equal coordinate errors, different overlaps."""
    fig = Figure(figsize=(10, 3.3))
    axes = fig.subplots(1, len(predictions))
    for ax, (name, pred) in zip(axes, predictions.items()):
        l1 = l1_loss(pred, target, reduction="sum").item()
        l2 = mse_loss(pred, target, reduction="sum").item()
        iou = box_geometry(pred, target).iou.item()
        ax.add_patch(_rectangle(target, **TARGET_STYLE, label="target"))
        ax.add_patch(_rectangle(pred, **PRED_STYLE, label="prediction"))
        ax.set(xlim=(-3, 4), ylim=(-2, 3), aspect="equal")
        ax.set_axis_off()
        ax.set_title(f"{name}\nL1 = {l1:g}, L2 = {l2:g}, IoU = {iou:.3f}", fontsize=12)
    axes[0].legend(loc="upper left", fontsize=10)
    return fig


def _box_pair_setup(
    pred: torch.Tensor,
    target: torch.Tensor,
    losses: Mapping[str, Loss],
    sliders: Mapping[str, Slider],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
) -> Callable[[Figure], Update]:
    """A slider setup: the boxes on the left, the losses as bars on the right.

    ``pred`` holds one xyxy box per pair of slider values, shape ``(n0, n1, 4)`` over
    the two sliders' grids; every loss and geometric quantity is computed once here,
    so that an update only indexes tables.
    """
    pred, target = torch.broadcast_tensors(pred, target)
    loss_values = torch.stack([loss(pred, target) for loss in losses.values()])  # (losses, n0, n1)
    geometry = box_geometry(pred, target)
    loss_max = float(loss_values.max())
    # Matplotlib's rectangles take corner and size; the centre line needs the centres.
    pred_xywh = box_convert(pred, "xyxy", "xywh")
    pred_centre = box_convert(pred, "xyxy", "cxcywh")[..., :2]
    target_centre = box_convert(target[0, 0], "xyxy", "cxcywh")[:2].tolist()
    enclosing_xywh = box_convert(geometry.enclosing, "xyxy", "xywh")

    def setup(fig: Figure) -> Update:
        ax_box, ax_bar = fig.subplots(1, 2, width_ratios=[1.2, 1])
        ax_box.add_patch(_rectangle(target[0, 0], **TARGET_STYLE, label="target B"))
        pred_patch = ax_box.add_patch(Rectangle((0, 0), 1, 1, **PRED_STYLE, label="prediction A"))
        enclosing_patch = ax_box.add_patch(Rectangle((0, 0), 1, 1, **ENCLOSING_STYLE, label="enclosing box C"))
        (centre_line,) = ax_box.plot([], [], "o-", color="black", lw=2, ms=5, label="centre distance ρ")
        ax_box.set(xlim=xlim, ylim=ylim, aspect="equal", xlabel="x", ylabel="y")
        ax_box.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=11)
        iou_text = ax_box.text(0.98, 0.03, "", transform=ax_box.transAxes, ha="right", fontsize=13)

        names = list(losses)
        rows = np.arange(len(names))
        bars = ax_bar.barh(rows, np.zeros(len(names)), color=[BOX_COLOURS[n] for n in names])
        ax_bar.set(
            yticks=rows, yticklabels=names, ylim=(len(names) - 0.5, -0.5), xlim=(0, 1.3 * loss_max), xlabel="loss"
        )
        ax_bar.grid(axis="y", visible=False)
        labels = [ax_bar.text(0, row, "", va="center", fontsize=12) for row in rows]

        # Drawn last (high zorder), the changing artists can be blitted without
        # redrawing the ticks, labels and legend that would otherwise lie over them.
        changing = [pred_patch, enclosing_patch, centre_line, iou_text, *bars, *labels]
        for order, artist in enumerate(changing):
            artist.set_zorder(10 + order)

        def update(**values: float) -> list:
            i, j = (slider.index(values[name]) for name, slider in sliders.items())
            pred_patch.set_bounds(*pred_xywh[i, j].tolist())
            enclosing_patch.set_bounds(*enclosing_xywh[i, j].tolist())
            cx, cy = pred_centre[i, j].tolist()
            centre_line.set_data([cx, target_centre[0]], [cy, target_centre[1]])
            iou_text.set_text(f"IoU = {geometry.iou[i, j]:.3f}")
            for bar, label, value in zip(bars, labels, loss_values[:, i, j].tolist()):
                bar.set_width(value)
                label.set_x(value + 0.02 * loss_max)
                label.set_text(f"{value:.3f}")
            return changing

        return update

    return setup


def _grid(slider: Slider) -> torch.Tensor:
    return torch.tensor(slider.grid(), dtype=torch.float64)


def moving_square(losses: Mapping[str, Loss], target: torch.Tensor) -> SliderFigure:
    """A 3 × 3 square (the wrong shape) moved around the target, with the enclosing box,
    the centre line and a bar for each loss: the IoU loss stops at 1 once the boxes
    separate, Focal-EIoU at 0, the others keep growing with the distance."""
    pred = _corners(_grid(CENTRE_X)[:, None], _grid(CENTRE_Y)[None, :], SQUARE_SIDE, SQUARE_SIDE)
    return slider_figure(
        _box_pair_setup(pred, target, losses, {"cx": CENTRE_X, "cy": CENTRE_Y}, xlim=(-9, 9), ylim=(-6, 6)),
        figsize=(10, 4.6),
        cx=CENTRE_X,
        cy=CENTRE_Y,
        alt="A 3-by-3 predicted box moved around a 4-by-2 target, with the "
        "enclosing box, the centre line and bars for the seven losses",
    )


def resized_box(losses: Mapping[str, Loss], target: torch.Tensor) -> SliderFigure:
    """A box centred at (1.5, 0.5) whose width and height change, with a bar for each
    loss: CIoU equals DIoU whenever the aspect ratio is the target's, whatever the size."""
    pred = _corners(*RESIZED_CENTRE, _grid(WIDTH)[:, None], _grid(HEIGHT)[None, :])
    return slider_figure(
        _box_pair_setup(pred, target, losses, {"w": WIDTH, "h": HEIGHT}, xlim=(-4, 7), ylim=(-3.5, 4.5)),
        figsize=(10, 4.6),
        w=WIDTH,
        h=HEIGHT,
        alt="A predicted box centred at (1.5, 0.5) whose width and height "
        "change, against a 4-by-2 target, with bars for the seven losses",
    )


def sliding_apart(
    shift: torch.Tensor,
    losses: Mapping[str, torch.Tensor],
    gradients: Mapping[str, torch.Tensor],
    disjoint_from: float = 4.0,
) -> Figure:
    """Losses and their gradients as the prediction slides away from the target: past
    ``disjoint_from`` the IoU loss is flat with zero gradient, while GIoU and DIoU still
    slope upwards."""
    fig = Figure(figsize=(10, 4.3))
    ax_loss, ax_grad = fig.subplots(1, 2)
    _plot_losses(ax_loss, shift, losses)
    _plot_losses(ax_grad, shift[1:], {name: values[1:] for name, values in gradients.items()})  # shift 0 is a kink
    for ax in (ax_loss, ax_grad):
        ax.axvspan(disjoint_from, float(shift[-1]), color="0.9", zorder=0)
        # Halfway up, between the curves: near the top the DIoU and GIoU losses run through it.
        ax.text(
            (disjoint_from + float(shift[-1])) / 2,
            0.5,
            "disjoint:\nIoU = 0",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="center",
            fontsize=12,
        )
    ax_loss.set(xlabel="horizontal shift of the prediction", ylabel="loss", title="Loss")
    ax_grad.set(xlabel="horizontal shift of the prediction", ylabel="d loss / d shift", title="Gradient")
    ax_loss.legend(loc="lower right", fontsize=11)
    return fig


def box_inside_box(
    big_target: torch.Tensor, travel: torch.Tensor, inside: torch.Tensor, losses: Mapping[str, torch.Tensor]
) -> Figure:
    """A small box travelling from the centre of a big target to its corner (drawn at the
    start, middle and end of the travel), and the losses along the way: IoU and GIoU
    are flat, DIoU rises."""
    fig = Figure(figsize=(10, 4.2))
    ax_draw, ax_curve = fig.subplots(1, 2, width_ratios=[1, 1.3])
    ax_draw.add_patch(_rectangle(big_target, **TARGET_STYLE, label="target"))
    shown = [0, len(travel) // 2, len(travel) - 1]
    for i in shown:
        ax_draw.add_patch(_rectangle(inside[i], **PRED_STYLE))
        cx, cy = box_convert(inside[i], "xyxy", "cxcywh")[:2].tolist()
        ax_draw.text(cx, cy, f"{travel[i]:g}", ha="center", va="center", fontsize=12)
    x1, y1, x2, y2 = big_target.reshape(4).tolist()
    ax_draw.set(
        xlim=(x1 - 0.5, x2 + 0.5),
        ylim=(y1 - 0.5, y2 + 0.5),
        aspect="equal",
        title="predictions at travel {:g}, {:g} and {:g}".format(*travel[shown].tolist()),
    )
    ax_draw.set_axis_off()
    _plot_losses(ax_curve, travel, losses)
    ax_curve.set(
        xlabel="travel from the centre (0) to the corner (1)",
        ylabel="loss",
        title="IoU and GIoU cannot see the position",
    )
    ax_curve.legend()
    return fig


def same_iou_shapes(
    aspect: torch.Tensor, losses: Mapping[str, torch.Tensor], v: torch.Tensor, target: torch.Tensor
) -> Figure:
    """Left: three centred shapes with IoU 0.5 against the target. Right: along aspect
    ratios of such boxes, what DIoU adds to the IoU loss (nothing) and what CIoU adds to
    DIoU (αv, smallest at the target's aspect ratio and faint for poor overlaps)."""
    fig = Figure(figsize=(10, 4.2))
    ax_draw, ax_curve = fig.subplots(1, 2, width_ratios=[1, 1.3])
    target_w, target_h = _size(target)
    ax_draw.add_patch(_rectangle(target, **TARGET_STYLE, label=f"target {target_w:g} × {target_h:g}"))
    for (label, (w, h)), (colour, ls) in zip(SAME_IOU_SHAPES.items(), SAME_IOU_STYLES):
        ax_draw.add_patch(Rectangle((-w / 2, -h / 2), w, h, fill=False, edgecolor=colour, lw=2.5, ls=ls, label=label))
    ax_draw.set(xlim=(-2.5, 2.5), ylim=(-1.6, 2.6), aspect="equal", title="same centre, IoU = 0.5")
    ax_draw.set_axis_off()
    ax_draw.legend(loc="upper center", ncols=2, fontsize=10)
    ax_curve.plot(aspect, losses["DIoU"] - losses["IoU"], color=BOX_COLOURS["DIoU"], label="DIoU − IoU loss")
    ax_curve.plot(aspect, losses["CIoU"] - losses["DIoU"], color=BOX_COLOURS["CIoU"], label="CIoU − DIoU = αv")
    ax_curve.plot(aspect, v, color=BOX_COLOURS["CIoU"], ls=":", label="v alone")
    for label, (w, h) in SAME_IOU_SHAPES.items():
        ax_curve.axvline(w / h, color="0.5", lw=1, ls=":")
        ax_curve.text(
            w / h,
            0.061,
            label,
            ha="right" if w / h > 3 else "left" if w / h < 1.5 else "center",
            fontsize=11,
            color="0.3",
        )
    ax_curve.set(
        xlabel=f"aspect ratio w / h of the prediction (target: {target_w / target_h:g})",
        ylabel="extra penalty",
        ylim=(-0.002, 0.066),
        title="What each loss adds to 1 − IoU",
    )
    ax_curve.legend(loc="upper right", bbox_to_anchor=(1.0, 0.88), fontsize=11)
    return fig


def shape_pushes(w: torch.Tensor, h: torch.Tensor, push: Mapping[str, torch.Tensor], target: torch.Tensor) -> Figure:
    """For predictions of every size ``(w, h)``, the direction in which each shape term
    (``push[name]``, its negative gradient in w and h) moves the size: CIoU's across
    the rays w/h = const, towards the right aspect ratio; EIoU's towards the target size."""
    titles = {"CIoU": "CIoU's aspect term  −∇(αv)", "EIoU": "EIoU's size terms"}
    target_w, target_h = _size(target)
    fig = Figure(figsize=(10, 5))
    axes = fig.subplots(1, len(push))
    for ax, (name, force) in zip(axes, push.items()):
        direction = (force / force.norm(dim=-1, keepdim=True).clamp(min=1e-12)).numpy()
        ax.quiver(
            w.numpy(),
            h.numpy(),
            direction[..., 0],
            direction[..., 1],
            color=BOX_COLOURS[name],
            angles="xy",
            scale_units="xy",
            scale=1.6,
            width=0.006,
        )
        ax.plot([0, 7.5], [0, 7.5], color="0.5", lw=1.5, ls="--", label="right aspect ratio (w = h)")
        ax.plot(target_w, target_h, "*", color="black", ms=18, label=f"target size {target_w:g} × {target_h:g}")
        ax.set(
            xlim=(0.3, 7.7),
            ylim=(0.3, 7.7),
            aspect="equal",
            xlabel="prediction width w",
            ylabel="prediction height h",
            title=titles.get(name, name),
        )
    # One legend for both panels, outside them: inside, it hid the arrows of the top rows.
    fig.legend(handles=axes[0].get_legend_handles_labels()[0], loc="outside lower center", ncols=2, fontsize=11)
    return fig


def focal_weighting(iou: torch.Tensor, eiou_grad: torch.Tensor, focal_eiou_grad: torch.Tensor) -> Figure:
    """The size of the EIoU and Focal-EIoU gradients against the IoU of the pair:
    Focal-EIoU's is EIoU's scaled by IoU^0.5, so it quiets the poorly overlapping boxes."""
    fig = Figure(figsize=(9, 4.5))
    ax = fig.subplots()
    _plot_losses(ax, iou, {"EIoU": eiou_grad.abs(), "Focal-EIoU": focal_eiou_grad.abs()})
    ax.set(
        xlabel="IoU of the pair", ylabel="|d loss / d shift|", title="Focal-EIoU quiets the poorly overlapping boxes"
    )
    ax.legend()
    return fig


def angle_and_distance_cost(
    angle: torch.Tensor, angle_cost: torch.Tensor, distance_cost: Mapping[float, torch.Tensor]
) -> Figure:
    """Left: SIoU's angle cost Λ and the rate 2 − Λ against the angle of the centre
    offset. Right: the distance cost Δ at fixed centre distances, smallest on the
    diagonal (45°)."""
    fig = Figure(figsize=(10, 4.3))
    ax_angle, ax_dist = fig.subplots(1, 2)
    ax_angle.plot(angle, angle_cost, color=BOX_COLOURS["SIoU"], label="angle cost Λ = sin 2α")
    ax_angle.plot(angle, 2 - angle_cost, color="0.4", ls="--", label="rate 2 − Λ in Δ")
    ax_angle.set(
        xlabel="angle α of the centre offset (degrees)", ylabel="value", xticks=range(0, 91, 15), title="The angle cost"
    )
    ax_angle.legend(loc="lower center", fontsize=11)
    for (distance, values), ls in zip(distance_cost.items(), ["-", "--", ":"]):
        ax_dist.plot(angle, values, color=BOX_COLOURS["SIoU"], ls=ls, label=f"centre distance {distance:g}")
    ax_dist.axvline(45, color="0.5", lw=1)
    ax_dist.set(
        xlabel="angle α of the centre offset (degrees)",
        ylabel="distance cost Δ",
        xticks=range(0, 91, 15),
        title="Δ at a fixed distance, 2 × 2 boxes",
    )
    ax_dist.legend(loc="center", fontsize=11)
    return fig


def loss_against_shift(shift: torch.Tensor, losses: Mapping[str, torch.Tensor], disjoint_beyond: float = 3.5) -> Figure:
    """All losses along a horizontal shift of a 3 × 3 prediction past the 4 × 2 target
    (disjoint beyond ``disjoint_beyond`` either side): the shape terms show at zero
    shift; outside the overlap IoU is flat, Focal-EIoU zero, the others climb."""
    fig = Figure(figsize=(10, 4.8))
    ax = fig.subplots()
    _plot_losses(ax, shift, losses)
    low, high = float(shift[0]), float(shift[-1])
    for start, end in [(low, -disjoint_beyond), (disjoint_beyond, high)]:
        ax.axvspan(start, end, color="0.92", zorder=0)
        ax.text((start + end) / 2, 0.05, "disjoint", ha="center", fontsize=12)
    ax.set(
        xlabel="horizontal shift of a 3 × 3 prediction from the 4 × 2 target's centre",
        ylabel="loss",
        title="Loss against shift",
    )
    ax.legend(ncols=2, loc="upper center", fontsize=11)
    return fig


def loss_against_scale(scale: torch.Tensor, losses: Mapping[str, torch.Tensor]) -> Figure:
    """All losses for a concentric prediction of the target's shape scaled by ``scale``
    (log axis): IoU, GIoU, DIoU and CIoU coincide; only EIoU, Focal-EIoU and SIoU have
    a term of their own for the size."""
    fig = Figure(figsize=(10, 4.8))
    ax = fig.subplots()
    _plot_losses(ax, scale, losses)
    ax.set_xscale("log")
    ticks = [0.2, 0.5, 1, 2, 5]
    ax.set_xticks(ticks, labels=[f"{t:g}" for t in ticks])
    ax.set_xticks([], minor=True)
    ax.axvline(1, color="0.5", lw=1)
    ax.set(
        xlabel="scale s of a concentric prediction with the target's aspect ratio",
        ylabel="loss",
        title="Loss against scale",
    )
    ax.legend(ncols=2, loc="upper center", fontsize=11)
    return fig
