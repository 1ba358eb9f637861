"""Tests for lossviz.angular_margin against the printed formulas (arccos, autograd),
insightface's ArcMarginProduct, PyTorch's cross-entropy at zero margin, and hand-computed cases."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import lossviz
from lossviz import (
    arcface_loss,
    arcface_psi,
    cosface_loss,
    cosface_psi,
    cosine_logits,
    l_softmax_loss,
    sphereface_loss,
    sphereface_psi,
)


def _batch(n=6, c=5, d=3, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=dtype)
    w = torch.randn(c, d, generator=g, dtype=dtype)
    y = torch.randint(0, c, (n,), generator=g)
    return x, w, y


# -- references -------------------------------------------------------------------------


def psi_printed(theta, m):
    """L-Softmax Eq. 6 as printed, through the angle."""
    k = torch.floor(m * theta.detach() / math.pi).clamp(max=m - 1)
    return (-1) ** k * torch.cos(m * theta) - 2 * k


def insightface_arc_margin(cosine, label, s, m, easy_margin=False):
    """insightface's ArcMarginProduct (recognition/arcface_torch history, arcface-pytorch), on given cosines."""
    cos_m, sin_m = math.cos(m), math.sin(m)
    th, mm = math.cos(math.pi - m), math.sin(math.pi - m) * m
    sine = torch.sqrt((1.0 - torch.pow(cosine, 2)).clamp(0, 1))
    phi = cosine * cos_m - sine * sin_m
    if easy_margin:
        phi = torch.where(cosine > 0, phi, cosine)
    else:
        phi = torch.where(cosine > th, phi, cosine - mm)
    one_hot = torch.zeros_like(cosine)
    one_hot.scatter_(1, label.view(-1, 1).long(), 1)
    return s * ((one_hot * phi) + ((1.0 - one_hot) * cosine))


def margin_ce_printed(cosine, target, s, psi_of_theta):
    """Cross-entropy with the true class's s·cos θ replaced by s·ψ(θ), ψ written in θ."""
    theta = torch.arccos(cosine)
    logits = s * cosine.clone()
    rows = torch.arange(len(target))
    logits[rows, target] = s * psi_of_theta(theta[rows, target])
    return F.cross_entropy(logits, target, reduction="none")


# -- the margin functions -----------------------------------------------------------------


@pytest.mark.parametrize("m", [1, 2, 3, 4])
def test_sphereface_psi_is_the_printed_formula_and_its_gradient(m):
    # Interior angles: the printed formula's arccos has an infinite derivative at 0 and π.
    theta = torch.linspace(0.01, math.pi - 0.01, 301, dtype=torch.float64)
    c = torch.cos(theta)
    torch.testing.assert_close(sphereface_psi(c, m), psi_printed(theta, m), rtol=0, atol=1e-12)
    expected = lossviz.grad(lambda cc: psi_printed(torch.arccos(cc), m), c)
    torch.testing.assert_close(lossviz.grad(sphereface_psi, c, m), expected, rtol=1e-9, atol=1e-9)


def test_sphereface_psi_hand_computed_and_decreasing():
    # m = 2: θ = π/3 is on the first piece, cos(2π/3) = -1/2; θ = 2π/3 on the second,
    # -cos(4π/3) - 2 = -3/2; θ = π ends at 1 - 2m = -3.
    c = torch.tensor([1.0, 0.5, -0.5, -1.0], dtype=torch.float64)
    torch.testing.assert_close(sphereface_psi(c, 2), torch.tensor([1.0, -0.5, -1.5, -3.0], dtype=torch.float64))
    for m in (2, 3, 4):
        values = sphereface_psi(torch.cos(torch.linspace(0, math.pi, 2001, dtype=torch.float64)), m)
        assert (values.diff() < 0).all() and values[-1].item() == pytest.approx(1 - 2 * m)
        assert (values <= torch.cos(torch.linspace(0, math.pi, 2001, dtype=torch.float64)) + 1e-12).all()


