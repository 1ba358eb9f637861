"""Tests for lossviz.figures.experiment: each figure draws the data it is given."""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import pytest
import torch
from figure_parts import TableCells
from matplotlib.figure import Figure
from torch import nn

from lossviz.data import EASY_NEGATIVE, HARD_NEGATIVE, POSITIVE
from lossviz.figures import experiment as figures
from lossviz.metrics import precision_recall_curve
from lossviz.plotting import COLOURS, LOSS_COLOURS
from lossviz.sliders import SliderFigure

# A made-up summary per configuration: (mean validation AP, mean test AP, interval half-width).
GAMMAS, ALPHAS = (0, 0.5, 1, 2, 5), (0.25, 0.5, 0.75)
SUMMARIES = {
    **{("α-CE", a): (0.1 * a, 0.5 + 0.01 * a, 0.02) for a in (0.25, 0.5, 0.75, 0.99)},
    **{("FL", g, a): (0.2 * g + a, 0.6 + 0.01 * g + 0.004 * a, 0.03) for g in GAMMAS[1:] for a in ALPHAS},
    "CE": (0.45, 0.55, 0.05),
    "CE, no prior": (0.35, 0.45, 0.08),
    ("GHM-C", 10, 0.0): (0.6, 0.65, 0.01),
    ("GHM-C", 30, 0.75): (0.61, 0.66, 0.02),
}
summary = SUMMARIES.__getitem__
BEST_ALPHA = {0: 0.25, 0.5: 0.5, 1: 0.25, 2: 0.25, 5: 0.75}


def _is_pyplot_free(fig: Figure) -> bool:
    return isinstance(fig, Figure) and fig.canvas.manager is None


def test_split_table_counts_each_kind_and_the_flipped_labels_per_split():
    kind = torch.tensor([EASY_NEGATIVE] * 6 + [HARD_NEGATIVE] * 3 + [POSITIVE] * 2)
    flipped = torch.zeros(11, dtype=torch.bool)
    flipped[[0, 10]] = True
    splits = (torch.tensor([0, 1, 2, 6, 7, 9]), torch.tensor([3, 4, 8, 10]), torch.tensor([5]))
    cells = TableCells(figures.split_table(kind, flipped, splits).data)
    assert cells.rows == [
        ["", "training", "validation", "test"],
        ["easy negatives", "3", "2", "1"],
        ["hard negatives", "2", "1", "0"],
        ["positives", "1", "1", "0"],
        ["flipped labels", "1", "1", "0"],
        ["all", "6", "4", "1"],
    ]


def test_kinds_by_distance_histograms_each_kind_and_the_flipped_labels():
    gen = torch.Generator().manual_seed(0)
    radius = 9 * torch.rand(300, generator=gen)
    kind = torch.randint(0, 3, (300,), generator=gen)
    fake = torch.rand(300, generator=gen) < 0.05
    fig = figures.kinds_by_distance(radius, kind, fake)
    assert _is_pyplot_free(fig)
    (ax,) = fig.axes
    bins = np.linspace(0, 9, 91)
    heights = [np.array([bar.get_height() for bar in container]) for container in ax.containers]
    for drawn, members in zip(heights, [kind == EASY_NEGATIVE, kind == HARD_NEGATIVE, kind == POSITIVE, fake]):
        np.testing.assert_array_equal(drawn, np.histogram(radius[members].numpy(), bins)[0])
    colours = [mcolors.to_hex(container[0].get_facecolor()[:3]) for container in ax.containers[:3]]
    assert colours == [COLOURS["easy"].lower(), COLOURS["hard"].lower(), COLOURS["positive"].lower()]
    (band,) = [p for p in ax.patches if p.get_zorder() == 0]
    assert band.get_x() == pytest.approx(1.2) and band.get_width() == pytest.approx(1.0)


def test_first_steps_draws_the_total_the_negatives_part_and_their_share():
    gen = np.random.default_rng(0)
    curves = {name: gen.uniform(0.01, 1, size=(3, 7, 2)) for name in ("CE", "CE, no prior")}
    fig = figures.first_steps(curves)
    assert _is_pyplot_free(fig)
    ax_loss, ax_share = fig.axes
    for k, name in enumerate(curves):
        pos, neg = curves[name][..., 0].mean(0), curves[name][..., 1].mean(0)
        total, negatives = ax_loss.lines[2 * k : 2 * k + 2]
        np.testing.assert_array_equal(total.get_xdata(), np.arange(1, 8))
        np.testing.assert_allclose(total.get_ydata(), pos + neg)
        np.testing.assert_allclose(negatives.get_ydata(), neg)
        np.testing.assert_allclose(ax_share.lines[k].get_ydata(), 100 * neg / (pos + neg))
    assert [line.get_linestyle() for line in ax_share.lines] == ["-", "--"]


