"""Tests for lossviz.plotting: the book's loss palette."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import matplotlib.colors as mcolors
import pytest

from lossviz import COLOURS, LOSS_COLOURS, shade

BOOK = Path(__file__).resolve().parents[1] / "book"

CLASSIFICATION = ["ce", "mse", "focal", "alpha_ce", "ghm", "dice"]
REGRESSION = ["mse", "l1", "other", "ghm"]
BOX = ["iou", "giou", "diou", "ciou", "eiou", "focal_eiou", "siou"]
MARGIN = ["zero_one", "hinge", "squared_hinge", "logistic", "exponential", "modified_huber", "brier"]


def _linear(colour):
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in mcolors.to_rgb(colour)]


def contrast_with_white(colour):
    """WCAG 2.1 contrast ratio of ``colour`` against white."""
    r, g, b = _linear(colour)
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def lab(colour):
    """CIE L*a*b* (D65) of an sRGB colour."""
    r, g, b = _linear(colour)
    xyz = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    fx, fy, fz = (t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


@pytest.mark.parametrize("colour", [*LOSS_COLOURS.values(), *COLOURS.values()])
def test_every_colour_readable_on_white(colour):
    # WCAG 2.1, 1.4.11: graphical objects need 3:1 against their background.
    assert contrast_with_white(colour) >= 3.0


@pytest.mark.parametrize(
    "family", [CLASSIFICATION, REGRESSION, BOX, MARGIN], ids=["classification", "regression", "box", "margin"]
)
def test_losses_drawn_together_are_distinguishable(family):
    # CIE76 distance; about 2.3 is just noticeable, 30 is a different colour at a glance.
    for a, b in itertools.combinations(family, 2):
        distance = sum((u - v) ** 2 for u, v in zip(lab(LOSS_COLOURS[a]), lab(LOSS_COLOURS[b]))) ** 0.5
        assert distance >= 30, (a, b, distance)


def test_every_colour_is_valid():
    for key, colour in {**LOSS_COLOURS, **COLOURS}.items():
        assert re.fullmatch(r"#[0-9A-F]{6}", colour), key


def test_figures_use_only_existing_keys():
    package = Path(__file__).resolve().parents[1] / "lossviz" / "figures"
    sources = [p.read_text(encoding="utf-8") for p in [*BOOK.glob("*.md"), *package.glob("*.py")]]
    for palette, name in ((LOSS_COLOURS, "LOSS_COLOURS"), (COLOURS, "COLOURS")):
        used = {key for text in sources for key in re.findall(rf"\b{name}\[\"(\w+)\"\]", text)}
        assert used and used <= set(palette), (name, used - set(palette))


def test_shade_runs_from_black_through_the_colour_to_white():
    colour = LOSS_COLOURS["focal"]
    assert shade(colour, 0.0) == pytest.approx(mcolors.to_rgb(colour))
    assert shade(colour, 1.0) == pytest.approx((1.0, 1.0, 1.0))
    assert shade(colour, -1.0) == pytest.approx((0.0, 0.0, 0.0))
    # Halfway to white: each channel halves its distance to 1.
    assert shade(colour, 0.5) == pytest.approx([c + (1 - c) / 2 for c in mcolors.to_rgb(colour)])


@pytest.mark.parametrize("amount", [-1.5, 1.01])
def test_shade_rejects_amounts_outside_minus_one_to_one(amount):
    with pytest.raises(ValueError, match="amount"):
        shade("#000000", amount)


def test_chapters_write_no_colour_literals():
    # A meaning keeps one colour across the book only if chapters name colours.
    for chapter in BOOK.glob("*.md"):
        literals = re.findall(r"[\"']#[0-9A-Fa-f]{6}(?:[0-9A-Fa-f]{2})?[\"']", chapter.read_text(encoding="utf-8"))
        assert not literals, (chapter.name, literals)
