import math

import numpy as np
import pytest
import sklearn.metrics as skm
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import lossviz
from lossviz import (
    brier_score,
    crammer_singer_hinge_loss,
    exponential_loss,
    hinge_loss,
    label_ranking_loss,
    logistic_loss,
    multi_margin_loss,
    multiclass_margin,
    signed_margin,
    modified_huber_loss,
    squared_hinge_loss,
    zero_one_loss,
)

try:
    from sklearn.linear_model import _sgd_fast
except ImportError:  # private module: fall back to the naive formulas below
    _sgd_fast = None

MARGIN_LOSSES = [
    zero_one_loss,
    hinge_loss,
    squared_hinge_loss,
    logistic_loss,
    exponential_loss,
    modified_huber_loss,
]
CONVEX = [hinge_loss, squared_hinge_loss, logistic_loss, exponential_loss, modified_huber_loss]

NAIVE = {
    hinge_loss: lambda m: max(0.0, 1 - m),
    squared_hinge_loss: lambda m: max(0.0, 1 - m) ** 2,
    modified_huber_loss: lambda m: max(0.0, 1 - m) ** 2 if m >= -1 else -4 * m,
    exponential_loss: lambda m: math.exp(-m),
    logistic_loss: lambda m: math.log1p(math.exp(-m)),
}


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    scores = rng.normal(scale=2.0, size=n)
    y = rng.choice([-1.0, 1.0], size=n)
    return scores, y


def _t(a):
    return torch.as_tensor(np.asarray(a, dtype=np.float64))


def test_margin_is_label_times_score():
    assert signed_margin(_t([2.0, -3.0, 0.5]), _t([-1, -1, 1])).tolist() == [-2.0, 3.0, 0.5]


def test_hinge_matches_sklearn():
    s, y = _data()
    assert hinge_loss(s, y).item() == pytest.approx(skm.hinge_loss(y, s), rel=1e-12)


def test_zero_one_matches_sklearn_on_sign_predictions():
    s, y = _data()
    assert not (s == 0).any()  # ties follow this package's own convention, tested below
    pred = np.where(s > 0, 1.0, -1.0)
    assert zero_one_loss(s, y).item() == pytest.approx(skm.zero_one_loss(y, pred))
    assert zero_one_loss(s, y, reduction="sum").item() == skm.zero_one_loss(y, pred, normalize=False)


def test_zero_score_is_an_error_for_either_label():
    assert zero_one_loss(_t([0.0, 0.0]), _t([1, -1]), reduction="none").tolist() == [1.0, 1.0]


def test_logistic_matches_sklearn_log_loss_of_sigmoid():
    s, y = _data()
    prob = 1 / (1 + np.exp(-s))
    expected = skm.log_loss((y + 1) / 2, prob, labels=[0, 1])
    assert logistic_loss(s, y).item() == pytest.approx(expected, rel=1e-9)


def test_brier_matches_sklearn():
    rng = np.random.default_rng(1)
    prob = rng.uniform(size=30)
    y = rng.integers(0, 2, size=30).astype(float)
    assert brier_score(prob, y).item() == pytest.approx(skm.brier_score_loss(y, prob), rel=1e-12)


def test_brier_at_probabilities_zero_and_one_matches_sklearn_unclipped():
    # brier_score_loss does not clip: a certain right forecast scores 0, a
    # certain wrong one 1, and so does brier_score.
    prob, y = [0.0, 1.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]
    assert brier_score(prob, y, reduction="none").tolist() == [0.0, 0.0, 1.0, 1.0]
    assert brier_score(prob, y).item() == skm.brier_score_loss(y, prob) == 0.5


@pytest.mark.parametrize("loss", list(NAIVE))
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_matches_naive_formula(loss, reduction):
    s, y = _data()
    per_elem = torch.tensor([NAIVE[loss](a * b) for a, b in zip(s, y)], dtype=torch.float64)
    expected = {"none": per_elem, "mean": per_elem.mean(), "sum": per_elem.sum()}[reduction]
    torch.testing.assert_close(loss(s, y, reduction=reduction), expected)


SGD_LOSSES = [
    (hinge_loss, "Hinge", (1.0,)),
    (squared_hinge_loss, "SquaredHinge", (1.0,)),
    (modified_huber_loss, "ModifiedHuber", ()),
]


