"""Tests for lossviz.data: the synthetic imbalanced task, the stratified split and the
detector's logits."""

from __future__ import annotations

import math

import pytest
import torch

from lossviz.data import (
    EASY_NEGATIVE,
    HARD_NEGATIVE,
    POSITIVE,
    ImbalancedTask,
    detector_logits,
    make_imbalanced_task,
    stratified_split,
)

N = 200_000


@pytest.fixture(scope="module")
def task() -> ImbalancedTask:
    return make_imbalanced_task(N, seed=0)


# ------------------------------------------------------------------ counts --
def test_shapes_and_dtypes(task):
    assert task.features.shape == (N, 8) and task.features.dtype == torch.float32
    for t in (task.labels, task.clean_labels):
        assert t.shape == (N,) and t.dtype == torch.float32
    assert task.kind.shape == (N,) and task.kind.dtype == torch.int64


def test_exact_group_counts(task):
    assert int((task.kind == POSITIVE).sum()) == round(N * 1e-3)
    assert int((task.kind == HARD_NEGATIVE).sum()) == round(N * 0.02)
    assert int((task.kind == EASY_NEGATIVE).sum()) == N - round(N * 1e-3) - round(N * 0.02)


def test_clean_labels_are_the_positives(task):
    assert torch.equal(task.clean_labels, (task.kind == POSITIVE).float())


def test_most_negatives_are_easy(task):
    negatives = task.kind != POSITIVE
    assert (task.kind[negatives] == EASY_NEGATIVE).float().mean() > 0.97


def test_exact_noise_count(task):
    flipped = task.labels != task.clean_labels
    assert int(flipped.sum()) == round(N * 1e-4)
    # Flipping is uniform over examples, so nearly every flip makes a false positive.
    assert int((task.labels[flipped] == 1).sum()) >= round(N * 1e-4) - 1


@pytest.mark.parametrize("rate", [0.0, 0.003, 0.05])
def test_label_noise_rate_is_respected(rate):
    t = make_imbalanced_task(20_000, label_noise=rate, seed=1)
    assert int((t.labels != t.clean_labels).sum()) == round(20_000 * rate)


def test_rates_are_respected():
    t = make_imbalanced_task(10_000, positive_rate=0.01, hard_negative_rate=0.1, seed=2)
    assert int((t.kind == POSITIVE).sum()) == 100
    assert int((t.kind == HARD_NEGATIVE).sum()) == 1000


# ---------------------------------------------------------------- geometry --
def test_hard_negatives_fill_the_band(task):
    r = task.features[task.kind == HARD_NEGATIVE].double().norm(dim=1)
    assert r.min() >= 1.2 - 1e-5 and r.max() <= 2.2 + 1e-5
    # Uniform in radius: the two halves of the band are about equally full.
    lower = (r < 1.7).double().mean().item()
    assert 0.45 < lower < 0.55


def test_easy_negatives_lie_outside_the_band(task):
    r = task.features[task.kind == EASY_NEGATIVE].double().norm(dim=1)
    assert r.min() >= 2.2 - 1e-5


def test_positives_sit_at_the_object(task):
    x = task.features[task.kind == POSITIVE].double()
    # N(0, I/d): E ||x||^2 = 1 and the mean is 0.
    assert x.pow(2).sum(dim=1).mean().item() == pytest.approx(1.0, abs=0.1)
    assert x.mean(dim=0).abs().max().item() < 4 / math.sqrt(x.shape[0])
    # Only the positives' outer tail reaches into the band: they are the hard ones.
    inside = (x.norm(dim=1) < 1.2).double().mean().item()
    assert 0.7 < inside < 0.95


def test_dim_argument():
    t = make_imbalanced_task(1_000, dim=3, seed=0)
    assert t.features.shape == (1_000, 3)


# ------------------------------------------------------------ determinism --
def test_same_seed_same_task():
    a = make_imbalanced_task(5_000, seed=7)
    b = make_imbalanced_task(5_000, seed=7)
    for x, y in zip(a, b):
        assert torch.equal(x, y)


def test_different_seeds_differ():
    a = make_imbalanced_task(5_000, seed=7)
    b = make_imbalanced_task(5_000, seed=8)
    assert not torch.equal(a.features, b.features)
    assert not torch.equal(a.kind, b.kind)


# ---------------------------------------------------------------- bad input --
@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n": 0}, "n"),
        ({"n": 2.5}, "n"),
        ({"positive_rate": -0.1}, "positive_rate"),
        ({"positive_rate": 1.5}, "positive_rate"),
        ({"hard_negative_rate": 2.0}, "hard_negative_rate"),
        ({"positive_rate": 0.6, "hard_negative_rate": 0.6}, "positive_rate"),
        ({"label_noise": 1.1}, "label_noise"),
        ({"dim": 0}, "dim"),
        ({"hard_band": (2.0, 1.0)}, "hard_band"),
        ({"hard_band": (0.0, 1.0)}, "hard_band"),
        ({"hard_band": "ab"}, "hard_band"),
        ({"easy_scale": 0.0}, "easy_scale"),
        ({"seed": 1.5}, "seed"),
    ],
)
def test_rejects_bad_arguments(kwargs, name):
    args = {"n": 100, **kwargs}
    n = args.pop("n")
    with pytest.raises(ValueError, match=name):
        make_imbalanced_task(n, **args)


# --------------------------------------------------------- stratified_split --
def test_split_keeps_every_stratum_proportion(task):
    parts = stratified_split(task.kind, (0.4, 0.2, 0.4), seed=0)
    assert [len(p) for p in parts] == [0.4 * N, 0.2 * N, 0.4 * N]
    n_pos = int((task.kind == POSITIVE).sum())
    for p, f in zip(parts, (0.4, 0.2, 0.4)):
        assert int((task.kind[p] == POSITIVE).sum()) == round(f * n_pos)


