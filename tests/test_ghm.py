"""Tests for lossviz.ghm (GHM-C, GHM-R, gradient density, ASL1).

The independent reference is a plain per-bin loop transcribing the forward
passes of mmdetection's GHMC / GHMR (mmdet/models/losses/ghm_loss.py),
including its float32 edges and float32 running sums.
"""

from __future__ import annotations

import functools
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import lossviz
from references import mmdet_edges, mmdet_ghmc, mmdet_ghmr, mmdet_weights
from lossviz.ghm import (
    GHMC,
    GHMR,
    GradientDensity,
    _bin_index,
    authentic_smooth_l1,
    ghmc_loss,
    gradient_density,
    gradient_norm,
)

SETTINGS = settings(max_examples=60, deadline=None)


# The book's converging detector, with more positives and hard anchors than its
# default, so that a small batch fills every bin.
detector_batch = functools.partial(lossviz.detector_logits, positive_rate=0.05, hard_fraction=0.3)


def bce(x, y):
    return max(x, 0.0) - x * y + math.log1p(math.exp(-abs(x)))


def sigmoid(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


# ------------------------------------------------------ gradient norm/density --
def test_gradient_norm_matches_formula():
    x, y = detector_batch(200)
    expected = [abs(sigmoid(a) - b) for a, b in zip(x.tolist(), y.tolist())]
    g = gradient_norm(x, y)
    expected = torch.tensor(expected, dtype=torch.float64)
    torch.testing.assert_close(g, expected, rtol=1e-12, atol=1e-15)
    assert not g.requires_grad


def test_gradient_norm_is_detached():
    x = torch.randn(5, requires_grad=True)
    assert not gradient_norm(x, torch.zeros(5)).requires_grad
    # Soft targets that are themselves learned (e.g. distillation) must not leak in either.
    y = torch.rand(5, requires_grad=True)
    assert not gradient_norm(x, y).requires_grad


def test_gradient_density_edges_and_counts_naive():
    g = [0.0, 0.05, 0.1, 0.35, 0.35, 0.999, 1.0, 0.7]
    out = gradient_density(torch.tensor(g, dtype=torch.float64), bins=4)
    assert isinstance(out, GradientDensity)
    assert out.edges.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0 + 1e-6]
    counts = [0, 0, 0, 0]
    for v in g:
        counts[next(i for i in range(4) if out.edges[i] <= v < out.edges[i + 1])] += 1
    assert out.counts.tolist() == counts
    n_nonempty = sum(c > 0 for c in counts)
    expected = [len(g) / counts[min(int(v * 4), 3)] / n_nonempty for v in g]
    torch.testing.assert_close(out.weights, torch.tensor(expected, dtype=torch.float64))


@SETTINGS
@given(
    g=st.lists(st.floats(0.0, 1.0, width=32), min_size=1, max_size=60),
    bins=st.integers(1, 30),
    data=st.data(),
)
def test_gradient_density_matches_mmdet_loop(g, bins, data):
    # float32 g with mmdet's float32 edges: exact ties (g == i/bins) bin alike.
    g = torch.tensor(g, dtype=torch.float32)
    valid = torch.tensor(data.draw(st.lists(st.booleans(), min_size=len(g), max_size=len(g))))
    out = gradient_density(g, bins, valid=valid)
    tot = max(valid.sum().item(), 1)
    expected = mmdet_weights(g, valid, float(tot), mmdet_edges(bins, "ghmc"))
    torch.testing.assert_close(out.weights, expected, rtol=1e-6, atol=0)
    assert out.counts.sum().item() == valid.sum().item()
    # Each element's bin is mmdet's membership test, edges[i] <= g < edges[i + 1].
    edges = mmdet_edges(bins, "ghmc")
    member = [next(i for i in range(bins) if edges[i] <= x < edges[i + 1]) for x in g.tolist()]
    expected_bin = torch.where(valid, torch.tensor(member), -1)
    assert torch.equal(out.bin_index, expected_bin)
    assert torch.equal(out.counts, torch.bincount(out.bin_index[valid], minlength=bins))