@pytest.mark.parametrize("loss, name, args", SGD_LOSSES)
def test_matches_sklearn_sgd_loss(loss, name, args):
    s, y = _data()
    s = np.concatenate([s, [-5.0, -1.0, 1.0, 7.0]])  # include the kinks and the far left
    y = np.concatenate([y, [1.0, 1.0, 1.0, -1.0]])
    if _sgd_fast is None:
        expected = [NAIVE[loss](a * b) for a, b in zip(s, y)]
    else:
        sk = getattr(_sgd_fast, name)(*args)
        expected = [sk.py_loss(a, b) for a, b in zip(s, y)]
    torch.testing.assert_close(loss(s, y, reduction="none"), torch.tensor(expected, dtype=torch.float64))


# Margins away from the kinks at m = -1 and m = 1.
M = torch.tensor([-30.0, -4.2, -1.7, -0.6, 0.0, 0.3, 0.95, 1.2, 3.0, 25.0], dtype=torch.float64)
ANALYTIC_DLDM = {
    zero_one_loss: lambda m: torch.zeros_like(m),
    hinge_loss: lambda m: -(m < 1).to(m.dtype),
    squared_hinge_loss: lambda m: torch.where(m < 1, -2 * (1 - m), 0.0),
    logistic_loss: lambda m: -torch.sigmoid(-m),
    exponential_loss: lambda m: -torch.exp(-m),
    modified_huber_loss: lambda m: torch.where(m < -1, -4.0, torch.where(m < 1, -2 * (1 - m), 0.0)),
}


@pytest.mark.parametrize("loss", MARGIN_LOSSES)
@pytest.mark.parametrize("label", [1.0, -1.0])
def test_gradient_matches_analytic(loss, label):
    # dL/df = y dL/dm; scores chosen so that the margin is M.
    y = torch.full_like(M, label)
    got = lossviz.grad(loss, label * M, y, reduction="none")
    torch.testing.assert_close(got, label * ANALYTIC_DLDM[loss](M))


def test_brier_gradient():
    p = _t([0.1, 0.5, 0.9, 0.3])
    y = _t([0.0, 1.0, 1.0, 0.0])
    torch.testing.assert_close(lossviz.grad(brier_score, p, y, reduction="none"), 2 * (p - y))


def test_modified_huber_gradient_continuous_at_minus_one():
    assert lossviz.grad(modified_huber_loss, _t([-1.0]), _t([1.0])).item() == -4.0


MARGINS = st.floats(-30, 30)


@settings(max_examples=100, deadline=None)
@given(m=MARGINS)
def test_surrogates_bound_zero_one(m):
    s, y = _t([m]), _t([1.0])
    z = zero_one_loss(s, y).item()
    assert hinge_loss(s, y).item() >= z
    assert squared_hinge_loss(s, y).item() >= z
    assert modified_huber_loss(s, y).item() >= z
    assert exponential_loss(s, y).item() >= z
    assert logistic_loss(s, y).item() / math.log(2) >= z


@pytest.mark.parametrize("loss", CONVEX)
@settings(max_examples=60, deadline=None)
@given(a=MARGINS, b=MARGINS, t=st.floats(0, 1))
def test_convexity(loss, a, b, t):
    ones = _t([1.0])
    mid = loss(_t([t * a + (1 - t) * b]), ones).item()
    chord = t * loss(_t([a]), ones).item() + (1 - t) * loss(_t([b]), ones).item()
    assert mid <= chord + 1e-9 * (1 + abs(chord))


def test_zero_one_is_not_convex():
    ones = _t([1.0])
    mid = zero_one_loss(_t([0.0]), ones).item()
    assert mid > 0.5 * (zero_one_loss(_t([-1.0]), ones) + zero_one_loss(_t([1.0]), ones)).item()


FINITE = [zero_one_loss, hinge_loss, squared_hinge_loss, logistic_loss, modified_huber_loss]


@pytest.mark.parametrize("loss", FINITE)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_finite_at_extreme_scores(loss, dtype):
    s = torch.tensor([1e4, -1e4, 1e4, -1e4], dtype=dtype)
    y = torch.tensor([1.0, 1.0, -1.0, -1.0], dtype=dtype)
    assert torch.isfinite(loss(s, y, reduction="none")).all()
    assert torch.isfinite(lossviz.grad(loss, s, y)).all()


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_logistic_accurate_at_extremes(dtype):
    s = torch.tensor([1e4, -1e4], dtype=dtype)
    y = torch.ones(2, dtype=dtype)
    assert logistic_loss(s, y, reduction="none").tolist() == [0.0, 1e4]
    assert lossviz.grad(logistic_loss, s, y, reduction="none").tolist() == [0.0, -1.0]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_exponential_overflows_as_documented(dtype):
    s = torch.tensor([1e4, -1e4], dtype=dtype)
    y = torch.ones(2, dtype=dtype)
    assert exponential_loss(s, y, reduction="none").tolist() == [0.0, math.inf]
    assert lossviz.grad(exponential_loss, s, y, reduction="none").tolist() == [0.0, -math.inf]


