"""Tests for lossviz.classification against PyTorch and naive formulas."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import lossviz
from lossviz import (
    balanced_cross_entropy,
    binary_cross_entropy,
    cross_entropy,
    entropy,
    kl_divergence,
)

HYP = settings(max_examples=60, deadline=None)
REDUCTIONS = ["none", "mean", "sum"]
# (logits shape, index-target shape): one sample, a batch, a dense (N, K, d1, d2) map.
SHAPES = [((5,), ()), ((4, 3), (4,)), ((2, 3, 4, 5), (2, 4, 5))]


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _logits_and_index(shape, tshape, seed=0):
    g = _gen(seed)
    x = 3 * torch.randn(shape, generator=g, dtype=torch.float64)
    k = shape[1] if len(shape) >= 2 else shape[0]
    return x, torch.randint(0, k, tshape, generator=g)


def _prob_target(shape, dim, seed=1):
    return torch.softmax(torch.randn(shape, generator=_gen(seed), dtype=torch.float64), dim)


def _distributions(min_size=2, max_size=6, allow_zero=True):
    """Batches of 1-3 probability vectors, normalised from raw weights."""
    lo = 0.0 if allow_zero else 1e-3

    def batch(k):
        row = st.lists(st.floats(lo, 1.0), min_size=k, max_size=k).filter(lambda r: sum(r) > 1e-3)
        return st.lists(row, min_size=1, max_size=3)

    return st.integers(min_size, max_size).flatmap(batch).map(
        lambda rows: _normalise(torch.tensor(rows, dtype=torch.float64))
    )


def _normalise(t):
    return t / t.sum(-1, keepdim=True)


# ---------------------------------------------------------------- cross_entropy


@pytest.mark.parametrize("shape,tshape", SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("eps", [0.0, 0.1, 1.0])
def test_cross_entropy_index_matches_torch(shape, tshape, reduction, eps):
    x, t = _logits_and_index(shape, tshape)
    ours = cross_entropy(x, t, label_smoothing=eps, reduction=reduction)
    ref = F.cross_entropy(x, t, label_smoothing=eps, reduction=reduction)
    torch.testing.assert_close(ours, ref)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("eps", [0.0, 0.2])
@pytest.mark.parametrize("ignore", [-100, 1])
def test_cross_entropy_ignore_index_matches_torch(reduction, eps, ignore):
    x, t = _logits_and_index((2, 3, 4, 5), (2, 4, 5), seed=3)
    t[0, 0, :3] = ignore
    t[1, 2, 1] = ignore
    ours = cross_entropy(x, t, ignore_index=ignore, label_smoothing=eps, reduction=reduction)
    ref = F.cross_entropy(x, t, ignore_index=ignore, label_smoothing=eps, reduction=reduction)
    torch.testing.assert_close(ours, ref)


def test_cross_entropy_ignored_positions_are_zero_and_excluded_from_mean():
    x, t = _logits_and_index((6, 4), (6,), seed=4)
    t[[1, 4]] = -1
    per = cross_entropy(x, t, ignore_index=-1, reduction="none")
    assert per[1] == 0 and per[4] == 0
    torch.testing.assert_close(cross_entropy(x, t, ignore_index=-1), per.sum() / 4)


def test_cross_entropy_all_ignored_mean_is_nan_like_torch():
    x, t = _logits_and_index((3, 4), (3,))
    t[:] = -100
    assert torch.isnan(F.cross_entropy(x, t))
    assert torch.isnan(cross_entropy(x, t, ignore_index=-100))


@pytest.mark.parametrize("shape,tshape", SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("eps", [0.0, 0.3])
def test_cross_entropy_probability_target_matches_torch(shape, tshape, reduction, eps):
    x, _ = _logits_and_index(shape, tshape)
    y = _prob_target(shape, 1 if len(shape) >= 2 else 0)
    ours = cross_entropy(x, y, label_smoothing=eps, reduction=reduction)
    ref = F.cross_entropy(x, y, label_smoothing=eps, reduction=reduction)
    torch.testing.assert_close(ours, ref)


@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_cross_entropy_gradient_is_softmax_minus_smoothed_onehot(eps):
    x, t = _logits_and_index((5, 4), (5,), seed=7)
    t[2] = -100
    target = (1 - eps) * F.one_hot(t.clamp(min=0), 4).double() + eps / 4
    expected = torch.softmax(x, 1) - target
    expected[2] = 0  # an ignored sample has no loss, hence no gradient
    got = lossviz.grad(cross_entropy, x, t, ignore_index=-100, label_smoothing=eps, reduction="none")
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("eps", [0.0, 0.25])
def test_cross_entropy_gradient_probability_target(eps):
    x, _ = _logits_and_index((3, 5), (3,), seed=8)
    y = _prob_target((3, 5), 1)
    got = lossviz.grad(cross_entropy, x, y, label_smoothing=eps, reduction="sum")
    torch.testing.assert_close(got, torch.softmax(x, 1) - ((1 - eps) * y + eps / 5))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_cross_entropy_finite_at_extreme_logits(dtype):
    x = torch.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, -1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    t = torch.tensor([1, 1, 2])
    for eps in (0.0, 0.1):
        loss = cross_entropy(x, t, label_smoothing=eps, reduction="none")
        g = lossviz.grad(cross_entropy, x, t, label_smoothing=eps)
        assert loss.dtype == dtype and torch.isfinite(loss).all() and torch.isfinite(g).all()
    torch.testing.assert_close(cross_entropy(x, t, reduction="none"), F.cross_entropy(x, t, reduction="none"))


def _torch_loss_and_grad(x, *args, **kwargs):
    """PyTorch's F.cross_entropy and the gradient of its sum, by its own autograd."""
    leaf = x.clone().requires_grad_(True)
    loss = F.cross_entropy(leaf, *args, **kwargs)
    (g,) = torch.autograd.grad(loss.sum(), leaf)
    return loss.detach(), g


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_cross_entropy_masked_class_matches_torch(dtype, reduction, eps):
    # A masked class has logit -inf. PyTorch's loss is finite for eps = 0 and
    # +inf for eps > 0 (smoothing puts eps / K on a class of probability 0);
    # its gradient is finite either way. Ignored positions may be masked too.
    x, t = _logits_and_index((4, 5), (4,), seed=20)
    x = x.to(dtype)
    t[:] = torch.tensor([0, 2, 4, -100])
    x[0, 1] = x[1, [0, 3]] = x[2, :2] = x[3, 2] = -math.inf
    for kwargs in ({}, {"ignore_index": -100}):
        tt = t if kwargs else t[:3]
        xx = x if kwargs else x[:3]
        ref, ref_grad = _torch_loss_and_grad(xx, tt, label_smoothing=eps, reduction=reduction, **kwargs)
        ours = cross_entropy(xx, tt, label_smoothing=eps, reduction=reduction, **kwargs)
        got = lossviz.grad(cross_entropy, xx, tt, label_smoothing=eps, reduction=reduction, **kwargs)
        torch.testing.assert_close(ours, ref)
        torch.testing.assert_close(got, ref_grad)
        assert torch.isfinite(got).all()
        assert not torch.isnan(ours).any() and (torch.isfinite(ours).all() or eps > 0)


