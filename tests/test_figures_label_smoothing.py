"""Tests for lossviz.figures.label_smoothing: each figure draws what the chapter claims."""

from __future__ import annotations

import math

import matplotlib.colors
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import lossviz
from lossviz.figures import label_smoothing as figures
from lossviz.sliders import SliderFigure

K = 10


def best_gap(epsilon, n_classes=K):
    return math.log(1 + (1 - epsilon) * n_classes / epsilon)


def loss_at_gaps(epsilon, gaps, n_classes=K):
    """Smoothed CE with the true class's logit at each gap and the others at 0."""
    logits = torch.zeros(len(gaps), n_classes, dtype=torch.float64)
    logits[:, 0] = gaps
    true = torch.zeros(len(gaps), dtype=torch.long)
    return lossviz.cross_entropy(logits, true, label_smoothing=epsilon, reduction="none")


@pytest.fixture(scope="module")
def curves():
    gaps = torch.linspace(-2, 14, 161, dtype=torch.float64)
    grid = figures.EPSILON.grid()
    loss = np.stack([loss_at_gaps(eps, gaps).numpy() for eps in grid])
    # ∂L/∂Δ = p_true − q_true.
    p_true = torch.sigmoid(gaps - math.log(K - 1)).numpy()
    grad = np.stack([p_true - (1 - eps + eps / K) for eps in grid])
    return gaps.numpy(), loss, grad


def test_loss_vs_gap_moves_the_curves_and_marks_the_minimum(curves):
    gap_axis, loss, grad = curves
    sf = figures.loss_vs_gap(gap_axis, loss, grad, best_gap, K)
    assert isinstance(sf, SliderFigure)
    assert sf.params == {"epsilon": figures.EPSILON}
    assert figures.EPSILON.grid()[:3] == [0.0, 0.01, 0.02] and len(figures.EPSILON.grid()) == 51
    assert "optimal gap" in sf.alt
    ax_loss, ax_grad = sf.figure.axes
    frames = []
    for epsilon in (0.1, 0.3):
        frames.append(np.asarray(sf.image(epsilon=epsilon)))
        i = figures.EPSILON.index(epsilon)
        # The thick lines are the moving ones.
        (loss_line,) = [line for line in ax_loss.lines if line.get_linewidth() == 3]
        (grad_line,) = [line for line in ax_grad.lines if line.get_linewidth() == 3]
        assert np.array_equal(loss_line.get_ydata(), loss[i]) and np.array_equal(grad_line.get_ydata(), grad[i])
        star = best_gap(epsilon)
        (dot,) = [line for line in ax_grad.lines if line.get_marker() == "o"]
        assert list(dot.get_xdata()) == [star] and list(dot.get_ydata()) == [0.0]
        # The minimum of the loss is the entropy of the smoothed target.
        q = torch.full((K,), epsilon / K, dtype=torch.float64)
        q[0] += 1 - epsilon
        text = ax_loss.texts[-1].get_text()
        assert text.startswith(f"Δ* = {star:.2f},  floor ")
        assert float(text.split("floor ")[1]) == pytest.approx(lossviz.entropy(q).item(), abs=1e-3)
    assert not np.array_equal(*frames)
    sf.image(epsilon=0.0)
    assert ax_loss.texts[-1].get_text() == "ε = 0: no minimum, Δ* = ∞"


