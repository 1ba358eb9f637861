"""Tests for lossviz.figures.focal_alpha: each figure draws what the chapter says."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from lossviz.figures import focal_alpha as figures
from lossviz.sliders import SliderFigure

LOG2 = math.log(2)


def ce(p_t):
    return -math.log(p_t)


def easy_and_hard(ax):
    """The grouped bars' heights: the easy ones and the hard ones, for CE, α-CE, FL."""
    (easy,) = ax.collections
    return [path.vertices[:, 1].max() for path in easy.get_paths()], [bar.get_height() for bar in ax.patches]


def easy_shares(ax):
    """The easy groups' shares: how far their bars reach over the hard groups' full ones."""
    (easy,) = ax.collections
    assert [bar.get_width() for bar in ax.patches] == [1, 1, 1]
    return [path.vertices[:, 0].max() for path in easy.get_paths()]


@pytest.fixture(scope="module")
def four_to_one():
    targets = torch.tensor([0.0, 0.0, 0.0, 0.0, 1.0], dtype=torch.float64)
    return figures.four_to_one_slider(torch.zeros_like(targets), targets)


def test_one_and_two_stage_bars():
    fig = figures.one_and_two_stage(candidates=(100_000, 2_000), shares=(1 / 1001, 0.25))
    assert isinstance(fig, Figure)
    ax_count, ax_share = fig.axes
    assert [bar.get_width() for bar in ax_count.patches] == [100_000, 2_000]
    assert [bar.get_width() for bar in ax_share.patches] == pytest.approx([100 / 1001, 25])
    assert [text.get_text() for text in ax_share.texts] == ["0.1 %", "25.0 %"]


def test_four_to_one_slider_totals_and_ratio(four_to_one):
    assert isinstance(four_to_one, SliderFigure)
    assert four_to_one.params == {"alpha": figures.ALPHA}
    assert figures.ALPHA.grid()[0] == 0.05 and figures.ALPHA.grid()[-1] == 0.95 and len(figures.ALPHA.grid()) == 19
    assert four_to_one.alt.startswith("Class totals of alpha-balanced cross-entropy")
    ax_bars, ax_ratio = four_to_one.figure.axes
    four_to_one.image(alpha=0.3)
    assert [bar.get_height() for bar in ax_bars.patches] == pytest.approx([0.7 * 4 * LOG2, 0.3 * LOG2])
    curve, _, equal, mistyped, marker = ax_ratio.lines
    alphas = np.array(figures.ALPHA.grid())
    np.testing.assert_allclose(curve.get_ydata(), (1 - alphas) * 4 / alphas)
    assert marker.get_ydata()[0] == pytest.approx(0.7 * 4 / 0.3)
    # Equal totals at α = 4/5; the source's 0.2 typed as α gives 16:1.
    assert equal.get_xdata()[0] == pytest.approx(0.8)
    assert (mistyped.get_xdata()[0], mistyped.get_ydata()[0]) == pytest.approx((0.2, 16))
    assert [text.get_text() for text in ax_ratio.texts] == ["equal totals:\nα = 0.8", "the source's 0.2,\ntyped as α"]


def test_four_to_one_slider_frames_change(four_to_one):
    assert four_to_one.image(alpha=0.1) != four_to_one.image(alpha=0.9)
    with pytest.raises(ValueError, match="grid"):
        four_to_one.image(alpha=0.33)


def test_gamma_alpha_calculator_totals():
    calculator = figures.gamma_alpha_calculator(100_000, 100, 0.9, 0.1)
    assert isinstance(calculator, SliderFigure)
    assert calculator.params == {"gamma": figures.CALCULATOR_GAMMA, "alpha": figures.CALCULATOR_ALPHA}
    assert calculator.alt.startswith("Total loss of 100,000 easy and 100 hard examples")
    calculator.image(gamma=2.0, alpha=0.25)
    ax_totals, ax_share = calculator.figure.axes
    # Easy examples are negatives (weight 1 - α), hard ones positives (α).
    easy = 100_000 * ce(0.9) * np.array([1, 0.75, 0.75 * 0.1**2])
    hard = 100 * ce(0.1) * np.array([1, 0.25, 0.25 * 0.9**2])
    drawn_easy, drawn_hard = easy_and_hard(ax_totals)
    assert drawn_easy == pytest.approx(easy, rel=1e-9)
    assert drawn_hard == pytest.approx(hard, rel=1e-9)
    labels = [text.get_text() for text in ax_totals.texts[:3]]
    assert labels == [f"{e / h:.3g}×" for e, h in zip(easy, hard)]
    assert easy_shares(ax_share) == pytest.approx(easy / (easy + hard))
    assert calculator.image(gamma=0.0, alpha=0.25) != calculator.image(gamma=5.0, alpha=0.25)


