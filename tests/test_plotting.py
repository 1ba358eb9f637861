"""Tests for lossviz.plotting: the book's loss palette."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import matplotlib.colors as mcolors
import pytest

from lossviz import LOSS_COLOURS

BOOK = Path(__file__).resolve().parents[1] / "book"

# The palette before the box and margin losses were added: chapters and readers
# rely on these, so they must not change.
ORIGINAL = {
    "ce": "#0072B2",
    "mse": "#E69F00",
    "focal": "#D55E00",
    "alpha_ce": "#009E73",
    "ghm": "#CC79A7",
    "dice": "#56B4E9",
    "l1": "#F0E442",
    "other": "#000000",
}
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


def test_original_colours_unchanged():
    assert {key: LOSS_COLOURS[key] for key in ORIGINAL} == ORIGINAL


@pytest.mark.parametrize("key", BOX + MARGIN)
def test_new_colours_readable_on_white(key):
    # WCAG 2.1, 1.4.11: graphical objects need 3:1 against their background.
    assert contrast_with_white(LOSS_COLOURS[key]) >= 3.0


@pytest.mark.parametrize("family", [BOX, MARGIN], ids=["box", "margin"])
def test_losses_drawn_together_are_distinguishable(family):
    # CIE76 distance; about 2.3 is just noticeable, 30 is a different colour at a glance.
    for a, b in itertools.combinations(family, 2):
        distance = sum((u - v) ** 2 for u, v in zip(lab(LOSS_COLOURS[a]), lab(LOSS_COLOURS[b]))) ** 0.5
        assert distance >= 30, (a, b, distance)


def test_every_colour_is_valid():
    for key, colour in LOSS_COLOURS.items():
        assert re.fullmatch(r"#[0-9A-F]{6}", colour), key


def test_chapters_use_only_existing_keys():
    used = {
        key
        for chapter in BOOK.glob("*.md")
        for key in re.findall(r"LOSS_COLOURS\[\"(\w+)\"\]", chapter.read_text(encoding="utf-8"))
    }
    assert used and used <= set(LOSS_COLOURS)
