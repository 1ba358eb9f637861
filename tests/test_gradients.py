"""lossviz.grad against gradients known in closed form."""

import numpy as np
import pytest
import torch

import lossviz


def test_grad_of_a_sum_of_squares_is_twice_x():
    x = torch.tensor([1.0, -2.0, 3.5], dtype=torch.float64)
    assert torch.allclose(lossviz.grad(lambda t: (t**2).sum(), x), 2 * x)


def test_grad_with_reduction_none_is_per_element_derivative():
    # d/dx softplus(x) - y*x = sigmoid(x) - y, element by element
    x = torch.linspace(-5, 5, 11, dtype=torch.float64)
    y = (x > 0).to(torch.float64)
    g = lossviz.grad(lossviz.binary_cross_entropy, x, y, reduction="none")
    assert torch.allclose(g, torch.sigmoid(x) - y)


def test_grad_accepts_lists_and_numpy_and_returns_float64_of_x_shape():
    for x in ([[0.5, -1.0]], np.array([[0.5, -1.0]])):
        g = lossviz.grad(lambda t: t.exp().sum(), x)
        assert g.shape == (1, 2) and g.dtype == torch.float64
        assert torch.allclose(g, torch.tensor([[0.5, -1.0]], dtype=torch.float64).exp())


def test_grad_keeps_float32_and_does_not_touch_the_callers_tensor():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    g = lossviz.grad(lambda t: (3 * t).sum(), x)
    assert g.dtype == torch.float32 and x.grad is None and not g.requires_grad
    assert torch.equal(g, torch.full((2,), 3.0))


def test_grad_of_a_function_ignoring_x_is_zero():
    g = lossviz.grad(lambda t: torch.tensor(1.0, dtype=torch.float64, requires_grad=True), [1.0, 2.0])
    assert torch.equal(g, torch.zeros(2, dtype=torch.float64))


def test_grad_rejects_nan_naming_x():
    with pytest.raises(ValueError, match="x"):
        lossviz.grad(lambda t: t.sum(), [1.0, float("nan")])


def test_grad_works_inside_no_grad():
    with torch.no_grad():
        g = lossviz.grad(lambda t: (t**3).sum(), [2.0])
    assert torch.allclose(g, torch.tensor([12.0], dtype=torch.float64))