@pytest.mark.parametrize("loss", MARGIN_LOSSES)
@pytest.mark.parametrize("labels", [[0.0, 1.0], [1.0, 2.0], [-1.0, 0.5]])
def test_labels_must_be_plus_minus_one(loss, labels):
    with pytest.raises(ValueError, match="target"):
        loss(_t([0.3, -0.2]), _t(labels))


def test_zero_one_labels_error_explains_the_mapping():
    with pytest.raises(ValueError, match=r"2 \* y - 1"):
        hinge_loss(_t([0.3, -0.2]), _t([0.0, 1.0]))


@pytest.mark.parametrize("loss", [*MARGIN_LOSSES, signed_margin])
def test_shape_mismatch(loss):
    with pytest.raises(ValueError, match="target"):
        loss(_t([0.3, -0.2]), _t([[1.0, -1.0]]))


@pytest.mark.parametrize("loss", [*MARGIN_LOSSES, signed_margin])
def test_nan_scores(loss):
    with pytest.raises(ValueError, match="scores"):
        loss(_t([0.3, math.nan]), _t([1.0, -1.0]))


@pytest.mark.parametrize("loss", [*MARGIN_LOSSES, signed_margin])
def test_nan_target(loss):
    with pytest.raises(ValueError, match="target"):
        loss(_t([0.3, -0.2]), _t([1.0, math.nan]))


@pytest.mark.parametrize("loss", MARGIN_LOSSES)
def test_bad_reduction(loss):
    with pytest.raises(ValueError, match="reduction"):
        loss(_t([0.3]), _t([1.0]), reduction="max")


@pytest.mark.parametrize("bad", [-0.1, 1.2])
def test_brier_prob_outside_unit_interval(bad):
    with pytest.raises(ValueError, match="prob"):
        brier_score(_t([0.5, bad]), _t([0.0, 1.0]))


@pytest.mark.parametrize("labels", [[-1.0, 1.0], [0.0, 0.5]])
def test_brier_target_must_be_zero_or_one(labels):
    with pytest.raises(ValueError, match="target"):
        brier_score(_t([0.5, 0.5]), _t(labels))


def test_brier_shape_mismatch():
    with pytest.raises(ValueError, match="target"):
        brier_score(_t([0.5, 0.5]), _t([0.0]))


def test_brier_nan_prob():
    with pytest.raises(ValueError, match="prob"):
        brier_score(_t([0.5, math.nan]), _t([0.0, 1.0]))


def test_brier_bad_reduction():
    with pytest.raises(ValueError, match="reduction"):
        brier_score(_t([0.5]), _t([1.0]), reduction="median")


# --------------------------------------------------------------------------- multi-class margins

MULTICLASS = [multiclass_margin, crammer_singer_hinge_loss, multi_margin_loss]


def _multiclass_data(n=30, c=4, seed=0):
    rng = np.random.default_rng(seed)
    scores = rng.normal(scale=1.5, size=(n, c))
    target = rng.integers(0, c, size=n)
    return scores, target


def test_multiclass_margin_matches_naive_formula():
    s, y = _multiclass_data()
    expected = [row[t] - max(v for j, v in enumerate(row) if j != t) for row, t in zip(s, y)]
    torch.testing.assert_close(multiclass_margin(s, y), _t(expected))


def test_multiclass_margin_of_two_classes_is_twice_the_binary_margin():
    f = _t([1.5, -0.3, 2.0, -4.0])
    labels = torch.tensor([1, 1, 0, 0])
    two_class = torch.stack([-f, f], dim=1)
    torch.testing.assert_close(multiclass_margin(two_class, labels), 2 * signed_margin(f, 2 * labels - 1))