def _contrast_on_white(colour) -> float:
    """WCAG 2.1 contrast ratio of an sRGB colour against white."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in matplotlib.colors.to_rgb(colour)]
    return 1.05 / (0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2] + 0.05)


def test_loss_vs_gap_labels_every_reference_curve_legibly_in_both_panels(curves):
    gap_axis, loss, grad = curves
    sf = figures.loss_vs_gap(gap_axis, loss, grad, best_gap, K)
    width_px = sf.figure.get_figwidth() * sf.figure.dpi
    for ax in sf.figure.axes:
        thin = [line for line in ax.lines if line.get_linewidth() == 1.5 and len(line.get_ydata()) == len(gap_axis)]
        labels = {t.get_text(): t for t in ax.texts if t.get_text().startswith("ε = ") and ":" not in t.get_text()}
        assert len(thin) == len(labels) >= 3
        for line in thin:
            # Each reference curve is one of the slider's, and its label names that ε
            # and sits at the curve's right end, in the curve's colour.
            drawn = grad if ax is sf.figure.axes[1] else loss
            (i,) = [i for i in range(len(drawn)) if np.array_equal(line.get_ydata(), drawn[i])]
            label = labels[f"ε = {figures.EPSILON.grid()[i]:g}"]
            assert label.xy == (gap_axis[-1], line.get_ydata()[-1])
            assert matplotlib.colors.same_color(label.get_color(), line.get_color())
            # Text needs 4.5:1 on white, and 10 px where the page shows the frame
            # about 670 px wide (sphinx-book-theme at a 1280-px window).
            assert _contrast_on_white(label.get_color()) >= 4.5
            assert label.get_fontsize() * sf.figure.dpi / 72 * 670 / width_px >= 10


def test_loss_vs_gap_needs_one_curve_per_slider_value(curves):
    gap_axis, loss, grad = curves
    with pytest.raises(ValueError, match="one curve per slider value"):
        figures.loss_vs_gap(gap_axis, loss[::2], grad[::2], best_gap, K)


def test_optimal_gap_by_classes_draws_the_gap_where_the_gradient_vanishes():
    fig = figures.optimal_gap_by_classes(best_gap)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    k_lines = ax.lines[:4]
    assert [line.get_label() for line in k_lines] == ["K = 2", "K = 10", "K = 100", "K = 1000"]
    for line, k in zip(k_lines, [2, 10, 100, 1000]):
        epsilon, gap = line.get_xdata()[::100], line.get_ydata()[::100]
        # At the drawn gap the smoothed cross-entropy's gradient is zero.
        logits = torch.zeros(len(gap), k, dtype=torch.float64)
        logits[:, 0] = torch.as_tensor(gap)
        for row, eps in zip(logits, epsilon):
            slope = lossviz.grad(lossviz.cross_entropy, row[None], torch.tensor([0]), label_smoothing=float(eps))
            assert slope.abs().max() < 1e-12
    inception = ax.lines[4]
    assert list(inception.get_xdata()) == [0.1] and inception.get_ydata()[0] == pytest.approx(math.log(9001))


def test_two_conventions_draws_both_targets_and_their_optimal_gaps():
    epsilon, k = 0.1, 5
    over_k = torch.full((k,), epsilon / k, dtype=torch.float64)
    over_k[0] += 1 - epsilon
    over_k_minus_1 = torch.full((k,), epsilon / (k - 1), dtype=torch.float64)
    over_k_minus_1[0] = 1 - epsilon
    fig = figures.two_conventions(over_k, over_k_minus_1, epsilon)
    assert isinstance(fig, Figure)
    ax_bars, ax_gap = fig.axes
    heights = [bar.get_height() for bar in ax_bars.patches]
    assert np.allclose(heights, torch.cat([over_k, over_k_minus_1]))
    assert [tick.get_text() for tick in ax_bars.get_xticklabels()] == [
        "true",
        "other 1",
        "other 2",
        "other 3",
        "other 4",
    ]
    per_k, per_k_minus_1 = ax_gap.lines
    classes = per_k.get_xdata()
    assert classes[0] == 2 and classes[-1] == 100
    assert np.allclose(per_k.get_ydata(), np.log(1 + (1 - epsilon) * classes / epsilon))
    assert np.allclose(per_k_minus_1.get_ydata(), np.log((1 - epsilon) * (classes - 1) / epsilon))
    # Few classes: the conventions differ; many: they nearly meet.
    difference = per_k.get_ydata() - per_k_minus_1.get_ydata()
    assert difference[0] > 0.5 > 0.02 > difference[-1] > 0
