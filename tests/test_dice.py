import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lossviz
from lossviz import dice_loss


def naive_dice(logits, target, smooth=1.0, squared=False):
    """One loss per sample, with plain Python loops over the flattened sample."""
    out = []
    for x_n, g_n in zip(logits.tolist(), target.tolist()):
        xs, gs = _flatten(x_n), _flatten(g_n)
        ps = [1 / (1 + math.exp(-x)) for x in xs]
        inter = sum(p * g for p, g in zip(ps, gs))
        power = 2 if squared else 1
        union = sum(p**power for p in ps) + sum(g**power for g in gs)
        out.append(1 - (2 * inter + smooth) / (union + smooth))
    return torch.tensor(out, dtype=torch.float64)


def _flatten(v):
    return [y for x in v for y in _flatten(x)] if isinstance(v, list) else [v]


def _data(shape=(3, 2, 4, 5), seed=0, soft=False):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(shape, generator=g, dtype=torch.float64) * 2
    target = torch.rand(shape, generator=g, dtype=torch.float64)
    return logits, target if soft else (target > 0.5).double()


@pytest.mark.parametrize("squared", [False, True])
@pytest.mark.parametrize("smooth", [0.0, 1e-5, 1.0, 10.0])
@pytest.mark.parametrize("soft", [False, True])
def test_matches_naive_formula(smooth, squared, soft):
    x, g = _data(soft=soft)
    expected = naive_dice(x, g, smooth, squared)
    got = dice_loss(x, g, smooth=smooth, squared=squared, reduction="none")
    assert got.shape == (3,)
    torch.testing.assert_close(got, expected)


def test_reductions():
    x, g = _data()
    per_sample = naive_dice(x, g)
    torch.testing.assert_close(dice_loss(x, g), per_sample.mean())
    torch.testing.assert_close(dice_loss(x, g, reduction="sum"), per_sample.sum())


def test_perfect_and_disjoint_masks():
    g = torch.tensor([[1.0, 0.0, 1.0, 0.0]], dtype=torch.float64)
    confident = (2 * g - 1) * 1e4
    assert dice_loss(confident, g, smooth=0.0).item() == pytest.approx(0.0, abs=1e-12)
    assert dice_loss(-confident, g, smooth=0.0).item() == pytest.approx(1.0, abs=1e-12)


def test_empty_masks_with_zero_smooth_are_a_perfect_match():
    x = torch.full((2, 3), -1e4, dtype=torch.float64)
    g = torch.zeros_like(x)
    assert dice_loss(x, g, smooth=0.0, reduction="none").tolist() == [0.0, 0.0]
    assert lossviz.grad(dice_loss, x, g, smooth=0.0).abs().max().item() == 0.0


def test_dtype_follows_float32_tensor():
    x = torch.zeros((2, 3), dtype=torch.float32)
    assert dice_loss(x, torch.ones((2, 3))).dtype == torch.float32


def _analytic_grad(x, g, s, squared):
    """Quotient rule per sample, chained through sigma' = p (1 - p); dL/dx for reduction="sum"."""
    p = torch.sigmoid(x).flatten(1)
    gf = g.flatten(1)
    inter = (p * gf).sum(1, keepdim=True)
    if squared:
        union = (p * p).sum(1, keepdim=True) + (gf * gf).sum(1, keepdim=True)
        d_union = 2 * p
    else:
        union = p.sum(1, keepdim=True) + gf.sum(1, keepdim=True)
        d_union = torch.ones_like(p)
    d_dice_dp = (2 * gf * (union + s) - (2 * inter + s) * d_union) / (union + s) ** 2
    return (-d_dice_dp * p * (1 - p)).reshape(x.shape)


@pytest.mark.parametrize("squared", [False, True])
@pytest.mark.parametrize("smooth", [0.0, 1.0, 5.0])
@pytest.mark.parametrize("soft", [False, True])
def test_gradient_matches_quotient_rule(smooth, squared, soft):
    x, g = _data(soft=soft, seed=1)
    got = lossviz.grad(dice_loss, x, g, smooth=smooth, squared=squared, reduction="sum")
    torch.testing.assert_close(got, _analytic_grad(x, g, smooth, squared))


def test_mean_gradient_is_sum_gradient_over_batch():
    x, g = _data()
    torch.testing.assert_close(
        lossviz.grad(dice_loss, x, g), lossviz.grad(dice_loss, x, g, reduction="sum") / x.shape[0]
    )


@settings(max_examples=80, deadline=None)
@given(
    data=st.data(),
    shape=st.tuples(st.integers(1, 3), st.integers(1, 6)),
    smooth=st.floats(0.0, 10.0),
    squared=st.booleans(),
)
def test_loss_in_unit_interval_for_soft_targets(data, shape, smooth, squared):
    x = data.draw(hnp.arrays("float64", shape, elements=st.floats(-50, 50)))
    g = data.draw(hnp.arrays("float64", shape, elements=st.floats(0, 1)))
    loss = dice_loss(x, g, smooth=smooth, squared=squared, reduction="none")
    assert ((loss >= -1e-12) & (loss <= 1 + 1e-12)).all()


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("squared", [False, True])
@pytest.mark.parametrize("smooth", [0.0, 1.0])
def test_finite_at_extreme_logits(dtype, squared, smooth):
    x = torch.tensor([[1e4, -1e4, 1e4, -1e4], [-1e4, -1e4, -1e4, -1e4]], dtype=dtype)
    g = torch.tensor([[1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]], dtype=dtype)
    kw = dict(smooth=smooth, squared=squared)
    assert torch.isfinite(dice_loss(x, g, reduction="none", **kw)).all()
    assert torch.isfinite(lossviz.grad(dice_loss, x, g, **kw)).all()


def test_shape_mismatch():
    with pytest.raises(ValueError, match="target"):
        dice_loss(torch.zeros(2, 3), torch.zeros(2, 4))


def test_one_dimensional_input():
    with pytest.raises(ValueError, match="logits"):
        dice_loss([0.0, 1.0], [0.0, 1.0])


def test_nan_logits():
    with pytest.raises(ValueError, match="logits"):
        dice_loss([[0.0, float("nan")]], [[0.0, 1.0]])


def test_nan_target():
    with pytest.raises(ValueError, match="target"):
        dice_loss([[0.0, 1.0]], [[0.0, float("nan")]])


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_target_outside_unit_interval(bad):
    with pytest.raises(ValueError, match="target"):
        dice_loss([[0.0, 1.0]], [[0.0, bad]])


def test_negative_smooth():
    with pytest.raises(ValueError, match="smooth"):
        dice_loss([[0.0, 1.0]], [[0.0, 1.0]], smooth=-1.0)


def test_bad_reduction():
    with pytest.raises(ValueError, match="reduction"):
        dice_loss([[0.0, 1.0]], [[0.0, 1.0]], reduction="batchmean")
