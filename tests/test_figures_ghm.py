"""Tests for lossviz.figures.ghm: each figure draws the data it is given, or the GHM
formulas, and each slider shows the frame of its value."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from figure_parts import line
from matplotlib.figure import Figure

import lossviz
from lossviz.figures import ghm as figures
from lossviz.sliders import SliderFigure


@pytest.fixture(scope="module")
def g():
    return lossviz.gradient_norm(*lossviz.detector_logits(20_000))


def test_gradient_norm_histogram_is_the_fraction_per_bin(g):
    fig = figures.gradient_norm_histogram(g)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    (steps,) = [p for p in ax.patches if hasattr(p, "get_data")]
    values, edges = steps.get_data().values, steps.get_data().edges
    assert np.allclose(edges, np.arange(51) / 50)
    counts = torch.bincount((g * 50).long().clamp(max=49), minlength=50)
    assert np.allclose(values, counts / g.numel())
    assert values.sum() == pytest.approx(1.0)


def test_bin_profile_is_density_over_n_and_weight_n_over_n_count():
    g_small = torch.tensor([0.01, 0.02, 0.03, 0.05, 0.06, 0.08, 0.35, 0.38, 0.92, 0.99], dtype=torch.float64)
    profile = figures.bin_profile(lossviz.gradient_density(g_small, 10))
    assert profile.occupied == 3
    assert np.allclose(profile.edges, np.arange(11) / 10)
    occupied = [0, 3, 9]
    # Six, two and two of ten examples: GD/N = M count / N, w = N / (n count).
    assert np.allclose(profile.density[occupied], [6, 2, 2])
    assert np.allclose(profile.weight[occupied], [10 / 18, 10 / 6, 10 / 6])
    empty = [j for j in range(10) if j not in occupied]
    assert np.isnan(profile.density[empty]).all() and np.isnan(profile.weight[empty]).all()


def test_binning_slider_shows_the_histogram_of_its_bins_and_outliers():
    percents = figures.OUTLIERS.grid()
    assert percents == [0.25 * k for k in range(9)]
    norms = [
        lossviz.gradient_norm(*lossviz.detector_logits(5_000, outlier_fraction=pct / 100, seed=1)) for pct in percents
    ]
    slider = figures.binning_slider(norms)
    assert isinstance(slider, SliderFigure)
    assert slider.params == {"bins": figures.BINS, "outliers": figures.OUTLIERS}
    assert slider.initial == {"bins": 10, "outliers": 0.5}
    before = np.asarray(slider.image(bins=10, outliers=0.5))
    after = np.asarray(slider.image(bins=20, outliers=2))
    assert not np.array_equal(before, after)
    _, ax_weight = slider.figure.axes
    (weights,) = [p for p in ax_weight.patches if p.get_label() == "GHM-C weight w"]
    expected = figures.bin_profile(lossviz.gradient_density(norms[-1], 20)).weight
    assert np.allclose(weights.get_data().values, expected, equal_nan=True)
    occupied = int((lossviz.gradient_density(norms[-1], 20).counts > 0).sum())
    assert f"{occupied} of M = 20 bins occupied" in [t.get_text() for t in ax_weight.texts]
    with pytest.raises(ValueError, match="grid"):
        slider.image(bins=20, outliers=0.3)


def test_gradient_shares_draws_each_loss_per_example_and_per_region(g):
    per_example = {"CE": g, "FL (γ = 2)": g**3, "GHM-C": g.sqrt()}
    per_region = {name: torch.full((10,), 0.1 * (k + 1), dtype=torch.float64) for k, name in enumerate(per_example)}
    fig = figures.gradient_shares(g, per_example, per_region)
    assert isinstance(fig, Figure)
    ax_each, ax_total = fig.axes
    order = torch.argsort(g)[::20]
    assert np.array_equal(line(ax_each, "CE").get_ydata(), g[order])
    assert np.array_equal(line(ax_each, "FL (γ = 2)").get_ydata(), g[order] ** 3)
    for k, bars in enumerate(ax_total.containers):
        assert np.allclose([b.get_height() for b in bars], 100 * 0.1 * (k + 1))
        # Three bars side by side, centred on each region's middle.
        centres = [b.get_x() + b.get_width() / 2 for b in bars]
        assert np.allclose(centres, (np.arange(10) + 0.5) / 10 + (k - 1) * 0.028)


def test_momentum_slider_shows_the_trajectories_of_its_momentum():
    momenta = figures.MOMENTUM.grid()
    batches = np.arange(1, 41)[:, None]
    # Weights that grow with the momentum: each frame is distinguishable.
    trajectories = [
        {corrected: (1 + m + corrected) * batches * np.array([0.1, 1.0, 10.0]) for corrected in (False, True)}
        for m in momenta
    ]
    slider = figures.momentum_slider(trajectories, ["easy", "middle", "outliers"])
    assert isinstance(slider, SliderFigure)
    assert slider.params == {"momentum": figures.MOMENTUM}
    assert "40 batches" in slider.alt
    before = np.asarray(slider.image(momentum=0.0))
    after = np.asarray(slider.image(momentum=0.9))
    assert not np.array_equal(before, after)
    ax_plain, ax_corrected = slider.figure.axes
    i = figures.MOMENTUM.index(0.9)
    assert np.array_equal(line(ax_plain, "middle").get_ydata(), trajectories[i][False][:, 1])
    assert np.array_equal(line(ax_corrected, "outliers").get_ydata(), trajectories[i][True][:, 2])


def test_ghmr_slider_draws_asl1_and_smooth_l1_of_its_mu():
    residual = torch.logspace(-3, 0, 201, dtype=torch.float64)
    zero = torch.zeros_like(residual)
    regression = []
    for mu in figures.MU.grid():
        asl1 = lambda d, mu=mu: lossviz.authentic_smooth_l1(d, zero, mu=mu, reduction="none")
        sl1 = lambda d, mu=mu: lossviz.smooth_l1_loss(d, zero, beta=mu, reduction="none")
        regression.append(
            {
                "ASL1": (asl1(residual).numpy(), lossviz.grad(asl1, residual).numpy()),
                "Smooth L1, β = μ": (sl1(residual).numpy(), lossviz.grad(sl1, residual).numpy()),
            }
        )
    slider = figures.ghmr_slider(residual, regression)
    assert isinstance(slider, SliderFigure)
    assert slider.params == {"mu": figures.MU}
    before = np.asarray(slider.image(mu=0.1))
    after = np.asarray(slider.image(mu=0.3))
    assert not np.array_equal(before, after)
    ax_loss, ax_grad = slider.figure.axes
    # Log axes over the residuals the chapter computes, wide enough for every μ.
    for ax in (ax_loss, ax_grad):
        assert ax.get_xscale() == "log"
        assert ax.get_xlim() == pytest.approx(figures.RESIDUAL_RANGE)
        assert ax.get_xlim()[0] < min(figures.MU.grid()) / 10 and ax.get_xlim()[1] >= 2 * max(figures.MU.grid())
    d = residual.numpy()
    # ASL1 = sqrt(d² + μ²) − μ, its gradient d / sqrt(d² + μ²); Smooth L1's is min(d / μ, 1).
    assert np.allclose(line(ax_loss, "ASL1").get_ydata(), np.sqrt(d**2 + 0.09) - 0.3)
    slopes = {ln.get_color(): ln.get_ydata() for ln in ax_grad.lines}
    assert np.allclose(slopes[lossviz.LOSS_COLOURS["ghm"]], d / np.sqrt(d**2 + 0.09))
    assert np.allclose(slopes[lossviz.LOSS_COLOURS["ce"]], np.minimum(d / 0.3, 1))
    dashed = [ln for ax in (ax_loss, ax_grad) for ln in ax.lines if ln.get_linestyle() == "--"]
    assert [ln.get_xdata()[0] for ln in dashed] == [0.3, 0.3]
