"""Tests for lossviz.figures.reference: the catalogue's figures draw the formulas they name."""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from lossviz import COLOURS, LOSS_COLOURS
from lossviz.figures import reference as figures


def _curves_and_dots(fig: Figure):
    lines = fig.axes[0].get_lines()
    return [line for line in lines if line.get_marker() == "None"], [line for line in lines if line.get_marker() == "o"]


def test_poisson_nll_curves_are_rate_minus_count_log_rate_with_the_minimum_at_the_count():
    fig = figures.poisson_nll_curves()
    assert isinstance(fig, Figure)
    curves, dots = _curves_and_dots(fig)
    assert len(curves) == len(dots) == 3
    for y, curve, dot in zip((1, 3, 7), curves, dots):
        rate = np.asarray(curve.get_xdata(), float)
        np.testing.assert_allclose(curve.get_ydata(), rate - y * np.log(rate), rtol=1e-12)
        assert dot.get_xydata().tolist() == [[y, pytest.approx(y - y * np.log(y))]]
        # The dot is the curve's minimum.
        assert np.min(curve.get_ydata()) >= dot.get_ydata()[0] - 1e-12
    assert len({mcolors.to_hex(c.get_color()) for c in curves}) == 3


def test_gaussian_nll_curves_are_smallest_at_the_squared_error():
    fig = figures.gaussian_nll_curves()
    curves, dots = _curves_and_dots(fig)
    assert fig.axes[0].get_xscale() == "log"
    for error, curve, dot in zip((0.3, 1.0, 2.0), curves, dots):
        variance = np.asarray(curve.get_xdata(), float)
        np.testing.assert_allclose(curve.get_ydata(), 0.5 * (np.log(variance) + error**2 / variance), rtol=1e-12)
        assert dot.get_xdata()[0] == pytest.approx(error**2)
        assert np.min(curve.get_ydata()) >= dot.get_ydata()[0] - 1e-12


def test_triplet_regions_draw_the_hinge_and_three_bands():
    fig = figures.triplet_regions()
    ax = fig.axes[0]
    (line,) = ax.get_lines()
    gap = np.asarray(line.get_xdata(), float)
    np.testing.assert_allclose(line.get_ydata(), np.maximum(0, 1 - gap))
    # Two shaded bands, the hard one darker; easy negatives get none.
    hard, semi_hard = ax.patches[:2]
    assert sum(hard.get_facecolor()[:3]) < sum(semi_hard.get_facecolor()[:3])
    assert {t.get_text() for t in ax.texts} == {"hard:\nnegative closer\nthan positive", "semi-hard", "easy:\nloss 0"}


def test_center_loss_features_draw_each_class_in_its_colour_with_the_ratio_in_the_title():
    classes = torch.tensor([0, 0, 1, 1, 2, 2])
    points = torch.arange(12.0).reshape(6, 2)
    fig = figures.center_loss_features(classes, {0.0: points, 0.01: points / 10}, {0.0: 0.5, 0.01: 0.125})
    assert isinstance(fig, Figure)
    left, right = fig.axes
    assert left.get_title() == "λ = 0: spread / separation = 0.500"
    assert right.get_title() == "λ = 0.01: spread / separation = 0.125"
    for c, scatter in enumerate(right.collections):
        np.testing.assert_allclose(scatter.get_offsets(), points[classes == c] / 10)
        assert mcolors.to_hex(scatter.get_facecolor()[0][:3]) == figures.CLASS_COLOURS[c].lower()
    assert set(figures.CLASS_COLOURS) <= set(COLOURS.values())


def test_center_loss_features_share_one_scale_that_holds_every_point():
    classes = torch.tensor([0, 0, 1, 1, 2, 2])
    wide = torch.tensor([[-20.0, 5.0], [-18.0, 7.0], [30.0, 0.0], [28.0, 2.0], [0.0, -25.0], [1.0, -22.0]])
    fig = figures.center_loss_features(classes, {0.0: wide, 0.01: wide / 6}, {0.0: 0.1, 0.01: 0.1})
    left, right = fig.axes
    assert left.get_xlim() == right.get_xlim() and left.get_ylim() == right.get_ylim()
    (x0, x1), (y0, y1) = left.get_xlim(), left.get_ylim()
    assert x0 < -20 and x1 > 30 and y0 < -25 and y1 > 7


def test_generator_loss_and_gradient_draws_what_it_is_given():
    d = torch.linspace(0.01, 0.99, 5, dtype=torch.float64)
    minimax, non_saturating = (1 - d).log(), -d.log()
    fig = figures.generator_loss_and_gradient(d, minimax, non_saturating, -d, d - 1)
    ax_loss, ax_grad = fig.axes
    (minimax_line, ns_line), (minimax_grad, ns_grad) = ax_loss.get_lines(), ax_grad.get_lines()
    np.testing.assert_allclose(minimax_line.get_ydata(), minimax)
    np.testing.assert_allclose(ns_line.get_ydata(), non_saturating)
    # The gradients are drawn as magnitudes: D and 1 − D.
    np.testing.assert_allclose(minimax_grad.get_ydata(), d)
    np.testing.assert_allclose(ns_grad.get_ydata(), 1 - d)
    assert ns_line.get_color() == LOSS_COLOURS["ce"]


def test_generator_losses_on_raw_output_are_wgan_lsgan_and_softplus():
    fig = figures.generator_losses_on_raw_output()
    wgan, lsgan, non_saturating = fig.axes[0].get_lines()
    x = np.asarray(wgan.get_xdata(), float)
    np.testing.assert_allclose(wgan.get_ydata(), -x)
    np.testing.assert_allclose(lsgan.get_ydata(), 0.5 * (x - 1) ** 2)
    np.testing.assert_allclose(non_saturating.get_ydata(), np.log1p(np.exp(-x)), rtol=1e-12)
