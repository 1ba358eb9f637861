"""Tests for lossviz.figures.dice: each figure draws the data it is given, or what
the Dice formulas give, and each slider shows the frame of its value."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from figure_parts import line
from matplotlib import colormaps
from matplotlib.figure import Figure

import lossviz
from lossviz.figures import dice as figures
from lossviz.sliders import SliderFigure

H = W = 48


def disc(row, col, radius):
    rows, cols = torch.meshgrid(torch.arange(H), torch.arange(W), indexing="ij")
    return (((rows - row) ** 2 + (cols - col) ** 2) <= radius**2).double()


def test_overlap_map_shows_each_pixels_outcome_and_counts():
    truth, predicted = disc(24, 24, 4), disc(25, 26, 5)
    fig = figures.overlap_map(predicted, truth)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    # 0 true negative, 1 false positive, 2 false negative, 3 true positive.
    expected = np.select(
        [(predicted == 1) & (truth == 0), (predicted == 0) & (truth == 1), (predicted == 1) & (truth == 1)],
        [1, 2, 3],
        0,
    )[14:36, 14:36]
    assert np.array_equal(np.asarray(ax.images[0].get_array()), expected)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["true negative", "false positive (39)", "false negative (7)", "true positive (42)"]


def test_empty_label_losses_follow_one_minus_s_over_mass_plus_s():
    fig = figures.empty_label_losses((H, W), smooths=(0.0, 1.0, 10.0))
    assert isinstance(fig, Figure)
    lines = fig.axes[0].lines
    assert [ln.get_label() for ln in lines] == ["smooth s = 0", "smooth s = 1", "smooth s = 10"]
    for s, ln in zip((0.0, 1.0, 10.0), lines):
        mass = np.asarray(ln.get_xdata(), dtype=float)
        assert mass[0] == pytest.approx(1e-3) and mass[-1] == pytest.approx(1e3)
        # An empty label: N = s and D = Σp + s.
        assert np.allclose(ln.get_ydata(), 1 - s / (mass + s), rtol=1e-9, atol=1e-12)


def test_untouched_pixels_draws_the_two_pixels_gradients():
    settled = torch.arange(5)
    dice_grads = torch.randn(5, H, W, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    bce_grads = -dice_grads / 7
    fig = figures.untouched_pixels(settled, dice_grads, bce_grads, (24, 24), (2, 2))
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert np.array_equal(line(ax, "Dice, disc centre (label 1)").get_ydata(), dice_grads[:, 24, 24].abs())
    assert np.array_equal(line(ax, "BCE, corner (label 0)").get_ydata(), bce_grads[:, 2, 2].abs())


def test_one_pixel_gradient_is_the_bump_2p_1mp_over_1pp_squared():
    x = torch.linspace(-8, 8, 16001, dtype=torch.float64)

    def grad(t):
        target = torch.full((len(x), 1), t)
        return lossviz.grad(lossviz.dice_loss, x[:, None], target, smooth=0.0, reduction="sum")[:, 0]

    fg, bg = grad(1.0), grad(0.0)
    peak = int(fg.abs().argmax())
    fig = figures.one_pixel_gradient(x, fg, bg, peak)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    p = torch.sigmoid(x)
    assert np.allclose(line(ax, "Dice, label t = 1").get_ydata(), 2 * p * (1 - p) / (1 + p) ** 2, atol=1e-15)
    assert np.array_equal(line(ax, "Dice, label t = 0 (exactly 0)").get_ydata(), np.zeros(len(x)))
    assert np.allclose(line(ax, "BCE, label t = 1").get_ydata(), 1 - p)
    assert "p = 0.333" in ax.texts[0].get_text()


def test_pixel_gradient_slider_shows_the_frame_of_the_rests_confidence():
    probability = torch.linspace(0.01, 0.99, 13, dtype=torch.float64)
    frames = len(figures.REST_CONFIDENCE.grid())
    assert frames == 26
    sweeps = {
        name: [
            {key: (k + 1) * scale * 1e-3 * probability for key, scale in (("dice", 1), ("formula", 1), ("bce", 2))}
            for k in range(frames)
        ]
        for name in ("foreground", "background")
    }
    watched = {"foreground": (24, 24), "background": (8, 8)}
    slider = figures.pixel_gradient_slider(probability, sweeps, watched, disc(24, 24, 4))
    assert isinstance(slider, SliderFigure)
    assert slider.params == {"confidence": figures.REST_CONFIDENCE}
    assert "foreground and one background pixel" in slider.alt
    before = np.asarray(slider.image(confidence=0.0))
    after = np.asarray(slider.image(confidence=0.4))
    assert not np.array_equal(before, after)
    for ax, name in zip(slider.figure.axes, watched):
        assert np.array_equal(line(ax, "Dice, autograd").get_ydata(), sweeps[name][10]["dice"])
        assert np.array_equal(line(ax, "Dice, formula").get_ydata(), sweeps[name][10]["formula"][::6])
    with pytest.raises(ValueError, match="grid"):
        slider.image(confidence=0.41)


def test_segmentation_slider_shows_the_maps_and_shares_of_the_confidence():
    steps = len(figures.CONFIDENCE.grid())
    gen = torch.Generator().manual_seed(1)
    probability = torch.rand(steps, H, W, generator=gen, dtype=torch.float64)
    dice_grads = 1e-4 * torch.randn(steps, H, W, generator=gen, dtype=torch.float64)
    bce_grads = 1e-4 * torch.randn(steps, H, W, generator=gen, dtype=torch.float64)
    ramp = torch.linspace(0, 1, steps, dtype=torch.float64)
    slider = figures.segmentation_slider(
        probability, dice_grads, bce_grads, disc(24, 24, 4), on_object=(ramp, 1 - ramp), on_wrong=(ramp / 2, ramp / 3)
    )
    assert isinstance(slider, SliderFigure)
    assert slider.params == {"confidence": figures.CONFIDENCE}
    _, ax_dice, ax_bce, ax_share = slider.figure.axes[:4]
    assert np.allclose(line(ax_share, "Dice: on the object").get_ydata(), 100 * ramp)
    assert np.allclose(line(ax_share, "BCE: on wrong pixels").get_ydata(), 100 * ramp / 3)
    slider.image(confidence=0.35)
    i = figures.CONFIDENCE.index(0.35)
    # The gradient maps are coloured on one scale: ±5e-4 at the ends of RdBu_r.
    scale = figures.GRADIENT_SCALE * dice_grads[i]
    expected = colormaps["RdBu_r"](((scale + 5) / 10).clamp(0, 1).numpy(), bytes=True)
    assert np.abs(ax_dice.images[0].get_array().astype(int) - expected.astype(int)).max() <= 1
    assert not np.array_equal(ax_bce.images[0].get_array(), ax_dice.images[0].get_array())
    assert list(ax_share.lines[-1].get_xdata()) == [0.35, 0.35]


def test_combination_slider_bars_are_the_shares_of_the_weight():
    weights = len(figures.DICE_WEIGHT.grid())
    gen = torch.Generator().manual_seed(2)
    maps = 1e-4 * torch.randn(weights, H, W, generator=gen, dtype=torch.float64)
    bce_shares = 100 * torch.rand(weights, 4, generator=gen, dtype=torch.float64)
    focal_shares = 100 * torch.rand(weights, 4, generator=gen, dtype=torch.float64)
    truth = disc(24, 24, 4)
    groups = {"a": truth.bool(), "b": ~truth.bool(), "c": truth.bool(), "d": truth.bool()}
    slider = figures.combination_slider(maps, bce_shares, focal_shares, groups, truth, disc(24, 26, 4))
    assert isinstance(slider, SliderFigure)
    assert slider.params == {"weight": figures.DICE_WEIGHT}
    ax_bars = slider.figure.axes[1]
    assert [t.get_text() for t in ax_bars.get_xticklabels()] == [
        "a\n(49 px)",
        "b\n(2255 px)",
        "c\n(49 px)",
        "d\n(49 px)",
    ]
    before = np.asarray(slider.image(weight=0.5))
    after = np.asarray(slider.image(weight=0.9))
    assert not np.array_equal(before, after)
    i = figures.DICE_WEIGHT.index(0.9)
    bce_bars, focal_bars = ax_bars.containers
    assert np.allclose([bar.get_height() for bar in bce_bars], bce_shares[i])
    assert np.allclose([bar.get_height() for bar in focal_bars], focal_shares[i])


def test_small_object_jumps_draws_the_columns_per_area():
    areas = [1, 4, 9, 16]
    jumps = np.array([[1 / (2 * n - 1), 0.002] for n in areas])
    spread = np.array([[0.3 / n, 0.04] for n in areas])
    fig = figures.small_object_jumps(areas, jumps, spread)
    assert isinstance(fig, Figure)
    ax_jump, ax_cv = fig.axes
    assert np.array_equal(line(ax_jump, "Dice loss (smooth = 0)").get_ydata(), jumps[:, 0])
    assert np.array_equal(line(ax_jump, "mean BCE (logits ±6)").get_xdata(), areas)
    assert np.array_equal(line(ax_cv, "Dice").get_ydata(), spread[:, 0])
    assert np.array_equal(line(ax_cv, "mean BCE").get_ydata(), spread[:, 1])
