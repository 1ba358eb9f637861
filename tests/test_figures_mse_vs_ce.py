"""Tests for lossviz.figures.mse_vs_ce: each figure draws what the chapter claims."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import lossviz
from lossviz.figures import mse_vs_ce as figures
from lossviz.sliders import SliderFigure


def half_mse(z, y):
    return 0.5 * lossviz.mse_loss(torch.sigmoid(z), y, reduction="none")


def bce(z, y):
    return lossviz.binary_cross_entropy(z, y, reduction="none")


def line(ax, label):
    (found,) = [artist for artist in ax.lines if artist.get_label() == label]
    return found


def cells(table) -> list[list[str]]:
    """The table's rows as text, header first (markup dropped)."""
    rows = re.findall(r"<tr>(.*?)</tr>", table.data)
    return [[re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)] for row in rows]


def test_sigmoid_saturation_draws_sigma_and_its_slope():
    fig = figures.sigmoid_saturation()
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    sigma_line, slope_line = ax.lines
    z = torch.as_tensor(sigma_line.get_xdata())
    assert np.allclose(sigma_line.get_ydata(), torch.sigmoid(z), atol=1e-15)
    assert np.allclose(slope_line.get_ydata(), lossviz.grad(torch.sigmoid, z), atol=1e-15)
    labels = [text.get_text() for text in ax.texts]
    assert labels == ["flat:\nσ′ < 0.018"] * 2


def test_gradient_explorer_draws_both_gradients_as_autograd_gives_them():
    sf = figures.gradient_explorer()
    assert isinstance(sf, SliderFigure)
    assert sf.params == {"y": figures.TARGET, "z": figures.CURRENT_Z}
    assert figures.TARGET.grid()[::5] == [0, 0.25, 0.5, 0.75, 1]
    assert "MSE and cross-entropy" in sf.alt
    _, ax_grad = sf.figure.axes
    for y, z in [(1.0, -4.0), (0.25, 2.5)]:
        sf.image(y=y, z=z)
        mse = line(ax_grad, "MSE: (Y − y)·Y(1 − Y)")
        ce = line(ax_grad, "CE: Y − y")
        grid = torch.as_tensor(mse.get_xdata())
        target = torch.full_like(grid, y)
        assert np.allclose(mse.get_ydata(), lossviz.grad(half_mse, grid, target), atol=1e-12)
        assert np.allclose(ce.get_ydata(), lossviz.grad(bce, grid, target), atol=1e-12)
        here = torch.tensor([z], dtype=torch.float64), torch.tensor([y], dtype=torch.float64)
        readout = ax_grad.texts[0].get_text()
        assert (
            readout == f"MSE {lossviz.grad(half_mse, *here).item():+.5f}    CE {lossviz.grad(bce, *here).item():+.4f}"
        )


def test_gradient_explorer_frames_change_with_each_slider():
    sf = figures.gradient_explorer()
    first = np.asarray(sf.image(y=1.0, z=-4.0))
    assert not np.array_equal(first, np.asarray(sf.image(y=0.5, z=-4.0)))
    assert not np.array_equal(first, np.asarray(sf.image(y=1.0, z=2.0)))


def test_corner_table_shows_each_case_and_whether_it_is_far():
    z = torch.tensor([-5.0, 5.0], dtype=torch.float64)
    y = torch.tensor([1.0, 1.0], dtype=torch.float64)
    out = torch.sigmoid(z)
    mse, ce = lossviz.grad(half_mse, z, y), lossviz.grad(bce, z, y)
    header, far, near = cells(figures.corner_table(y, out, mse, ce))
    assert header == ["target y", "output Y", "error Y − y", "", "MSE ∂L/∂z", "CE ∂L/∂z"]
    assert far == ["1", "0.0067", "-0.9933", "far", f"{mse[0]:+.5f}", "-0.9933"]
    assert near[3] == "near" and near[1] == "0.9933"


def test_gradient_against_error_draws_gradient_sizes_and_marks_the_twins():
    fig = figures.gradient_against_error(0.085, 0.993, 0.0066)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    ce, mse = line(ax, "CE: |Y − y|"), line(ax, "MSE: |Y − y|·Y(1 − Y)")
    error = np.asarray(ce.get_xdata())
    assert error.min() > 0 and error.max() == 1
    # z such that σ(z) = 1 − error, with target 1; the last point (Y = 0) is z = -∞.
    output = torch.as_tensor(1 - error[:-1])
    z = torch.log(output / (1 - output))
    ones = torch.ones_like(z)
    assert np.allclose(ce.get_ydata()[:-1], lossviz.grad(bce, z, ones).abs(), atol=1e-12)
    assert np.allclose(mse.get_ydata()[:-1], lossviz.grad(half_mse, z, ones).abs(), atol=1e-12)
    twins = line(ax, "same MSE gradient")
    assert list(twins.get_xdata()) == [0.085, 0.993] and list(twins.get_ydata()) == [0.0066, 0.0066]