def test_alpha_ce_table_quotes_the_test_ap_and_bolds_the_chosen_alpha():
    table = figures.alpha_ce_table(summary, (0.25, 0.5, 0.75, 0.99), 0.75).data
    rows = TableCells(table).rows
    assert rows[0] == ["α", "AP here (test)", "AP, Lin et al. (COCO)"]
    assert rows[1:] == [
        ["0.25", "0.502 ± 0.020", "10.8"],
        ["0.5 (= CE)", "0.505 ± 0.020", "30.2"],
        ["0.75", "0.507 ± 0.020", "31.1"],
        ["0.99", "0.510 ± 0.020", "28.7"],
    ]
    assert "<b>0.507 ± 0.020</b>" in table and table.count("<b>") == 1


def test_focal_table_gives_each_gamma_its_chosen_alpha_and_that_runs_ap():
    rows = TableCells(figures.focal_table(summary, BEST_ALPHA).data).rows
    assert [row[:3] for row in rows[1:]] == [
        ["0", "0.25", "0.502 ± 0.020"],
        ["0.5", "0.5", "0.607 ± 0.030"],
        ["1", "0.25", "0.611 ± 0.030"],
        ["2", "0.25", "0.621 ± 0.030"],
        ["5", "0.75", "0.653 ± 0.030"],
    ]
    assert [row[3:] for row in rows[1:]] == [[f"{a:g}", f"{ap:.1f}"] for a, ap in figures.LIN_TABLE_1B.values()]


def test_other_runs_table_lists_ce_with_and_without_prior_and_ghm():
    rows = TableCells(figures.other_runs_table(summary, [("GHM-C", 10, 0.0), ("GHM-C", 30, 0.75)]).data).rows
    assert rows[1:] == [
        ["CE (no α)", "0.550 ± 0.050"],
        ["CE without the prior", "0.450 ± 0.080"],
        ["GHM-C, 10 bins, momentum 0", "0.650 ± 0.010"],
        ["GHM-C, 30 bins, momentum 0.75", "0.660 ± 0.020"],
    ]


# Made-up test APs of five seeds: configuration -> budget -> values.
BUDGETS = (100, 400)
BEST = {("CE", 100): "CE", ("CE", 400): "CE", ("focal", 100): ("FL", 1, 0.25), ("focal", 400): ("FL", 2, 0.5)}


def _runs(key, budget):
    base = {"CE": 0.5, ("FL", 1, 0.25): 0.6, ("FL", 2, 0.5): 0.7}[key]
    return base + budget / 1000 + 0.01 * np.arange(5)


def _interval(values):
    return float(np.mean(values)), 0.02


def test_budget_table_gives_each_familys_chosen_configuration_and_ap_per_budget():
    rows = TableCells(figures.budget_table(BEST, _runs, BUDGETS, _interval).data).rows
    assert rows == [
        ["loss", "100 steps", "400 steps"],
        ["CE", "0.620 ± 0.020 (CE)", "0.920 ± 0.020 (CE)"],
        ["focal", "0.720 ± 0.020 (focal, γ = 1, α = 0.25)", "1.120 ± 0.020 (focal, γ = 2, α = 0.5)"],
    ]


def test_ap_by_budget_draws_each_family_against_the_budget_with_its_interval():
    fig = figures.ap_by_budget(BEST, _runs, BUDGETS, _interval, 0.89)
    assert _is_pyplot_free(fig)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log"
    for container, family in zip(ax.containers, ("CE", "focal")):
        line = container.lines[0]
        assert container.get_label() == family
        np.testing.assert_allclose(line.get_ydata(), [_interval(_runs(BEST[family, b], b))[0] for b in BUDGETS])
        np.testing.assert_allclose(line.get_xdata(), BUDGETS, rtol=0.05)
    colours = [mcolors.to_hex(c.lines[0].get_color()) for c in ax.containers]
    assert colours == [LOSS_COLOURS["ce"].lower(), LOSS_COLOURS["focal"].lower()]
    assert ax.lines[-1].get_ydata()[0] == pytest.approx(0.89)


