"""Tests for lossviz.focal against torchvision's formula, Lin et al.'s gradient and PyTorch."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import lossviz
from lossviz import binary_cross_entropy, sigmoid_focal_loss, softmax_focal_loss

HYP = settings(max_examples=60, deadline=None)
REDUCTIONS = ["none", "mean", "sum"]
GAMMAS = [0.0, 0.3, 0.5, 1.0, 2.0, 5.0]
EXTREME = [-1e4, -50.0, 0.0, 50.0, 1e4]


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _torchvision_focal(x, y, alpha, gamma):
    """Plain transcription of torchvision.ops.sigmoid_focal_loss (reduction "none")."""
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha is not None:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return loss


def _logit(p):
    return math.log(p / (1 - p))


# ------------------------------------------------------------ sigmoid_focal_loss


@pytest.mark.parametrize("alpha", [None, 0.25, 0.7])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 3.7])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sigmoid_focal_matches_torchvision_formula(alpha, gamma, reduction):
    g = _gen(0)
    x = 4 * torch.randn(3, 8, generator=g, dtype=torch.float64)
    y = torch.rand(3, 8, generator=g, dtype=torch.float64)
    y[:2] = y[:2].round()  # hard labels, plus one row of soft ones
    ref = _torchvision_focal(x, y, alpha, gamma)
    ref = {"none": ref, "mean": ref.mean(), "sum": ref.sum()}[reduction]
    got = sigmoid_focal_loss(x, y, alpha=alpha, gamma=gamma, reduction=reduction)
    torch.testing.assert_close(got, ref)


def test_sigmoid_focal_default_is_torchvision_default():
    x = torch.tensor([-2.0, 0.5, 3.0], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 1.0], dtype=torch.float64)
    torch.testing.assert_close(sigmoid_focal_loss(x, y), _torchvision_focal(x, y, 0.25, 2.0))


def test_sigmoid_focal_worked_numbers():
    # gamma = 2, alpha off, y = 1 so p_t = p: FL = (1 - p_t)^2 * (-ln p_t).
    # p_t = 0.1: 0.9^2 * 2.3026 = 0.81 * 2.3026 = 1.8651 (a hard example keeps most of its loss);
    # p_t = 0.99: 0.01^2 * 0.01005 = 1.005e-6 (an easy one is down-weighted 10^4 times).
    x = [_logit(0.1), _logit(0.99)]
    got = sigmoid_focal_loss(x, [1.0, 1.0], alpha=None, gamma=2.0)
    torch.testing.assert_close(got, torch.tensor([1.8651, 1.005e-6], dtype=torch.float64), rtol=2e-4, atol=0)


@pytest.mark.parametrize("alpha", [None, 0.25])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
def test_sigmoid_focal_gradient_matches_lin_appendix_b(alpha, gamma):
    g = _gen(1)
    x = 4 * torch.randn(30, generator=g, dtype=torch.float64)
    y01 = torch.rand(30, generator=g, dtype=torch.float64).round()
    # Lin et al. 2017, appendix B, with labels y in {-1, +1}:
    # dFL/dx = y (1 - p_t)^gamma (gamma p_t log p_t + p_t - 1), x_t = y x, p_t = sigmoid(x_t).
    y = 2 * y01 - 1
    p_t = torch.sigmoid(y * x)
    expected = y * (1 - p_t) ** gamma * (gamma * p_t * torch.log(p_t) + p_t - 1)
    if alpha is not None:
        expected = (alpha * y01 + (1 - alpha) * (1 - y01)) * expected
    got = lossviz.grad(sigmoid_focal_loss, x, y01, alpha=alpha, gamma=gamma)
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("alpha", [None, 0.25])
def test_sigmoid_focal_finite_at_extreme_logits(dtype, gamma, alpha):
    x = torch.tensor(EXTREME * 3, dtype=dtype)
    y = torch.tensor([0.0] * 5 + [1.0] * 5 + [0.3] * 5, dtype=dtype)
    loss = sigmoid_focal_loss(x, y, alpha=alpha, gamma=gamma)
    g = lossviz.grad(sigmoid_focal_loss, x, y, alpha=alpha, gamma=gamma)
    assert loss.dtype == dtype and g.dtype == dtype
    assert torch.isfinite(loss).all() and torch.isfinite(g).all()
    # Saturated limits of Lin's gradient: a hopelessly wrong hard prediction has
    # p_t -> 0 and slope -+alpha_t; a perfect one has slope 0 (even for gamma < 1).
    a_pos, a_neg = (1.0, 1.0) if alpha is None else (alpha, 1 - alpha)
    torch.testing.assert_close(g[[0, 4, 5, 9]], torch.tensor([0.0, a_neg, -a_pos, 0.0], dtype=dtype))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("alpha", [None, 0.25])
def test_sigmoid_focal_infinite_logit_with_matching_label_is_zero(dtype, gamma, alpha):
    # p_t = 1 exactly: loss 0 and slope 0, the limit of torchvision's formula at
    # saturating finite logits (torchvision itself returns NaN at +-inf, from
    # binary_cross_entropy_with_logits).
    x = torch.tensor([math.inf, -math.inf], dtype=dtype)
    y = torch.tensor([1.0, 0.0], dtype=dtype)
    limit = _torchvision_focal(x.clamp(-1e4, 1e4), y, alpha, gamma)
    loss = sigmoid_focal_loss(x, y, alpha=alpha, gamma=gamma)
    g = lossviz.grad(sigmoid_focal_loss, x, y, alpha=alpha, gamma=gamma)
    assert loss.dtype == dtype and (limit == 0).all()
    assert (loss == limit).all() and (g == 0).all()


@HYP
@given(
    st.lists(st.floats(-30, 30), min_size=1, max_size=8),
    st.lists(st.floats(0, 1), min_size=8, max_size=8),
)
def test_sigmoid_focal_gamma_zero_is_binary_cross_entropy(xs, ys):
    x = torch.tensor(xs, dtype=torch.float64)
    y = torch.tensor(ys[: len(xs)], dtype=torch.float64)
    torch.testing.assert_close(
        sigmoid_focal_loss(x, y, alpha=None, gamma=0.0), binary_cross_entropy(x, y, reduction="none")
    )


@HYP
@given(
    st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=8),
    st.lists(st.floats(0, 1), min_size=8, max_size=8),
    st.floats(0, 5),
)
def test_sigmoid_focal_never_exceeds_binary_cross_entropy(xs, ys, gamma):
    x = torch.tensor(xs, dtype=torch.float64)
    y = torch.tensor(ys[: len(xs)], dtype=torch.float64)
    fl = sigmoid_focal_loss(x, y, alpha=None, gamma=gamma)
    assert (fl <= binary_cross_entropy(x, y, reduction="none")).all()


def test_sigmoid_focal_rejects_negative_gamma():
    with pytest.raises(ValueError, match="gamma"):
        sigmoid_focal_loss([0.0], [1.0], gamma=-0.5)


@pytest.mark.parametrize("alpha", [-0.25, 1.25])
def test_sigmoid_focal_rejects_alpha_out_of_range(alpha):
    with pytest.raises(ValueError, match="alpha"):
        sigmoid_focal_loss([0.0], [1.0], alpha=alpha)


def test_sigmoid_focal_rejects_target_outside_unit_interval():
    with pytest.raises(ValueError, match="target"):
        sigmoid_focal_loss([0.0, 1.0], [0.0, 3.0])


def test_sigmoid_focal_rejects_shape_mismatch():
    with pytest.raises(ValueError, match="target"):
        sigmoid_focal_loss(torch.zeros(2, 3), torch.zeros(3, 2))


def test_sigmoid_focal_rejects_nan_logits():
    with pytest.raises(ValueError, match="logits"):
        sigmoid_focal_loss([math.nan], [1.0])


def test_sigmoid_focal_rejects_unknown_reduction():
    with pytest.raises(ValueError, match="reduction"):
        sigmoid_focal_loss([0.0], [1.0], reduction="avg")


# ------------------------------------------------------------ softmax_focal_loss


@pytest.mark.parametrize(
    "shape,tshape", [((5,), ()), ((4, 3), (4,)), ((2, 3, 4, 5), (2, 4, 5))]
)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_softmax_focal_gamma_zero_is_cross_entropy(shape, tshape, reduction):
    g = _gen(2)
    x = 3 * torch.randn(shape, generator=g, dtype=torch.float64)
    k = shape[1] if len(shape) >= 2 else shape[0]
    t = torch.randint(0, k, tshape, generator=g)
    got = softmax_focal_loss(x, t, gamma=0.0, reduction=reduction)
    torch.testing.assert_close(got, F.cross_entropy(x, t, reduction=reduction))


@pytest.mark.parametrize("alpha", [None, [0.25, 0.5, 1.0, 0.0]])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_softmax_focal_matches_naive_formula(alpha, gamma):
    g = _gen(3)
    x = 2 * torch.randn(6, 4, generator=g, dtype=torch.float64)
    t = torch.randint(0, 4, (6,), generator=g)
    expected = []
    for row, c in zip(x.tolist(), t.tolist()):
        z = sum(math.exp(v) for v in row)
        p_t = math.exp(row[c]) / z
        a = 1.0 if alpha is None else alpha[c]
        expected.append(-a * (1 - p_t) ** gamma * math.log(p_t))
    expected = torch.tensor(expected, dtype=torch.float64)
    torch.testing.assert_close(softmax_focal_loss(x, t, alpha=alpha, gamma=gamma, reduction="none"), expected)
    torch.testing.assert_close(softmax_focal_loss(x, t, alpha=alpha, gamma=gamma), expected.mean())


def test_softmax_focal_alpha_as_tensor():
    x = torch.tensor([[1.0, -1.0], [0.0, 2.0]], dtype=torch.float64)
    alpha = torch.tensor([0.2, 0.9])
    base = softmax_focal_loss(x, [0, 1], reduction="none")
    torch.testing.assert_close(softmax_focal_loss(x, [0, 1], alpha=alpha, reduction="none"),
                               base * torch.tensor([0.2, 0.9], dtype=torch.float64))


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_softmax_focal_gradient(gamma):
    g = _gen(4)
    x = 2 * torch.randn(5, 3, generator=g, dtype=torch.float64)
    t = torch.randint(0, 3, (5,), generator=g)
    alpha = torch.tensor([0.3, 0.6, 0.9], dtype=torch.float64)
    p = torch.softmax(x, 1)
    p_t = p.gather(1, t[:, None])
    # dFL/dx_j = alpha_t (gamma (1-p_t)^(gamma-1) p_t log p_t - (1-p_t)^gamma) (delta_tj - p_j)
    scale = gamma * (1 - p_t) ** (gamma - 1) * p_t * torch.log(p_t) - (1 - p_t) ** gamma
    expected = alpha[t][:, None] * scale * (F.one_hot(t, 3) - p)
    got = lossviz.grad(softmax_focal_loss, x, t, alpha=alpha, gamma=gamma, reduction="sum")
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("gamma", GAMMAS)
def test_softmax_focal_finite_at_extreme_logits(dtype, gamma):
    x = torch.tensor(
        [[1e4, -1e4, 0.0], [1e4, -1e4, 0.0], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]], dtype=dtype
    )
    t = torch.tensor([0, 1, 2, 0])
    loss = softmax_focal_loss(x, t, gamma=gamma, reduction="none")
    g = lossviz.grad(softmax_focal_loss, x, t, gamma=gamma)
    assert loss.dtype == dtype and torch.isfinite(loss).all() and torch.isfinite(g).all()
    # A saturated correct prediction has no loss and, for every gamma >= 0, no slope.
    assert loss[0] == 0 and (g[0] == 0).all()


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_softmax_focal_masked_classes(gamma):
    # Masked classes (logit -inf) drop out: the loss and gradient are those of
    # the logits without them (naive formula), and with gamma = 0 those of
    # F.cross_entropy, which is exact here. Row 1 has every class but the
    # target masked: p_t = 1, loss 0, gradient 0.
    inf = math.inf
    x = torch.tensor([[2.0, -inf, 0.5, -1.0], [0.5, -inf, -inf, -inf], [-inf, 1.0, 0.0, -inf]],
                     dtype=torch.float64)
    t = torch.tensor([0, 0, 2])
    loss = softmax_focal_loss(x, t, gamma=gamma, reduction="none")
    g = lossviz.grad(softmax_focal_loss, x, t, gamma=gamma, reduction="none")
    for i, keep in ((0, [0, 2, 3]), (2, [1, 2])):
        kept = torch.tensor(keep)
        sub = x[i, kept].clone().requires_grad_(True)
        p_t = torch.softmax(sub, 0)[keep.index(t[i].item())]
        ref = -(1 - p_t) ** gamma * torch.log(p_t)
        (ref_grad,) = torch.autograd.grad(ref, sub)
        torch.testing.assert_close(loss[i], ref.detach())
        torch.testing.assert_close(g[i, kept], ref_grad)
    # Row 1: with one class left p_t = 1 whatever its logit, so loss and slope are 0.
    assert (g[torch.isinf(x)] == 0).all() and loss[1] == 0 and (g[1] == 0).all()
    if gamma == 0:
        leaf = x.clone().requires_grad_(True)
        ce = F.cross_entropy(leaf, t, reduction="none")
        (ce_grad,) = torch.autograd.grad(ce.sum(), leaf)
        torch.testing.assert_close(loss, ce.detach())
        torch.testing.assert_close(g, ce_grad)


def test_softmax_focal_rejects_negative_gamma():
    with pytest.raises(ValueError, match="gamma"):
        softmax_focal_loss(torch.zeros(2, 3), [0, 1], gamma=-1.0)


def test_softmax_focal_rejects_alpha_wrong_length():
    with pytest.raises(ValueError, match="alpha"):
        softmax_focal_loss(torch.zeros(2, 3), [0, 1], alpha=[0.5, 0.5])


def test_softmax_focal_rejects_alpha_out_of_range():
    with pytest.raises(ValueError, match="alpha"):
        softmax_focal_loss(torch.zeros(2, 3), [0, 1], alpha=[0.5, 1.5, 0.5])


def test_softmax_focal_rejects_index_out_of_range():
    with pytest.raises(ValueError, match="target"):
        softmax_focal_loss(torch.zeros(2, 3), [0, 3])


def test_softmax_focal_rejects_target_shape():
    with pytest.raises(ValueError, match="target"):
        softmax_focal_loss(torch.zeros(2, 3), [0, 1, 2])


def test_softmax_focal_rejects_single_class():
    with pytest.raises(ValueError, match="logits"):
        softmax_focal_loss(torch.zeros(2, 1), [0, 0])


def test_softmax_focal_rejects_nan_logits():
    with pytest.raises(ValueError, match="logits"):
        softmax_focal_loss([[math.nan, 0.0]], [0])
