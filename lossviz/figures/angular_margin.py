"""Figures of the chapter on angular-margin softmax losses (``book/angular_margin.md``).

The circle figures place two unit class weights in the plane, :math:`W_1` and
:math:`W_2`, :data:`HALF_ANGLE` either side of the vertical, and colour each
direction of a unit feature by the class whose margin it satisfies: class 1 where
:math:`\\psi(\\theta_1) > \\cos\\theta_2`, class 2 where :math:`\\psi(\\theta_2) >
\\cos\\theta_1`, neither in the gap between them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import partial

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..angular_margin import arcface_psi, cosface_psi, sphereface_psi
from ..plotting import COLOURS, LOSS_COLOURS, shade
from ..sliders import Slider, SliderFigure, slider_figure

__all__ = [
    "ANGULAR_COLOURS",
    "HALF_ANGLE",
    "MARGIN",
    "gap_degrees",
    "margin_circles",
    "regions",
    "sphereface_circles",
    "target_logit_curves",
]

# Softmax is cross-entropy and keeps its colour; the margin variants borrow the
# classification palette's other colours, which are distinct from it and each other.
ANGULAR_COLOURS: dict[str, str] = {
    "softmax": LOSS_COLOURS["ce"],
    "SphereFace": LOSS_COLOURS["ghm"],
    "CosFace": LOSS_COLOURS["focal"],
    "ArcFace": LOSS_COLOURS["alpha_ce"],
    "ArcFace, easy margin": LOSS_COLOURS["alpha_ce"],
}

MARGIN = Slider(0, 0.8, 0.05, value=0.35, label="margin m")
# W1 and W2 are 70° apart: close enough that the margins' differences show.
HALF_ANGLE = math.radians(35)
_DIRECTIONS = 720  # half-degree directions around the circle
_REGION_COLOURS = {1: COLOURS["positive"], 2: COLOURS["negative"], 0: shade(COLOURS["easy"], 0.6)}

Psi = Callable[[torch.Tensor], torch.Tensor]


def regions(psi: Psi, phi: np.ndarray, half_angle: float = HALF_ANGLE) -> np.ndarray:
    """For each feature direction ``phi`` (radians), 1 or 2 for the class whose margin it meets, else 0.

    ``psi`` maps :math:`\\cos\\theta` to the margin-adjusted target cosine; the
    class weights point at :math:`\\pi/2 \\mp` ``half_angle``.
    """
    phi_t = torch.as_tensor(phi, dtype=torch.float64)
    cos1 = torch.cos(phi_t - (math.pi / 2 - half_angle))
    cos2 = torch.cos(phi_t - (math.pi / 2 + half_angle))
    label = np.zeros(len(phi_t), dtype=int)
    label[(psi(cos1) > cos2).numpy()] = 1
    label[(psi(cos2) > cos1).numpy()] = 2
    return label


def gap_degrees(psi: Psi, half_angle: float = HALF_ANGLE, resolution: int = 4001) -> float:
    """Width, in degrees, of the arc between the two weights where neither class's margin holds."""
    phi = np.linspace(math.pi / 2 - half_angle, math.pi / 2 + half_angle, resolution)
    return float(np.degrees(2 * half_angle) * np.mean(regions(psi, phi, half_angle) == 0))


def _ring(ax: Axes, title: str) -> PolyCollection:
    """An empty ring for :func:`_paint`, the two class weights, and softmax's boundary."""
    # Above everything else in the axes: an update then redraws only the ring and the gap text.
    ring = PolyCollection([], edgecolors="face", linewidths=0.5, zorder=5)
    ax.add_collection(ring)
    for sign, name in ((-1, "W₁"), (1, "W₂")):
        angle = math.pi / 2 + sign * HALF_ANGLE
        colour = COLOURS["positive"] if sign < 0 else COLOURS["negative"]
        tip = (0.78 * math.cos(angle), 0.78 * math.sin(angle))
        ax.annotate("", tip, (0, 0), arrowprops={"color": colour, "width": 2})
        # Beside the shaft, on the side away from the bisector: clear of the arrow
        # and of the ring at any panel size.
        ax.annotate(
            name,
            (0.45 * math.cos(angle), 0.45 * math.sin(angle)),
            xytext=(-6 * sign, 0),
            textcoords="offset points",
            ha="left" if sign < 0 else "right",
            va="center",
            color=colour,
            fontsize=14,
        )
    ax.plot([0, 0], [-1.15, 1.15], ls="--", color=COLOURS["reference"], lw=1.2, zorder=2)
    ax.set(xlim=(-1.25, 1.25), ylim=(-1.25, 1.25), aspect="equal", title=title)
    ax.axis("off")
    return ring


