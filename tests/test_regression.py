import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import lossviz
from lossviz import huber_loss, l1_loss, mse_loss, smooth_l1_loss

REDUCTIONS = ["none", "mean", "sum"]
PARAMS = [1e-3, 0.1, 0.5, 1.0, 2.5, 10.0]


def _data(seed=0, shape=(4, 7)):
    g = torch.Generator().manual_seed(seed)
    pred = torch.randn(shape, generator=g, dtype=torch.float64) * 3
    target = torch.randn(shape, generator=g, dtype=torch.float64) * 3
    return pred, target


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_matches_torch(reduction):
    p, t = _data()
    torch.testing.assert_close(mse_loss(p, t, reduction=reduction), F.mse_loss(p, t, reduction=reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_l1_matches_torch(reduction):
    p, t = _data()
    torch.testing.assert_close(l1_loss(p, t, reduction=reduction), F.l1_loss(p, t, reduction=reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("beta", [0.0, *PARAMS])
def test_smooth_l1_matches_torch(beta, reduction):
    p, t = _data()
    torch.testing.assert_close(
        smooth_l1_loss(p, t, beta=beta, reduction=reduction),
        F.smooth_l1_loss(p, t, beta=beta, reduction=reduction),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", PARAMS)
def test_huber_matches_torch(delta, reduction):
    p, t = _data()
    torch.testing.assert_close(
        huber_loss(p, t, delta=delta, reduction=reduction),
        F.huber_loss(p, t, delta=delta, reduction=reduction),
    )


def test_accepts_numpy_and_ints_and_keeps_float32():
    assert mse_loss(np.array([1.0, 2.0]), [0.0, 0.0]).dtype == torch.float64
    assert mse_loss([1, 2], [0, 0]).dtype == torch.float64
    assert mse_loss([1, 2], [0, 0]).item() == 2.5
    p = torch.tensor([1.0, -2.0], dtype=torch.float32)
    assert huber_loss(p, [0.0, 0.0], reduction="none").dtype == torch.float32


def test_python_float_lists_compute_in_float64():
    # The package contract; depends on lossviz._checks.as_float.
    assert mse_loss([1.0, 2.0], [0.0, 0.0]).dtype == torch.float64


def test_smooth_l1_beta_zero_is_l1():
    p, t = _data()
    torch.testing.assert_close(smooth_l1_loss(p, t, beta=0.0, reduction="none"), (p - t).abs())
    torch.testing.assert_close(lossviz.grad(smooth_l1_loss, p, t, beta=0.0), torch.sign(p - t) / p.numel())


# Residuals placed away from the kinks |d| = beta and d = 0.
RESIDUALS = torch.tensor([-7.3, -2.2, -0.8, -0.3, 0.05, 0.4, 1.7, 12.0], dtype=torch.float64)


def test_mse_gradient():
    g = lossviz.grad(mse_loss, RESIDUALS, torch.zeros_like(RESIDUALS), reduction="none")
    torch.testing.assert_close(g, 2 * RESIDUALS)


def test_l1_gradient():
    g = lossviz.grad(l1_loss, RESIDUALS, torch.zeros_like(RESIDUALS), reduction="none")
    torch.testing.assert_close(g, torch.sign(RESIDUALS))


def test_l1_gradient_at_zero_residual_is_zero():
    x = torch.tensor([2.0], dtype=torch.float64)
    assert lossviz.grad(l1_loss, x, x.clone()).item() == 0.0


@pytest.mark.parametrize("beta", [0.5, 1.0, 2.5])
def test_smooth_l1_gradient(beta):
    d = RESIDUALS
    g = lossviz.grad(smooth_l1_loss, d, torch.zeros_like(d), beta=beta, reduction="none")
    expected = [x / beta if abs(x) < beta else math.copysign(1.0, x) for x in d.tolist()]
    torch.testing.assert_close(g, torch.tensor(expected, dtype=torch.float64))


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.5])
def test_huber_gradient(delta):
    d = RESIDUALS
    g = lossviz.grad(huber_loss, d, torch.zeros_like(d), delta=delta, reduction="none")
    expected = [x if abs(x) <= delta else math.copysign(delta, x) for x in d.tolist()]
    torch.testing.assert_close(g, torch.tensor(expected, dtype=torch.float64))


def test_gradient_continuous_at_kink():
    # At |d| = delta both pieces have slope d, so either one-sided choice is right.
    x = torch.tensor([1.5, -2.0], dtype=torch.float64)
    g = lossviz.grad(huber_loss, x, torch.zeros_like(x), delta=1.5, reduction="none")
    assert g.tolist() == [1.5, -1.5]
    g = lossviz.grad(smooth_l1_loss, x, torch.zeros_like(x), beta=2.0, reduction="none")
    assert g.tolist() == [0.75, -1.0]


@settings(max_examples=100, deadline=None)
@given(
    d=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=8),
    beta=st.floats(1e-3, 1e2),
)
def test_smooth_l1_is_huber_over_beta(d, beta):
    d = torch.tensor(d, dtype=torch.float64)
    zeros = torch.zeros_like(d)
    torch.testing.assert_close(
        smooth_l1_loss(d, zeros, beta=beta, reduction="none"),
        huber_loss(d, zeros, delta=beta, reduction="none") / beta,
        rtol=1e-10,
        atol=1e-12,
    )


@pytest.mark.parametrize("loss", [mse_loss, l1_loss, smooth_l1_loss, huber_loss])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_finite_at_extremes(loss, dtype):
    p = torch.tensor([1e4, -1e4, 1e4, 0.0], dtype=dtype)
    t = torch.tensor([-1e4, 1e4, 1e4, 0.0], dtype=dtype)
    assert torch.isfinite(loss(p, t, reduction="none")).all()
    assert torch.isfinite(lossviz.grad(loss, p, t)).all()


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("beta", [1e-30, 1e-300, 1e-310])
def test_tiny_beta_has_finite_gradient(beta, dtype):
    p = torch.tensor([1e4, -3.0, 0.0], dtype=dtype)
    for loss, kw in [(smooth_l1_loss, {"beta": beta}), (huber_loss, {"delta": beta})]:
        assert torch.isfinite(loss(p, torch.zeros_like(p), reduction="none", **kw)).all()
        assert torch.isfinite(lossviz.grad(loss, p, torch.zeros_like(p), **kw)).all()


@pytest.mark.parametrize("loss", [mse_loss, l1_loss, smooth_l1_loss, huber_loss])
def test_shape_mismatch(loss):
    with pytest.raises(ValueError, match="target"):
        loss([1.0, 2.0], [[1.0, 2.0]])


@pytest.mark.parametrize("loss", [mse_loss, l1_loss, smooth_l1_loss, huber_loss])
def test_nan_pred(loss):
    with pytest.raises(ValueError, match="pred"):
        loss([1.0, float("nan")], [1.0, 2.0])


@pytest.mark.parametrize("loss", [mse_loss, l1_loss, smooth_l1_loss, huber_loss])
def test_nan_target(loss):
    with pytest.raises(ValueError, match="target"):
        loss([1.0, 2.0], [float("nan"), 2.0])


def test_negative_beta():
    with pytest.raises(ValueError, match="beta"):
        smooth_l1_loss([1.0], [0.0], beta=-0.1)


def test_infinite_beta():
    with pytest.raises(ValueError, match="beta"):
        smooth_l1_loss([1.0], [0.0], beta=math.inf)


def test_infinite_delta():
    with pytest.raises(ValueError, match="delta"):
        huber_loss([1.0], [0.0], delta=math.inf)


@pytest.mark.parametrize("delta", [0.0, -1.0])
def test_non_positive_delta(delta):
    with pytest.raises(ValueError, match="delta"):
        huber_loss([1.0], [0.0], delta=delta)


@pytest.mark.parametrize("loss", [mse_loss, l1_loss, smooth_l1_loss, huber_loss])
def test_bad_reduction(loss):
    with pytest.raises(ValueError, match="reduction"):
        loss([1.0], [0.0], reduction="avg")


def test_smooth_l1_keeps_the_quadratic_term_for_residuals_far_below_beta():
    # 0.5 d^2 / beta, exactly: adding it to |d| and subtracting |c| again would lose it
    d = torch.tensor([-4.1633e-17], dtype=torch.float64)
    loss = lossviz.smooth_l1_loss(d, torch.zeros(1, dtype=torch.float64), beta=0.1, reduction="none")
    assert torch.allclose(loss, 0.5 * d**2 / 0.1, rtol=1e-12, atol=0)
