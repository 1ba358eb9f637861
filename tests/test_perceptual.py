"""Tests for lossviz.perceptual: the losses against their printed formulas and
PyTorch's MSE, gradients against finite differences and a closed form."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import lossviz
from lossviz import edge_extractor, edge_filters, gram_matrix, perceptual_loss, style_loss

LOSSES = [perceptual_loss, style_loss]


def identity(images):
    return images


def _images(n=3, size=16, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, size, size, generator=g, dtype=dtype), torch.rand(
        n, 1, size, size, generator=g, dtype=dtype
    )


def _linear_layers(seed=1):
    """Two fixed random convolutions, the second on the first's ReLU: an extractor
    written independently of lossviz's."""
    g = torch.Generator().manual_seed(seed)
    k1, k2 = (
        torch.randn(4, 1, 3, 3, generator=g, dtype=torch.float64),
        torch.randn(2, 4, 3, 3, generator=g, dtype=torch.float64),
    )

    def features(x):
        a = F.conv2d(x, k1)
        return [a, F.conv2d(F.relu(a), k2)]

    return features


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_identity_features_give_pytorch_mse(reduction):
    x, y = _images()
    per_image = F.mse_loss(x, y, reduction="none").mean((1, 2, 3))
    expected = {"none": per_image, "mean": F.mse_loss(x, y), "sum": per_image.sum()}[reduction]
    torch.testing.assert_close(perceptual_loss(x, y, identity, reduction=reduction), expected)


def test_perceptual_loss_matches_the_formula_layer_by_layer():
    x, y = _images()
    features = _linear_layers()
    w = [0.3, 2.0]
    expected = sum(wj * ((a - b) ** 2).sum((1, 2, 3)) / a[0].numel() for wj, a, b in zip(w, features(x), features(y)))
    torch.testing.assert_close(perceptual_loss(x, y, features, weights=w, reduction="none"), expected)


def test_gram_matrix_matches_a_loop_over_channel_pairs():
    f = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    g = gram_matrix(f)
    for n in range(2):
        for c in range(3):
            for d in range(3):
                assert g[n, c, d].item() == pytest.approx((f[n, c] * f[n, d]).sum().item() / 60)


def test_style_loss_matches_the_formula_and_gatys_with_a_quarter_weight():
    x, y = _images()
    features = _linear_layers()
    per_layer = []
    for a, b in zip(features(x), features(y)):
        n, c, h, w = a.shape
        fa, fb = a.reshape(n, c, h * w), b.reshape(n, c, h * w)
        # Gatys et al.: unnormalised Gram matrices, 1 / (4 C^2 (HW)^2).
        gatys = ((fa @ fa.transpose(1, 2) - fb @ fb.transpose(1, 2)) ** 2).sum((1, 2)) / (4 * c**2 * (h * w) ** 2)
        per_layer.append(gatys)
    got = style_loss(x, y, features, weights=[0.25, 0.25], reduction="none")
    torch.testing.assert_close(got, sum(per_layer))


@pytest.mark.parametrize("loss", LOSSES)
def test_gradient_matches_finite_differences(loss):
    x, y = _images(n=2, size=8)
    features = _linear_layers()
    x.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda a: loss(a, y, features, weights=[1.0, 0.5]), (x,))


def test_gradient_of_identity_features_is_the_mse_gradient():
    x, y = _images()
    torch.testing.assert_close(lossviz.grad(perceptual_loss, x, y, identity), 2 * (x - y) / x.numel())


def test_edge_filters_sum_to_zero_and_point_their_way():
    k = edge_filters(4, sigma=1.0)
    assert k.shape == (4, 1, 7, 7)
    torch.testing.assert_close(k.sum((1, 2, 3)), torch.zeros(4, dtype=torch.float64), atol=1e-12, rtol=0)
    torch.testing.assert_close(k.clamp(min=0).sum((1, 2, 3)), torch.ones(4, dtype=torch.float64))
    # θ = 0 is minus the derivative along a row: positive taps left of centre.
    assert k[0, 0, 3, 2] > 0 > k[0, 0, 3, 4]
    # θ = π is θ = 0 mirrored: the opposite polarity.
    torch.testing.assert_close(k[2], -k[0])