@pytest.mark.parametrize("c", [3, 4, 7])
@pytest.mark.parametrize("seed", [0, 1])
def test_crammer_singer_matches_sklearn(c, seed):
    s, y = _multiclass_data(n=40, c=c, seed=seed)
    expected = skm.hinge_loss(y, s, labels=np.arange(c))
    assert crammer_singer_hinge_loss(s, y).item() == pytest.approx(expected, rel=1e-12)
    assert crammer_singer_hinge_loss(s, y, reduction="sum").item() == pytest.approx(40 * expected, rel=1e-12)


def test_crammer_singer_per_sample_matches_sklearn_sample_weight():
    s, y = _multiclass_data(n=25, c=5, seed=3)
    weights = np.random.default_rng(4).uniform(0.1, 2.0, size=25)
    per_sample = crammer_singer_hinge_loss(s, y, reduction="none").numpy()
    expected = skm.hinge_loss(y, s, labels=np.arange(5), sample_weight=weights)
    assert np.average(per_sample, weights=weights) == pytest.approx(expected, rel=1e-12)


def test_crammer_singer_hand_made():
    # Margins 2 (no loss), 0.5 (inside the margin), -1 (wrong, with a tie among the others).
    s = [[3.0, 1.0, 0.0], [0.0, 1.5, 2.0], [1.0, 1.0, 0.0]]
    y = [0, 2, 2]
    expected = [0.0, 0.5, 2.0]
    torch.testing.assert_close(crammer_singer_hinge_loss(s, y, reduction="none"), _t(expected))
    assert crammer_singer_hinge_loss(s, y).item() == pytest.approx(skm.hinge_loss(y, s, labels=[0, 1, 2]))


def test_crammer_singer_bounds_the_error_rate():
    s, y = _multiclass_data(n=200, c=5, seed=5)
    errors = (s.argmax(1) != y).astype(float)
    assert (crammer_singer_hinge_loss(s, y, reduction="none").numpy() >= errors).all()


def test_crammer_singer_gradient_matches_analytic():
    # dL/df = [m < 1] (e_rival - e_true), with the rival the best other class.
    s, y = _multiclass_data(n=30, c=4, seed=6)
    rival = [max((j for j in range(4) if j != t), key=lambda j: row[j]) for row, t in zip(s, y)]
    active = [[1.0 if row[t] - row[r] < 1 else 0.0] for row, t, r in zip(s, y, rival)]
    one_hot = torch.nn.functional.one_hot
    expected = _t(active) * (one_hot(torch.tensor(rival), 4) - one_hot(torch.as_tensor(y), 4)).double()
    torch.testing.assert_close(lossviz.grad(crammer_singer_hinge_loss, s, y, reduction="none"), expected)


def test_crammer_singer_is_one_over_c_of_multi_margin_with_one_violator():
    # Each row has exactly one other class within the margin of the true class.
    s = [[2.0, 1.5, -3.0, -1.0], [0.0, 0.0, 5.0, 4.6], [-2.0, 3.0, 2.5, 0.0]]
    y = [0, 2, 1]
    cs = crammer_singer_hinge_loss(s, y, reduction="none")
    assert (cs > 0).all()
    torch.testing.assert_close(multi_margin_loss(s, y, reduction="none"), cs / 4)


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("margin", [1.0, 0.3, 2.5])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_multi_margin_matches_pytorch(p, margin, weighted, reduction):
    s, y = _multiclass_data(n=30, c=5, seed=7)
    weight = _t([0.5, 2.0, 1.0, 3.0, 0.0]) if weighted else None
    expected = torch.nn.functional.multi_margin_loss(
        _t(s), torch.as_tensor(y), p=p, margin=margin, weight=weight, reduction=reduction
    )
    got = multi_margin_loss(s, y, p=p, margin=margin, weight=weight, reduction=reduction)
    torch.testing.assert_close(got, expected)


def test_multi_margin_single_sample_matches_pytorch():
    s = _t([0.2, 1.4, -0.7])
    expected = torch.nn.functional.multi_margin_loss(s, torch.tensor(1), p=2, reduction="none")
    torch.testing.assert_close(multi_margin_loss(s, 1, p=2, reduction="none"), expected)


def test_multi_margin_extra_dimensions_match_pytorch_on_flattened_positions():
    gen = torch.Generator().manual_seed(8)
    s = torch.randn(3, 4, 5, generator=gen, dtype=torch.float64)  # (N, C, d1)
    y = torch.randint(0, 4, (3, 5), generator=gen)
    positions = s.movedim(1, -1).reshape(-1, 4)
    flat = torch.nn.functional.multi_margin_loss(positions, y.reshape(-1), reduction="none")
    torch.testing.assert_close(multi_margin_loss(s, y, reduction="none"), flat.reshape(3, 5))