@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_cross_entropy_masked_target_class_is_infinite_with_finite_gradient(eps):
    x = torch.tensor([[1.0, -math.inf, 0.5], [0.0, 2.0, -1.0]], dtype=torch.float64)
    t = torch.tensor([1, 0])
    ref, ref_grad = _torch_loss_and_grad(x, t, label_smoothing=eps, reduction="none")
    torch.testing.assert_close(cross_entropy(x, t, label_smoothing=eps, reduction="none"), ref)
    torch.testing.assert_close(lossviz.grad(cross_entropy, x, t, label_smoothing=eps), ref_grad / 2)
    assert cross_entropy(x, t, label_smoothing=eps, reduction="none")[0] == math.inf


def test_cross_entropy_probability_target_zero_on_masked_class():
    # A class with target probability 0 and logit -inf contributes 0 log 0 = 0:
    # the loss is that of the logits with the masked class removed, the
    # reference here (PyTorch itself returns NaN from 0 * -inf in this case).
    x = torch.tensor([[2.0, -math.inf, 0.5, -1.0], [-math.inf, 1.0, 0.0, -math.inf]], dtype=torch.float64)
    y = torch.tensor([[0.7, 0.0, 0.1, 0.2], [0.0, 0.5, 0.5, 0.0]], dtype=torch.float64)
    ours = cross_entropy(x, y, reduction="none")
    got = lossviz.grad(cross_entropy, x, y, reduction="none")
    for i, keep in enumerate(([0, 2, 3], [1, 2])):
        ref, ref_grad = _torch_loss_and_grad(x[i, keep], y[i, keep])
        torch.testing.assert_close(ours[i], ref)
        torch.testing.assert_close(got[i, keep], ref_grad)
    assert (got[torch.isinf(x)] == 0).all()
    # One-hot probabilities are the index target, which PyTorch computes finitely.
    onehot = F.one_hot(torch.tensor([0, 2]), 4).double()
    torch.testing.assert_close(cross_entropy(x, onehot), F.cross_entropy(x, torch.tensor([0, 2])))