def fake_runs(steps: int = 5):
    """Distinct made-up runs over the sliders' grids, indexed [step, start, rate]."""
    shape = (steps + 1, len(figures.START.grid()), len(figures.RATE.grid()))
    generator = torch.Generator().manual_seed(0)
    runs = {name: torch.rand(shape, generator=generator, dtype=torch.float64) + 0.5 for name in ("MSE", "CE")}
    half = {"MSE": torch.full(shape[1:], steps + 1), "CE": torch.arange(shape[1] * shape[2]).reshape(shape[1:]) % steps}
    return runs, half


def test_descent_explorer_shows_the_run_of_the_chosen_start_and_rate():
    runs, half = fake_runs()
    losses = {name: 2 * values for name, values in runs.items()}
    sf = figures.descent_explorer(runs, losses, half)
    assert isinstance(sf, SliderFigure)
    assert set(sf.params) == {"start", "rate"} and "Gradient descent" in sf.alt
    ax_out, ax_loss = sf.figure.axes
    for start, rate in [(2.0, 0.15), (0.25, 1.0)]:
        sf.image(start=start, rate=rate)
        i, j = figures.START.grid().index(start), figures.RATE.grid().index(rate)
        for name in ("MSE", "CE"):
            assert np.array_equal(line(ax_out, name).get_ydata(), runs[name][:, i, j].numpy())
            normalised = (losses[name][:, i, j] / losses[name][0, i, j]).numpy()
            assert np.allclose(line(ax_loss, name).get_ydata(), normalised)
        assert sf.figure.get_suptitle() == f"Steps to halve the output:   MSE > 5,   CE {half['CE'][i, j]}"


def test_descent_explorer_refuses_runs_off_the_sliders_grids():
    runs, half = fake_runs()
    short = {name: values[:, :-1] for name, values in runs.items()}
    with pytest.raises(ValueError, match="grids"):
        figures.descent_explorer(short, short, half)


def softmax_example():
    s = torch.tensor(figures.DOG_LOGIT.grid(), dtype=torch.float64)
    logits = torch.stack([-s, s, torch.zeros_like(s)], dim=-1)
    target = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
    targets = target.expand_as(logits)
    ce = lossviz.grad(lossviz.cross_entropy, logits, targets, reduction="sum")
    mse = lossviz.grad(lambda z: 0.5 * ((z.softmax(-1) - targets) ** 2).sum(), logits)
    return target, logits.softmax(-1), ce, mse


def test_softmax_explorer_bars_follow_the_slider():
    target, probs, ce, mse = softmax_example()
    sf = figures.softmax_explorer(["cat", "dog", "bird"], target, probs, ce, mse)
    assert isinstance(sf, SliderFigure)
    assert sf.params == {"s": figures.DOG_LOGIT} and "cat image" in sf.alt
    ax_prob, ax_grad = sf.figure.axes
    frames = []
    for s in (5.0, 0.0):
        frames.append(np.asarray(sf.image(s=s)))
        i = figures.DOG_LOGIT.index(s)
        assert np.allclose([bar.get_height() for bar in ax_prob.patches], probs[i])
        heights = [bar.get_height() for bar in ax_grad.patches]
        assert np.allclose(heights, torch.cat([ce[i], mse[i]]))
        assert ax_grad.texts[0].get_text() == f"p(cat) = {probs[i, 0]:.2g}    MSE on cat: {mse[i, 0]:+.5f}"
    assert not np.array_equal(*frames)
    # A confident mistake's tiny probability shows, not as 0.000.
    sf.image(s=5.0)
    assert ax_grad.texts[0].get_text().startswith("p(cat) = 4.5e-05 ")


def test_softmax_explorer_needs_one_row_per_slider_value():
    target, probs, ce, mse = softmax_example()
    with pytest.raises(ValueError, match="one row per slider value"):
        figures.softmax_explorer(["cat", "dog", "bird"], target, probs[1:], ce[1:], mse[1:])


def test_pairs_table_shows_the_norm_of_the_autograd_gradient():
    gradient = torch.tensor([0.6, 0.8], dtype=torch.float64)
    table = figures.pairs_table([("softmax", "CE", "CrossEntropyLoss", "p − y", gradient, gradient)])
    assert cells(table) == [
        ["output", "loss", "PyTorch", "∂L/∂z", "‖∂L/∂z‖ when wrong"],
        ["softmax", "CE", "CrossEntropyLoss", "p − y", "1.0000"],
    ]
    assert "<code>CrossEntropyLoss</code>" in table.data