def _paint(ring: PolyCollection, label: np.ndarray) -> None:
    """Colour the ring by ``label`` (one per direction), one annular sector per run of equal labels."""
    # A sector per run, not per direction: a handful of polygons draw far faster than 360.
    starts = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
    ends = np.r_[starts[1:], len(label)]
    step = 2 * math.pi / len(label)
    sectors = []
    for a, b in zip(starts, ends):
        angles = np.linspace(a * step, b * step, b - a + 1)
        outer = np.c_[np.cos(angles), np.sin(angles)]
        sectors.append(np.r_[outer, 0.82 * outer[::-1]])
    ring.set_verts(sectors)
    ring.set_facecolor([_REGION_COLOURS[int(label[a])] for a in starts])


def _legend(fig: Figure) -> None:
    handles = [
        Patch(color=_REGION_COLOURS[1], label="class 1 by its margin"),
        Patch(color=_REGION_COLOURS[2], label="class 2 by its margin"),
        Patch(color=_REGION_COLOURS[0], label="neither: the gap"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=12)


def margin_circles() -> SliderFigure:
    """CosFace's and ArcFace's class regions on the unit circle, for the margin of :data:`MARGIN`.

    The claim: ArcFace's gap between the classes is :math:`m` radians wide
    whatever the angle between them; CosFace's margin is fixed in cosine, so its
    angular gap depends on where the classes sit.
    """
    phi = (np.arange(_DIRECTIONS) + 0.5) * 2 * math.pi / _DIRECTIONS
    variants = {"CosFace": (cosface_psi, "cos θ − m"), "ArcFace": (arcface_psi, "cos(θ + m)")}
    # Per slider value and variant: the colours of the ring and the gap, looked up by update.
    frames = {
        name: [(regions(partial(psi, margin=m), phi), gap_degrees(partial(psi, margin=m))) for m in MARGIN.grid()]
        for name, (psi, _) in variants.items()
    }

    def setup(fig: Figure):
        axes = dict(zip(variants, fig.subplots(1, 2)))
        rings = {name: _ring(axes[name], f"{name}: ψ(θ) = {formula}") for name, (_, formula) in variants.items()}
        gaps = {
            name: ax.text(0, -0.35, "", ha="center", fontsize=13, zorder=6, bbox={"color": "white"}) for name, ax in axes.items()
        }
        _legend(fig)

        def update(margin: float):
            i = MARGIN.index(margin)
            for name in variants:
                label, gap = frames[name][i]
                _paint(rings[name], label)
                gaps[name].set_text(f"gap: {gap:.1f}°")
            return [*rings.values(), *gaps.values()]

        return update

    return slider_figure(
        setup,
        figsize=(10, 5.4),
        margin=MARGIN,
        alt="Two class weights 70 degrees apart on the unit circle; each direction is coloured by the class "
        "whose CosFace (left) or ArcFace (right) margin it satisfies, with a grey gap where neither holds",
    )


def sphereface_circles(margins: tuple[int, ...] = (1, 2, 3, 4)) -> Figure:
    """SphereFace's class regions on the unit circle for each integer margin (1 is plain softmax).

    The claim: the multiplicative margin widens the gap between the classes
    with :math:`m`, from nothing at :math:`m = 1`.
    """
    fig = Figure(figsize=(11, 3.9))
    phi = (np.arange(_DIRECTIONS) + 0.5) * 2 * math.pi / _DIRECTIONS
    for ax, m in zip(fig.subplots(1, len(margins)), margins):
        psi = partial(sphereface_psi, margin=m)
        _paint(_ring(ax, f"m = {m}: gap {gap_degrees(psi):.1f}°"), regions(psi, phi))
    _legend(fig)
    return fig


def target_logit_curves(theta_degrees: np.ndarray, curves: Mapping[str, np.ndarray]) -> Figure:
    """The target cosine ψ(θ) of each variant against the angle θ to the class weight.

    ``curves[name]`` holds ψ at each angle, for the names of
    :data:`ANGULAR_COLOURS`. The claim: every margin lowers the target logit
    below softmax's :math:`\\cos\\theta`, by an amount that depends on θ
    differently for each variant.
    """
    fig = Figure(figsize=(10, 5))
    ax = fig.subplots()
    for name, values in curves.items():
        dashed = name.endswith("easy margin")
        style = {"ls": "--", "lw": 2} if dashed else {"lw": 2.5}
        ax.plot(theta_degrees, values, color=ANGULAR_COLOURS[name], label=name, **style)
    ax.set(
        xlabel="angle θ between feature and its class weight (degrees)",
        ylabel="target logit / s:  ψ(θ)",
        xlim=(0, 180),
        ylim=(-2.2, 1.1),
        xticks=range(0, 181, 30),
        title="How each margin lowers the true class's logit",
    )
    ax.legend(loc="lower left")
    return fig