@pytest.mark.parametrize("easy_margin", [False, True])
@pytest.mark.parametrize("m", [0.2, 0.5, 1.0])
def test_arcface_psi_matches_insightface(m, easy_margin):
    c = torch.cos(torch.linspace(0, math.pi, 401, dtype=torch.float64)).reshape(-1, 1)
    reference = insightface_arc_margin(c, torch.zeros(len(c), dtype=torch.long), 1.0, m, easy_margin)
    torch.testing.assert_close(arcface_psi(c, m, easy_margin=easy_margin), reference, rtol=0, atol=1e-14)


def test_arcface_psi_is_cos_theta_plus_m_before_the_threshold_and_jumps_there():
    m = 0.5
    theta = torch.linspace(0.01, math.pi - m - 0.01, 200, dtype=torch.float64)
    c = torch.cos(theta)
    torch.testing.assert_close(arcface_psi(c, m), torch.cos(theta + m), rtol=0, atol=1e-14)
    torch.testing.assert_close(
        lossviz.grad(arcface_psi, c, m), lossviz.grad(lambda cc: torch.cos(torch.arccos(cc) + m), c)
    )
    # The fallback cos θ - m sin m starts cos m + m sin m - 1 below -1 at θ = π - m.
    below, above = arcface_psi(torch.cos(torch.tensor([math.pi - m - 1e-9, math.pi - m + 1e-9], dtype=torch.float64)), m)
    assert below.item() == pytest.approx(-1.0, abs=1e-8)
    assert (below - above).item() == pytest.approx(math.cos(m) + m * math.sin(m) - 1, abs=1e-8)
    assert (arcface_psi(torch.cos(torch.linspace(0, math.pi, 2001, dtype=torch.float64)), m).diff() < 0).all()


def test_cosface_psi_hand_computed():
    assert cosface_psi([1.0, 0.0, -1.0], 0.35).tolist() == pytest.approx([0.65, -0.35, -1.35])


# -- the losses ---------------------------------------------------------------------------


def test_cosine_logits_are_normalised_dot_products():
    x, w, _ = _batch()
    expected = (x @ w.T) / x.norm(dim=1, keepdim=True) / w.norm(dim=1)
    torch.testing.assert_close(cosine_logits(x, w), expected)
    torch.testing.assert_close(cosine_logits(3 * x, 0.1 * w), expected)
    assert cosine_logits(x[0], w).shape == (5,)


@pytest.mark.parametrize("easy_margin", [False, True])
def test_arcface_loss_matches_insightface_and_the_printed_formula(easy_margin):
    x, w, y = _batch(n=40, c=6, d=4)
    c = cosine_logits(x, w)
    reference = F.cross_entropy(insightface_arc_margin(c, y, 64.0, 0.5, easy_margin), y, reduction="none")
    ours = arcface_loss(c, y, easy_margin=easy_margin, reduction="none")
    torch.testing.assert_close(ours, reference, rtol=1e-12, atol=1e-12)
    ref_grad = torch.autograd.functional.jacobian(
        lambda cc: F.cross_entropy(insightface_arc_margin(cc, y, 64.0, 0.5, easy_margin), y, reduction="sum"), c
    )
    torch.testing.assert_close(lossviz.grad(arcface_loss, c, y, easy_margin=easy_margin, reduction="sum"), ref_grad)


def test_cosface_loss_is_the_printed_formula_with_its_gradient():
    x, w, y = _batch(n=20, c=4)
    c = cosine_logits(x, w)
    expected = margin_ce_printed(c, y, 30.0, lambda t: torch.cos(t) - 0.35)
    torch.testing.assert_close(cosface_loss(c, y, scale=30.0, reduction="none"), expected)
    # ∂ℓ/∂cos θ_j = s (p_j - 1[j = y]), the margin moving only the true logit.
    logits = 30.0 * c - 30.0 * 0.35 * F.one_hot(y, 4)
    expected_grad = 30.0 * (F.softmax(logits, 1) - F.one_hot(y, 4))
    torch.testing.assert_close(lossviz.grad(cosface_loss, c, y, scale=30.0, reduction="sum"), expected_grad)