def test_extractor_ignores_a_constant_image_and_follows_a_circular_shift():
    features = edge_extractor(pools=(1, 8))
    flat = torch.full((1, 1, 32, 32), 0.7, dtype=torch.float64)
    assert all(m.abs().max() < 1e-12 for m in features(flat))
    x, _ = _images(n=1, size=32)
    edges, pooled = features(x)
    assert edges.shape == (1, 8, 32, 32) and pooled.shape == (1, 8, 8, 8)
    shifted_edges, shifted_pooled = features(torch.roll(x, (4, 8), dims=(2, 3)))
    torch.testing.assert_close(shifted_edges, torch.roll(edges, (4, 8), dims=(2, 3)))
    # A shift by one stride (4 pixels) moves the pooled map by one cell.
    torch.testing.assert_close(shifted_pooled, torch.roll(pooled, (1, 2), dims=(2, 3)))


def test_style_loss_is_blind_to_a_circular_shift():
    x, _ = _images(n=2, size=32)
    features = edge_extractor(pools=(1,))
    shifted = torch.roll(x, (5, 11), dims=(2, 3))
    assert style_loss(shifted, x, features).item() < 1e-15
    assert perceptual_loss(shifted, x, features).item() > 1e-3


@pytest.mark.parametrize("loss", LOSSES)
def test_finite_for_extreme_pixel_values(loss):
    x = torch.full((1, 1, 16, 16), -1e4, dtype=torch.float64)
    x[..., ::2, :] = 1e4
    y = torch.zeros_like(x)
    value = loss(x, y, edge_extractor())
    assert torch.isfinite(value) and value > 0
    assert torch.isfinite(lossviz.grad(loss, x, y, edge_extractor())).all()


@pytest.mark.parametrize("loss", LOSSES)
def test_float32_stays_float32(loss):
    x, y = _images(dtype=torch.float32)
    assert loss(x, y, edge_extractor()).dtype == torch.float32


@pytest.mark.parametrize("loss", LOSSES)
def test_empty_batch_gives_no_values(loss):
    x = torch.zeros(0, 1, 16, 16, dtype=torch.float64)
    assert loss(x, x, edge_extractor(), reduction="none").shape == (0,)
    assert loss(x, x, edge_extractor(), reduction="sum").item() == 0


BAD = [
    (dict(pred=torch.zeros(1, 16, 16)), "pred"),
    (dict(target=torch.zeros(1, 1, 16, 8)), "target"),
    (dict(pred=torch.full((1, 1, 16, 16), math.nan)), "pred"),
    (dict(features="vgg"), "features"),
    (dict(features=lambda x: []), "features"),
    (dict(features=lambda x: x[0]), "features"),
    (dict(weights=[1.0, 1.0]), "weights"),
    (dict(weights=[-1.0]), "weights"),
    (dict(reduction="avg"), "reduction"),
]


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("kwargs, name", BAD)
def test_bad_input_raises_value_error_naming_the_argument(loss, kwargs, name):
    args = dict(pred=torch.zeros(1, 1, 16, 16), target=torch.zeros(1, 1, 16, 16), features=edge_extractor())
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        loss(**args)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: edge_filters(0), "n_orientations"),
        (lambda: edge_filters(sigma=0.0), "sigma"),
        (lambda: edge_extractor(pools=()), "pools"),
        (lambda: edge_extractor(pools=(3,)), "pools"),
        (lambda: edge_extractor()(torch.zeros(1, 3, 8, 8)), "images"),
        (lambda: gram_matrix(torch.zeros(3, 4)), "feature_map"),
    ],
)
def test_bad_settings_raise_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
