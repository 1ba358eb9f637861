"""Tests for lossviz.figures.cross_entropy: the chapter's figures draw what the prose claims."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from lossviz.figures import cross_entropy as figures
from lossviz.sliders import SliderFigure


def test_coin_entropy_is_one_bit_at_a_fair_coin_and_zero_at_a_certain_one():
    fig = figures.coin_entropy()
    assert isinstance(fig, Figure)
    (line,) = fig.axes[0].get_lines()
    p, h = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_formula = -np.nan_to_num(p * np.log2(p)) - np.nan_to_num((1 - p) * np.log2(1 - p))
    np.testing.assert_allclose(h, by_formula, atol=1e-6)
    assert h[np.argmin(abs(p - 0.5))] == pytest.approx(1.0)


def test_bce_curves_are_minus_log_of_the_probability_given_to_the_label():
    fig = figures.bce_curves()
    assert isinstance(fig, Figure)
    positive, negative = fig.axes[0].get_lines()
    prob = np.asarray(positive.get_xdata(), float)
    np.testing.assert_allclose(positive.get_ydata(), -np.log(prob), rtol=1e-4)
    np.testing.assert_allclose(negative.get_ydata(), -np.log(1 - prob), rtol=1e-4)
    assert positive.get_color() != negative.get_color()
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "label y = 1:  −log ŷ",
        "label y = 0:  −log(1 − ŷ)",
    ]


MODES, MODE_WIDTH = (5.0, 14.0), 1.0


@pytest.fixture(scope="module")
def kl_inputs():
    """The chapter's P and Q grid, and both divergences by their formula (NumPy, not lossviz)."""
    support = np.arange(20.0)
    P = sum(np.exp(-0.5 * ((support - m) / MODE_WIDTH) ** 2) for m in MODES)
    P /= P.sum()
    centres, widths = np.array(figures.CENTRE.grid()), np.array(figures.WIDTH.grid())
    Q = np.exp(-0.5 * ((support - centres[:, None, None]) / widths[:, None]) ** 2) + 1e-3
    Q /= Q.sum(-1, keepdims=True)
    forward = (P * np.log(P / Q)).sum(-1)
    reverse = (Q * np.log(Q / P)).sum(-1)
    return [torch.from_numpy(a) for a in (support, P, Q, forward, reverse)]


@pytest.fixture(scope="module")
def kl_figure(kl_inputs):
    return figures.kl_asymmetry(*kl_inputs)


def test_kl_asymmetry_sliders_set_the_centre_and_width_of_q(kl_figure):
    assert isinstance(kl_figure, SliderFigure)
    assert kl_figure.params == {"centre": figures.CENTRE, "width": figures.WIDTH}
    assert (figures.CENTRE.initial(), figures.WIDTH.initial()) == (5.0, 1.0)
    assert kl_figure.frame_alt({"centre": 5.0, "width": 1.0}).endswith("(centre of Q = 5.0, width of Q = 1.0)")
    # The centres the chapter names (the modes and their midpoint) are static frames.
    static_centres = {values["centre"] for values in kl_figure.static_grid()}
    assert {5.0, 9.5, 14.0} <= static_centres


def test_kl_asymmetry_maps_are_the_two_divergences_over_centre_and_width(kl_inputs, kl_figure):
    _, _, _, forward, reverse = kl_inputs
    _, ax_forward, ax_reverse, _ = kl_figure.figure.axes
    for ax, values, title in [(ax_forward, forward, "KL(P‖Q)"), (ax_reverse, reverse, "KL(Q‖P)")]:
        (image,) = ax.get_images()
        np.testing.assert_allclose(image.get_array(), values.numpy().T, rtol=1e-12)
        assert ax.get_title() == title
        # The map's cells are centred on the slider values.
        left, right, bottom, top = image.get_extent()
        assert (left + right) / 2 == pytest.approx(9.5) and (bottom + top) / 2 == pytest.approx(4.25)


def test_kl_asymmetry_stars_mark_a_wide_q_between_the_modes_and_a_narrow_q_on_each(kl_figure):
    _, ax_forward, ax_reverse, _ = kl_figure.figure.axes
    stars = {ax: next(line for line in ax.get_lines() if line.get_marker() == "*") for ax in (ax_forward, ax_reverse)}
    assert stars[ax_forward].get_xydata().tolist() == [[9.5, 5.5]]
    assert sorted(stars[ax_reverse].get_xydata().tolist()) == [[m, MODE_WIDTH] for m in MODES]
    assert "(centre 9.5, width 5.5)" in kl_figure.alt and "(centres 5 and 14, width 1)" in kl_figure.alt


def test_kl_asymmetry_slider_moves_q_the_dots_and_the_readout(kl_inputs, kl_figure):
    _, _, Q, forward, reverse = kl_inputs
    ax_dist, ax_forward, ax_reverse, _ = kl_figure.figure.axes
    (q_line,) = ax_dist.get_lines()
    dots = [next(line for line in ax.get_lines() if line.get_marker() == "o") for ax in (ax_forward, ax_reverse)]

    kl_figure.image(centre=12.5, width=3.5)
    i, j = 25, 6
    np.testing.assert_allclose(q_line.get_ydata(), Q[i, j])
    for dot in dots:
        assert dot.get_xydata().tolist() == [[12.5, 3.5]]
    assert kl_figure.figure.get_suptitle() == (
        f"This Q:  KL(P‖Q) = {forward[i, j]:.2f} nats,  KL(Q‖P) = {reverse[i, j]:.2f} nats"
    )
    # The narrowest Q fits under the axis' top.
    assert ax_dist.get_ylim()[1] >= Q.max()
    assert np.asarray(kl_figure.image(centre=5.0, width=1.0)).tobytes() != np.asarray(
        kl_figure.image(centre=9.5, width=5.5)
    ).tobytes()
    with pytest.raises(ValueError):
        kl_figure.image(centre=5.25, width=1.0)  # off the slider's grid: no silent nearest frame


def test_kl_asymmetry_needs_one_entry_per_pair_of_slider_values(kl_inputs):
    support, P, Q, forward, reverse = kl_inputs
    with pytest.raises(ValueError, match="one entry per"):
        figures.kl_asymmetry(support, P, Q[:-1], forward[:-1], reverse[:-1])
    with pytest.raises(ValueError, match="one entry per"):
        figures.kl_asymmetry(support, P, Q[:, :-1], forward[:, :-1], reverse[:, :-1])
