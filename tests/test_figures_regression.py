"""Tests for lossviz.figures.regression: what each figure of the regression chapter draws."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from lossviz.figures import regression as figures
from lossviz.plotting import COLOURS, LOSS_COLOURS
from lossviz.sliders import SliderFigure


def smooth_l1(d, beta):
    return np.where(np.abs(d) < beta, d**2 / (2 * beta), np.abs(d) - beta / 2)


def huber(d, delta):
    return np.where(np.abs(d) <= delta, d**2 / 2, delta * (np.abs(d) - delta / 2))


@pytest.fixture(scope="module")
def losses_and_gradients():
    return figures.losses_and_gradients()


def test_threshold_sliders_cover_the_chapter_grid(losses_and_gradients):
    assert isinstance(losses_and_gradients, SliderFigure)
    assert losses_and_gradients.params == {"beta": figures.BETA, "delta": figures.DELTA}
    for slider in (figures.BETA, figures.DELTA):
        grid = slider.grid()
        assert len(grid) == 56 and grid[0] == 0.25 and grid[-1] == 3.0
        assert slider.initial() == 1.0
    assert losses_and_gradients.alt.startswith("L2, L1, Smooth L1 and Huber")


def test_moving_curves_follow_beta_and_delta(losses_and_gradients):
    ax_loss, ax_grad = losses_and_gradients.figure.axes
    before = np.asarray(losses_and_gradients.image(beta=0.5, delta=2.0))
    d = ax_loss.lines[0].get_xdata()
    l2, l1, smooth, hub = (line.get_ydata() for line in ax_loss.lines)
    np.testing.assert_allclose(l2, d**2)
    np.testing.assert_allclose(l1, np.abs(d))
    np.testing.assert_allclose(smooth, smooth_l1(d, 0.5), atol=1e-12)
    np.testing.assert_allclose(hub, huber(d, 2.0), atol=1e-12)
    g_l2, g_l1, g_smooth, g_huber = (line.get_ydata() for line in ax_grad.lines)
    np.testing.assert_allclose(g_l2, 2 * d)
    np.testing.assert_allclose(g_smooth, np.clip(d / 0.5, -1, 1), atol=1e-12)
    np.testing.assert_allclose(g_huber, np.clip(d, -2.0, 2.0), atol=1e-12)
    after = np.asarray(losses_and_gradients.image(beta=2.0, delta=2.0))
    assert (before != after).any()
    with pytest.raises(ValueError):
        losses_and_gradients.image(beta=0.27, delta=1.0)


def test_l1_needs_no_outline_any_more():
    # The outline made the old light-yellow L1 readable; the wine L1 is readable as it is.
    assert "path_effects" not in figures.STYLE["L1"] and figures.STYLE["L1"]["color"] == LOSS_COLOURS["l1"]


def test_huber_divided_by_beta_lies_on_smooth_l1():
    figures_before = plt.get_fignums()
    fig = figures.huber_rescaled(thresholds=[0.5, 2.0])
    assert isinstance(fig, Figure) and plt.get_fignums() == figures_before  # not a pyplot figure
    ax_both, ax_overlay = fig.axes
    dashed = [line for line in ax_both.lines if line.get_linestyle() == "--"]
    for line, t in zip(dashed, [0.5, 2.0]):
        np.testing.assert_allclose(line.get_ydata(), huber(np.asarray(line.get_xdata()), t), atol=1e-12)
    bands, dots = ax_overlay.lines[0::2], ax_overlay.lines[1::2]
    for band, dot, t in zip(bands, dots, [0.5, 2.0]):
        np.testing.assert_allclose(band.get_ydata(), smooth_l1(np.asarray(band.get_xdata()), t), atol=1e-12)
        np.testing.assert_allclose(dot.get_ydata(), smooth_l1(np.asarray(dot.get_xdata()), t), atol=1e-12)
    # The thresholds are ordered light to dark.
    assert sum(bands[0].get_color()) > sum(bands[1].get_color())


def test_descent_runs_draw_distance_and_gradient_size():
    residuals = np.array([6.1, -2.0, 0.0])
    gradients = np.array([12.2, -4.0, 0.0])
    fig = figures.descent_runs({"L2": (residuals, gradients), "L1": (residuals, np.sign(residuals))})
    assert isinstance(fig, Figure)
    ax_res, ax_grad = fig.axes
    assert ax_res.get_yscale() == "log"
    np.testing.assert_allclose(ax_res.lines[0].get_ydata(), np.abs(residuals) + 1e-300)
    np.testing.assert_allclose(ax_grad.lines[0].get_ydata(), np.abs(gradients))
    np.testing.assert_allclose(ax_grad.lines[1].get_ydata(), [1, 1, 0])
    assert [line.get_color() for line in ax_grad.lines] == [LOSS_COLOURS["mse"], LOSS_COLOURS["l1"]]


def robustness_data():
    counts, sizes = len(figures.OUTLIER_COUNT.grid()), len(figures.OUTLIER_SIZE.grid())
    x = torch.linspace(0, 1, 40, dtype=torch.float64)
    y_clean = 2 + 8 * x
    order = torch.randperm(40, generator=torch.Generator().manual_seed(1))
    k, s = torch.meshgrid(torch.arange(counts), torch.arange(sizes), indexing="ij")
    # A made-up fit per setting: intercept 2 + count/10, slope 8 + size/10.
    fit = torch.stack([2 + k / 10, 8 + s / 10]).double()
    fits = {"L2": fit, "L1": fit - 1}
    centre_error = {name: (p[0] + 0.5 * p[1] - 6).numpy() for name, p in fits.items()}
    return x, y_clean, order, fits, centre_error


def test_robustness_moves_the_outliers_and_the_fits():
    x, y_clean, order, fits, centre_error = robustness_data()
    slider = figures.robustness(x, y_clean, order, fits, centre_error, (2.0, 8.0))
    assert isinstance(slider, SliderFigure)
    assert slider.params == {"count": figures.OUTLIER_COUNT, "size": figures.OUTLIER_SIZE}
    assert figures.OUTLIER_COUNT.grid() == list(range(11)) and figures.OUTLIER_SIZE.grid() == list(range(21))
    ax_fit, ax_err = slider.figure.axes
    first = np.asarray(slider.image(count=3, size=5))
    _, inliers, outliers, l2_line, l1_line = ax_fit.lines
    chosen = order[:3].numpy()
    np.testing.assert_allclose(outliers.get_xdata(), x.numpy()[chosen])
    np.testing.assert_allclose(outliers.get_ydata(), y_clean.numpy()[chosen] + 5)
    assert outliers.get_color() == COLOURS["error"] and len(inliers.get_xdata()) == 37
    np.testing.assert_allclose(l2_line.get_ydata(), 2.3 + 8.5 * x.numpy())
    np.testing.assert_allclose(l1_line.get_ydata(), 1.3 + 7.5 * x.numpy())
    l2_curve, l1_curve, l2_dot, l1_dot = ax_err.lines[:4]
    np.testing.assert_allclose(l2_curve.get_ydata(), centre_error["L2"][3])
    assert list(l2_dot.get_xdata()) == [5] and l2_dot.get_ydata()[0] == pytest.approx(centre_error["L2"][3, 5])
    assert (np.asarray(slider.image(count=6, size=5)) != first).any()


def test_robustness_refuses_fits_for_other_settings():
    x, y_clean, order, fits, centre_error = robustness_data()
    with pytest.raises(ValueError, match="L2"):
        figures.robustness(x, y_clean, order, {**fits, "L2": fits["L2"][:, :5]}, centre_error, (2.0, 8.0))
