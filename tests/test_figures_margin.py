"""Tests for lossviz.figures.margin: what each figure of the margin chapter draws."""

from __future__ import annotations

import math

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import lossviz
from lossviz.figures import margin as figures
from lossviz.plotting import COLOURS, LOSS_COLOURS
from lossviz.sliders import SliderFigure

SURROGATES = {
    "hinge": lossviz.hinge_loss,
    "squared hinge": lossviz.squared_hinge_loss,
    "logistic": lossviz.logistic_loss,
    "exponential": lossviz.exponential_loss,
    "modified Huber": lossviz.modified_huber_loss,
}


def test_margin_colours_are_the_books():
    assert figures.MARGIN_COLOURS["squared hinge"] == LOSS_COLOURS["squared_hinge"]
    assert set(figures.MARGIN_COLOURS) == {"0-1", *SURROGATES}


def test_surrogate_losses_draw_the_given_curves_over_the_two_zones():
    m = torch.linspace(-2.5, 2.5, 101, dtype=torch.float64)
    curves = {"0-1": (m <= 0).double(), "hinge": (1 - m).clamp(min=0), "modified Huber": (1 - m).clamp(min=0) ** 2}
    figures_before = plt.get_fignums()
    fig = figures.surrogate_losses(m, curves)
    assert isinstance(fig, Figure) and plt.get_fignums() == figures_before  # not a pyplot figure
    (ax,) = fig.axes
    zero_one, hinge, huber = ax.lines
    np.testing.assert_array_equal(hinge.get_ydata(), np.maximum(0, 1 - m.numpy()))
    assert huber.get_linestyle() == "--" and hinge.get_linestyle() == "-"
    assert zero_one.get_linewidth() > hinge.get_linewidth()
    assert hinge.get_color() == LOSS_COLOURS["hinge"]
    # The misclassified zone is a light shade of the error colour.
    misclassified = ax.patches[0]
    assert misclassified.get_x() == -2.5 and misclassified.get_width() == 2.5
    red, green, blue, _ = misclassified.get_facecolor()
    assert red > 0.9 and red > green and (red, green, blue) != mcolors.to_rgb(COLOURS["error"])


def test_threshold_risk_marks_each_minimum_and_the_two_classes():
    thresholds = torch.linspace(-3, 3, 61, dtype=torch.float64)
    risk = {"hinge": (thresholds - 0.5) ** 2, "0-1": (thresholds.abs() > 1.05).double()}
    x_pos, x_neg = torch.tensor([0.5, 1.0, 2.0]), torch.tensor([-1.0, -0.2])
    fig = figures.threshold_risk(thresholds, risk, x_pos, x_neg)
    (ax,) = fig.axes
    hinge, hinge_min, zero_one, zero_one_min, positive, negative = ax.lines
    np.testing.assert_allclose(hinge.get_ydata(), risk["hinge"].numpy())
    assert hinge_min.get_xdata() == pytest.approx([0.5]) and hinge_min.get_ydata() == pytest.approx([0.0])
    assert zero_one_min.get_xdata() == pytest.approx([-1.0])  # the first of the minima
    np.testing.assert_array_equal(positive.get_xdata(), x_pos.numpy())
    np.testing.assert_array_equal(negative.get_xdata(), x_neg.numpy())
    assert (positive.get_color(), negative.get_color()) == (COLOURS["reference"], COLOURS["error"])


def test_margin_gradients_draw_the_given_gradients():
    m = torch.linspace(-4, 3, 71, dtype=torch.float64)
    gradients = {name: lossviz.grad(loss, m, torch.ones_like(m), reduction="none") for name, loss in SURROGATES.items()}
    fig = figures.margin_gradients(m, gradients)
    lines = dict(zip(gradients, fig.axes[0].lines))
    np.testing.assert_allclose(lines["hinge"].get_ydata(), np.where(m.numpy() < 1, -1.0, 0.0))
    np.testing.assert_allclose(lines["exponential"].get_ydata(), -np.exp(-m.numpy()))
    assert lines["modified Huber"].get_linestyle() == "--"


@pytest.fixture(scope="module")
def one_bad_point():
    ordinary = 1.5 + torch.randn(99, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    # A made-up share per slider value: the bad point's margin, scaled into [0, 1].
    shares = {name: [(8 + m) / 8 * (i + 1) / 5 for m in figures.BAD_MARGIN.grid()] for i, name in enumerate(SURROGATES)}
    return figures.one_bad_point(SURROGATES, ordinary, shares), shares


def test_bad_margin_slider(one_bad_point):
    slider, _ = one_bad_point
    assert isinstance(slider, SliderFigure) and slider.params == {"bad_margin": figures.BAD_MARGIN}
    grid = figures.BAD_MARGIN.grid()
    assert len(grid) == 33 and grid[0] == -8 and grid[-1] == 0 and figures.BAD_MARGIN.initial() == -4
    assert "share of the total gradient" in slider.alt


def test_one_bad_point_marks_its_push_and_share(one_bad_point):
    slider, shares = one_bad_point
    ax_push, ax_share = slider.figure.axes
    first = np.asarray(slider.image(bad_margin=-4))
    i = figures.BAD_MARGIN.index(-4)
    assert [bar.get_height() for bar in ax_share.patches] == [shares[name][i] for name in SURROGATES]
    labels = [text.get_text() for text in ax_share.texts]
    assert labels == [f"{100 * shares[name][i]:.0f}%" for name in SURROGATES]
    # The dots sit on each loss's |∂L/∂m| at m = -4 (interpolated on a fine grid).
    dots = ax_push.lines[-len(SURROGATES) :]
    expected = [1, 2 * 5, 1 / (1 + math.exp(-4)), math.exp(4), 4]
    for dot, push in zip(dots, expected):
        assert dot.get_xdata() == [-4] and dot.get_ydata()[0] == pytest.approx(push, rel=1e-3)
    assert (np.asarray(slider.image(bad_margin=-1)) != first).any()
    with pytest.raises(ValueError):
        slider.image(bad_margin=-3.9)


def test_one_bad_point_refuses_shares_for_other_margins():
    with pytest.raises(ValueError, match="hinge"):
        figures.one_bad_point({"hinge": lossviz.hinge_loss}, torch.zeros(3), {"hinge": [0.5] * 10})


def test_surrogate_losses_show_modified_hubers_linear_tail():
    m = torch.linspace(-3, 2.5, 111, dtype=torch.float64)
    curves = {"squared hinge": (1 - m).clamp(min=0) ** 2, "modified Huber": torch.where(m >= -1, (1 - m) ** 2, -4 * m)}
    (ax,) = figures.surrogate_losses(m, curves).axes
    assert ax.get_xlim() == (-3, 2.5)
    # Down to m = -2 the tail (8 there) is inside the axes, and the squared hinge (9) no lower.
    assert ax.get_ylim()[1] >= -4 * -2.0