def test_count_calculator_uses_the_papers_settings():
    calculator = figures.count_calculator(100, 0.1)
    assert calculator.params == {"pt_easy": figures.PT_EASY, "log_ratio": figures.COUNT_RATIO}
    assert len(figures.PT_EASY.grid()) == 40
    calculator.image(pt_easy=0.99, log_ratio=2.0)
    ax_totals, ax_share = calculator.figure.axes
    assert "10,000 easy : 100 hard" in [text.get_text() for text in ax_totals.texts]
    # CE; α-CE with α = 0.75; FL with γ = 2, α = 0.25.
    easy = 10_000 * ce(0.99) * np.array([1, 0.25, 0.75 * 0.01**2])
    hard = 100 * ce(0.1) * np.array([1, 0.75, 0.25 * 0.9**2])
    drawn_easy, drawn_hard = easy_and_hard(ax_totals)
    assert drawn_easy == pytest.approx(easy, rel=1e-9)
    assert drawn_hard == pytest.approx(hard, rel=1e-9)
    assert easy_shares(ax_share) == pytest.approx(easy / (easy + hard))
    assert calculator.image(pt_easy=0.6, log_ratio=0) != calculator.image(pt_easy=0.99, log_ratio=4)


def test_a_stamped_text_draws_what_a_text_draws():
    """The title's pasted pixels are those a plain Text renders, string after string."""

    def frames(text_class):
        fig = Figure(figsize=(4, 1), dpi=80)
        canvas = FigureCanvasAgg(fig)
        text = text_class(0.5, 0.5, "", transform=fig.transFigure, ha="center", fontsize=12)
        fig.add_artist(text)
        drawn = []
        for string in ["1 easy : 100 hard", "1,000,000 easy : 100 hard", "1 easy : 100 hard"]:
            text.set_text(string)
            canvas.draw()
            drawn.append(np.asarray(canvas.buffer_rgba()).copy())
        return drawn

    for stamped, plain in zip(frames(figures._StampedText), frames(Text)):
        assert np.array_equal(stamped, plain)
    assert not np.array_equal(*frames(Text)[:2])


TABLE_1A = {0.10: 0.0, 0.25: 10.8, 0.50: 30.2, 0.75: 31.1, 0.90: 30.8, 0.99: 28.7, 0.999: 25.1}
TABLE_1B = [
    (0, 0.75, 31.1),
    (0.1, 0.75, 31.4),
    (0.2, 0.75, 31.9),
    (0.5, 0.50, 32.9),
    (1.0, 0.25, 33.7),
    (2.0, 0.25, 34.0),
    (5.0, 0.25, 32.2),
]


def test_table_1_plots_the_quoted_ap():
    fig = figures.table_1(TABLE_1A, TABLE_1B)
    ax_a, ax_b = fig.axes
    assert list(ax_a.lines[0].get_xdata()) == list(TABLE_1A)
    assert list(ax_a.lines[0].get_ydata()) == list(TABLE_1A.values())
    assert ax_a.texts[0].get_text() == "best: α = .75"
    assert list(ax_b.lines[0].get_ydata()) == [ap for _, _, ap in TABLE_1B]
    assert list(ax_b.lines[1].get_ydata()) == [31.1, 31.1]  # the best α-CE
    assert [t.get_text() for t in ax_b.get_xticklabels()][3] == ".5\n.5"


def test_alpha_against_gamma_plots_toy_and_paper():
    gammas = np.linspace(0, 5, 11)
    toy = 1 - gammas / 10
    fig = figures.alpha_against_gamma(gammas, toy, TABLE_1B)
    toy_line, paper = fig.axes[0].lines[:2]
    np.testing.assert_allclose(toy_line.get_ydata(), toy)
    assert list(paper.get_xdata()) == [g for g, _, _ in TABLE_1B]
    assert list(paper.get_ydata()) == [a for _, a, _ in TABLE_1B]
