"""Tests for lossviz.figures.boxes: each figure draws what the chapter claims it shows."""

from __future__ import annotations

import math

import matplotlib.colors as mcolors
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import lossviz
from lossviz.figures import boxes as figures
from lossviz.sliders import SliderFigure

LOSSES = {
    "IoU": lossviz.iou_loss,
    "GIoU": lossviz.giou_loss,
    "DIoU": lossviz.diou_loss,
    "CIoU": lossviz.ciou_loss,
    "EIoU": lossviz.eiou_loss,
    "Focal-EIoU": lossviz.focal_eiou_loss,
    "SIoU": lossviz.siou_loss,
}


def box(cx, cy, w, h) -> torch.Tensor:
    parts = torch.broadcast_tensors(*(torch.as_tensor(v, dtype=torch.float64) for v in (cx, cy, w, h)))
    return lossviz.box_convert(torch.stack(parts, dim=-1), "cxcywh", "xyxy")


TARGET = box(0, 0, 4, 2)


def lines_by_label(ax) -> dict[str, np.ndarray]:
    return {line.get_label(): np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines()}


def bounds(patch: Rectangle) -> list[float]:
    return [patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height()]


def test_every_box_loss_has_its_book_colour_and_a_style():
    assert list(figures.BOX_COLOURS) == list(LOSSES) == list(figures.BOX_STYLES)
    for name, colour in figures.BOX_COLOURS.items():
        assert colour == lossviz.LOSS_COLOURS[name.lower().replace("-", "_")]


def test_target_and_prediction_take_their_semantic_colours():
    assert figures.TARGET_STYLE["edgecolor"] == lossviz.COLOURS["target"]
    assert figures.PRED_STYLE["edgecolor"] == lossviz.COLOURS["prediction"]
    # Translucent fills of the same hue, so that the intersection shows as their mix.
    assert mcolors.same_color(figures.TARGET_STYLE["facecolor"][:3], lossviz.COLOURS["target"])
    assert 0 < figures.TARGET_STYLE["facecolor"][3] < 0.5


def test_same_coordinate_error_draws_each_prediction_with_its_iou():
    moved = {"right": box(1, 0, 4, 2), "up": box(0, 1, 4, 2)}
    fig = figures.same_coordinate_error(moved, TARGET)
    assert isinstance(fig, Figure)
    for ax, (name, pred) in zip(fig.axes, moved.items()):
        target_patch, pred_patch = ax.patches
        assert bounds(target_patch) == [-2, -1, 4, 2]
        assert bounds(pred_patch) == pytest.approx(lossviz.box_convert(pred, "xyxy", "xywh").tolist())
        # Shifted by 1 along x: IoU 3/5; along y: IoU 1/3; L1 = L2 = 2 for both.
        iou = {"right": 3 / 5, "up": 1 / 3}[name]
        assert ax.get_title() == f"{name}\nL1 = 2, L2 = 2, IoU = {iou:.3f}"


def bar_values(slider_figure: SliderFigure) -> dict[str, float]:
    ax_bar = slider_figure.figure.axes[1]
    names = [label.get_text() for label in ax_bar.get_yticklabels()]
    return dict(zip(names, (bar.get_width() for bar in ax_bar.patches)))


def test_moving_square_shows_the_losses_of_the_square_at_the_slider_values():
    fig = figures.moving_square(LOSSES, TARGET)
    assert isinstance(fig, SliderFigure)
    assert fig.params == {"cx": figures.CENTRE_X, "cy": figures.CENTRE_Y}
    assert len(figures.CENTRE_X.grid()) == 141 and len(figures.CENTRE_Y.grid()) == 81
    assert fig.alt.startswith("A 3-by-3 predicted box moved around a 4-by-2 target")
    first = np.asarray(fig.image(cx=6, cy=0))
    # Disjoint: the IoU loss is exactly 1 and Focal-EIoU 0; every bar is its loss.
    expected = {name: loss(box(6.0, 0.0, 3.0, 3.0), TARGET).item() for name, loss in LOSSES.items()}
    assert bar_values(fig) == pytest.approx(expected)
    assert expected["IoU"] == 1 and expected["Focal-EIoU"] == 0
    ax_box = fig.figure.axes[0]
    centre_line = ax_box.get_lines()[0]
    assert list(centre_line.get_xdata()) == [6.0, 0.0] and list(centre_line.get_ydata()) == [0.0, 0.0]
    assert bounds(ax_box.patches[1]) == pytest.approx([4.5, -1.5, 3.0, 3.0])
    assert not np.array_equal(first, np.asarray(fig.image(cx=-2, cy=1.5)))


def test_moving_square_refuses_a_value_off_the_slider_grid():
    fig = figures.moving_square(LOSSES, TARGET)
    with pytest.raises(ValueError, match="grid"):
        fig.image(cx=0.05, cy=0)


