"""Tests for lossviz.figures.cross_entropy: the chapter's figures draw what the prose claims."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import lossviz
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


@pytest.fixture(scope="module")
def kl_inputs():
    support = torch.arange(20, dtype=torch.float64)
    P = torch.exp(-0.5 * ((support - 5) / 1.5) ** 2) + torch.exp(-0.5 * ((support - 14) / 1.5) ** 2)
    P /= P.sum()
    centres = torch.tensor(figures.CENTRE.grid(), dtype=torch.float64)
    Q = torch.exp(-0.5 * ((support - centres[:, None]) / 1.2) ** 2) + 1e-3
    Q /= Q.sum(dim=1, keepdim=True)
    forward = lossviz.kl_divergence(P.expand_as(Q), Q, reduction="none")
    reverse = lossviz.kl_divergence(Q, P.expand_as(Q), reduction="none")
    return support, P, Q, forward, reverse


def test_kl_asymmetry_slider_moves_q_and_the_dots_along_the_two_curves(kl_inputs):
    support, P, Q, forward, reverse = kl_inputs
    figure = figures.kl_asymmetry(support, P, Q, forward, reverse)
    assert isinstance(figure, SliderFigure)
    assert figure.params == {"centre": figures.CENTRE}
    assert len(figures.CENTRE.grid()) == 191 and figures.CENTRE.initial() == 5.0
    assert figure.frame_alt({"centre": 5.0}).endswith("(centre of Q = 5.0)")
    ax_dist, ax_kl = figure.figure.axes
    forward_line, reverse_line, forward_dot, reverse_dot = ax_kl.get_lines()
    np.testing.assert_allclose(forward_line.get_xdata(), figures.CENTRE.grid())
    np.testing.assert_allclose(forward_line.get_ydata(), forward)
    np.testing.assert_allclose(reverse_line.get_ydata(), reverse)
    (q_line,) = ax_dist.get_lines()

    figure.image(centre=12.3)
    i = 123
    np.testing.assert_allclose(q_line.get_ydata(), Q[i])
    assert forward_dot.get_xydata().tolist() == [[12.3, pytest.approx(forward[i].item())]]
    assert reverse_dot.get_xydata().tolist() == [[12.3, pytest.approx(reverse[i].item())]]
    assert np.asarray(figure.image(centre=5.0)).tobytes() != np.asarray(figure.image(centre=14.0)).tobytes()
    with pytest.raises(ValueError):
        figure.image(centre=5.05)  # off the slider's grid: no silent nearest frame


def test_kl_asymmetry_needs_one_entry_per_slider_value(kl_inputs):
    support, P, Q, forward, reverse = kl_inputs
    with pytest.raises(ValueError, match="one entry per slider value"):
        figures.kl_asymmetry(support, P, Q[:-1], forward[:-1], reverse[:-1])