def test_cross_entropy_accepts_lists_in_float64():
    out = cross_entropy([[0.0, 1.0], [2.0, 0.0]], [1, 0])
    assert out.dtype == torch.float64
    torch.testing.assert_close(out, F.cross_entropy(torch.tensor([[0.0, 1.0], [2.0, 0.0]], dtype=torch.float64), torch.tensor([1, 0])))


def test_cross_entropy_rejects_index_out_of_range():
    with pytest.raises(ValueError, match="target"):
        cross_entropy(torch.zeros(2, 3), [0, 3])


def test_cross_entropy_rejects_negative_index_that_is_not_ignored():
    with pytest.raises(ValueError, match="target"):
        cross_entropy(torch.zeros(2, 3), [0, -1], ignore_index=-100)


def test_cross_entropy_rejects_index_target_shape():
    with pytest.raises(ValueError, match="target"):
        cross_entropy(torch.zeros(2, 3), [0, 1, 2])


def test_cross_entropy_rejects_probability_target_shape():
    with pytest.raises(ValueError, match="target"):
        cross_entropy(torch.zeros(2, 3), torch.full((2, 4), 0.25))


def test_cross_entropy_rejects_probability_target_outside_unit_interval():
    with pytest.raises(ValueError, match="target"):
        cross_entropy(torch.zeros(1, 2), torch.tensor([[1.5, -0.5]]))


@pytest.mark.parametrize("eps", [-0.1, 1.1])
def test_cross_entropy_rejects_label_smoothing_out_of_range(eps):
    with pytest.raises(ValueError, match="label_smoothing"):
        cross_entropy(torch.zeros(2, 3), [0, 1], label_smoothing=eps)


def test_cross_entropy_rejects_ignore_index_with_probability_target():
    with pytest.raises(ValueError, match="ignore_index"):
        cross_entropy(torch.zeros(1, 2), torch.tensor([[0.5, 0.5]]), ignore_index=-100)


def test_cross_entropy_rejects_non_integer_ignore_index():
    with pytest.raises(ValueError, match="ignore_index"):
        cross_entropy(torch.zeros(2, 3), [0, 1], ignore_index=0.5)


def test_cross_entropy_rejects_scalar_logits():
    with pytest.raises(ValueError, match="logits"):
        cross_entropy(1.0, 0)


def test_cross_entropy_rejects_nan_logits():
    with pytest.raises(ValueError, match="logits"):
        cross_entropy([[math.nan, 0.0]], [0])


def test_cross_entropy_rejects_unknown_reduction():
    with pytest.raises(ValueError, match="reduction"):
        cross_entropy(torch.zeros(2, 3), [0, 1], reduction="batchmean")


@HYP
@given(_distributions(), st.floats(-20, 20), st.integers(0, 2**16))
def test_cross_entropy_is_entropy_plus_kl(y, scale, seed):
    # H(y, softmax(x)) = H(y) + KL(y || softmax(x)), an identity independent of both implementations.
    x = scale * torch.randn(y.shape, generator=_gen(seed), dtype=torch.float64)
    ce = cross_entropy(x, y, reduction="none")
    q = torch.softmax(x, -1)
    torch.testing.assert_close(ce, entropy(y) + kl_divergence(y, q, reduction="none"))