@SETTINGS
@given(
    g=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=60),
    bins=st.integers(1, 30),
    mask_seed=st.integers(0, 2**16),
)
def test_weights_sum_to_number_of_valid(g, bins, mask_seed):
    g = torch.tensor(g, dtype=torch.float64)
    assert gradient_density(g, bins).weights.sum().item() == pytest.approx(len(g), rel=1e-9)
    valid = torch.rand(len(g), generator=torch.Generator().manual_seed(mask_seed)) < 0.5
    w = gradient_density(g, bins, valid=valid).weights
    assert w.sum().item() == pytest.approx(valid.sum().item(), rel=1e-9, abs=0)
    assert (w[~valid] == 0).all()


# ------------------------------------------------- bin membership at the edges --
# lossviz finds bins arithmetically (round(g * bins), then one comparison);
# these tests pin it to mmdet's edge comparisons where float rounding bites.
DTYPES = [torch.float32, torch.float64]
RTOL = {torch.float32: 1e-6, torch.float64: 1e-12}


def naive_bin(g, edges):
    """mmdet's membership, one bin at a time: edges[i] <= g < edges[i + 1]."""
    index = torch.full(g.shape, -1, dtype=torch.int64)
    for i in range(len(edges) - 1):
        index[(g >= edges[i]) & (g < edges[i + 1])] = i
    return index


def dtype_edges(bins, dtype, top=1.0 + 1e-6):
    """mmdet's edges computed in g's dtype (lossviz's documented convention)."""
    edges = torch.arange(bins + 1, dtype=dtype) / bins
    edges[-1] = top
    return edges