@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_gradient_matches_pytorch_autograd(p):
    s, y = _multiclass_data(n=20, c=4, seed=9)
    weight = _t([1.0, 0.5, 2.0, 1.5])
    leaf = _t(s).requires_grad_(True)
    kwargs = dict(p=p, weight=weight, reduction="sum")
    torch.nn.functional.multi_margin_loss(leaf, torch.as_tensor(y), **kwargs).backward()
    torch.testing.assert_close(lossviz.grad(multi_margin_loss, s, y, **kwargs), leaf.grad)


def test_multi_margin_keeps_float32():
    s = torch.randn(6, 3, generator=torch.Generator().manual_seed(10))
    y = torch.tensor([0, 1, 2, 2, 1, 0])
    got = multi_margin_loss(s, y, reduction="none")
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, torch.nn.functional.multi_margin_loss(s, y, reduction="none"))


@pytest.mark.parametrize("loss", MULTICLASS)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_multiclass_finite_at_extreme_scores(loss, dtype):
    s = torch.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    y = torch.tensor([0, 0, 2])
    kwargs = {} if loss is multiclass_margin else {"reduction": "none"}
    assert torch.isfinite(loss(s, y, **kwargs)).all()
    assert torch.isfinite(lossviz.grad(loss, s, y, **kwargs)).all()
    if loss is multi_margin_loss:
        assert torch.isfinite(lossviz.grad(loss, s, y, p=2, reduction="none")).all()


@pytest.mark.parametrize("loss", MULTICLASS)
@pytest.mark.parametrize("bad", [[0, 3], [-1, 0], [0, 1.5], [0, math.nan]])
def test_multiclass_bad_target(loss, bad):
    with pytest.raises(ValueError, match="target"):
        loss(_t([[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]]), torch.tensor(bad))


@pytest.mark.parametrize("loss", MULTICLASS)
def test_multiclass_target_shape_mismatch(loss):
    with pytest.raises(ValueError, match="target"):
        loss(_t([[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]]), [0, 1, 2])


@pytest.mark.parametrize("loss", MULTICLASS)
def test_multiclass_nan_scores(loss):
    with pytest.raises(ValueError, match="scores"):
        loss(_t([[0.1, math.nan, 0.3]]), [0])


@pytest.mark.parametrize("loss", [multiclass_margin, crammer_singer_hinge_loss])
def test_crammer_singer_needs_two_classes(loss):
    with pytest.raises(ValueError, match="scores"):
        loss(_t([[0.3], [0.1]]), [0, 0])


@pytest.mark.parametrize("loss", [crammer_singer_hinge_loss, multi_margin_loss])
def test_multiclass_bad_reduction(loss):
    with pytest.raises(ValueError, match="reduction"):
        loss(_t([[0.1, 0.2]]), [0], reduction="max")


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(p=3), "p"),
        (dict(p=True), "p"),
        (dict(margin=math.nan), "margin"),
        (dict(weight=[1.0, 2.0]), "weight"),
        (dict(weight=[1.0, -0.5, 1.0]), "weight"),
        (dict(weight=[1.0, math.nan, 1.0]), "weight"),
    ],
)
def test_multi_margin_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        multi_margin_loss(_t([[0.1, 0.2, 0.3]]), [0], **kwargs)


# --------------------------------------------------------------------------- label ranking


def _ranking_data(n, k, seed, levels=None):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=(n, k))
    y[0], y[1] = 0, 1  # a sample without irrelevant and one without relevant labels
    # Few score levels force ties between relevant and irrelevant labels.
    s = rng.integers(0, levels, size=(n, k)).astype(float) if levels else rng.normal(size=(n, k))
    return y, s


@pytest.mark.parametrize("k", [2, 3, 6, 15])
@pytest.mark.parametrize("levels", [None, 2, 4])
@pytest.mark.parametrize("seed", [0, 1])
def test_label_ranking_matches_sklearn(k, levels, seed):
    y, s = _ranking_data(50, k, seed, levels)
    expected = skm.label_ranking_loss(y, s)
    assert label_ranking_loss(y, s).item() == pytest.approx(expected, rel=1e-12, abs=1e-15)
    total = label_ranking_loss(y, s, reduction="sum").item()
    assert total == pytest.approx(50 * expected, rel=1e-12, abs=1e-15)