@pytest.mark.parametrize("m", [1, 2, 4])
def test_l_softmax_is_the_printed_formula_with_its_gradient(m):
    x, w, y = _batch(n=12, c=4, d=3, seed=m)

    def printed(xx):
        norms = xx.norm(dim=1, keepdim=True) * w.norm(dim=1)
        theta = torch.arccos((xx @ w.T) / norms)
        logits = norms * torch.cos(theta)
        rows = torch.arange(len(y))
        logits[rows, y] = norms[rows, y] * psi_printed(theta[rows, y], m)
        return F.cross_entropy(logits, y, reduction="sum")

    assert l_softmax_loss(x, w, y, margin=m, reduction="sum").item() == pytest.approx(printed(x).item(), rel=1e-12)
    torch.testing.assert_close(lossviz.grad(l_softmax_loss, x, w, y, margin=m, reduction="sum"), lossviz.grad(printed, x))


def test_zero_margin_is_pytorch_cross_entropy():
    x, w, y = _batch()
    c = cosine_logits(x, w)
    plain = F.cross_entropy(64.0 * c, y, reduction="none")
    torch.testing.assert_close(cosface_loss(c, y, margin=0.0, reduction="none"), plain)
    torch.testing.assert_close(arcface_loss(c, y, margin=0.0, reduction="none"), plain)
    torch.testing.assert_close(l_softmax_loss(x, w, y, margin=1, reduction="none"), F.cross_entropy(x @ w.T, y, reduction="none"))
    w_unit = F.normalize(w, dim=1)
    torch.testing.assert_close(sphereface_loss(x, w, y, margin=1), F.cross_entropy(x @ w_unit.T, y))


