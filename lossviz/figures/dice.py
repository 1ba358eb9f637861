"""Figures of the chapter "Dice loss and gradient saturation" (``book/dice.md``).

The chapter computes the masks, gradients and shares the prose talks about; the
functions here only draw them. Gradient maps are drawn on one linear colour scale
(:data:`GRADIENT_SCALE`), so that equal colours mean equal gradients in every map.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..dice import dice_loss
from ..plotting import COLOURS, LOSS_COLOURS
from ..sliders import Slider, SliderFigure, slider_figure

__all__ = [
    "CONFIDENCE",
    "DICE_WEIGHT",
    "GRADIENT_SCALE",
    "REST_CONFIDENCE",
    "combination_slider",
    "empty_label_losses",
    "one_pixel_gradient",
    "overlap_map",
    "pixel_gradient_slider",
    "segmentation_slider",
    "small_object_jumps",
    "untouched_pixels",
]

DICE, CE, FOCAL = LOSS_COLOURS["dice"], LOSS_COLOURS["ce"], LOSS_COLOURS["focal"]

# How confident and correct the rest of the image is while one pixel sweeps.
REST_CONFIDENCE = Slider(0, 1, 0.04, value=0, label="confidence of the rest")
# How confidently the toy network states its (slightly shifted) belief.
CONFIDENCE = Slider(0, 1, 0.05, value=0, label="confidence", static=11)
# λ in λ·Dice + (1 − λ)·BCE.
DICE_WEIGHT = Slider(0, 1, 0.05, value=0.5, label="λ (Dice weight)", static=11)

# Gradient maps in units of 1e-4, clipped at ±5e-4: a few boundary pixels exceed it
# late on, which the colour bars' pointed ends say.
GRADIENT_SCALE = 1e4
_GRADIENT_COLOURS = {"cmap": "RdBu_r", "vmin": -5, "vmax": 5}
_GRADIENT_UNIT = "∂L/∂x (×10⁻⁴)"


def overlap_map(predicted: torch.Tensor, truth: torch.Tensor) -> Figure:
    """The prediction against the truth, cropped to the object: each pixel is a
    true negative, false positive, false negative or true positive, with the counts
    in the legend. Dice is 2 TP / (2 TP + FP + FN); the true negatives play no part.
    """
    fp, fn, tp = predicted * (1 - truth), (1 - predicted) * truth, predicted * truth
    outcome = fp + 2 * fn + 3 * tp  # 0 = true negative
    colours = ["0.96", COLOURS["prediction"], COLOURS["positive"], COLOURS["target"]]
    names = [
        "true negative",
        f"false positive ({fp.sum():.0f})",
        f"false negative ({fn.sum():.0f})",
        f"true positive ({tp.sum():.0f})",
    ]
    fig = Figure(figsize=(6.5, 5))
    ax = fig.subplots()
    # Crop to the object; the rest is true negative.
    ax.imshow(
        outcome[14:36, 14:36].numpy(),
        cmap=ListedColormap(colours),
        vmin=-0.5,
        vmax=3.5,
        extent=(13.5, 35.5, 35.5, 13.5),
    )
    # Pixels are counted: ticks at whole pixels, not at 17.5.
    ticks = range(15, 36, 5)
    ax.set(
        xlabel="column (pixel)",
        ylabel="row (pixel)",
        title="Prediction against truth (crop)",
        xticks=ticks,
        yticks=ticks,
    )
    ax.grid(False)
    ax.legend(
        handles=[Patch(facecolor=c, edgecolor="0.5", label=n) for c, n in zip(colours, names)],
        loc="upper left",
        bbox_to_anchor=(1.02, 1),
        frameon=False,
    )
    return fig


def empty_label_losses(shape: tuple[int, int] = (48, 48), smooths: Sequence[float] = (0.0, 1.0, 10.0)) -> Figure:
    """Dice loss of an image with no object against the total predicted probability
    Σ p (spread evenly), for a few smoothing constants s: without smoothing any
    mass costs the full loss, with smoothing the loss rises from 0 to 1 as Σ p
    passes s.
    """
    pixels = shape[0] * shape[1]
    mass = torch.logspace(-3, 3, 121, dtype=torch.float64)
    logits = torch.logit(mass / pixels)[:, None, None].expand(-1, *shape)
    empty = torch.zeros(len(mass), *shape, dtype=torch.float64)
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    for s, style in zip(smooths, [":", "-", "--"]):
        losses = dice_loss(logits, empty, smooth=s, reduction="none")
        ax.plot(mass, losses, style, color=DICE, label=f"smooth s = {s:g}")
    ax.set(
        xscale="log",
        xlabel="total predicted probability Σ p on an image with no object",
        ylabel="Dice loss",
        ylim=(-0.03, 1.05),
        title="An empty label: smoothing sets the tolerance",
    )
    ax.legend(loc="center right")
    return fig


def untouched_pixels(
    settled: torch.Tensor,
    dice_grads: torch.Tensor,
    bce_grads: torch.Tensor,
    centre: tuple[int, int],
    corner: tuple[int, int],
) -> Figure:
    """|gradient| at two pixels that never change (the disc centre and a background
    corner) while more and more *other* pixels settle: Dice's rise, BCE's stay put.

    ``dice_grads`` and ``bce_grads`` hold one gradient map per entry of ``settled``.
    """
    fig = Figure(figsize=(9, 4.8))
    ax = fig.subplots()
    for (r, c), style, name in [(centre, "-", "disc centre (label 1)"), (corner, "--", "corner (label 0)")]:
        ax.plot(settled, dice_grads[:, r, c].abs(), style, color=DICE, label=f"Dice, {name}")
        ax.plot(settled, bce_grads[:, r, c].abs(), style, color=CE, label=f"BCE, {name}")
    ax.set(
        yscale="log",
        xlabel="number of OTHER background pixels made confident (logit −6)",
        ylabel="|∂L/∂x| at the watched pixel",
        title="Untouched pixels, changing Dice gradients",
    )
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return fig


def one_pixel_gradient(x: torch.Tensor, fg_grad: torch.Tensor, bg_grad: torch.Tensor, peak: int) -> Figure:
    """|∂L/∂x| of the one-pixel Dice loss against the pixel's logit, for labels 1
    and 0, next to BCE's for label 1: Dice's is a bump that saturates on both
    sides (and is exactly 0 for label 0), BCE's keeps pushing a wrong pixel.
    The bump's ``peak`` (an index into ``x``) is marked.
    """
    fig = Figure(figsize=(8.5, 4.5))
    ax = fig.subplots()
    ax.plot(x, fg_grad.abs(), color=DICE, label="Dice, label t = 1")
    ax.plot(x, bg_grad.abs(), ":", color=DICE, label="Dice, label t = 0 (exactly 0)")
    ax.plot(x, (torch.sigmoid(x) - 1).abs(), color=CE, label="BCE, label t = 1")
    ax.plot(x[peak], fg_grad.abs()[peak], "o", color="k", ms=8)
    ax.annotate(
        f"peak at x = {x[peak]:.3f}, p = {torch.sigmoid(x[peak]):.3f}",
        (x[peak], fg_grad.abs()[peak]),
        xytext=(1.0, 0.55),
        arrowprops={"arrowstyle": "->"},
    )
    ax.axvline(0, color="0.6", lw=1)
    ax.set(
        xlabel="logit x of the single pixel",
        ylabel="|∂L/∂x|",
        ylim=(-0.02, 1.05),
        title="One-pixel Dice: a bump that saturates on both sides",
    )
    ax.legend(loc="upper right")
    return fig


def pixel_gradient_slider(
    probability: torch.Tensor,
    sweeps: Mapping[str, Sequence[Mapping[str, torch.Tensor]]],
    watched: Mapping[str, tuple[int, int]],
    truth: torch.Tensor,
) -> SliderFigure:
    """|gradient| at one foreground and one background pixel against that pixel's
    probability (log scale), Dice by autograd (line) and by formula (dots) and BCE,
    while the slider sets how confident and correct the rest of the image is: the
    Dice curves are bells that saturate even where the pixel is wrong, and rise as
    the rest becomes confident.

    ``sweeps[name][REST_CONFIDENCE.index(c)]`` holds the ``"dice"``, ``"formula"``
    and ``"bce"`` gradients of the pixel ``watched[name]`` at every ``probability``.
    """

    def setup(fig: Figure):
        axes = fig.subplots(1, 2, sharey=True)
        lines = []
        for ax, (name, pixel) in zip(axes, watched.items()):
            wrong = (0, 0.5) if truth[pixel] == 1 else (0.5, 1)
            ax.axvspan(*wrong, color="0.92", lw=0)
            ax.text(sum(wrong) / 2, 2e-2, "pixel is wrong", ha="center", color="0.35")
            first = sweeps[name][0]
            ax.plot(probability, first["bce"].abs(), color=CE, label="BCE (mean)")
            # zorder: what the slider changes is drawn last, so blitting redraws nothing else.
            (dice_line,) = ax.plot(probability, first["dice"].abs(), color=DICE, zorder=10, label="Dice, autograd")
            (dots,) = ax.plot(
                probability[::6],
                first["formula"][::6].abs(),
                "o",
                color="k",
                ms=5,
                zorder=11,
                label="Dice, formula",
            )
            ax.set(
                yscale="log",
                xlim=(0, 1),
                ylim=(1e-9, 1e-1),
                xlabel=f"probability p of the {name} pixel",
                title=f"{name} pixel (label {int(truth[pixel])})",
            )
            lines.append((name, dice_line, dots))
        axes[0].set_ylabel("|∂L/∂x| at that pixel")
        axes[1].legend(loc="lower center")

        def update(confidence: float):
            i = REST_CONFIDENCE.index(confidence)
            for name, dice_line, dots in lines:
                dice_line.set_ydata(sweeps[name][i]["dice"].abs())
                dots.set_ydata(sweeps[name][i]["formula"][::6].abs())
            return [artist for _, dice_line, dots in lines for artist in (dice_line, dots)]

        return update

    return slider_figure(
        setup,
        confidence=REST_CONFIDENCE,
        figsize=(11, 5),
        alt="Gradient magnitude at one foreground and one background pixel "
        "against that pixel's probability, log scale, for Dice and BCE",
    )


def _coloured(frames: torch.Tensor, cmap: str, vmin: float, vmax: float) -> tuple[ScalarMappable, np.ndarray]:
    """Colour every frame once, ahead of time: RGBA images are the cheapest to redraw."""
    mappable = ScalarMappable(Normalize(vmin, vmax), cmap)
    return mappable, mappable.cmap(mappable.norm(np.asarray(frames)), bytes=True)


def _map_axes(ax: Axes) -> None:
    """An image panel: no ticks, grid or spines."""
    ax.set(xticks=[], yticks=[])
    ax.grid(False)
    ax.spines[:].set_visible(False)


def segmentation_slider(
    probability: torch.Tensor,
    dice_grads: torch.Tensor,
    bce_grads: torch.Tensor,
    truth: torch.Tensor,
    on_object: tuple[torch.Tensor, torch.Tensor],
    on_wrong: tuple[torch.Tensor, torch.Tensor],
) -> SliderFigure:
    """The toy network's prediction and the Dice and BCE gradient maps (one colour
    scale) as the slider raises its confidence, and the share of each loss's total
    |gradient| on the object and on the wrong pixels: Dice mines the object at the
    start, but at the confident end BCE aims at the mistakes and Dice at the
    uncertain boundary.

    The first three arguments hold one map per value of :data:`CONFIDENCE`;
    ``on_object`` and ``on_wrong`` are the (Dice, BCE) shares, as fractions, per value.
    """

    def setup(fig: Figure):
        (ax_p, ax_dice), (ax_bce, ax_share) = fig.subplots(2, 2)
        panels = [
            (ax_p, probability, {"cmap": "viridis", "vmin": 0, "vmax": 1}, "prediction", "probability p"),
            (ax_dice, GRADIENT_SCALE * dice_grads, _GRADIENT_COLOURS, "Dice gradient", _GRADIENT_UNIT),
            (ax_bce, GRADIENT_SCALE * bce_grads, _GRADIENT_COLOURS, "BCE gradient", _GRADIENT_UNIT),
        ]
        images, outlines = [], []
        for ax, values, colours, title, unit in panels:
            mappable, frames = _coloured(values, **colours)
            # zorder: what the slider changes is drawn last, so blitting redraws nothing else.
            image = ax.imshow(frames[0], interpolation="nearest", zorder=10)
            outlines.append(ax.contour(truth, levels=[0.5], colors="k", linewidths=1.2, zorder=11))
            ax.set_title(title)
            _map_axes(ax)
            ends = "neither" if ax is ax_p else "both"
            fig.colorbar(mappable, ax=ax, shrink=0.9, label=unit, extend=ends)
            images.append((image, frames))
        steps = CONFIDENCE.grid()
        for k, (colour, name) in enumerate([(DICE, "Dice"), (CE, "BCE")]):
            ax_share.plot(steps, 100 * on_object[k], color=colour, label=f"{name}: on the object")
            ax_share.plot(steps, 100 * on_wrong[k], "--", color=colour, label=f"{name}: on wrong pixels")
        marker = ax_share.axvline(0, color="k", lw=1.5, zorder=10)
        ax_share.set(
            xlim=(0, 1),
            ylim=(0, 100),
            xlabel="confidence of the prediction",
            ylabel="% of total |gradient|",
            title="Where the gradient goes",
        )
        ax_share.legend(fontsize=10, loc="upper left")

        def update(confidence: float):
            i = CONFIDENCE.index(confidence)
            for image, frames in images:
                image.set_data(frames[i])
            marker.set_xdata([confidence, confidence])
            # The outlines are returned too, so they are redrawn on top of the new images.
            return [image for image, _ in images] + outlines + [marker]

        return update

    return slider_figure(
        setup,
        confidence=CONFIDENCE,
        figsize=(9, 7.6),
        alt="Heatmaps of the predicted probability, the Dice gradient and the "
        "BCE gradient on a 48 by 48 image with a small disc, and the share of "
        "gradient on the object and on wrong pixels",
    )


def combination_slider(
    combined_maps: torch.Tensor,
    bce_shares: torch.Tensor,
    focal_shares: torch.Tensor,
    groups: Mapping[str, torch.Tensor],
    truth: torch.Tensor,
    probability: torch.Tensor,
) -> SliderFigure:
    """The gradient map of λ·Dice + (1 − λ)·BCE near the object (the colour scale of
    :func:`segmentation_slider`) and bars of the percent of the total |gradient| in
    each group of pixels, for Dice + BCE and Dice + focal, as the slider moves λ:
    BCE aims at the missed pixels, Dice at the unsure ones, the mixture does both.

    ``combined_maps`` and the shares (one column per group) have one row per value
    of :data:`DICE_WEIGHT`; ``groups`` maps a bar's label to its pixels.
    """

    def setup(fig: Figure):
        ax_map, ax_bars = fig.subplots(1, 2, width_ratios=[1, 1.1])
        crop = (slice(12, 37), slice(12, 40))  # the object and its surroundings
        extent = (11.5, 39.5, 36.5, 11.5)
        mappable, frames = _coloured(GRADIENT_SCALE * combined_maps[:, crop[0], crop[1]], **_GRADIENT_COLOURS)
        # zorder: what the slider changes is drawn last, so blitting redraws nothing else.
        combined_image = ax_map.imshow(frames[0], interpolation="nearest", extent=extent, zorder=10)
        outlines = [
            ax_map.contour(truth.numpy(), levels=[0.5], colors="k", linewidths=1.5, zorder=11),
            ax_map.contour(probability.numpy(), levels=[0.5], colors="k", linewidths=1.5, linestyles="--", zorder=11),
        ]
        ax_map.set(
            title="gradient of λ·Dice + (1−λ)·BCE",
            xlim=extent[:2],
            ylim=extent[2:],
            xlabel="solid: truth    dashed: prediction (p = 0.5)",
        )
        _map_axes(ax_map)
        fig.colorbar(mappable, ax=ax_map, shrink=0.85, label=_GRADIENT_UNIT, extend="both")
        positions = np.arange(len(groups))
        bars = [
            ax_bars.bar(positions + offset, shares[0].numpy(), 0.4, color=colour, zorder=10, label=label)
            for offset, shares, colour, label in [
                (-0.2, bce_shares, CE, "Dice + BCE"),
                (0.2, focal_shares, FOCAL, "Dice + focal"),
            ]
        ]
        counts = [f"{name}\n({int(m.sum())} px)" for name, m in groups.items()]
        ax_bars.set_xticks(positions, counts, fontsize=11)
        ax_bars.set(ylim=(0, 100), ylabel="% of total |gradient|", title="Where the gradient goes")
        ax_bars.legend(loc="upper right")

        def update(weight: float):
            i = DICE_WEIGHT.index(weight)
            combined_image.set_data(frames[i])
            for container, shares in zip(bars, (bce_shares, focal_shares)):
                for bar, value in zip(container, shares[i]):
                    bar.set_height(value.item())
            return [combined_image, *outlines, *bars[0], *bars[1]]

        return update

    return slider_figure(
        setup,
        weight=DICE_WEIGHT,
        figsize=(11.5, 5.2),
        alt="The gradient map of a weighted Dice plus BCE loss, and bars of "
        "the share of gradient on missed, false-alarm, unsure and confident "
        "pixels",
    )


def small_object_jumps(areas: Sequence[int], jumps: np.ndarray, spread: np.ndarray) -> Figure:
    """Two panels against the object's area: the loss increase when one pixel is
    missed, and the spread (std / mean) of the gradient norm under logit noise.
    Dice's fall with the area, mean BCE's stay flat: small objects make Dice jumpy.

    ``jumps`` and ``spread`` have one row per area and the columns (Dice, BCE).
    """
    fig = Figure(figsize=(12, 4.8))
    ax_jump, ax_cv = fig.subplots(1, 2)
    ax_jump.plot(areas, jumps[:, 0], "o-", color=DICE, label="Dice loss (smooth = 0)")
    ax_jump.plot(areas, jumps[:, 1], "s-", color=CE, label="mean BCE (logits ±6)")
    ax_jump.set(
        xscale="log",
        yscale="log",
        xlabel="object area (pixels)",
        ylabel="loss increase",
        title="Cost of missing ONE pixel",
    )
    ax_cv.plot(areas, spread[:, 0], "o-", color=DICE, label="Dice")
    ax_cv.plot(areas, spread[:, 1], "s-", color=CE, label="mean BCE")
    ax_cv.set(
        xscale="log",
        xlabel="object area (pixels)",
        ylabel="std / mean of the gradient norm",
        title="Gradient noise under random logit noise",
    )
    for ax in (ax_jump, ax_cv):
        ax.legend()
    return fig