def test_resized_box_charges_ciou_nothing_for_a_box_of_the_right_shape_and_wrong_size():
    fig = figures.resized_box(LOSSES, TARGET)
    assert fig.params == {"w": figures.WIDTH, "h": figures.HEIGHT}
    fig.image(w=8, h=4)
    bars = bar_values(fig)
    assert bars["CIoU"] == pytest.approx(bars["DIoU"])
    assert bars["EIoU"] > bars["DIoU"]
    assert bounds(fig.figure.axes[0].patches[1]) == pytest.approx([1.5 - 4, 0.5 - 2, 8, 4])


def test_sliding_apart_plots_the_iou_loss_and_its_gradient():
    shift = torch.linspace(0, 12, 121, dtype=torch.float64)
    pred, target = box(shift, 0.0, 4.0, 2.0), TARGET.expand(121, 4)
    losses = {"IoU": lossviz.iou_loss(pred, target)}
    gradients = {"IoU": lossviz.grad(lambda dx: lossviz.iou_loss(box(dx, 0.0, 4.0, 2.0), target), shift)}
    fig = figures.sliding_apart(shift, losses, gradients)
    ax_loss, ax_grad = fig.axes
    s = shift.numpy()
    # Two 4-wide boxes s apart overlap 4 - s of 4 + s: the loss is 2s / (4 + s).
    iou_loss = np.where(s < 4, 2 * s / (4 + s), 1.0)
    np.testing.assert_allclose(lines_by_label(ax_loss)["IoU"], iou_loss, atol=1e-6)
    # Shift 0 is a kink, not drawn; at 4 autograd takes the overlapping side.
    slope = np.where(s <= 4, 8 / (4 + s) ** 2, 0.0)[1:]
    np.testing.assert_allclose(lines_by_label(ax_grad)["IoU"], slope, atol=1e-6)
    (span,) = [p for p in ax_loss.patches]
    assert span.get_x() == pytest.approx(4) and span.get_x() + span.get_width() == pytest.approx(12)


def test_box_inside_box_draws_the_travel_and_flat_iou_losses():
    big_target = box(0, 0, 6, 4)
    travel = torch.linspace(0, 1, 201, dtype=torch.float64)
    inside = box(2.5 * travel, 1.5 * travel, 1.0, 1.0)
    losses = {n: LOSSES[n](inside, big_target.expand(201, 4)) for n in ("IoU", "GIoU", "DIoU")}
    fig = figures.box_inside_box(big_target, travel, inside, losses)
    ax_draw, ax_curve = fig.axes
    np.testing.assert_allclose(
        [bounds(p) for p in ax_draw.patches[1:]], [[-0.5, -0.5, 1, 1], [0.75, 0.25, 1, 1], [2.0, 1.0, 1, 1]]
    )
    assert ax_draw.get_title() == "predictions at travel 0, 0.5 and 1"
    curves = lines_by_label(ax_curve)
    # A 1 × 1 box inside a 6 × 4 one: IoU 1/24 wherever it sits, GIoU the same.
    np.testing.assert_allclose(curves["IoU"], 1 - 1 / 24, atol=1e-6)
    np.testing.assert_allclose(curves["GIoU"], curves["IoU"])
    assert (np.diff(curves["DIoU"]) > 0).all()


def test_same_iou_shapes_draws_v_from_its_formula():
    aspect = torch.linspace(1, 4, 31, dtype=torch.float64)
    same_area = box(0.0, 0.0, (4 * aspect).sqrt(), (4 / aspect).sqrt())
    losses = {n: LOSSES[n](same_area, TARGET.expand(31, 4)) for n in ("IoU", "DIoU", "CIoU")}
    v = 4 / math.pi**2 * (math.atan(2) - torch.atan(aspect)) ** 2
    fig = figures.same_iou_shapes(aspect, losses, v, TARGET)
    ax_draw, ax_curve = fig.axes
    shapes = ax_draw.patches[1:]
    np.testing.assert_allclose([(p.get_width(), p.get_height()) for p in shapes], [(4, 1), (2, 2), (8**0.5, 2**0.5)])
    # Three shades of the prediction's colour, all distinct.
    colours = [mcolors.to_hex(p.get_edgecolor()) for p in shapes]
    assert colours[0] == lossviz.COLOURS["prediction"].lower() and len(set(colours)) == 3
    curves = lines_by_label(ax_curve)
    np.testing.assert_allclose(curves["v alone"], 4 / math.pi**2 * (np.arctan(2) - np.arctan(aspect.numpy())) ** 2)
    np.testing.assert_allclose(curves["DIoU − IoU loss"], 0, atol=1e-7)
    assert ax_curve.get_xlabel().endswith("(target: 2)")


