"""The shared conversion and validation rules every loss relies on."""

import ast
from pathlib import Path

import numpy as np
import pytest
import torch

from lossviz import _checks


@pytest.mark.parametrize("value", [[0.1, 0.2], (1, 2), np.array([0.1], dtype=np.float32), 3.0, torch.tensor([1, 2])])
def test_everything_but_a_floating_tensor_becomes_float64(value):
    assert _checks.as_float(value, "x").dtype == torch.float64


def test_python_floats_keep_their_float64_digits():
    # 0.1 is not representable in float32; a detour through float32 would change it
    assert _checks.as_float([0.1], "x").item() == 0.1


def test_a_floating_tensor_is_returned_as_is():
    t = torch.tensor([1.0, 2.0], dtype=torch.float32, requires_grad=True)
    assert _checks.as_float(t, "x") is t


def test_like_follows_the_predictions_dtype():
    pred = torch.zeros(2, dtype=torch.float32)
    assert _checks.as_float([1, 0], "target", like=pred).dtype == torch.float32


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: _checks.as_float([1.0, float("nan")], "logits"), "logits"),
        (lambda: _checks.as_float("abc", "target"), "target"),
        (lambda: _checks.as_index([0.5], "target"), "target"),
        (lambda: _checks.same_shape(torch.zeros(2), torch.zeros(3), "pred", "target"), "target"),
        (lambda: _checks.in_closed_range(torch.tensor([1.5]), 0, 1, "prob"), "prob"),
        (lambda: _checks.scalar_in_range(-1, "gamma", lo=0), "gamma"),
        (lambda: _checks.scalar_in_range(float("nan"), "alpha", lo=0, hi=1), "alpha"),
        (lambda: _checks.positive_int(0, "bins"), "bins"),
        (lambda: _checks.positive_int(2.5, "bins"), "bins"),
        (lambda: _checks.check_reduction("average"), "reduction"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_same_shape_does_not_broadcast():
    with pytest.raises(ValueError):
        _checks.same_shape(torch.zeros(3, 1), torch.zeros(3), "pred", "target")


@pytest.mark.parametrize("reduction, expected", [("none", [1.0, 3.0]), ("sum", 4.0), ("mean", 2.0)])
def test_reduce(reduction, expected):
    out = _checks.reduce(torch.tensor([1.0, 3.0]), reduction)
    assert torch.equal(out, torch.tensor(expected))


def test_no_module_imports_another_modules_private_names():
    # What several modules share lives in _checks (input handling) or _terms
    # (elementwise terms), under public names; a private name stays in its module.
    package = Path(__file__).resolve().parents[1] / "lossviz"
    crossings = [
        f"{path.relative_to(package)}: {node.module}.{alias.name}"
        for path in package.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.level > 0
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert not crossings, crossings