# ---------------------------------------------------------- binary_cross_entropy


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_matches_torch(reduction):
    g = _gen(11)
    x = 6 * torch.randn(4, 7, generator=g, dtype=torch.float64)
    y = torch.rand(4, 7, generator=g, dtype=torch.float64)
    y[0] = y[0].round()  # hard labels mixed with soft ones
    ours = binary_cross_entropy(x, y, reduction=reduction)
    torch.testing.assert_close(ours, F.binary_cross_entropy_with_logits(x, y, reduction=reduction))


def test_binary_cross_entropy_worked_numbers():
    # For y = 1 the loss is -ln p with p = sigmoid(x); x = log(p / (1 - p)) inverts the sigmoid.
    # -ln 0.8 = 0.2231 (a confident right answer), -ln 0.1 = 2.3026 (a confident wrong one).
    logits = [math.log(0.8 / 0.2), math.log(0.1 / 0.9)]
    torch.testing.assert_close(
        binary_cross_entropy(logits, [1.0, 1.0], reduction="none"),
        torch.tensor([0.2231, 2.3026], dtype=torch.float64),
        atol=1e-4,
        rtol=0,
    )


def test_binary_cross_entropy_keeps_precision_in_the_tail():
    # The exact loss at x = 30, y = 1 is log1p(exp(-30)) ~ 9.4e-14; the form
    # softplus(x) - x*y would return 0 here through cancellation.
    got = binary_cross_entropy(torch.tensor([30.0, -30.0], dtype=torch.float64), [1.0, 0.0], reduction="none")
    expected = math.log1p(math.exp(-30))
    torch.testing.assert_close(got, torch.tensor([expected, expected], dtype=torch.float64), rtol=1e-12, atol=0)


def test_binary_cross_entropy_gradient_is_sigmoid_minus_target():
    g = _gen(12)
    x = 5 * torch.randn(20, generator=g, dtype=torch.float64)
    y = torch.rand(20, generator=g, dtype=torch.float64)
    torch.testing.assert_close(lossviz.grad(binary_cross_entropy, x, y, reduction="none"), torch.sigmoid(x) - y)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_binary_cross_entropy_finite_at_extreme_logits(dtype):
    x = torch.tensor([-1e4, -1e4, 1e4, 1e4, 1e4], dtype=dtype)
    y = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.3], dtype=dtype)
    loss = binary_cross_entropy(x, y, reduction="none")
    g = lossviz.grad(binary_cross_entropy, x, y, reduction="none")
    assert loss.dtype == dtype
    torch.testing.assert_close(loss, torch.tensor([0.0, 1e4, 1e4, 0.0, 7e3], dtype=dtype))
    torch.testing.assert_close(g, torch.sigmoid(x) - y)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("loss_fn", [binary_cross_entropy, balanced_cross_entropy])
def test_binary_cross_entropy_infinite_logit_is_the_limit(dtype, loss_fn):
    # An infinite logit with its matching hard label is a perfect prediction:
    # exact loss 0, gradient sigmoid(x) - y = 0. The reference is PyTorch's own
    # value at a saturating finite logit (+-1e4), where it is exactly 0 as well;
    # at +-inf itself PyTorch computes 0 * inf and returns NaN.
    inf = math.inf
    x = torch.tensor([inf, -inf, inf, -inf, inf], dtype=dtype)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.5], dtype=dtype)
    loss = loss_fn(x, y, reduction="none")
    g = lossviz.grad(loss_fn, x, y, reduction="none")
    limit = F.binary_cross_entropy_with_logits(x[:2].clamp(-1e4, 1e4), y[:2], reduction="none")
    assert loss.dtype == dtype and (limit == 0).all()
    assert (loss[:2] == limit).all() and not torch.signbit(loss[:2]).any()
    assert (g[:2] == 0).all()
    # Wrong or soft labels: the loss is +inf (PyTorch agrees for y = 0 at +inf
    # and for y = 0.5), the slope stays finite.
    torch.testing.assert_close(loss[[2, 4]], F.binary_cross_entropy_with_logits(x[[2, 4]], y[[2, 4]], reduction="none"))
    assert (loss[2:] == inf).all() and torch.isfinite(g).all()
    assert loss_fn(x[:2], y[:2]) == 0