def test_shape_pushes_draws_unit_arrows_along_each_push():
    w, h = torch.meshgrid(
        torch.linspace(1, 7, 4, dtype=torch.float64), torch.tensor([2.0, 5.0], dtype=torch.float64), indexing="ij"
    )
    push = {"CIoU": torch.stack([w - h, h - w], dim=-1), "EIoU": torch.stack([4 - w, 4 - h], dim=-1)}
    fig = figures.shape_pushes(w, h, push, box(0, 0, 4, 4))
    for ax, (name, force) in zip(fig.axes, push.items()):
        (arrows,) = ax.collections
        direction = np.column_stack([arrows.U, arrows.V])
        expected = force.reshape(-1, 2).numpy()
        norm = np.linalg.norm(expected, axis=1, keepdims=True)
        moving = norm[:, 0] > 0
        np.testing.assert_allclose(direction[moving], (expected / np.where(norm > 0, norm, 1))[moving])
        np.testing.assert_allclose(direction[~moving], 0)
        assert mcolors.same_color(arrows.get_facecolor()[0], figures.BOX_COLOURS[name])
        assert any(line.get_label() == "target size 4 × 4" for line in ax.get_lines())


def test_focal_weighting_shows_focal_eiou_as_eiou_times_the_root_of_the_iou():
    shift = torch.linspace(0.1, 3.9, 39, dtype=torch.float64)
    target = TARGET.expand(39, 4)
    iou = lossviz.box_geometry(box(shift, 0.0, 4.0, 2.0), target).iou

    def slide(dx, loss):
        return loss(box(dx, 0.0, 4.0, 2.0), target)

    eiou = lossviz.grad(slide, shift, lossviz.eiou_loss)
    focal = lossviz.grad(slide, shift, lossviz.focal_eiou_loss)
    fig = figures.focal_weighting(iou, eiou, focal)
    curves = lines_by_label(fig.axes[0])
    assert (curves["EIoU"] >= 0).all()  # magnitudes
    np.testing.assert_allclose(curves["Focal-EIoU"], curves["EIoU"] * np.sqrt(iou.numpy()), rtol=1e-6)


def test_angle_and_distance_cost_plots_the_angle_cost_and_its_rate():
    angle = torch.linspace(0, 90, 19, dtype=torch.float64)
    angle_cost = torch.sin(2 * torch.deg2rad(angle))
    distance_cost = {0.5: angle_cost * 0, 1.0: angle_cost * 0 + 1, 2.0: angle_cost * 0 + 2}
    fig = figures.angle_and_distance_cost(angle, angle_cost, distance_cost)
    ax_angle, ax_dist = fig.axes
    curves = lines_by_label(ax_angle)
    np.testing.assert_allclose(curves["angle cost Λ = sin 2α"], np.sin(np.deg2rad(2 * angle.numpy())))
    np.testing.assert_allclose(curves["rate 2 − Λ in Δ"], 2 - np.sin(np.deg2rad(2 * angle.numpy())))
    assert [k for k in lines_by_label(ax_dist) if k.startswith("centre")] == [
        "centre distance 0.5",
        "centre distance 1",
        "centre distance 2",
    ]


def test_loss_against_shift_draws_every_loss_and_the_disjoint_bands():
    shift = torch.linspace(-9, 9, 73, dtype=torch.float64)
    pred = box(shift, 0.0, 3.0, 3.0)
    losses = {name: loss(pred, TARGET.expand(73, 4)) for name, loss in LOSSES.items()}
    fig = figures.loss_against_shift(shift, losses)
    (ax,) = fig.axes
    curves = lines_by_label(ax)
    assert list(curves) == list(LOSSES)
    apart = np.abs(shift.numpy()) > 3.5
    assert (curves["IoU"][apart] == 1).all() and (curves["Focal-EIoU"][apart] == 0).all()
    np.testing.assert_allclose([(p.get_x(), p.get_x() + p.get_width()) for p in ax.patches], [(-9, -3.5), (3.5, 9)])
    for line in ax.get_lines():
        assert mcolors.same_color(line.get_color(), figures.BOX_COLOURS[line.get_label()])


def test_loss_against_scale_draws_the_iou_loss_of_concentric_boxes():
    scale = torch.logspace(math.log10(0.2), math.log10(5), 41, dtype=torch.float64)
    pred = box(0.0, 0.0, 4.0 * scale, 2.0 * scale)
    losses = {name: loss(pred, TARGET.expand(41, 4)) for name, loss in LOSSES.items()}
    fig = figures.loss_against_scale(scale, losses)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log"
    s = scale.numpy()
    # One box inside the other: IoU is the ratio of the areas, min(s², 1/s²).
    np.testing.assert_allclose(lines_by_label(ax)["IoU"], 1 - np.minimum(s**2, s**-2), atol=1e-6)
