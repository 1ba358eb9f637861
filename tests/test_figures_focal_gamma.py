"""Tests for lossviz.figures.focal_gamma: each figure draws what the chapter says."""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from lossviz import LOSS_COLOURS
from lossviz.figures import focal_gamma as figures
from lossviz.sliders import SliderFigure

P = np.linspace(0.001, 0.999, 999)


def focal(p_t, gamma):
    """-(1 - p_t)^γ log p_t, Lin et al. eq. (4)."""
    return -((1 - p_t) ** gamma) * np.log(p_t)


@pytest.fixture(scope="module")
def loss_slider():
    return figures.loss_slider()


@pytest.fixture(scope="module")
def gradient_slider():
    return figures.gradient_slider()


def test_two_branches_are_minus_log_p_and_minus_log_one_minus_p():
    p = torch.tensor(P)
    fig = figures.two_branches(p, -torch.log(p), -torch.log(1 - p))
    assert isinstance(fig, Figure)
    ax_p, ax_pt = fig.axes
    positive, negative = ax_p.lines
    np.testing.assert_allclose(positive.get_ydata(), -np.log(P))
    np.testing.assert_allclose(negative.get_ydata(), -np.log(1 - P))
    # Against p_t the negative branch is drawn at 1 - p, onto the positive one.
    np.testing.assert_allclose(ax_pt.lines[1].get_xdata(), 1 - P)


def test_gamma_curves_draw_each_curve_darker_as_gamma_grows():
    p_t = torch.tensor(P)
    gammas = [0, 0.5, 1, 2, 5]
    fig = figures.gamma_curves(p_t, {g: torch.tensor(focal(P, g)) for g in gammas})
    lines = fig.axes[0].lines
    assert [line.get_label() for line in lines] == ["γ = 0  (cross-entropy)"] + [f"γ = {g}" for g in gammas[1:]]
    for gamma, line in zip(gammas, lines):
        np.testing.assert_allclose(line.get_ydata(), focal(P, gamma))
    assert mcolors.to_hex(lines[0].get_color()) == LOSS_COLOURS["ce"].lower()
    brightness = [sum(mcolors.to_rgb(line.get_color())) for line in lines[1:]]
    assert brightness == sorted(brightness, reverse=True)


def test_loss_slider_draws_the_focal_loss_of_the_chosen_gamma(loss_slider):
    assert isinstance(loss_slider, SliderFigure)
    assert loss_slider.params == {"gamma": figures.GAMMA}
    assert loss_slider.params["gamma"].grid() == [round(0.1 * k, 1) for k in range(51)]
    assert loss_slider.alt.startswith("Focal loss against p_t for a chosen γ")
    ax_lin, ax_log = loss_slider.figure.axes
    loss_slider.image(gamma=3.0)
    for line in (ax_lin.lines[-1], ax_log.lines[1]):
        np.testing.assert_allclose(line.get_ydata(), focal(P, 3.0), rtol=1e-9)
    np.testing.assert_allclose(ax_lin.lines[0].get_ydata(), -np.log(P), rtol=1e-9)
    # CE / FL at p_t = 0.9 is 1 / 0.1^3.
    assert ax_log.texts[-1].get_text() == "CE / FL at dotted line: 1,000"


def test_loss_slider_frames_change_and_refuse_off_grid_values(loss_slider):
    assert loss_slider.image(gamma=1.0) != loss_slider.image(gamma=4.0)
    with pytest.raises(ValueError, match="grid"):
        loss_slider.image(gamma=1.05)


def test_gradient_slider_draws_appendix_b(gradient_slider):
    assert isinstance(gradient_slider, SliderFigure)
    assert gradient_slider.params == {"gamma": figures.GAMMA}
    assert "gradient factors" in gradient_slider.alt
    gamma = 0.5
    gradient_slider.image(gamma=gamma)
    ax_factor, ax_grad = gradient_slider.figure.axes
    loss_line, gradient_line = ax_factor.lines[1:]
    np.testing.assert_allclose(loss_line.get_ydata(), (1 - P) ** gamma, rtol=1e-9)
    bracket = 1 - gamma * P * np.log(P) / (1 - P)
    np.testing.assert_allclose(gradient_line.get_ydata(), (1 - P) ** gamma * bracket, rtol=1e-9)
    # dFL/dx for y = +1: (1 - p_t)^γ (γ p_t log p_t + p_t - 1), p_t = σ(x).
    x = np.linspace(-10, 10, 801)
    p_t = 1 / (1 + np.exp(-x))
    ce_line, fl_line = ax_grad.lines
    np.testing.assert_allclose(ce_line.get_ydata(), p_t - 1, rtol=1e-9, atol=1e-15)
    expected = (1 - p_t) ** gamma * (gamma * p_t * np.log(p_t) + p_t - 1)
    np.testing.assert_allclose(fl_line.get_ydata(), expected, rtol=1e-9, atol=1e-15)
    assert gradient_slider.image(gamma=0.0) != gradient_slider.image(gamma=5.0)


def test_hard_and_easy_bars_and_ratios():
    fig = figures.hard_and_easy(ce=(2.3, 0.01), focal=(1.8, 1e-6))
    ax = fig.axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == pytest.approx([2.3, 1.8, 0.01, 1e-6])
    assert [t.get_text() for t in ax.texts] == ["ratio 230", "ratio 1,800,000"]


def test_saturated_gradient_shows_the_naive_gradient_only_where_usable():
    logits = torch.tensor([1.0, 2.0, 3.0, 4.0])
    naive = torch.tensor([-0.5, -0.1, 0.0, float("nan")])
    stable = torch.tensor([-0.5, -0.1, -0.01, -0.001])
    fig = figures.saturated_gradient(logits, naive, stable)
    ax = fig.axes[0]
    stable_line, naive_line = ax.lines
    np.testing.assert_allclose(stable_line.get_ydata(), [0.5, 0.1, 0.01, 0.001])
    np.testing.assert_allclose(naive_line.get_xdata(), [1.0, 2.0])
    band = ax.patches[0].get_extents()  # the shaded band starts at x = 3
    assert ax.transData.inverted().transform((band.x0, band.y0))[0] == pytest.approx(3.0)