def test_label_ranking_per_sample_matches_sklearn_sample_weight():
    y, s = _ranking_data(40, 5, 2, levels=3)
    weights = np.random.default_rng(3).uniform(0.1, 2.0, size=40)
    per_sample = label_ranking_loss(y, s, reduction="none").numpy()
    assert np.average(per_sample, weights=weights) == pytest.approx(
        skm.label_ranking_loss(y, s, sample_weight=weights), rel=1e-12
    )


@pytest.mark.parametrize(
    "y, s, expected",
    [
        # sklearn's documented example: one of two pairs wrong, then both wrong.
        ([[1, 0, 0], [0, 0, 1]], [[0.75, 0.5, 1.0], [1.0, 0.2, 0.1]], [0.5, 1.0]),
        # A tie between the relevant label and one irrelevant label counts as wrong.
        ([[1, 0, 0]], [[0.5, 0.5, 0.1]], [0.5]),
        # All scores equal: every pair is a tie.
        ([[1, 0, 1, 0]], [[2.0, 2.0, 2.0, 2.0]], [1.0]),
        # All relevant, all irrelevant: no pair, loss 0, but the samples count in the mean.
        (
            [[1, 1, 1], [0, 0, 0], [0, 1, 0]],
            [[0.1, 0.9, 0.5], [0.3, 0.2, 0.1], [0.9, 0.1, 0.2]],
            [0.0, 0.0, 1.0],
        ),
    ],
)
def test_label_ranking_hand_made(y, s, expected):
    torch.testing.assert_close(label_ranking_loss(y, s, reduction="none"), _t(expected))
    assert label_ranking_loss(y, s).item() == pytest.approx(skm.label_ranking_loss(np.array(y), np.array(s)))


def test_label_ranking_accepts_boolean_indicators():
    y, s = _ranking_data(20, 4, 4)
    assert label_ranking_loss(y.astype(bool), s).item() == pytest.approx(skm.label_ranking_loss(y, s))
    assert label_ranking_loss(torch.as_tensor(y, dtype=torch.bool), s).item() == pytest.approx(
        skm.label_ranking_loss(y, s)
    )


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_label_ranking_extreme_scores_and_zero_gradient(dtype):
    y = torch.tensor([[1, 0, 1], [0, 1, 0]])
    s = torch.tensor([[1e4, -1e4, -1e4], [1e4, -1e4, 1e4]], dtype=dtype)
    got = label_ranking_loss(y, s, reduction="none")
    assert got.dtype == dtype
    torch.testing.assert_close(got, torch.tensor([0.5, 1.0], dtype=dtype))
    g = lossviz.grad(lambda scores: label_ranking_loss(y, scores), s)
    assert torch.equal(g, torch.zeros_like(s))


@pytest.mark.parametrize("bad", [[[1, 2, 0]], [[1, -1, 0]], [[1, 0.5, 0]]])
def test_label_ranking_indicators_must_be_zero_or_one(bad):
    with pytest.raises(ValueError, match="y_true"):
        label_ranking_loss(bad, [[0.1, 0.2, 0.3]])


@pytest.mark.parametrize(
    "y, s, name",
    [
        ([[1, 0, 0]], [[0.1, 0.2]], "y_true"),
        ([1, 0, 0], [0.1, 0.2, 0.3], "y_true"),
        ([[1, 0, 0]], [[0.1, math.nan, 0.3]], "y_score"),
        ([[1, math.nan, 0]], [[0.1, 0.2, 0.3]], "y_true"),
    ],
)
def test_label_ranking_bad_input(y, s, name):
    with pytest.raises(ValueError, match=name):
        label_ranking_loss(y, s)


@pytest.mark.parametrize("shape", [(0, 3), (2, 0), (0, 0)])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_label_ranking_empty_input_raises_like_sklearn(shape, reduction):
    y, s = np.zeros(shape), np.zeros(shape)
    with pytest.raises(ValueError):
        skm.label_ranking_loss(y, s)
    with pytest.raises(ValueError, match="y_true must hold at least one sample and one label"):
        label_ranking_loss(y, s, reduction=reduction)


def test_label_ranking_bad_reduction():
    with pytest.raises(ValueError, match="reduction"):
        label_ranking_loss([[1, 0]], [[0.1, 0.2]], reduction="max")
