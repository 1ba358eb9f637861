"""Tests for lossviz.figures.perceptual: each figure draws what the chapter claims."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

import lossviz
from lossviz.figures import perceptual as figures
from lossviz.sliders import SliderFigure


@pytest.fixture(scope="module")
def square():
    image = torch.zeros(1, 1, 32, 32, dtype=torch.float64)
    image[..., 8:24, 8:24] = 1.0
    return image


def test_image_row_shows_each_image_under_its_title(square):
    fig = figures.image_row({"target": square, "dark": torch.zeros_like(square)})
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["target", "dark"]
    assert np.array_equal(fig.axes[0].images[0].get_array(), square.squeeze().numpy())


def test_extractor_view_draws_every_filter_and_its_pooled_response(square):
    filters = lossviz.edge_filters(8, sigma=0.75)
    (pooled,) = lossviz.edge_extractor(8, sigma=0.75, pools=(8,))(square)
    fig = figures.extractor_view(filters, square, pooled)
    titled = [ax for ax in fig.axes if ax.get_title().endswith("°")]
    assert [ax.get_title() for ax in titled] == [f"{a}°" for a in range(0, 360, 45)]
    drawn = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(drawn) == 1 + 2 * 8
    # Row by row: the image and the filters, then the pooled responses.
    assert np.array_equal(drawn[1], filters[0, 0].numpy())
    assert np.array_equal(drawn[9], pooled[0, 0].numpy())


def test_shift_vs_blur_moves_the_image_and_the_dots(square):
    copies = [torch.roll(square, int(s), dims=-1) for s in figures.SHIFT.grid()]
    mse = [F.mse_loss(c, square).item() for c in copies]
    feat = [float(i) for i in range(len(copies))]
    sf = figures.shift_vs_blur(copies, mse, feat, 0.01, 2.5)
    assert isinstance(sf, SliderFigure) and sf.params == {"shift": figures.SHIFT}
    assert figures.SHIFT.grid() == [0, 1, 2, 3, 4, 5, 6]
    ax_image, ax_mse, ax_feat = sf.figure.axes
    frames = []
    for shift in (1, 4):
        frames.append(np.asarray(sf.image(shift=shift)))
        i = figures.SHIFT.index(shift)
        assert np.array_equal(ax_image.images[0].get_array(), copies[i].squeeze().numpy())
        for ax, values in ((ax_mse, mse), (ax_feat, feat)):
            (dot,) = [ln for ln in ax.lines if ln.get_markersize() == 14]
            assert list(dot.get_xdata()) == [shift] and list(dot.get_ydata()) == [values[i]]
    assert not np.array_equal(*frames)
    # The blurred copy's level is the dashed line of each panel.
    assert [ln.get_ydata()[0] for ax in (ax_mse, ax_feat) for ln in ax.lines if ln.get_linestyle() == "--"] == [
        0.01,
        2.5,
    ]


def test_shift_vs_blur_needs_one_entry_per_slider_value(square):
    with pytest.raises(ValueError, match="per slider value"):
        figures.shift_vs_blur([square], [0.0], [0.0], 0.1, 0.1)


def test_shift_vs_blur_live_update_draws_the_full_figure_and_skips_legend_and_title(square):
    copies = [torch.roll(square, int(s), dims=-1) for s in figures.SHIFT.grid()]
    mse = [F.mse_loss(c, square).item() for c in copies]
    sf = figures.shift_vs_blur(copies, mse, [v / 2 for v in mse], 0.01, 0.005)
    ax_image, *loss_axes = sf.figure.axes
    # A live update redraws what lies above a changed artist in z-order: the dots sit
    # above the legends and the title below the picture, so neither is redrawn.
    assert ax_image.title.get_zorder() < ax_image.images[0].get_zorder()
    for ax in loss_axes:
        (dot,) = [ln for ln in ax.lines if ln.get_markersize() == 14]
        assert dot.get_zorder() > ax.get_legend().get_zorder()
    for shift in figures.SHIFT.grid():
        blitted = np.asarray(sf.image(shift=shift))
        for artist in sf.figure.findobj():
            artist.set_animated(False)
        sf.canvas.draw()
        full = np.asarray(sf.canvas.buffer_rgba())[..., :3]
        assert np.array_equal(blitted, full), shift