def test_hand_computed_two_classes():
    # cos θ_y = 1, cos θ_other = 0, s = 1: ℓ = log(1 + e^{-ψ}), ψ = 1 - m (CosFace), cos m (ArcFace).
    c = torch.tensor([1.0, 0.0], dtype=torch.float64)
    assert cosface_loss(c, 0, scale=1.0, margin=0.35).item() == pytest.approx(math.log1p(math.exp(-0.65)))
    assert arcface_loss(c, 0, scale=1.0, margin=0.5).item() == pytest.approx(math.log1p(math.exp(-math.cos(0.5))))
    # SphereFace, m = 2, feature (1, 1) at 45° to class 0 = (1, 0): ||x|| = √2, ψ(45°) = cos 90° = 0.
    x, w = torch.tensor([1.0, 1.0], dtype=torch.float64), torch.tensor([[2.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    assert sphereface_loss(x, w, 0, margin=2).item() == pytest.approx(math.log1p(math.exp(1.0)))


def test_margins_order_the_losses():
    x, w, y = _batch(n=50, c=8, d=5)
    c = cosine_logits(x, w)
    plain = arcface_loss(c, y, margin=0.0, reduction="none")
    # Strictly larger wherever the plain loss is not rounded to 0 already.
    unsure = plain > 1e-12
    for margin_loss in (cosface_loss(c, y, reduction="none"), arcface_loss(c, y, reduction="none")):
        assert (margin_loss >= plain).all() and (margin_loss > plain)[unsure].all()
    assert (sphereface_loss(x, w, y, reduction="none") >= sphereface_loss(x, w, y, margin=1, reduction="none")).all()


def test_reductions_and_single_sample():
    x, w, y = _batch()
    c = cosine_logits(x, w)
    per_sample = arcface_loss(c, y, reduction="none")
    assert per_sample.shape == (6,)
    assert arcface_loss(c, y).item() == pytest.approx(per_sample.mean().item())
    assert arcface_loss(c, y, reduction="sum").item() == pytest.approx(per_sample.sum().item())
    assert arcface_loss(c[2], y[2]).item() == pytest.approx(per_sample[2].item())
    assert sphereface_loss(x[3], w, y[3]).item() == pytest.approx(sphereface_loss(x, w, y, reduction="none")[3].item())


def test_float32_kept_and_close_to_float64():
    x, w, y = _batch()
    c = cosine_logits(x, w)
    for loss in (arcface_loss, cosface_loss):
        low = loss(c.float(), y)
        assert low.dtype == torch.float32 and low.item() == pytest.approx(loss(c, y).item(), rel=1e-5)
    assert sphereface_loss(x.float(), w.float(), y).dtype == torch.float32


def test_empty_batch_gives_nan_mean_and_zero_sum_as_pytorch():
    c = torch.zeros(0, 3, dtype=torch.float64)
    y = torch.zeros(0, dtype=torch.long)
    assert math.isnan(arcface_loss(c, y).item()) == math.isnan(F.cross_entropy(c, y).item())
    assert cosface_loss(c, y, reduction="sum").item() == 0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_finite_at_the_extremes(dtype):
    # Cosines of exactly ±1 (θ = 0 and π), where insightface's gradient is NaN, and a huge scale.
    c = torch.tensor([[1.0, -1.0, 0.0], [-1.0, 1.0, 1.0], [0.0, 0.0, 0.0]], dtype=dtype)
    y = torch.tensor([0, 0, 2])
    for loss, kwargs in [
        (arcface_loss, {}),
        (arcface_loss, {"easy_margin": True}),
        (arcface_loss, {"scale": 1e4}),
        (cosface_loss, {"scale": 1e4}),
    ]:
        assert torch.isfinite(loss(c, y, reduction="none", **kwargs)).all()
        assert torch.isfinite(lossviz.grad(loss, c, y, **kwargs)).all()
    assert arcface_loss(c[:1], y[:1], scale=1e4).item() == 0.0
    reference = c.clone().requires_grad_(True)
    F.cross_entropy(insightface_arc_margin(reference, y, 64.0, 0.5), y).backward()
    assert torch.isnan(reference.grad).any()  # what the finite gradient above improves on
    x = torch.tensor([[1e4, -1e4, 1e4], [-1e4, 0.0, 1e-4]], dtype=dtype)
    w = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=dtype)
    for loss in (l_softmax_loss, sphereface_loss):
        assert torch.isfinite(loss(x, w, [0, 1], reduction="none")).all()
        assert torch.isfinite(lossviz.grad(loss, x, w, [0, 1])).all()
    assert torch.isfinite(lossviz.grad(sphereface_psi, torch.tensor([-1.0, 1.0], dtype=dtype), 4)).all()


def test_slightly_rounded_cosines_are_accepted():
    c = torch.tensor([[1.0 + 1e-7, 0.2]], dtype=torch.float32)
    assert torch.isfinite(arcface_loss(c, [0]))


BAD_INPUTS = [
    (lambda: arcface_loss([[1.5, 0.0]], [0]), "cosine"),
    (lambda: cosface_loss([[0.5, float("nan")]], [0]), "cosine"),
    (lambda: cosface_loss(0.5, 0), "cosine"),
    (lambda: arcface_loss([[0.5, 0.1]], [2]), "target"),
    (lambda: arcface_loss([[0.5, 0.1]], [0, 1]), "target"),
    (lambda: arcface_loss([[0.5, 0.1]], [0], scale=0.0), "scale"),
    (lambda: arcface_loss([[0.5, 0.1]], [0], margin=-0.1), "margin"),
    (lambda: arcface_loss([[0.5, 0.1]], [0], margin=4.0), "margin"),
    (lambda: cosface_loss([[0.5, 0.1]], [0], margin=-0.1), "margin"),
    (lambda: arcface_loss([[0.5, 0.1]], [0], reduction="avg"), "reduction"),
    (lambda: sphereface_psi([0.5], 1.5), "margin"),
    (lambda: sphereface_psi([0.5], 0), "margin"),
    (lambda: sphereface_psi([2.0], 2), "cosine"),
    (lambda: l_softmax_loss([[1.0, 2.0]], [[1.0, 0.0, 0.0]], [0]), "weight"),
    (lambda: l_softmax_loss([[0.0, 0.0]], [[1.0, 0.0]], [0]), "features"),
    (lambda: sphereface_loss([[1.0, 0.0]], [[0.0, 0.0]], [0]), "weight"),
    (lambda: sphereface_loss([[[1.0]]], [[1.0]], [0]), "features"),
    (lambda: cosine_logits([[1.0, 0.0]], [1.0, 0.0]), "weight"),
    (lambda: l_softmax_loss([[1.0, 0.0]], [[1.0, 0.0]], [0.5]), "target"),
]


@pytest.mark.parametrize("call, name", BAD_INPUTS)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
