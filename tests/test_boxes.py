"""Tests for lossviz.boxes: IoU, GIoU, DIoU, CIoU, EIoU, Focal-EIoU, SIoU.

torchvision is not available, so the reference is a naive per-box transcription
of each paper's formula with Python floats and :mod:`math`.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import lossviz
from lossviz import (
    box_geometry,
    ciou_loss,
    diou_loss,
    eiou_loss,
    focal_eiou_loss,
    giou_loss,
    iou_loss,
    siou_loss,
)

LOSSES = [iou_loss, giou_loss, diou_loss, ciou_loss, eiou_loss, focal_eiou_loss, siou_loss]
IDS = [f.__name__ for f in LOSSES]
SETTINGS = settings(max_examples=50, deadline=None)
EXACT = dict(rtol=1e-10, atol=1e-12)


def f64(x):
    return torch.tensor(x, dtype=torch.float64)


# --------------------------------------------------------------------------- reference


def _parts(p, t):
    x1, y1, x2, y2 = p
    a1, b1, a2, b2 = t
    w, h, wg, hg = x2 - x1, y2 - y1, a2 - a1, b2 - b1
    inter = max(0.0, min(x2, a2) - max(x1, a1)) * max(0.0, min(y2, b2) - max(y1, b1))
    union = w * h + wg * hg - inter
    cw, ch = max(x2, a2) - min(x1, a1), max(y2, b2) - min(y1, b1)
    dx, dy = (a1 + a2) / 2 - (x1 + x2) / 2, (b1 + b2) / 2 - (y1 + y2) / 2
    return SimpleNamespace(
        w=w, h=h, wg=wg, hg=hg, union=union, iou=inter / union, cw=cw, ch=ch, dx=dx, dy=dy
    )


def ref_iou(p, t):
    return 1 - _parts(p, t).iou


def ref_giou(p, t):
    g = _parts(p, t)
    area_c = g.cw * g.ch
    return 1 - (g.iou - (area_c - g.union) / area_c)


def ref_diou(p, t):
    g = _parts(p, t)
    return 1 - g.iou + (g.dx**2 + g.dy**2) / (g.cw**2 + g.ch**2)


def ref_ciou(p, t):
    g = _parts(p, t)
    v = 4 / math.pi**2 * (math.atan(g.wg / g.hg) - math.atan(g.w / g.h)) ** 2
    alpha = v / ((1 - g.iou) + v)
    return ref_diou(p, t) + alpha * v


def ref_eiou(p, t):
    g = _parts(p, t)
    return ref_diou(p, t) + (g.w - g.wg) ** 2 / g.cw**2 + (g.h - g.hg) ** 2 / g.ch**2


def ref_focal_eiou(p, t, gamma=0.5):
    return _parts(p, t).iou ** gamma * ref_eiou(p, t)


def ref_siou(p, t, theta=4.0):
    g = _parts(p, t)
    sigma = math.hypot(g.dx, g.dy)
    sin_alpha = min(1.0, abs(g.dy) / sigma)
    angle = 1 - 2 * math.sin(math.asin(sin_alpha) - math.pi / 4) ** 2
    gam = 2 - angle
    distance = (1 - math.exp(-gam * (g.dx / g.cw) ** 2)) + (1 - math.exp(-gam * (g.dy / g.ch) ** 2))
    om_w = abs(g.w - g.wg) / max(g.w, g.wg)
    om_h = abs(g.h - g.hg) / max(g.h, g.hg)
    shape = (1 - math.exp(-om_w)) ** theta + (1 - math.exp(-om_h)) ** theta
    return 1 - g.iou + (distance + shape) / 2


REFS = dict(zip(IDS, [ref_iou, ref_giou, ref_diou, ref_ciou, ref_eiou, ref_focal_eiou, ref_siou]))


def random_boxes(n, seed, lo=0.5, hi=5.0):
    gen = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=gen, dtype=torch.float64) * 10 - 5
    wh = lo + torch.rand(n, 2, generator=gen, dtype=torch.float64) * (hi - lo)
    return torch.cat([xy, xy + wh], dim=-1)


PRED, TARGET = random_boxes(200, 0), random_boxes(200, 1)


def reference(name, pred, target, **kw):
    pairs = zip(pred.tolist(), target.tolist())
    return torch.tensor([REFS[name](p, t, **kw) for p, t in pairs], dtype=torch.float64)


# --------------------------------------------------------------------------- values


def test_random_pairs_cover_overlapping_and_disjoint():
    inter = box_geometry(PRED, TARGET).intersection
    assert (inter > 0).sum() > 20 and (inter == 0).sum() > 20


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_matches_naive_reference_exactly_with_eps_zero(loss):
    expected = reference(loss.__name__, PRED, TARGET)
    torch.testing.assert_close(loss(PRED, TARGET, eps=0.0), expected, **EXACT)


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_matches_naive_reference_with_default_eps(loss):
    expected = reference(loss.__name__, PRED, TARGET)
    torch.testing.assert_close(loss(PRED, TARGET), expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize("gamma", [0.0, 1.0, 2.5])
def test_focal_eiou_gamma(gamma):
    got = focal_eiou_loss(PRED, TARGET, gamma=gamma, eps=0.0)
    torch.testing.assert_close(got, reference("focal_eiou_loss", PRED, TARGET, gamma=gamma), **EXACT)


def test_focal_eiou_gamma_zero_is_eiou():
    torch.testing.assert_close(focal_eiou_loss(PRED, TARGET, gamma=0.0), eiou_loss(PRED, TARGET))


@pytest.mark.parametrize("theta", [0.5, 2.0, 6.0])
def test_siou_theta(theta):
    got = siou_loss(PRED, TARGET, theta=theta, eps=0.0)
    torch.testing.assert_close(got, reference("siou_loss", PRED, TARGET, theta=theta), **EXACT)


def test_box_geometry_by_hand():
    g = box_geometry([0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 4.0, 2.0], eps=0.0)
    assert g.intersection.item() == 1.0 and g.union.item() == 6.0
    assert g.iou.item() == pytest.approx(1 / 6)
    assert g.enclosing.tolist() == [0.0, 0.0, 4.0, 2.0]
    assert (g.enclosing_w.item(), g.enclosing_h.item()) == (4.0, 2.0)
    assert (g.center_dx.item(), g.center_dy.item()) == (1.5, 0.5)
    assert g.center_dist2.item() == 2.5 and g.enclosing_diag2.item() == 20.0
    sizes = [g.pred_w.item(), g.pred_h.item(), g.target_w.item(), g.target_h.item()]
    assert sizes == [2.0, 2.0, 3.0, 1.0]


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_reductions_and_batch_shape(loss):
    pred, target = PRED.reshape(10, 20, 4), TARGET.reshape(10, 20, 4)
    per = loss(pred, target)
    assert per.shape == (10, 20)
    torch.testing.assert_close(loss(pred, target, reduction="mean"), per.mean())
    torch.testing.assert_close(loss(pred, target, reduction="sum"), per.sum())


@pytest.mark.parametrize("shape", [(0, 4), (2, 0, 4)])
@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_empty_batch(loss, shape):
    # torchvision.ops: reduction "mean" of no boxes is loss.sum() * 0.0, i.e. 0
    # and still differentiable (a detection batch may hold no matched boxes).
    pred = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    target = torch.zeros(shape, dtype=torch.float64)
    mean = loss(pred, target, reduction="mean")
    assert mean.shape == () and mean.item() == 0.0
    (g,) = torch.autograd.grad(mean, pred)
    assert g.shape == shape
    assert loss(pred, target, reduction="sum").item() == 0.0
    assert loss(pred, target).shape == shape[:-1]
    assert lossviz.grad(loss, pred, target, reduction="mean").shape == shape


def _large_boxes(n, seed):
    """Boxes with coordinates in [1e3, 6e4], exactly representable in float16."""
    gen = torch.Generator().manual_seed(seed)
    xy = 1e3 + torch.rand(n, 2, generator=gen, dtype=torch.float64) * 4e4
    wh = 200 + torch.rand(n, 2, generator=gen, dtype=torch.float64) * 1.5e4
    return torch.cat([xy, xy + wh], dim=-1).half()


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_half_precision_boxes_are_computed_in_float32(loss, dtype):
    # In float16 the areas (up to ~2e8) overflow its maximum 65504. torchvision
    # upcasts to float32 (_upcast_non_float); the reference is the float64
    # computation on the very same boxes, and the result keeps the input dtype.
    pred, target = _large_boxes(60, 2).to(dtype), _large_boxes(60, 3).to(dtype)
    area = (pred[:, 2] - pred[:, 0]) * (pred[:, 3] - pred[:, 1])
    assert dtype != torch.float16 or torch.isinf(area).any()  # the naive float16 area
    got = loss(pred, target)
    expected = loss(pred.double(), target.double())
    assert got.dtype == dtype
    torch.testing.assert_close(got, expected.to(dtype))
    torch.testing.assert_close(loss(pred, target, reduction="mean"), expected.mean().to(dtype))
    g = lossviz.grad(loss, pred, target)
    assert g.dtype == dtype and torch.isfinite(g).all()


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_dtype_follows_pred(loss):
    assert loss([0, 0, 1, 1], [0, 0, 2, 1]).dtype == torch.float64
    pred32 = torch.tensor([0.0, 0.0, 1.0, 1.0])
    assert loss(pred32, [0, 0, 2, 1]).dtype == torch.float32
    assert loss(pred32, f64([0.0, 0.0, 2.0, 1.0])).dtype == torch.float32


def test_python_float_lists_compute_in_float64():
    assert iou_loss([0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 2.0, 1.0]).dtype == torch.float64


# --------------------------------------------------------------------------- gradients

HARD_CASES = {
    "identical": ([0, 0, 2, 1], [0, 0, 2, 1]),
    "disjoint": ([0, 0, 1, 1], [3, 4, 5, 6]),
    "touching": ([0, 0, 1, 1], [1, 0, 2, 1]),
    "nested": ([0, 0, 4, 4], [1, 1, 2, 3]),
    "coincident_centres": ([0, 0, 2, 2], [0.5, -1, 1.5, 3]),
    "zero_width_pred": ([1, 0, 1, 2], [0, 0, 2, 2]),
    "zero_width_identical": ([1, 0, 1, 2], [1, 0, 1, 2]),
    "zero_height_pred": ([0, 1, 2, 1], [0, 0, 2, 2]),
    "point_pred": ([1, 1, 1, 1], [0, 0, 2, 2]),
    "point_identical": ([1, 1, 1, 1], [1, 1, 1, 1]),
    "far_apart_1e4": ([-1e4, -1e4, -9e3, -9e3], [9e3, 9e3, 1e4, 1e4]),
}


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("case", list(HARD_CASES))
@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_finite_loss_and_gradient(loss, case, dtype):
    pred, target = (torch.tensor(b, dtype=dtype) for b in HARD_CASES[case])
    assert torch.isfinite(loss(pred, target)).all()
    assert torch.isfinite(lossviz.grad(loss, pred, target)).all()


@pytest.mark.parametrize("case", list(HARD_CASES))
def test_finite_gradient_small_theta_and_gamma(case):
    pred, target = (torch.tensor(b, dtype=torch.float64) for b in HARD_CASES[case])
    assert torch.isfinite(lossviz.grad(siou_loss, pred, target, theta=0.5)).all()
    assert torch.isfinite(lossviz.grad(focal_eiou_loss, pred, target, gamma=0.3)).all()


# CIoU and Focal-EIoU are left out: their autograd gradient deliberately omits
# the derivative of alpha / IoU^gamma (tested below).
@pytest.mark.parametrize(
    "loss", [iou_loss, giou_loss, diou_loss, eiou_loss, siou_loss], ids=lambda f: f.__name__
)
def test_autograd_matches_finite_differences(loss):
    pred = PRED[:20].clone().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda p: loss(p, TARGET[:20]), (pred,))


def test_iou_loss_gradient_matches_analytic_formula():
    # L = 1 - I/U, dL/dp = -(dI U - I dU) / U^2 with dU = dA - dI; A = w h and
    # dI/dx1 = -ih [x1 > x1g][iw > 0], dI/dx2 = ih [x2 < x2g][iw > 0]
    # (likewise in y with iw and [ih > 0]).
    pred, target = PRED[:50], TARGET[:50]
    x1, y1, x2, y2 = pred.unbind(-1)
    a1, b1, a2, b2 = target.unbind(-1)
    iw = (torch.minimum(x2, a2) - torch.maximum(x1, a1)).clamp(min=0)
    ih = (torch.minimum(y2, b2) - torch.maximum(y1, b1)).clamp(min=0)
    w, h = x2 - x1, y2 - y1
    inter, union = iw * ih, w * h + (a2 - a1) * (b2 - b1) - iw * ih
    ox, oy = ih * (iw > 0), iw * (ih > 0)
    d_inter = torch.stack([-ox * (x1 > a1), -oy * (y1 > b1), ox * (x2 < a2), oy * (y2 < b2)], -1)
    d_area = torch.stack([-h, -w, h, w], -1)
    d_union = d_area - d_inter
    expected = -(d_inter * union[:, None] - inter[:, None] * d_union) / union[:, None] ** 2
    torch.testing.assert_close(lossviz.grad(iou_loss, pred, target, eps=0.0), expected)


def test_ciou_alpha_carries_no_gradient():
    # d L_CIoU = d L_DIoU + alpha dv, with alpha held constant and
    # dv/dw = -(8 / pi^2)(atan(wg/hg) - atan(w/h)) h / (w^2 + h^2),
    # dv/dh = +(8 / pi^2)(atan(wg/hg) - atan(w/h)) w / (w^2 + h^2).
    pred, target = PRED[:50], TARGET[:50]
    x1, y1, x2, y2 = pred.unbind(-1)
    a1, b1, a2, b2 = target.unbind(-1)
    w, h, wg, hg = x2 - x1, y2 - y1, a2 - a1, b2 - b1
    gap = torch.atan(wg / hg) - torch.atan(w / h)
    v = 4 / math.pi**2 * gap**2
    iou = box_geometry(pred, target, eps=0.0).iou
    alpha = v / (1 - iou + v)
    dv_dw = -8 / math.pi**2 * gap * h / (w**2 + h**2)
    dv_dh = 8 / math.pi**2 * gap * w / (w**2 + h**2)
    dv = torch.stack([-dv_dw, -dv_dh, dv_dw, dv_dh], -1)
    expected = lossviz.grad(diou_loss, pred, target, eps=0.0) + alpha[:, None] * dv
    torch.testing.assert_close(lossviz.grad(ciou_loss, pred, target, eps=0.0), expected)


def test_focal_eiou_weight_is_detached():
    pred, target = PRED[:50], TARGET[:50]
    weight = box_geometry(pred, target).iou ** 0.5
    expected = weight[:, None] * lossviz.grad(eiou_loss, pred, target)
    torch.testing.assert_close(lossviz.grad(focal_eiou_loss, pred, target, gamma=0.5), expected)


# --------------------------------------------------------------------------- properties

coord = st.floats(-10, 10, allow_nan=False)
size = st.floats(0, 10, allow_nan=False)
positive_size = st.floats(0.5, 10, allow_nan=False)


def box(sizes=size):
    return st.builds(lambda x, y, w, h: f64([x, y, x + w, y + h]), coord, coord, sizes, sizes)


def box_pairs(sizes=size):
    pairs = st.lists(st.tuples(box(sizes), box(sizes)), min_size=1, max_size=8)
    return pairs.map(lambda ps: (torch.stack([p for p, _ in ps]), torch.stack([t for _, t in ps])))


@SETTINGS
@given(box_pairs())
def test_iou_giou_ordering(pair):
    # -1 <= GIoU <= IoU <= 1  <=>  0 <= L_IoU <= L_GIoU <= 2
    pred, target = pair
    li, lg = iou_loss(pred, target), giou_loss(pred, target)
    assert (li >= 0).all() and (li <= 1).all()
    assert (lg >= li - 1e-12).all() and (lg <= 2).all()


@SETTINGS
@given(box_pairs())
def test_diou_at_least_iou_and_ciou_at_least_diou(pair):
    pred, target = pair
    li, ld, lc = iou_loss(pred, target), diou_loss(pred, target), ciou_loss(pred, target)
    assert (ld >= li).all()
    assert (lc >= ld).all()


@SETTINGS
@given(box(positive_size))
def test_zero_for_identical_boxes(b):
    for loss in LOSSES:
        assert abs(loss(b, b).item()) < 1e-6, loss.__name__


@SETTINGS
@given(box_pairs())
def test_symmetric_in_pred_and_target(pair):
    # every loss here is symmetric: each term depends on |differences|,
    # squared differences, max/min or the (symmetric) enclosing box.
    pred, target = pair
    for loss in LOSSES:
        got, swapped = loss(pred, target), loss(target, pred)
        torch.testing.assert_close(got, swapped, rtol=1e-12, atol=1e-12, msg=loss.__name__)


# --------------------------------------------------------------------------- motivating failures


@SETTINGS
@given(box(positive_size), st.floats(0.01, 5), st.floats(-10, 10))
def test_iou_loss_is_flat_for_disjoint_boxes_but_giou_diou_are_not(target, gap, shift_y):
    # pred lies entirely to the right of target
    x, y = target[2].item() + gap, target[1].item() + shift_y
    pred = f64([x, y, x + 1.0, y + 2.0])
    assert iou_loss(pred, target).item() == 1.0
    assert torch.count_nonzero(lossviz.grad(iou_loss, pred, target)) == 0
    assert lossviz.grad(giou_loss, pred, target).abs().sum() > 0
    assert lossviz.grad(diou_loss, pred, target).abs().sum() > 0


@SETTINGS
@given(box(positive_size), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_giou_equals_iou_when_one_box_contains_the_other(outer, fx, fy, fw, fh):
    x1, y1, x2, y2 = outer.tolist()
    ix1, iy1 = x1 + fx * (x2 - x1), y1 + fy * (y2 - y1)
    inner = f64([ix1, iy1, min(x2, ix1 + fw * (x2 - ix1)), min(y2, iy1 + fh * (y2 - iy1))])
    torch.testing.assert_close(giou_loss(inner, outer), iou_loss(inner, outer), rtol=0, atol=1e-9)
    torch.testing.assert_close(giou_loss(outer, inner), iou_loss(outer, inner), rtol=0, atol=1e-9)


def test_same_centre_same_iou_different_aspect_diou_ties_ciou_does_not():
    target = f64([-1.0, -1.0, 1.0, 1.0])  # 2 x 2 square, area 4
    a = math.sqrt(2) / 2
    square = f64([-a, -a, a, a])  # area 2, same centre, IoU 1/2
    wide = f64([-1.0, -0.5, 1.0, 0.5])  # 2 x 1, area 2, same centre, IoU 1/2
    torch.testing.assert_close(iou_loss(square, target), iou_loss(wide, target))
    torch.testing.assert_close(diou_loss(square, target), diou_loss(wide, target))
    # v = (4/pi^2)(pi/4 - atan 2)^2 ~ 0.042, alpha = v / (1/2 + v) ~ 0.077
    assert ciou_loss(square, target).item() == pytest.approx(0.5, abs=1e-6)
    assert ciou_loss(wide, target).item() == pytest.approx(0.5 + 0.042 * 0.077, abs=2e-4)


# --------------------------------------------------------------------------- bad input

GOOD = [0.0, 0.0, 1.0, 1.0]
BAD_INPUTS = {
    "pred_x2_lt_x1": (dict(pred=[1.0, 0.0, 0.0, 1.0], target=GOOD), "pred"),
    "pred_y2_lt_y1": (dict(pred=[0.0, 1.0, 1.0, 0.0], target=GOOD), "pred"),
    "target_y2_lt_y1": (dict(pred=GOOD, target=[0.0, 1.0, 1.0, 0.5]), "target"),
    "target_x2_lt_x1": (dict(pred=[GOOD, GOOD], target=[GOOD, [2.0, 0.0, 1.0, 1.0]]), "target"),
    "last_dim_3": (dict(pred=[0.0, 0.0, 1.0], target=[0.0, 0.0, 1.0]), "pred"),
    "scalar": (dict(pred=1.0, target=1.0), "pred"),
    "shape_mismatch": (dict(pred=[GOOD, GOOD], target=[GOOD]), "target"),
    "pred_nan": (dict(pred=[0.0, 0.0, float("nan"), 1.0], target=GOOD), "pred"),
    "target_nan": (dict(pred=GOOD, target=[0.0, float("nan"), 1.0, 1.0]), "target"),
    "bad_reduction": (dict(pred=GOOD, target=GOOD, reduction="avg"), "reduction"),
    "negative_eps": (dict(pred=GOOD, target=GOOD, eps=-1e-7), "eps"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_bad_input(loss, case):
    kwargs, name = BAD_INPUTS[case]
    kwargs = dict(kwargs)
    with pytest.raises(ValueError, match=name):
        loss(kwargs.pop("pred"), kwargs.pop("target"), **kwargs)


@pytest.mark.parametrize(
    "case", ["pred_x2_lt_x1", "target_y2_lt_y1", "last_dim_3", "shape_mismatch", "pred_nan"]
)
def test_bad_input_box_geometry(case):
    kwargs, name = BAD_INPUTS[case]
    with pytest.raises(ValueError, match=name):
        box_geometry(kwargs["pred"], kwargs["target"])


@pytest.mark.parametrize("gamma", [-0.5, float("nan")])
def test_negative_gamma(gamma):
    with pytest.raises(ValueError, match="gamma"):
        focal_eiou_loss(GOOD, GOOD, gamma=gamma)


@pytest.mark.parametrize("theta", [-1.0, 0.0])
def test_nonpositive_theta(theta):
    with pytest.raises(ValueError, match="theta"):
        siou_loss(GOOD, GOOD, theta=theta)


# --------------------------------------------------------------------------- box_convert

FORMATS = ["xyxy", "xywh", "cxcywh"]


def naive_to_xyxy(b, fmt):
    a, c, d, e = b
    if fmt == "xywh":
        return [a, c, a + d, c + e]
    if fmt == "cxcywh":
        return [a - d / 2, c - e / 2, a + d / 2, c + e / 2]
    return [a, c, d, e]


def naive_from_xyxy(b, fmt):
    x1, y1, x2, y2 = b
    if fmt == "xywh":
        return [x1, y1, x2 - x1, y2 - y1]
    if fmt == "cxcywh":
        return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1]
    return [x1, y1, x2, y2]


@pytest.mark.parametrize("in_fmt", FORMATS)
@pytest.mark.parametrize("out_fmt", FORMATS)
def test_box_convert_matches_naive_formulas(in_fmt, out_fmt):
    boxes = random_boxes(50, 2)  # any 4 numbers will do for a conversion
    expected = [naive_from_xyxy(naive_to_xyxy(b, in_fmt), out_fmt) for b in boxes.tolist()]
    torch.testing.assert_close(lossviz.box_convert(boxes, in_fmt, out_fmt), f64(expected), **EXACT)


def test_box_convert_hand_made():
    # One box, corners (1, 2) and (5, 8): 4 wide, 6 high, centred at (3, 5).
    forms = {"xyxy": [1.0, 2.0, 5.0, 8.0], "xywh": [1.0, 2.0, 4.0, 6.0], "cxcywh": [3.0, 5.0, 4.0, 6.0]}
    for in_fmt, source in forms.items():
        for out_fmt, expected in forms.items():
            assert lossviz.box_convert(source, in_fmt, out_fmt).tolist() == expected


@pytest.mark.parametrize("in_fmt", FORMATS)
@pytest.mark.parametrize("out_fmt", FORMATS)
def test_box_convert_round_trip(in_fmt, out_fmt):
    boxes = random_boxes(50, 3).reshape(5, 10, 4)
    there = lossviz.box_convert(boxes, in_fmt, out_fmt)
    assert there.shape == boxes.shape
    torch.testing.assert_close(lossviz.box_convert(there, out_fmt, in_fmt), boxes, **EXACT)


def test_box_convert_same_format_is_a_copy():
    boxes = random_boxes(3, 4)
    out = lossviz.box_convert(boxes, "xywh", "xywh")
    out[0, 0] = 100.0
    assert boxes[0, 0] != 100.0


def test_box_convert_dtypes():
    assert lossviz.box_convert([0, 0, 2, 2], "xyxy", "cxcywh").dtype == torch.float64
    f32 = torch.tensor([0.0, 0.0, 2.0, 2.0])
    assert lossviz.box_convert(f32, "xyxy", "cxcywh").dtype == torch.float32


def test_box_convert_jacobian():
    # cx = (x1 + x2) / 2, cy = (y1 + y2) / 2, w = x2 - x1, h = y2 - y1
    expected = f64([[0.5, 0, 0.5, 0], [0, 0.5, 0, 0.5], [-1, 0, 1, 0], [0, -1, 0, 1]])
    jac = torch.autograd.functional.jacobian(
        lambda b: lossviz.box_convert(b, "xyxy", "cxcywh"), f64([1.0, 2.0, 5.0, 8.0])
    )
    torch.testing.assert_close(jac, expected)


def test_box_convert_feeds_the_losses():
    centred = lossviz.box_convert([[0.0, 0.0, 4.0, 2.0]], "cxcywh", "xyxy")
    torch.testing.assert_close(iou_loss(centred, f64([[-1.0, -1.0, 1.0, 1.0]]), eps=0.0), f64([0.5]), **EXACT)


@pytest.mark.parametrize("bad", ["xyhw", "XYXY", "", None, 4])
@pytest.mark.parametrize("which", ["in_fmt", "out_fmt"])
def test_box_convert_unknown_format(bad, which):
    fmts = dict(in_fmt="xyxy", out_fmt="cxcywh")
    fmts[which] = bad
    with pytest.raises(ValueError, match=which):
        lossviz.box_convert(GOOD, **fmts)


@pytest.mark.parametrize(
    "bad", [[0.0, 0.0, 1.0], [[0.0, 0.0, 1.0, 1.0, 2.0]], 1.0, [0.0, math.nan, 1.0, 1.0]]
)
def test_box_convert_bad_boxes(bad):
    with pytest.raises(ValueError, match="boxes"):
        lossviz.box_convert(bad, "xyxy", "xywh")
