"""Tests for lossviz.metrics against hand-computed examples and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score
from sklearn.metrics import precision_recall_curve as sk_precision_recall_curve

from lossviz.metrics import PrecisionRecall, average_precision, precision_recall_curve

HYP = settings(max_examples=80, deadline=None)


# ----------------------------------------------------------- hand-computed --
def test_average_precision_hand_example():
    # Ranked: +, -, +, -  -> precision 1/1 at the first positive, 2/3 at the second.
    got = average_precision([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0])
    assert got.dtype == torch.float64 and got.ndim == 0
    assert got.item() == pytest.approx((1.0 + 2.0 / 3.0) / 2.0, abs=1e-15)


def test_average_precision_hand_example_with_tie():
    # Scores 0.8 tie between a positive and a negative: one threshold, at which
    # 2 of 3 predicted positives are right and recall jumps from 1/2 to 1.
    got = average_precision([0.9, 0.8, 0.8, 0.1], [1, 1, 0, 0])
    assert got.item() == pytest.approx(0.5 * 1.0 + 0.5 * (2.0 / 3.0), abs=1e-15)


def test_precision_recall_curve_hand_example():
    curve = precision_recall_curve([0.1, 0.9, 0.4, 0.4], [0, 1, 1, 0])
    assert isinstance(curve, PrecisionRecall)
    torch.testing.assert_close(curve.thresholds, torch.tensor([0.9, 0.4, 0.1], dtype=torch.float64))
    torch.testing.assert_close(curve.precision, torch.tensor([1.0, 2.0 / 3.0, 0.5], dtype=torch.float64))
    torch.testing.assert_close(curve.recall, torch.tensor([0.5, 1.0, 1.0], dtype=torch.float64))


def test_perfect_and_worst_ranking():
    assert average_precision([3.0, 2.0, 1.0], [1, 0, 0]).item() == 1.0
    # The single positive ranked last of n: precision 1/n at recall 1.
    assert average_precision([3.0, 2.0, 1.0, 0.0], [0, 0, 0, 1]).item() == pytest.approx(0.25)


def test_all_scores_tied_gives_positive_rate():
    y = [1, 0, 0, 1, 0, 0, 0, 0]
    assert average_precision([0.5] * 8, y).item() == pytest.approx(2 / 8)


def test_only_order_matters():
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(200, generator=g, dtype=torch.float64)
    labels = (torch.rand(200, generator=g) < 0.2).double()
    labels[0] = 1
    a = average_precision(logits, labels)
    b = average_precision(torch.sigmoid(logits), labels)
    c = average_precision(5 * logits + 3, labels)
    assert a.item() == pytest.approx(b.item(), abs=1e-14) == pytest.approx(c.item(), abs=1e-14)


def test_shapes_are_flattened_and_bool_labels_accepted():
    s = torch.tensor([[0.2, 0.9], [0.4, 0.1]])
    y = torch.tensor([[False, True], [True, False]])
    assert average_precision(s, y).item() == pytest.approx(1.0)


# ------------------------------------------------------------- scikit-learn --
@HYP
@given(
    st.lists(st.tuples(st.integers(0, 6), st.booleans()), min_size=1, max_size=60),
)
def test_average_precision_matches_sklearn_with_ties(pairs):
    # Integer scores make ties frequent.
    scores = np.array([float(s) for s, _ in pairs])
    labels = np.array([int(y) for _, y in pairs])
    if labels.sum() == 0:
        labels[0] = 1
    expected = average_precision_score(labels, scores)
    assert average_precision(scores, labels).item() == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_average_precision_matches_sklearn_imbalanced(seed):
    rng = np.random.default_rng(seed)
    labels = (rng.random(20_000) < 1e-3).astype(np.int64)
    labels[rng.integers(0, 20_000)] = 1
    scores = rng.normal(size=20_000) + 2.0 * labels
    expected = average_precision_score(labels, scores)
    assert average_precision(scores, labels).item() == pytest.approx(expected, abs=1e-12)


@HYP
@given(st.lists(st.tuples(st.integers(0, 6), st.booleans()), min_size=1, max_size=60))
def test_precision_recall_curve_matches_sklearn(pairs):
    scores = np.array([float(s) for s, _ in pairs])
    labels = np.array([int(y) for _, y in pairs])
    if labels.sum() == 0:
        labels[0] = 1
    sk_p, sk_r, sk_t = sk_precision_recall_curve(labels, scores)
    curve = precision_recall_curve(scores, labels)
    # sklearn: increasing thresholds and a final (1, 0) point without a threshold.
    np.testing.assert_allclose(curve.thresholds.numpy(), sk_t[::-1])
    np.testing.assert_allclose(curve.precision.numpy(), sk_p[:-1][::-1], atol=1e-12)
    np.testing.assert_allclose(curve.recall.numpy(), sk_r[:-1][::-1], atol=1e-12)


# ------------------------------------------------------------- bad input --
def test_rejects_no_positive():
    with pytest.raises(ValueError, match="labels"):
        average_precision([0.3, 0.2], [0, 0])


@pytest.mark.parametrize("labels", [[0, 2], [0.5, 1.0], [-1, 1]])
def test_rejects_non_binary_labels(labels):
    with pytest.raises(ValueError, match="labels"):
        average_precision([0.3, 0.2], labels)


def test_rejects_nan_scores():
    with pytest.raises(ValueError, match="scores"):
        precision_recall_curve([0.3, float("nan")], [1, 0])


def test_rejects_shape_mismatch():
    with pytest.raises(ValueError, match="labels"):
        average_precision([0.3, 0.2, 0.1], [1, 0])