def test_binary_cross_entropy_rejects_target_outside_unit_interval():
    # Class ids such as torch.randint(0, 10, ...) are not binary targets: PyTorch's
    # binary_cross_entropy_with_logits silently returns a (possibly negative) number.
    x = torch.randn(8, generator=_gen(13))
    y = torch.randint(0, 10, (8,), generator=_gen(14)).float()
    with pytest.raises(ValueError, match="target"):
        binary_cross_entropy(x, y)


def test_binary_cross_entropy_rejects_shape_mismatch():
    with pytest.raises(ValueError, match="target"):
        binary_cross_entropy(torch.zeros(3), torch.zeros(3, 1))


def test_binary_cross_entropy_rejects_nan_target():
    with pytest.raises(ValueError, match="target"):
        binary_cross_entropy([0.0, 1.0], [math.nan, 1.0])


# -------------------------------------------------------- balanced_cross_entropy


@pytest.mark.parametrize("alpha", [0.0, 0.25, 0.9])
def test_balanced_cross_entropy_matches_naive_formula(alpha):
    xs = [-3.0, -0.5, 0.0, 1.2, 4.0]
    ys = [1.0, 0.0, 1.0, 0.0, 0.6]
    expected = []
    for x, y in zip(xs, ys):
        p = 1 / (1 + math.exp(-x))
        a_t = alpha * y + (1 - alpha) * (1 - y)
        expected.append(-a_t * (y * math.log(p) + (1 - y) * math.log(1 - p)))
    got = balanced_cross_entropy(xs, ys, alpha=alpha, reduction="none")
    torch.testing.assert_close(got, torch.tensor(expected, dtype=torch.float64))
    torch.testing.assert_close(balanced_cross_entropy(xs, ys, alpha=alpha), got.mean())


def test_balanced_cross_entropy_gradient():
    g = _gen(15)
    x = 4 * torch.randn(10, generator=g, dtype=torch.float64)
    y = torch.rand(10, generator=g, dtype=torch.float64).round()
    a_t = 0.25 * y + 0.75 * (1 - y)
    got = lossviz.grad(balanced_cross_entropy, x, y, reduction="none")
    torch.testing.assert_close(got, a_t * (torch.sigmoid(x) - y))


@pytest.mark.parametrize("alpha", [-0.1, 1.5])
def test_balanced_cross_entropy_rejects_alpha_out_of_range(alpha):
    with pytest.raises(ValueError, match="alpha"):
        balanced_cross_entropy([0.0], [1.0], alpha=alpha)


def test_balanced_cross_entropy_rejects_target_outside_unit_interval():
    with pytest.raises(ValueError, match="target"):
        balanced_cross_entropy([0.0], [2.0])


# ----------------------------------------------------------------- kl_divergence


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_kl_divergence_matches_torch(dtype):
    g = _gen(16)
    p = torch.softmax(torch.randn(6, 5, generator=g, dtype=dtype), 1)
    q = torch.softmax(torch.randn(6, 5, generator=g, dtype=dtype), 1)
    # PyTorch's kl_div takes log q first and p second.
    torch.testing.assert_close(kl_divergence(p, q), F.kl_div(q.log(), p, reduction="batchmean"))
    torch.testing.assert_close(kl_divergence(p, q, reduction="sum"), F.kl_div(q.log(), p, reduction="sum"))
    torch.testing.assert_close(
        kl_divergence(p, q, reduction="none"), F.kl_div(q.log(), p, reduction="none").sum(-1)
    )


def test_kl_divergence_reduces_over_leading_dims():
    g = _gen(17)
    p = torch.softmax(torch.randn(2, 3, 4, generator=g, dtype=torch.float64), -1)
    q = torch.softmax(torch.randn(2, 3, 4, generator=g, dtype=torch.float64), -1)
    per = kl_divergence(p, q, reduction="none")
    assert per.shape == (2, 3)
    torch.testing.assert_close(kl_divergence(p, q), per.mean())
    assert kl_divergence(p[0, 0], q[0, 0]).shape == ()