def around_edges(edges, ulps=2):
    """Every edge below the top, the ulps floats either side of it, 0 and 1."""
    dtype = edges.dtype
    inner = edges[:-1]
    values = [inner, torch.tensor([0.0, 1.0], dtype=dtype)]
    up = down = inner
    for _ in range(ulps):
        up = torch.nextafter(up, torch.tensor(2.0, dtype=dtype))
        down = torch.nextafter(down, torch.tensor(-1.0, dtype=dtype))
        values += [up, down]
    g = torch.cat(values)
    return g[(g >= 0) & (g <= 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("top", ["ghmc", "ghmr"])
def test_bin_index_at_every_edge(dtype, top):
    top_value = 1.0 + 1e-6 if top == "ghmc" else 1e3
    floor_disagrees = 0
    for bins in [*range(1, 65), 100, 255, 1000]:
        edges = dtype_edges(bins, dtype, top_value)
        if dtype == torch.float32:
            assert torch.equal(edges, mmdet_edges(bins, top))
        g = around_edges(edges)
        expected = naive_bin(g, edges)
        assert (expected >= 0).all()
        assert torch.equal(_bin_index(g, edges).long(), expected), bins
        floor_only = (g * bins).long().clamp(max=bins - 1)
        floor_disagrees += int((floor_only != expected).sum())
    # The values above do hit the cases that floor(g * bins) gets wrong.
    assert floor_disagrees > 0


def test_floor_alone_misses_the_edges():
    # The two directions in which floor(g * bins) leaves mmdet's bin.
    e22 = dtype_edges(22, torch.float32)
    g = e22[13:14]  # 0.59090906..., in bin 13, but g * 22 rounds to 12.999999
    assert naive_bin(g, e22).item() == 13 and int(g * 22) == 12
    assert _bin_index(g, e22).item() == 13
    e10 = dtype_edges(10, torch.float64)
    g = torch.nextafter(e10[9:10], torch.zeros(1, dtype=torch.float64))  # 0.8999999999999999
    assert naive_bin(g, e10).item() == 8 and int(g * 10) == 9
    assert _bin_index(g, e10).item() == 8


@pytest.mark.parametrize("dtype", DTYPES)
def test_gradient_density_at_every_edge_matches_loop(dtype):
    for bins in (1, 3, 10, 22, 30, 49):
        g = around_edges(dtype_edges(bins, dtype))
        out = gradient_density(g, bins)
        expected = naive_bin(g, dtype_edges(bins, dtype))
        assert out.counts.tolist() == torch.bincount(expected, minlength=bins).tolist()
        weights = mmdet_weights(g, torch.ones_like(g, dtype=torch.bool), float(len(g)), out.edges)
        # The loop divides in g's dtype, lossviz in float64: a rounding apart in float32.
        torch.testing.assert_close(out.weights, weights, rtol=RTOL[dtype], atol=0)


@st.composite
def g_near_edges(draw, dtype):
    """g anywhere in [0, 1], or within a few ulps of an edge of `bins` bins."""
    bins = draw(st.integers(1, 200))
    width = 32 if dtype == torch.float32 else 64
    n = draw(st.integers(1, 40))
    values = []
    edges = dtype_edges(bins, dtype)
    for _ in range(n):
        if draw(st.booleans()):
            values.append(draw(st.floats(0.0, 1.0, width=width)))
        else:
            v = edges[draw(st.integers(0, bins))].clamp(max=1.0)
            toward = torch.tensor(draw(st.sampled_from([-1.0, 2.0])), dtype=dtype)
            for _ in range(draw(st.integers(0, 3))):
                v = torch.nextafter(v, toward)
            values.append(v.clamp(0.0, 1.0).item())
    return bins, torch.tensor(values, dtype=dtype)


@SETTINGS
@given(data=st.data(), dtype=st.sampled_from(DTYPES))
def test_bin_index_matches_naive_loop_random(data, dtype):
    bins, g = data.draw(g_near_edges(dtype))
    edges = dtype_edges(bins, dtype)
    expected = naive_bin(g, edges)
    assert torch.equal(_bin_index(g, edges).long(), expected)
    valid = torch.tensor(data.draw(st.lists(st.booleans(), min_size=len(g), max_size=len(g))))
    out = gradient_density(g, bins, valid=valid)
    assert out.counts.tolist() == torch.bincount(expected[valid], minlength=bins).tolist()
    tot = float(max(valid.sum().item(), 1))
    expected_w = mmdet_weights(g, valid, tot, edges)
    torch.testing.assert_close(out.weights, expected_w, rtol=RTOL[dtype], atol=0)


def test_bin_index_with_more_bins_than_the_precision_allows():
    # 2**21 float32 bins is the most the arithmetic path handles; above, bucketize.
    for bins in (2**21, 2**21 + 1):
        edges = dtype_edges(bins, torch.float32)
        g = torch.cat([edges[[0, 1, 2, 12345, bins // 3, bins - 1]], torch.ones(1)])
        g = torch.cat([g, torch.nextafter(g, torch.zeros(1)), torch.nextafter(g, torch.ones(1))])
        # For this many bins, the count of lower edges <= g is the naive loop.
        expected = torch.tensor([int((edges[:-1] <= v).sum()) - 1 for v in g])
        assert torch.equal(_bin_index(g, edges).long(), expected)


def test_gradient_density_keeps_shape_and_layout_free():
    g = torch.rand(40, 30, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    valid = torch.rand(40, 30, generator=torch.Generator().manual_seed(1)) < 0.8
    flat = gradient_density(g.reshape(-1), 10, valid=valid.reshape(-1))
    out = gradient_density(g.T, 10, valid=valid.T)  # non-contiguous
    assert out.weights.shape == (30, 40)
    assert torch.equal(out.weights, flat.weights.view(40, 30).T)
    assert torch.equal(out.counts, flat.counts)


def test_ghm_modules_accept_any_shape():
    x, y = detector_batch(600, seed=11)
    lw = (torch.arange(600) % 7 != 0).double()
    shaped = [t.view(20, 30).T for t in (x, y, lw)]
    expected = ghmc_loss(x, y, label_weight=lw)
    torch.testing.assert_close(ghmc_loss(*shaped[:2], label_weight=shaped[2]), expected)
    torch.testing.assert_close(GHMR()(*shaped), GHMR()(x, y, lw))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_g_one_in_last_bin_in_half_precision(dtype):
    # The top edge 1 + 1e-6 rounds to 1 in these dtypes; g = 1 still belongs to
    # the last bin, as with mmdet's float32 edges.
    out = gradient_density(torch.tensor([0.5, 1.0], dtype=dtype), 10)
    assert out.counts.tolist() == [0] * 5 + [1] + [0] * 3 + [1]
    x = torch.tensor([0.5, -30.0], dtype=dtype)
    assert torch.isfinite(ghmc_loss(x, torch.tensor([0.0, 1.0], dtype=dtype))).all()


# ------------------------------------------------------------------- GHM-C ---
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("bins", [1, 10, 30])
def test_ghmc_loss_matches_mmdet(dtype, bins):
    x, y = detector_batch(2000, dtype=dtype)
    ones = torch.ones_like(x)
    ref = mmdet_ghmc(x, y, ones, bins)
    torch.testing.assert_close(ghmc_loss(x, y, bins=bins), ref, rtol=1e-5, atol=0)


def test_ghmc_label_weight_is_only_a_mask():
    x, y = detector_batch(500, seed=1)
    lw = torch.rand(500, generator=torch.Generator().manual_seed(2))
    lw[::3] = 0.0
    ref = mmdet_ghmc(x, y, lw, 10)
    torch.testing.assert_close(ghmc_loss(x, y, label_weight=lw), ref, rtol=1e-10, atol=0)
    torch.testing.assert_close(ghmc_loss(x, y, label_weight=lw > 0), ref, rtol=1e-10, atol=0)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_ghmc_all_positive_label_weight_equals_none(dtype):
    # All positive: the mask is skipped, loss and gradient are unchanged.
    x, y = detector_batch(500, seed=12, dtype=dtype)
    lw = torch.rand(500, generator=torch.Generator().manual_seed(3), dtype=dtype) + 0.5
    for label_weight in (torch.ones_like(x), lw):
        assert torch.equal(ghmc_loss(x, y, label_weight=label_weight), ghmc_loss(x, y))
        assert torch.equal(
            lossviz.grad(ghmc_loss, x, y, label_weight=label_weight), lossviz.grad(ghmc_loss, x, y)
        )
    torch.testing.assert_close(ghmc_loss(x, y, label_weight=lw), mmdet_ghmc(x, y, lw, 10))


def test_ghmc_masked_elements_equal_dropping_them():
    x, y = detector_batch(500, seed=3)
    keep = torch.arange(500) % 4 != 0
    masked = ghmc_loss(x, y, label_weight=keep)
    x_changed = torch.where(keep, x, torch.full_like(x, 50.0))
    torch.testing.assert_close(masked, ghmc_loss(x[keep], y[keep]))
    torch.testing.assert_close(ghmc_loss(x_changed, y, label_weight=keep), masked)


def test_ghmc_all_masked_is_zero():
    x, y = detector_batch(50)
    assert ghmc_loss(x, y, label_weight=torch.zeros(50)).item() == 0.0


def test_ghmc_gradient_is_weighted_sigmoid_residual():
    x, y = detector_batch(400, seed=4)
    lw = (torch.arange(400) % 5 != 0).double()
    w = gradient_density(gradient_norm(x, y), 10, valid=lw > 0).weights
    expected = w * (torch.sigmoid(x) - y) / (lw > 0).sum()
    torch.testing.assert_close(lossviz.grad(ghmc_loss, x, y, label_weight=lw), expected)


def test_ghmc_accepts_lists():
    x, y = [2.0, -1.0, 0.5], [1.0, 0.0, 0.0]
    out = ghmc_loss(x, y, bins=3)
    assert out.ndim == 0
    ref = mmdet_ghmc(torch.tensor(x), torch.tensor(y), torch.ones(3), 3)
    assert out.item() == pytest.approx(ref.item(), rel=1e-6)


def test_module_momentum_zero_equals_functional():
    x, y = detector_batch(2000, seed=5)
    m = GHMC(bins=10)
    for _ in range(2):
        torch.testing.assert_close(m(x, y), ghmc_loss(x, y))


def stream(k, n=800):
    # Shifting distributions so that different bins are empty in different calls.
    for s in range(k):
        x, y = detector_batch(n, seed=10 + s)
        yield x * (0.3 + 0.5 * s), y


def test_ghmc_momentum_without_correction_matches_mmdet():
    m, bins = 0.75, 12
    module = GHMC(bins, m, bias_correction=False)
    acc = torch.zeros(bins)
    for i, (x, y) in enumerate(stream(4)):
        lw = (torch.arange(len(x)) % (i + 2) != 0).double()
        ref = mmdet_ghmc(x, y, lw, bins, m, acc)
        torch.testing.assert_close(module(x, y, lw), ref, rtol=1e-6, atol=0)
        torch.testing.assert_close(module.acc_sum.float(), acc, rtol=1e-6, atol=1e-6)


def test_ghmc_without_correction_inflates_first_call():
    x, y = detector_batch(seed=6)
    first = GHMC(10, 0.9, bias_correction=False)(x, y)
    torch.testing.assert_close(first, ghmc_loss(x, y) / (1 - 0.9))


def test_ghmc_bias_correction_constant_stream_equals_momentum_zero():
    x, y = detector_batch(seed=7)
    module = GHMC(10, 0.9)
    for _ in range(4):
        torch.testing.assert_close(module(x, y), ghmc_loss(x, y))


def test_ghmc_bias_correction_counts_updates_per_bin():
    m, bins = 0.6, 10
    module = GHMC(bins, m)
    acc, t = [0.0] * bins, [0] * bins
    for x, y in stream(4, n=300):
        xs, ys = x.tolist(), y.tolist()
        g = [abs(sigmoid(a) - b) for a, b in zip(xs, ys)]
        b_of = [min(int(v * bins), bins - 1) for v in g]
        counts = [b_of.count(i) for i in range(bins)]
        for i in range(bins):
            if counts[i]:
                acc[i] = m * acc[i] + (1 - m) * counts[i]
                t[i] += 1
        n_nonempty = sum(c > 0 for c in counts)
        expected = sum(
            bce(a, b) / (n_nonempty * acc[k] / (1 - m ** t[k]))
            for a, b, k in zip(xs, ys, b_of)
        )
        assert module(x, y).item() == pytest.approx(expected, rel=1e-10)
    assert module.updates.tolist() == t


def test_reset_restores_fresh_state():
    batches = list(stream(2))
    module = GHMC(10, 0.8, bias_correction=False)
    module(*batches[0])
    module.reset()
    assert module.acc_sum.abs().sum() == 0 and module.updates.sum() == 0
    torch.testing.assert_close(module(*batches[1]), GHMC(10, 0.8, bias_correction=False)(*batches[1]))


def test_running_state_is_in_state_dict():
    batches = list(stream(2))
    a = GHMC(10, 0.8)
    a(*batches[0])
    b = GHMC(10, 0.8)
    b.load_state_dict(a.state_dict())
    torch.testing.assert_close(a(*batches[1]), b(*batches[1]))


# ------------------------------------------------------------------- GHM-R ---
def regression_batch(n=1000, seed=0, dtype=torch.float64):
    gen = torch.Generator().manual_seed(seed)
    target = torch.randn(n, generator=gen, dtype=dtype)
    noise = torch.randn(n, generator=gen, dtype=dtype) * 0.05
    noise[:: 17] *= 40  # outliers
    return target + noise, target


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_ghmr_matches_mmdet(dtype):
    p, t = regression_batch(dtype=dtype)
    ref = mmdet_ghmr(p, t, torch.ones_like(p), 0.02, 10)
    torch.testing.assert_close(GHMR()(p, t), ref, rtol=1e-5, atol=0)


def test_ghmr_momentum_without_correction_matches_mmdet_over_calls():
    m, bins, mu = 0.7, 8, 0.05
    module = GHMR(mu, bins, m, bias_correction=False)
    acc = torch.zeros(bins)
    for s in range(3):
        p, t = regression_batch(600, seed=20 + s)
        p = t + (p - t) * (1 + s)
        lw = torch.rand(600, generator=torch.Generator().manual_seed(s)) * 2
        lw[s::4] = 0  # non-binary weights: mmdet's GHMR normalizer is lw.sum()
        ref = mmdet_ghmr(p, t, lw, mu, bins, m, acc)
        torch.testing.assert_close(module(p, t, lw), ref, rtol=1e-6, atol=0)


def test_ghmr_bias_correction_constant_stream_equals_momentum_zero():
    p, t = regression_batch(seed=8)
    module = GHMR(momentum=0.95)
    for _ in range(3):
        torch.testing.assert_close(module(p, t), GHMR()(p, t))


def test_ghmr_gradient_is_weighted_asl1_gradient():
    p, t = regression_batch(300, seed=9)
    mu = 0.02
    d = p - t
    g = (d / torch.sqrt(d**2 + mu**2)).abs()
    w = gradient_density(g, 10).weights
    expected = w * d / torch.sqrt(d**2 + mu**2) / len(p)
    torch.testing.assert_close(lossviz.grad(GHMR(mu), p, t), expected)


def test_asl1_matches_formula_and_reductions():
    p = torch.tensor([0.3, -2.0, 0.001, 5.0], dtype=torch.float64)
    t = torch.tensor([0.0, 1.0, 0.0, 5.0], dtype=torch.float64)
    mu = 0.1
    naive = [math.sqrt((a - b) ** 2 + mu**2) - mu for a, b in zip(p.tolist(), t.tolist())]
    naive = torch.tensor(naive, dtype=torch.float64)
    torch.testing.assert_close(authentic_smooth_l1(p, t, mu=mu, reduction="none"), naive)
    torch.testing.assert_close(authentic_smooth_l1(p, t, mu=mu), naive.mean())
    torch.testing.assert_close(authentic_smooth_l1(p, t, mu=mu, reduction="sum"), naive.sum())


def test_asl1_small_residual_without_cancellation():
    d, mu = 1e-9, 0.02
    zero = torch.zeros(1, dtype=torch.float64)
    got = authentic_smooth_l1(zero + d, zero, mu=mu).item()
    assert got == pytest.approx(d * d / (2 * mu), rel=1e-9)


def test_asl1_gradient():
    p = torch.linspace(-3, 3, 41, dtype=torch.float64)
    t = torch.full_like(p, 0.25)
    mu = 0.3
    d = p - t
    got = lossviz.grad(authentic_smooth_l1, p, t, mu=mu, reduction="none")
    torch.testing.assert_close(got, d / torch.sqrt(d**2 + mu**2))


# ------------------------------------------------------------- bad inputs ---
NAN = float("nan")
# (case, the call, the argument its ValueError must name)
BAD_INPUTS = [
    ("bins zero, density", lambda: gradient_density([0.5], bins=0), "bins"),
    ("bins fractional", lambda: gradient_density([0.5], bins=2.5), "bins"),
    ("bins zero, ghmc_loss", lambda: ghmc_loss([0.0], [1.0], bins=0), "bins"),
    ("bins zero, GHMC", lambda: GHMC(bins=0), "bins"),
    ("bins negative, GHMR", lambda: GHMR(bins=-1), "bins"),
    *[(f"GHMC momentum {m}", lambda m=m: GHMC(momentum=m), "momentum") for m in (-0.1, 1.0, 1.5, NAN)],
    ("GHMR momentum 1", lambda: GHMR(momentum=1.0), "momentum"),
    ("g below 0", lambda: gradient_density([-0.1, 0.5]), "g"),
    ("g above 1", lambda: gradient_density([0.5, 1.01]), "g"),
    ("g NaN", lambda: gradient_density([0.5, NAN]), "g"),
    ("valid shape", lambda: gradient_density([0.5, 0.2], valid=[True]), "valid"),
    ("valid not boolean", lambda: gradient_density([0.5, 0.2], valid=[1.0, 0.0]), "valid"),
    ("GHM-C target shape", lambda: ghmc_loss([0.0, 1.0], [[1.0, 0.0]]), "target"),
    ("GHM-C label_weight shape", lambda: ghmc_loss([0.0, 1.0], [1.0, 0.0], label_weight=[1.0]), "label_weight"),
    ("GHM-C target above 1", lambda: ghmc_loss([0.0, 1.0], [1.0, 2.0]), "target"),
    ("GHM-C NaN logits", lambda: ghmc_loss([NAN], [1.0]), "logits"),
    ("GHMC NaN target", lambda: GHMC()([0.0], [NAN]), "target"),
    ("GHM-C NaN label_weight", lambda: ghmc_loss([0.0], [1.0], label_weight=[NAN]), "label_weight"),
    # A NaN is rejected even where label_weight masks it out, and the
    # all-positive label_weight shortcut must not let a NaN through.
    ("GHM-C NaN logit masked out", lambda: ghmc_loss([0.0, NAN], [1.0, 0.0], label_weight=[1.0, 0.0]), "logits"),
    (
        "GHM-C NaN among positive label_weight",
        lambda: ghmc_loss([0.0, 1.0, 2.0], [1.0, 0.0, 1.0], label_weight=[1.0, NAN, 2.0]),
        "label_weight",
    ),
    ("GHM-C NaN target among valid ones", lambda: ghmc_loss([0.0, 1.0, 2.0], [1.0, NAN, 0.0]), "target"),
    ("gradient_norm target shape", lambda: gradient_norm([0.0, 1.0], [1.0]), "target"),
    ("GHMR target shape", lambda: GHMR()([0.0, 1.0], [1.0]), "target"),
    ("GHMR NaN pred", lambda: GHMR()([NAN], [1.0]), "pred"),
    ("GHMR mu zero", lambda: GHMR(mu=0.0), "mu"),
    ("ASL1 mu negative", lambda: authentic_smooth_l1([0.0], [1.0], mu=-1.0), "mu"),
    ("ASL1 reduction", lambda: authentic_smooth_l1([0.0], [1.0], reduction="max"), "reduction"),
]


@pytest.mark.parametrize("call, argument", [case[1:] for case in BAD_INPUTS], ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_raises_value_error_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=rf"\b{argument}\b"):
        call()


# ------------------------------------------------------------- finiteness ---
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_ghmc_finite_at_extreme_logits(dtype):
    x = torch.tensor([-1e4, 1e4, -1e4, 1e4, 0.0], dtype=dtype)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0], dtype=dtype)
    assert torch.isfinite(ghmc_loss(x, y)).all()
    g = lossviz.grad(ghmc_loss, x, y)
    assert g.dtype == dtype and torch.isfinite(g).all()
    assert torch.isfinite(lossviz.grad(GHMC(10, 0.9), x, y)).all()


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_ghmr_and_asl1_finite_at_extremes(dtype):
    p = torch.tensor([-1e4, 1e4, 0.0, 1e-3], dtype=dtype)
    t = torch.zeros_like(p)
    for fn in (GHMR(momentum=0.5), authentic_smooth_l1):
        assert torch.isfinite(fn(p, t)).all()
        assert torch.isfinite(lossviz.grad(fn, p, t)).all()
