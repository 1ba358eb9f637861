"""Figures of the chapter on perceptual losses (``book/perceptual.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from ..plotting import COLOURS, LOSS_COLOURS
from ..sliders import Slider, SliderFigure, slider_figure

__all__ = ["SHIFT", "extractor_view", "image_row", "shift_vs_blur"]

MSE_COLOUR = LOSS_COLOURS["mse"]
# No other chapter draws a perceptual loss; black keeps it apart from MSE's gold.
PERCEPTUAL_COLOUR = LOSS_COLOURS["other"]
BLUR_COLOUR = COLOURS["reference"]

SHIFT = Slider(0, 6, 1, value=1, label="shift (pixels)")


def _show(ax, image: torch.Tensor, title: str) -> None:
    ax.imshow(image.squeeze().numpy(), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set(xticks=[], yticks=[], title=title)
    ax.grid(False)


def image_row(images: Mapping[str, torch.Tensor]) -> Figure:
    """Grey-level images side by side, each under its title (the mapping's keys).

    The claim is in the titles the chapter writes: which copy each loss prefers.
    """
    fig = Figure(figsize=(3.4 * len(images), 3.6))
    for ax, (title, image) in zip(np.atleast_1d(fig.subplots(1, len(images))), images.items()):
        _show(ax, image, title)
    return fig


def extractor_view(filters: torch.Tensor, image: torch.Tensor, pooled: torch.Tensor) -> Figure:
    """The extractor's oriented filters (top row) and the pooled responses of ``image`` to each (bottom row).

    ``filters`` is ``(K, 1, S, S)``, ``pooled`` is ``(1, K, h, w)``. The claim: each
    filter answers to edges of one direction and polarity, and pooling keeps only
    a coarse map of where they are.
    """
    n = filters.shape[0]
    # Narrow enough that the titles stay legible at the page's width (the figure is
    # shown at about two thirds of its natural size).
    fig = Figure(figsize=(1.15 * (n + 1), 2.9))
    axes = fig.subplots(2, n + 1)
    _show(axes[0, 0], image, "image")
    axes[1, 0].set_axis_off()
    limit = filters.abs().max().item()
    strongest = pooled.max().item()
    for j in range(n):
        axes[0, j + 1].imshow(filters[j, 0].numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        axes[0, j + 1].set(xticks=[], yticks=[], title=f"{360 * j // n}°")
        axes[1, j + 1].imshow(pooled[0, j].numpy(), cmap="gray_r", vmin=0, vmax=strongest, interpolation="nearest")
        axes[1, j + 1].set(xticks=[], yticks=[])
        for ax in axes[:, j + 1]:
            ax.grid(False)
    axes[0, 1].set_ylabel("filter")
    axes[1, 1].set_ylabel("pooled\nresponse")
    return fig


def shift_vs_blur(
    shifted: Sequence[torch.Tensor],
    mse: Sequence[float],
    perceptual: Sequence[float],
    blur_mse: float,
    blur_perceptual: float,
) -> SliderFigure:
    """The target shifted by :data:`SHIFT` pixels, and both losses against the shift beside the blurred copy's.

    ``shifted``, ``mse`` and ``perceptual`` hold one entry per value of
    :data:`SHIFT`. The claim: at a shift of one pixel, pixel MSE rates the shifted
    copy worse than the blurred one and the perceptual loss rates it better; a
    larger shift is worse for both.
    """
    if not len(shifted) == len(mse) == len(perceptual) == len(SHIFT.grid()):
        raise ValueError(f"need one image and one loss per slider value, {len(SHIFT.grid())}")
    shifts = SHIFT.grid()
    pictures = [image.squeeze().numpy() for image in shifted]

    def setup(fig: Figure):
        ax_image, ax_mse, ax_perceptual = fig.subplots(1, 3, width_ratios=[1, 1.2, 1.2])
        _show(ax_image, shifted[SHIFT.index(SHIFT.value)], "shifted copy")
        picture = ax_image.images[0]
        # Below the picture in z-order, so that a live update, which redraws whatever
        # lies above a changed artist, skips the title's text (they do not overlap).
        ax_image.title.set_zorder(picture.get_zorder() - 1)
        dots = []
        for ax, values, blurred, colour, name in (
            (ax_mse, mse, blur_mse, MSE_COLOUR, "pixel MSE"),
            (ax_perceptual, perceptual, blur_perceptual, PERCEPTUAL_COLOUR, "perceptual loss"),
        ):
            ax.plot(shifts, values, "-o", color=colour, label="shifted copy")
            ax.axhline(blurred, color=BLUR_COLOUR, ls="--", lw=2, label="blurred copy")
            # Above the legend (zorder 5), which a live update would otherwise redraw
            # over the dot, at twice the cost of the rest of the update.
            (dot,) = ax.plot([], [], "o", ms=14, color=colour, mec="k", zorder=6)
            dots.append((dot, values))
            ax.set(xlabel="shift (pixels)", title=name, xlim=(-0.3, shifts[-1] + 0.3), ylim=(0, 1.1 * max(values)))
            ax.legend(loc="upper left", fontsize=13)

        def update(shift: float):
            i = SHIFT.index(shift)
            picture.set_data(pictures[i])
            for dot, values in dots:
                dot.set_data([shifts[i]], [values[i]])
            return [picture] + [dot for dot, _ in dots]

        return update

    return slider_figure(
        setup,
        figsize=(12, 4.2),
        shift=SHIFT,
        alt="A shifted copy of the test image, and pixel MSE and the perceptual loss against the shift, "
        "each beside the level of the blurred copy",
    )