def test_split_parts_are_disjoint_sorted_and_cover():
    strata = torch.tensor([0, 1, 1, 2, 0, 0, 1, 2, 2, 2, 0])
    parts = stratified_split(strata, (0.5, 0.5), seed=3)
    joined = torch.cat(parts)
    assert torch.equal(torch.sort(joined).values, torch.arange(len(strata)))
    for p in parts:
        assert torch.equal(p, torch.sort(p).values)


def test_split_may_leave_a_remainder():
    parts = stratified_split(torch.zeros(100, dtype=torch.long), (0.3, 0.2))
    assert [len(p) for p in parts] == [30, 20]
    assert len(set(torch.cat(parts).tolist())) == 50


def test_split_deterministic_by_seed():
    strata = torch.randint(0, 3, (1_000,), generator=torch.Generator().manual_seed(0))
    a = stratified_split(strata, (0.5, 0.5), seed=1)
    b = stratified_split(strata, (0.5, 0.5), seed=1)
    c = stratified_split(strata, (0.5, 0.5), seed=2)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not torch.equal(a[0], c[0])


@pytest.mark.parametrize(
    ("strata", "fractions", "name"),
    [
        (torch.zeros(3, 2), (0.5,), "strata"),
        (torch.tensor([0.5, 1.0]), (0.5,), "strata"),
        ([0, 1], (0.7, 0.7), "fractions"),
        ([0, 1], (0.0, 0.5), "fractions"),
        ([0, 1], (), "fractions"),
    ],
)
def test_split_rejects_bad_input(strata, fractions, name):
    with pytest.raises(ValueError, match=name):
        stratified_split(strata, fractions)


# -------------------------------------------------------- detector logits --
def margins(logits, target):
    """m = x (2y - 1): positive where the anchor is classified correctly."""
    return logits * (2 * target - 1)


def test_detector_logits_shapes_dtypes_and_targets():
    logits, target = detector_logits(50_000)
    assert logits.shape == target.shape == (50_000,)
    assert logits.dtype == target.dtype == torch.float64
    assert set(target.unique().tolist()) <= {0.0, 1.0}
    assert target.mean().item() == pytest.approx(0.01, abs=0.002)


def test_detector_logits_deterministic_by_seed_and_same_numbers_in_float32():
    a, b, c = detector_logits(1_000, seed=3), detector_logits(1_000, seed=3), detector_logits(1_000, seed=4)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], c[0])
    single = detector_logits(1_000, seed=3, dtype=torch.float32)
    assert single[0].dtype == torch.float32
    assert torch.equal(single[0], a[0].float()) and torch.equal(single[1], a[1].float())


def test_detector_logits_margins_follow_their_kind():
    # Every anchor of one kind: easy N(m_e, 1.5^2), hard U(-3, 3), outliers N(-5, 1).
    easy = margins(*detector_logits(50_000, outlier_fraction=0, hard_fraction=0, easy_margin=4.0))
    hard = margins(*detector_logits(50_000, outlier_fraction=0, hard_fraction=1))
    outlier = margins(*detector_logits(50_000, outlier_fraction=1, hard_fraction=0))
    assert easy.mean().item() == pytest.approx(4.0, abs=0.03)
    assert easy.std().item() == pytest.approx(1.5, abs=0.03)
    assert hard.min() >= -3 and hard.max() <= 3
    assert hard.mean().item() == pytest.approx(0.0, abs=0.03)
    assert outlier.mean().item() == pytest.approx(-5.0, abs=0.03)
    assert outlier.std().item() == pytest.approx(1.0, abs=0.03)


def test_detector_logits_gradient_norms_form_a_u():
    logits, target = detector_logits(100_000)
    g = (torch.sigmoid(logits) - target).abs()
    easy = (g < 0.1).double().mean().item()
    middle = ((g >= 0.4) & (g < 0.6)).double().mean().item()
    top = (g > 0.9).double().mean().item()
    assert middle < top < easy
    # g > 0.9 where m < -logit(0.9) = -2.197: the outliers, m ~ N(-5, 1), with
    # probability Phi(5 - 2.197) = 0.9975, and the hard anchors, m ~ U(-3, 3), below it.
    expected = 0.005 * 0.9975 + 0.03 * (3 - math.log(9)) / 6
    assert top == pytest.approx(expected, abs=0.0008)


def test_detector_logits_fractions_relabel_the_same_draws():
    none, some = detector_logits(10_000, outlier_fraction=0.0), detector_logits(10_000, outlier_fraction=0.02)
    assert torch.equal(none[1], some[1])
    # Kinds are cut from one uniform draw u: the hard anchors with u < 0.02 become
    # outliers and the easy ones with 0.03 <= u < 0.05 become hard; the rest stay.
    changed = (margins(*none) != margins(*some)).double().mean().item()
    assert changed == pytest.approx(0.04, abs=0.005)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n": 0}, "n"),
        ({"outlier_fraction": -0.1}, "outlier_fraction"),
        ({"outlier_fraction": 0.6, "hard_fraction": 0.6}, "hard_fraction"),
        ({"easy_margin": math.inf}, "easy_margin"),
        ({"positive_rate": 1.5}, "positive_rate"),
        ({"seed": 0.5}, "seed"),
        ({"dtype": torch.int64}, "dtype"),
    ],
)
def test_detector_logits_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        detector_logits(**kwargs)