def test_kl_divergence_zero_probabilities():
    # 0 log 0 = 0; mass of p where q has none makes the divergence infinite.
    p = torch.tensor([0.0, 0.5, 0.5], dtype=torch.float64)
    q = torch.tensor([0.0, 0.25, 0.75], dtype=torch.float64)
    expected = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    torch.testing.assert_close(kl_divergence(p, q), torch.tensor(expected, dtype=torch.float64))
    assert kl_divergence(p, [0.5, 0.0, 0.5]) == math.inf


def test_kl_divergence_of_one_hot_is_log_loss_but_not_clipped():
    # For one-hot p, KL(p || q) = -log q_y, scikit-learn's log_loss. Where
    # q_y > 0 they agree; at q_y = 0 the exact value is +inf (scipy agrees),
    # while log_loss clips q to [eps, 1 - eps] and reports -log(eps) by design.
    from scipy.stats import entropy as scipy_entropy
    from sklearn.metrics import log_loss

    y = np.array([0, 2, 1, 2])
    q = np.array([[0.7, 0.2, 0.1], [0.0, 0.4, 0.6], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    p = np.eye(3)[y]
    torch.testing.assert_close(kl_divergence(p, q), torch.tensor(log_loss(y, q), dtype=torch.float64))
    q_wrong = np.array([[0.7, 0.3, 0.0], [0.0, 1.0, 0.0]])  # q_y = 0 for y = 2
    y_wrong = np.array([0, 2])
    ours = kl_divergence(np.eye(3)[y_wrong], q_wrong, reduction="none")
    assert ours[1] == math.inf == scipy_entropy(np.eye(3)[2], q_wrong[1])
    clipped = log_loss(y_wrong, q_wrong, labels=[0, 1, 2])
    eps = np.finfo(np.float64).eps
    assert clipped == pytest.approx((-math.log(0.7) - math.log(eps)) / 2)


def test_entropy_at_certain_outcomes_matches_scipy():
    from scipy.stats import entropy as scipy_entropy

    rows = [[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]]
    got = entropy(rows)
    assert got[0].item() == 0.0 == scipy_entropy(rows[0])
    torch.testing.assert_close(got, torch.tensor([scipy_entropy(r) for r in rows], dtype=torch.float64))


def test_kl_divergence_gradient_in_q_is_minus_p_over_q():
    p = torch.tensor([[0.0, 0.3, 0.7], [0.2, 0.2, 0.6]], dtype=torch.float64)
    q = torch.tensor([[0.0, 0.4, 0.6], [0.0, 0.5, 0.5]], dtype=torch.float64)
    got = lossviz.grad(lambda q_: kl_divergence(p, q_, reduction="none"), q)
    # Where p = 0 the term is identically 0 in q, so its gradient is 0 even at q = 0
    # (plain torch.xlogy gives 0 / 0 = NaN there).
    expected = torch.where(p > 0, -p / q, torch.zeros_like(p))
    assert not torch.isnan(got).any()
    torch.testing.assert_close(got[0], expected[0])
    assert got[1, 0] == -math.inf
    torch.testing.assert_close(got[1, 1:], expected[1, 1:])


def test_kl_divergence_is_asymmetric():
    p, q = [0.5, 0.5], [0.9, 0.1]
    forward = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)  # 0.5108
    backward = 0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5)  # 0.3681
    torch.testing.assert_close(kl_divergence(p, q), torch.tensor(forward, dtype=torch.float64))
    torch.testing.assert_close(kl_divergence(q, p), torch.tensor(backward, dtype=torch.float64))
    assert abs(forward - backward) > 0.1


@HYP
@given(st.data())
def test_kl_divergence_is_nonnegative_and_zero_on_itself(data):
    p = data.draw(_distributions())
    q = data.draw(_distributions(min_size=p.shape[-1], max_size=p.shape[-1], allow_zero=False))
    q = q[:1].expand_as(p)
    assert (kl_divergence(p, q, reduction="none") >= -1e-12).all()
    torch.testing.assert_close(kl_divergence(p, p, reduction="none"), torch.zeros(p.shape[:-1], dtype=torch.float64))


