"""Tests for lossviz.figures.angular_margin: the regions, gaps and figures of the angular-margin chapter."""

from __future__ import annotations

import itertools
import math
from functools import partial

import numpy as np
import pytest
from matplotlib.figure import Figure

import lossviz
from lossviz.figures import angular_margin as figures
from lossviz.sliders import SliderFigure
from test_plotting import lab


def test_variant_colours_are_distinct():
    colours = {c for name, c in figures.ANGULAR_COLOURS.items() if name != "ArcFace, easy margin"}
    assert len(colours) == 4
    for a, b in itertools.combinations(colours, 2):
        assert sum((u - v) ** 2 for u, v in zip(lab(a), lab(b))) ** 0.5 >= 30


def test_regions_split_the_circle_at_the_bisector_without_a_margin():
    phi = np.radians([10.0, 80.0, 100.0, 170.0, 260.0, 280.0])
    label = figures.regions(lambda c: c, phi)
    # W1 at 55°, W2 at 125°: right of the vertical is class 1, left class 2.
    assert label.tolist() == [1, 1, 2, 2, 2, 1]


def test_arcface_gap_is_its_margin_and_cosface_gap_follows_the_formula():
    for m in (0.2, 0.35, 0.5):
        assert figures.gap_degrees(partial(lossviz.arcface_psi, margin=m)) == pytest.approx(math.degrees(m), abs=0.05)
        expected = 2 * math.degrees(math.asin(m / (2 * math.sin(figures.HALF_ANGLE))))
        assert figures.gap_degrees(partial(lossviz.cosface_psi, margin=m)) == pytest.approx(expected, abs=0.05)
    assert figures.gap_degrees(lambda c: c) == 0


def test_margin_slider_holds_the_values_the_chapter_asks_for():
    grid = figures.MARGIN.grid()
    assert {0, 0.35, 0.5} <= set(grid) and figures.MARGIN.initial() == 0.35


def test_margin_circles_paint_the_gap_each_frame():
    slider = figures.margin_circles()
    assert isinstance(slider, SliderFigure) and slider.params == {"margin": figures.MARGIN}
    assert "unit circle" in slider.alt
    first = np.asarray(slider.image(margin=0))
    texts = [t.get_text() for ax in slider.figure.axes for t in ax.texts if t.get_text().startswith("gap")]
    assert texts == ["gap: 0.0°", "gap: 0.0°"]
    slider.image(margin=0.5)
    texts = [t.get_text() for ax in slider.figure.axes for t in ax.texts if t.get_text().startswith("gap")]
    assert texts == [f"gap: {figures.gap_degrees(partial(lossviz.cosface_psi, margin=0.5)):.1f}°", "gap: 28.6°"]
    assert (np.asarray(slider.image(margin=0)) == first).all()
    with pytest.raises(ValueError):
        slider.image(margin=0.33)


def test_sphereface_circles_title_each_margin_with_its_gap():
    fig = figures.sphereface_circles()
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "m = 1: gap 0.0°" and len(titles) == 4
    gaps = [float(t.split("gap ")[1].rstrip("°")) for t in titles]
    assert gaps == sorted(gaps) and gaps[-1] > 30


def test_target_logit_curves_draw_the_given_curves():
    theta = np.linspace(0, 180, 19)
    curves = {"softmax": np.cos(np.radians(theta)), "ArcFace, easy margin": np.cos(np.radians(theta)) - 0.1}
    fig = figures.target_logit_curves(theta, curves)
    softmax, easy = fig.axes[0].lines
    np.testing.assert_allclose(softmax.get_ydata(), curves["softmax"])
    assert easy.get_linestyle() == "--" and softmax.get_color() == figures.ANGULAR_COLOURS["softmax"]