def test_precision_recall_curves_draw_each_runs_curve_in_its_losss_colour():
    torch.manual_seed(0)
    x = torch.randn(50, 2)
    y = (x[:, 0] + 0.5 * torch.randn(50) > 0.8).float()
    runs = {}
    for key, weight in [("CE", 1.0), (("FL", 1, 0.25), 0.5), (("GHM-C", 10, 0.0), -0.2)]:
        model = nn.Linear(2, 1)
        with torch.no_grad():
            model.weight[:] = torch.tensor([[1.0, weight]])
            model.bias.zero_()
        runs[key] = {"model": model, "test": 0.5}
    fig = figures.precision_recall_curves(runs, x, y, seed=0)
    assert _is_pyplot_free(fig)
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == [
        "CE (AP 0.500)",
        "focal, γ = 1, α = 0.25 (AP 0.500)",
        "GHM-C, 10 bins, momentum 0 (AP 0.500)",
    ]
    for line, run, colour in zip(ax.lines, runs.values(), ("ce", "focal", "ghm")):
        with torch.no_grad():
            curve = precision_recall_curve(run["model"](x).squeeze(1), y)
        np.testing.assert_allclose(line.get_xdata(), curve.recall.numpy())
        np.testing.assert_allclose(line.get_ydata(), curve.precision.numpy())
        assert mcolors.to_hex(line.get_color()) == LOSS_COLOURS[colour].lower()
    assert ax.get_title() == "Precision–recall on the test split (seed 0)"


def _cdfs() -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """For each γ of the slider, the cumulative share of x ** (1 + γ), easiest first."""
    fraction = np.linspace(0.01, 1, 100)
    return {
        group: [(fraction, fraction ** (power + g)) for g in figures.GAMMA.grid()]
        for group, power in (("positives", 1), ("negatives", 2))
    }


def test_loss_concentration_follows_the_slider_with_the_black_curve():
    cdfs = _cdfs()
    asked = []

    def top_share(group, gamma, top):
        asked.append((group, gamma, top))
        return 0.5

    figure = figures.loss_concentration(cdfs, top_share)
    assert isinstance(figure, SliderFigure)
    assert figure.params["gamma"].grid() == [0.25 * k for k in range(21)]
    assert figure.initial == {"gamma": 2.0}
    assert figure.alt.startswith("Cumulative share of the focal loss")
    # Four thin curves (Lin et al.'s γ) and the slider's curve per panel.
    for ax, group in zip(figure.figure.axes, ("positives", "negatives")):
        thin, slider_line = ax.lines[:4], ax.lines[4]
        for line, gamma in zip(thin, (0, 0.5, 1, 2)):
            np.testing.assert_array_equal(line.get_ydata(), cdfs[group][figures.GAMMA.index(gamma)][1])
        np.testing.assert_array_equal(slider_line.get_ydata(), cdfs[group][8][1])  # γ = 2
    before = np.asarray(figure.image(gamma=0.0), dtype=float)
    after = np.asarray(figure.image(gamma=4.5), dtype=float)
    assert np.abs(before - after).max() > 0
    np.testing.assert_array_equal(figure.figure.axes[1].lines[4].get_ydata(), cdfs["negatives"][18][1])
    assert asked[-1] == ("negatives", 4.5, 0.01)
    assert "50.0 % of their loss" in figure.figure.axes[1].texts[-1].get_text()
    # A γ off the slider's grid has no precomputed curve.
    with pytest.raises(ValueError, match="grid"):
        figure.image(gamma=0.3)


def test_gradient_norms_draw_the_histograms_and_each_losss_share():
    gen = np.random.default_rng(0)
    n_bins = 30
    bin_ce, bin_fl = gen.integers(0, n_bins, 500), gen.integers(0, n_bins, 500)
    fake = gen.random(500) < 0.1
    share = {name: gen.dirichlet(np.ones(n_bins)) for name in ("CE", "FL, γ = 2", "GHM-C")}
    fig = figures.gradient_norms(bin_ce, fake, bin_fl, share)
    assert _is_pyplot_free(fig)
    ax_hist, ax_contrib = fig.axes
    everyone, flipped = ([bar.get_height() for bar in c] for c in ax_hist.containers)
    np.testing.assert_allclose(everyone, np.bincount(bin_ce, minlength=n_bins) / 500)
    np.testing.assert_allclose(flipped, np.bincount(bin_ce[fake], minlength=n_bins) / 500)
    (focal,) = ax_hist.lines
    np.testing.assert_allclose(focal.get_ydata()[:-1], np.bincount(bin_fl, minlength=n_bins) / 500)
    for line, (name, expected) in zip(ax_contrib.lines, share.items()):
        assert line.get_label() == name
        np.testing.assert_allclose(line.get_xdata(), np.linspace(0, 1, n_bins + 1))
        np.testing.assert_allclose(line.get_ydata()[:-1], expected)
