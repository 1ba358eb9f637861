r"""Bounding-box regression losses of the IoU family.

Boxes are ``(x1, y1, x2, y2)`` ("xyxy") with ``x1 <= x2`` and ``y1 <= y2``, in
tensors of shape ``(..., 4)``; ``pred`` and ``target`` must have the same shape
and the loss has shape ``(...)`` before reduction. The default reduction is
``"none"``, as in :mod:`torchvision.ops`. Every loss is built from one
:func:`box_geometry`, which is also what the book draws. ``eps`` is placed as
in :mod:`torchvision.ops`: added to the union, to the enclosing area and to
every squared enclosing length that is divided by. :func:`box_convert` brings
boxes given by corner and size ("xywh") or centre and size ("cxcywh") to xyxy.

Two further conventions of :mod:`torchvision.ops`, kept in one place
(:func:`_geometry` and :func:`_reduce`): half-precision boxes are computed in
float32 (as its ``_upcast_non_float``; a box 300 wide and 300 high already has
an area above float16's maximum of 65504), but unlike torchvision the loss is
returned in the input's dtype, as every loss of this package; and
``reduction="mean"`` over an empty batch is 0, still connected to the autograd
graph (torchvision's ``loss.sum() * 0.0``), not the NaN of an empty mean.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import torch

from ._checks import Reduction, as_float, check_reduction, reduce, same_shape, scalar_in_range

__all__ = [
    "BOX_FORMATS",
    "box_convert",
    "box_geometry",
    "iou_loss",
    "giou_loss",
    "diou_loss",
    "ciou_loss",
    "eiou_loss",
    "focal_eiou_loss",
    "siou_loss",
]


class BoxGeometry(NamedTuple):
    """Shared quantities of a pair of boxes; every field has shape ``(...)``
    except ``enclosing``, which has shape ``(..., 4)``."""

    iou: torch.Tensor  # intersection / (union + eps)
    intersection: torch.Tensor
    union: torch.Tensor
    enclosing: torch.Tensor  # smallest box containing both, xyxy
    enclosing_w: torch.Tensor
    enclosing_h: torch.Tensor
    center_dx: torch.Tensor  # target centre minus pred centre, along x
    center_dy: torch.Tensor
    center_dist2: torch.Tensor  # rho^2, squared distance of the centres
    enclosing_diag2: torch.Tensor  # c^2, squared diagonal of the enclosing box
    pred_w: torch.Tensor
    pred_h: torch.Tensor
    target_w: torch.Tensor
    target_h: torch.Tensor


BOX_FORMATS = ("xyxy", "xywh", "cxcywh")


def _four_coordinates(
    x: Any, name: str, fmt: str, *, like: torch.Tensor | None = None
) -> torch.Tensor:
    t = as_float(x, name, like=like)
    if t.ndim == 0 or t.shape[-1] != 4:
        raise ValueError(f"{name} must have shape (..., 4) in {fmt} format, got {tuple(t.shape)}")
    return t


def _as_boxes(x: Any, name: str, *, like: torch.Tensor | None = None) -> torch.Tensor:
    t = _four_coordinates(x, name, "xyxy", like=like)
    x1, y1, x2, y2 = t.unbind(-1)
    if (x2 < x1).any() or (y2 < y1).any():
        raise ValueError(f"{name} has boxes with x2 < x1 or y2 < y1 (expected xyxy format)")
    return t


def box_convert(boxes: Any, in_fmt: str, out_fmt: str) -> torch.Tensor:
    r"""Convert boxes between corner, corner-and-size and centre-and-size formats.

    .. math::
        \text{xywh} \to \text{xyxy}: (x, y, w, h) \mapsto (x,\ y,\ x + w,\ y + h),

        \text{cxcywh} \to \text{xyxy}: (c_x, c_y, w, h) \mapsto
        \left(c_x - \tfrac{w}{2},\ c_y - \tfrac{h}{2},\
              c_x + \tfrac{w}{2},\ c_y + \tfrac{h}{2}\right)

    and the inverse maps from xyxy, :math:`w = x_2 - x_1`, :math:`h = y_2 - y_1`,
    :math:`c_x = (x_1 + x_2) / 2`, :math:`c_y = (y_1 + y_2) / 2`.

    Args:
        boxes: shape ``(..., 4)``, in ``in_fmt``.
        in_fmt: ``"xyxy"`` (corners), ``"xywh"`` (top-left corner, width,
            height) or ``"cxcywh"`` (centre, width, height).
        out_fmt: one of the same three.

    Returns:
        The boxes in ``out_fmt``, ``boxes``' shape (a copy when the formats are
        equal), differentiable.

    Reference: ``torchvision.ops.box_convert``, whose arithmetic this follows:
    conversions between xywh and cxcywh go through xyxy. As there, boxes are
    not checked for negative sizes; the losses reject such boxes.
    """
    for fmt, name in ((in_fmt, "in_fmt"), (out_fmt, "out_fmt")):
        if not isinstance(fmt, str) or fmt not in BOX_FORMATS:
            raise ValueError(f"{name} must be one of {BOX_FORMATS}, got {fmt!r}")
    b = _four_coordinates(boxes, "boxes", in_fmt)
    if in_fmt == out_fmt:
        return b.clone()
    a, c, d, e = b.unbind(-1)
    if in_fmt == "xywh":
        x1, y1, x2, y2 = a, c, a + d, c + e
    elif in_fmt == "cxcywh":
        x1, y1, x2, y2 = a - 0.5 * d, c - 0.5 * e, a + 0.5 * d, c + 0.5 * e
    else:
        x1, y1, x2, y2 = a, c, d, e
    if out_fmt == "xywh":
        out = (x1, y1, x2 - x1, y2 - y1)
    elif out_fmt == "cxcywh":
        out = ((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1)
    else:
        out = (x1, y1, x2, y2)
    return torch.stack(out, dim=-1)


def box_geometry(pred: Any, target: Any, eps: float = 1e-7) -> BoxGeometry:
    r"""Intersection, union, enclosing box, centre offset and sizes of box pairs.

    .. math::
        \mathrm{IoU} = \frac{|A \cap B|}{|A \cup B| + \varepsilon}, \qquad
        \rho^2 = \lVert \mathbf{b}_{c} - \mathbf{b}^{gt}_{c} \rVert^2, \qquad
        c^2 = C_w^2 + C_h^2,

    with :math:`C_w \times C_h` the smallest box enclosing both.

    Args:
        pred: predicted boxes, shape ``(..., 4)``, xyxy.
        target: ground-truth boxes, same shape as ``pred``.
        eps: added to the union before dividing (as in :mod:`torchvision.ops`).

    Returns:
        A :class:`BoxGeometry`. Only ``iou`` involves ``eps``; every other field
        is the exact geometric quantity, differentiable with respect to both
        inputs. Computed in at least float32, returned in ``pred``'s dtype (so
        a float16 area too large for float16 is ``inf``; the losses use the
        float32 values).
    """
    g, dtype = _geometry(pred, target, eps)
    return BoxGeometry(*(field.to(dtype) for field in g))


def _geometry(pred: Any, target: Any, eps: float) -> tuple[BoxGeometry, torch.dtype]:
    """:func:`box_geometry` computed in at least float32, and the dtype to return."""
    eps = scalar_in_range(eps, "eps", lo=0.0)
    p = _as_boxes(pred, "pred")
    t = _as_boxes(target, "target", like=p)
    same_shape(p, t, "pred", "target")
    # float16 / bfloat16 -> float32 (torchvision's _upcast_non_float); the
    # cast is differentiable, so gradients come back in the input's dtype.
    work = torch.promote_types(p.dtype, torch.float32)
    geometry = _exact_geometry(p.to(work), t.to(work), eps)
    return geometry, p.dtype


def _reduce(loss: torch.Tensor, reduction: Reduction, dtype: torch.dtype) -> torch.Tensor:
    """The reduction of every box loss, then the input's dtype.

    The mean of an empty batch is ``0 * sum``: 0, with a (zero) gradient of
    the inputs' shape, as in :mod:`torchvision.ops`.
    """
    check_reduction(reduction)
    if reduction == "mean" and loss.numel() == 0:
        return (loss.sum() * 0.0).to(dtype)
    return reduce(loss, reduction).to(dtype)


def _exact_geometry(p: torch.Tensor, t: torch.Tensor, eps: float) -> BoxGeometry:
    x1, y1, x2, y2 = p.unbind(-1)
    x1g, y1g, x2g, y2g = t.unbind(-1)
    w, h, wg, hg = x2 - x1, y2 - y1, x2g - x1g, y2g - y1g
    # clamp rather than torchvision's boolean mask: same values, and no
    # in-place indexing in the autograd graph.
    inter = (torch.minimum(x2, x2g) - torch.maximum(x1, x1g)).clamp(min=0) * (
        torch.minimum(y2, y2g) - torch.maximum(y1, y1g)
    ).clamp(min=0)
    union = w * h + wg * hg - inter
    lo_x, lo_y = torch.minimum(x1, x1g), torch.minimum(y1, y1g)
    hi_x, hi_y = torch.maximum(x2, x2g), torch.maximum(y2, y2g)
    enclosing = torch.stack((lo_x, lo_y, hi_x, hi_y), dim=-1)
    cw, ch = hi_x - lo_x, hi_y - lo_y
    dx, dy = (x1g + x2g - x1 - x2) / 2, (y1g + y2g - y1 - y2) / 2
    return BoxGeometry(
        iou=inter / (union + eps),
        intersection=inter,
        union=union,
        enclosing=enclosing,
        enclosing_w=cw,
        enclosing_h=ch,
        center_dx=dx,
        center_dy=dy,
        center_dist2=dx**2 + dy**2,
        enclosing_diag2=cw**2 + ch**2,
        pred_w=w,
        pred_h=h,
        target_w=wg,
        target_h=hg,
    )


def _diou(g: BoxGeometry, eps: float) -> torch.Tensor:
    return 1 - g.iou + g.center_dist2 / (g.enclosing_diag2 + eps)


def _eiou(g: BoxGeometry, eps: float) -> torch.Tensor:
    return (
        _diou(g, eps)
        + (g.pred_w - g.target_w) ** 2 / (g.enclosing_w**2 + eps)
        + (g.pred_h - g.target_h) ** 2 / (g.enclosing_h**2 + eps)
    )


def _shape_cost(s: torch.Tensor, s_gt: torch.Tensor, theta: float, eps: float) -> torch.Tensor:
    base = 1 - torch.exp(-(s - s_gt).abs() / (torch.maximum(s, s_gt) + eps))
    # base ** theta has infinite slope at base = 0 when theta < 1; the double
    # where keeps that infinity out of the backward pass.
    positive = base > 0
    safe = torch.where(positive, base, torch.ones_like(base))
    return torch.where(positive, safe**theta, torch.zeros_like(base))


def iou_loss(pred: Any, target: Any, *, reduction: Reduction = "none", eps: float = 1e-7) -> torch.Tensor:
    r"""IoU loss, one minus the intersection over union.

    .. math::
        L_{\mathrm{IoU}} = 1 - \frac{|A \cap B|}{|A \cup B|}

    It is exactly 1, with zero gradient, for every pair of disjoint boxes.

    Args:
        pred: predicted boxes, shape ``(..., 4)``, xyxy.
        target: ground-truth boxes, same shape as ``pred``.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        eps: added to the union.

    Returns:
        The loss, shape ``(...)`` for ``reduction="none"``, else a scalar.

    Reference:
        Yu, Jiang, Wang, Cao, Huang, "UnitBox: An Advanced Object Detection
        Network", ACM Multimedia 2016. UnitBox itself minimises :math:`-\ln
        \mathrm{IoU}`; this is the linear form :math:`1 - \mathrm{IoU}`, the
        base that GIoU, DIoU and CIoU extend.
    """
    g, dtype = _geometry(pred, target, eps)
    return _reduce(1 - g.iou, reduction, dtype)


def giou_loss(pred: Any, target: Any, *, reduction: Reduction = "none", eps: float = 1e-7) -> torch.Tensor:
    r"""Generalized IoU loss: IoU loss plus the empty fraction of the enclosing box.

    .. math::
        L_{\mathrm{GIoU}} = 1 - \mathrm{IoU} + \frac{|C \setminus (A \cup B)|}{|C|}

    with :math:`C` the smallest box enclosing :math:`A` and :math:`B`. Lies in
    :math:`[0, 2]`; equals :math:`L_{\mathrm{IoU}}` when one box contains the
    other.

    Args:
        pred: predicted boxes, shape ``(..., 4)``, xyxy.
        target: ground-truth boxes, same shape as ``pred``.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        eps: added to the union and to :math:`|C|`.

    Returns:
        The loss, shape ``(...)`` for ``reduction="none"``, else a scalar.

    Reference:
        Rezatofighi, Tsoi, Gwak, Sadeghian, Reid, Savarese, "Generalized
        Intersection over Union: A Metric and A Loss for Bounding Box
        Regression", CVPR 2019. Follows ``torchvision.ops.generalized_box_iou_loss``.
    """
    g, dtype = _geometry(pred, target, eps)
    area_c = g.enclosing_w * g.enclosing_h
    return _reduce(1 - g.iou + (area_c - g.union) / (area_c + eps), reduction, dtype)


def diou_loss(pred: Any, target: Any, *, reduction: Reduction = "none", eps: float = 1e-7) -> torch.Tensor:
    r"""Distance IoU loss: IoU loss plus the normalised squared centre distance.

    .. math::
        L_{\mathrm{DIoU}} = 1 - \mathrm{IoU} + \frac{\rho^2(\mathbf{b}, \mathbf{b}^{gt})}{c^2}

    with :math:`\rho` the distance of the box centres and :math:`c` the
    diagonal of the smallest enclosing box.

    Args:
        pred: predicted boxes, shape ``(..., 4)``, xyxy.
        target: ground-truth boxes, same shape as ``pred``.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        eps: added to the union and to :math:`c^2`.

    Returns:
        The loss, shape ``(...)`` for ``reduction="none"``, else a scalar.

    Reference:
        Zheng, Wang, Liu, Li, Ye, Ren, "Distance-IoU Loss: Faster and Better
        Learning for Bounding Box Regression", AAAI 2020. Follows
        ``torchvision.ops.distance_box_iou_loss``.
    """
    g, dtype = _geometry(pred, target, eps)
    return _reduce(_diou(g, eps), reduction, dtype)


def ciou_loss(pred: Any, target: Any, *, reduction: Reduction = "none", eps: float = 1e-7) -> torch.Tensor:
    r"""Complete IoU loss: DIoU loss plus an aspect-ratio consistency term.

    .. math::
        L_{\mathrm{CIoU}} = L_{\mathrm{DIoU}} + \alpha v, \qquad
        v = \frac{4}{\pi^2}\left(\arctan\frac{w^{gt}}{h^{gt}} - \arctan\frac{w}{h}\right)^2,
        \qquad \alpha = \frac{v}{(1 - \mathrm{IoU}) + v}

    Args:
        pred: predicted boxes, shape ``(..., 4)``, xyxy.
        target: ground-truth boxes, same shape as ``pred``.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        eps: added to the union, to :math:`c^2` and to the denominator of
            :math:`\alpha`.

    Returns:
        The loss, shape ``(...)`` for ``reduction="none"``, else a scalar.

    Reference:
        Zheng, Wang, Liu, Li, Ye, Ren, "Distance-IoU Loss: Faster and Better
        Learning for Bounding Box Regression", AAAI 2020. Follows
        ``torchvision.ops.complete_box_iou_loss``: :math:`\alpha` is a
        trade-off weight computed without gradient, as the paper prescribes.
        The arctangent is evaluated as ``atan2(w, h)`` so zero-height boxes
        stay finite.
    """
    g, dtype = _geometry(pred, target, eps)
    # atan2(w, h) is torchvision's atan(w / h) for h > 0, and stays finite, with
    # a finite gradient, for zero-height and point boxes (atan2(0, 0) = 0).
    angle_gap = torch.atan2(g.target_w, g.target_h) - torch.atan2(g.pred_w, g.pred_h)
    v = (4 / math.pi**2) * angle_gap**2
    with torch.no_grad():
        alpha = v / (1 - g.iou + v + eps)
    return _reduce(_diou(g, eps) + alpha * v, reduction, dtype)


def eiou_loss(pred: Any, target: Any, *, reduction: Reduction = "none", eps: float = 1e-7) -> torch.Tensor:
    r"""Efficient IoU loss: DIoU loss plus width and height differences.

    .. math::
        L_{\mathrm{EIoU}} = 1 - \mathrm{IoU} + \frac{\rho^2(\mathbf{b}, \mathbf{b}^{gt})}{c^2}
        + \frac{(w - w^{gt})^2}{C_w^2} + \frac{(h - h^{gt})^2}{C_h^2}

    with :math:`C_w, C_h` the width and height of the smallest enclosing box.

    Args:
        pred: predicted boxes, shape ``(..., 4)``, xyxy.
        target: ground-truth boxes, same shape as ``pred``.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        eps: added to the union, :math:`c^2`, :math:`C_w^2` and :math:`C_h^2`.

    Returns:
        The loss, shape ``(...)`` for ``reduction="none"``, else a scalar.

    Reference:
        Zhang, Ren, Zhang, Jia, Wang, Tan, "Focal and Efficient IOU Loss for
        Accurate Bounding Box Regression", Neurocomputing 2022 (arXiv:2101.08158).
    """
    g, dtype = _geometry(pred, target, eps)
    return _reduce(_eiou(g, eps), reduction, dtype)


def focal_eiou_loss(
    pred: Any, target: Any, *, gamma: float = 0.5, reduction: Reduction = "none", eps: float = 1e-7
) -> torch.Tensor:
    r"""Focal-EIoU loss: EIoU loss weighted by :math:`\mathrm{IoU}^\gamma`.

    .. math::
        L_{\mathrm{Focal\text{-}EIoU}} = \mathrm{IoU}^{\gamma} \, L_{\mathrm{EIoU}}

    The weight focuses training on well-overlapping (high-quality) boxes; it is
    0 for disjoint boxes when :math:`\gamma > 0`.

    Args:
        pred: predicted boxes, shape ``(..., 4)``, xyxy.
        target: ground-truth boxes, same shape as ``pred``.
        gamma: focusing exponent, ``>= 0``; ``0`` gives :func:`eiou_loss`.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        eps: as in :func:`eiou_loss`.

    Returns:
        The loss, shape ``(...)`` for ``reduction="none"``, else a scalar.

    Reference:
        Zhang, Ren, Zhang, Jia, Wang, Tan, "Focal and Efficient IOU Loss for
        Accurate Bounding Box Regression", Neurocomputing 2022 (arXiv:2101.08158).
        Convention: the weight :math:`\mathrm{IoU}^\gamma` is detached, so the
        gradient is :math:`\mathrm{IoU}^\gamma \nabla L_{\mathrm{EIoU}}`. The
        paper presents it as a re-weighting, and its derivative
        :math:`\gamma\,\mathrm{IoU}^{\gamma - 1}` is unbounded as
        :math:`\mathrm{IoU} \to 0` for the default :math:`\gamma = 0.5`
        (NaN gradients for disjoint boxes).
    """
    gamma = scalar_in_range(gamma, "gamma", lo=0.0)
    g, dtype = _geometry(pred, target, eps)
    return _reduce(g.iou.detach() ** gamma * _eiou(g, eps), reduction, dtype)


def siou_loss(
    pred: Any, target: Any, *, theta: float = 4.0, reduction: Reduction = "none", eps: float = 1e-7
) -> torch.Tensor:
    r"""SIoU loss: IoU loss plus angle-aware distance cost and shape cost.

    .. math::
        \Lambda = 1 - 2\sin^2\!\left(\arcsin\frac{|c_h|}{\sigma} - \frac{\pi}{4}\right)
                = \sin 2\alpha = \frac{2\,|c_w|\,|c_h|}{\sigma^2},

        \Delta = \sum_{t \in \{x, y\}} \left(1 - e^{-(2 - \Lambda)\rho_t}\right), \quad
        \rho_x = \left(\frac{b^{gt}_{c_x} - b_{c_x}}{C_w}\right)^2, \quad
        \rho_y = \left(\frac{b^{gt}_{c_y} - b_{c_y}}{C_h}\right)^2,

        \Omega = \sum_{t \in \{w, h\}} \left(1 - e^{-\omega_t}\right)^{\theta}, \quad
        \omega_w = \frac{|w - w^{gt}|}{\max(w, w^{gt})}, \quad
        \omega_h = \frac{|h - h^{gt}|}{\max(h, h^{gt})},

        L_{\mathrm{SIoU}} = 1 - \mathrm{IoU} + \frac{\Delta + \Omega}{2}

    with :math:`(c_w, c_h)` the offset between the box centres,
    :math:`\sigma = \sqrt{c_w^2 + c_h^2}` their distance, :math:`\alpha` the
    angle of the centre-to-centre line with the x axis and :math:`C_w, C_h`
    the size of the smallest enclosing box.

    Args:
        pred: predicted boxes, shape ``(..., 4)``, xyxy.
        target: ground-truth boxes, same shape as ``pred``.
        theta: shape-cost exponent, ``> 0`` (the paper uses 2 to 6).
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        eps: added to the union, :math:`\sigma^2`, :math:`C_w^2`, :math:`C_h^2`
            and :math:`\max(w, w^{gt})`, :math:`\max(h, h^{gt})`.

    Returns:
        The loss, shape ``(...)`` for ``reduction="none"``, else a scalar.

    Reference:
        Gevorgyan, "SIoU Loss: More Powerful Learning for Bounding Box
        Regression", arXiv:2205.12740, 2022. The angle cost is evaluated in the
        closed form :math:`2|c_w||c_h| / (\sigma^2 + \varepsilon)`, equal to
        the paper's arcsin form but without the infinite slopes of
        :math:`\arcsin` at 1 and of :math:`\sigma` at coincident centres. Where the shape cost
        has a kink (:math:`w = w^{gt}`) and :math:`\theta < 1`, the gradient is
        taken as 0.
    """
    theta = scalar_in_range(theta, "theta", lo=0.0, lo_open=True)
    g, dtype = _geometry(pred, target, eps)
    angle = 2 * g.center_dx.abs() * g.center_dy.abs() / (g.center_dist2 + eps)
    rate = 2 - angle
    distance = (1 - torch.exp(-rate * g.center_dx**2 / (g.enclosing_w**2 + eps))) + (
        1 - torch.exp(-rate * g.center_dy**2 / (g.enclosing_h**2 + eps))
    )
    shape = _shape_cost(g.pred_w, g.target_w, theta, eps)
    shape = shape + _shape_cost(g.pred_h, g.target_h, theta, eps)
    return _reduce(1 - g.iou + (distance + shape) / 2, reduction, dtype)