def test_kl_divergence_rejects_p_not_summing_to_one():
    with pytest.raises(ValueError, match="p"):
        kl_divergence([0.5, 0.6], [0.5, 0.5])


def test_kl_divergence_rejects_q_not_summing_to_one():
    with pytest.raises(ValueError, match="q"):
        kl_divergence([0.5, 0.5], [0.5, 0.4])


def test_kl_divergence_rejects_q_outside_unit_interval():
    with pytest.raises(ValueError, match="q"):
        kl_divergence([0.5, 0.5], [1.5, -0.5])


def test_kl_divergence_float32_tolerance():
    ok = torch.tensor([0.1, 0.2, 0.7])  # rounding of float32 is accepted
    assert torch.isfinite(kl_divergence(ok, ok))
    with pytest.raises(ValueError, match="p"):
        kl_divergence(torch.tensor([0.5, 0.50002]), torch.tensor([0.5, 0.5]))


def test_kl_divergence_accepts_float32_data_computed_in_float64():
    # Both carry float32 rounding (~1e-8 off a unit sum) into a float64 computation.
    p = np.array([0.1, 0.2, 0.7], dtype=np.float32)
    q = torch.tensor([0.3, 0.3, 0.4])
    expected = sum(a * math.log(a / b) for a, b in zip(p.tolist(), q.tolist()))
    got = kl_divergence(p, q)
    assert got.dtype == torch.float64
    torch.testing.assert_close(got, torch.tensor(expected, dtype=torch.float64))


def test_kl_divergence_float64_tolerance_is_tighter():
    with pytest.raises(ValueError, match="p"):
        kl_divergence(torch.tensor([0.5, 0.5 + 1e-9], dtype=torch.float64), [0.5, 0.5])


def test_kl_divergence_rejects_shape_mismatch():
    with pytest.raises(ValueError, match="q"):
        kl_divergence([[0.5, 0.5]], [[0.5, 0.5], [0.5, 0.5]])


def test_kl_divergence_rejects_scalar_p():
    with pytest.raises(ValueError, match="p"):
        kl_divergence(1.0, 1.0)


def test_kl_divergence_rejects_nan_q():
    with pytest.raises(ValueError, match="q"):
        kl_divergence([0.5, 0.5], [math.nan, 0.5])


# ----------------------------------------------------------------------- entropy


def test_entropy_matches_naive_formula():
    rows = [[0.1, 0.2, 0.7], [0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]
    expected = [-sum(v * math.log(v) for v in r if v > 0) for r in rows]
    got = entropy(rows)
    assert got.shape == (3,)
    torch.testing.assert_close(got, torch.tensor(expected, dtype=torch.float64))


def test_entropy_in_bits():
    # A uniform choice among 8 outcomes carries log2(8) = 3 bits; a fair coin 1 bit.
    torch.testing.assert_close(entropy([[1 / 8] * 8, [0.5, 0.5] + [0.0] * 6], base=2),
                               torch.tensor([3.0, 1.0], dtype=torch.float64))


def test_entropy_gradient_is_minus_log_p_minus_one():
    p = torch.tensor([0.1, 0.2, 0.7], dtype=torch.float64)
    torch.testing.assert_close(lossviz.grad(entropy, p), -(p.log() + 1))


@HYP
@given(_distributions())
def test_entropy_bounds(p):
    h = entropy(p)
    assert (h >= -1e-12).all() and (h <= math.log(p.shape[-1]) + 1e-12).all()


@pytest.mark.parametrize("base", [1.0, 0.0, -2.0])
def test_entropy_rejects_bad_base(base):
    with pytest.raises(ValueError, match="base"):
        entropy([0.5, 0.5], base=base)


def test_entropy_rejects_p_outside_unit_interval():
    with pytest.raises(ValueError, match="p"):
        entropy([1.5, -0.5])


def test_entropy_rejects_p_not_summing_to_one():
    with pytest.raises(ValueError, match="p"):
        entropy([0.2, 0.2])
