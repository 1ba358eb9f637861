"""lossviz._text_cache: text from remembered layouts and glyphs is matplotlib's, pixel for pixel."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lossviz import _text_cache
from lossviz._text_cache import remember_text
from lossviz.sliders import Slider, slider_figure

pytestmark = pytest.mark.skipif(
    not hasattr(FigureCanvasAgg(Figure()).get_renderer(), "_draw_text_glyphs_and_boxes"),
    reason=f"matplotlib {matplotlib.__version__} draws each string as one bitmap: nothing to remember",
)


def labelled_figure(value: float) -> Figure:
    """Text of every kind the renderer draws glyph by glyph, some of it changing with ``value``."""
    figure = Figure(figsize=(4, 3), dpi=80)
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, value])
    axes.set_title(f"loss = {value:.3f}")
    axes.set_xlabel(r"$p_t = \sigma(x)$, $\gamma = 2$")
    axes.text(0.2, 0.5, f"{value:+.2f}", rotation=33, fontsize=13)
    axes.text(0.5, 0.2, f"centred {value:.1f}", ha="center", fontsize=7.5)
    axes.text(0.1, 0.8, "no anti-aliasing", antialiased=False)
    axes.legend([f"γ = {value:g}"])
    return figure


def pixels(canvas: FigureCanvasAgg) -> np.ndarray:
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("value", [0.25, 1.0, 3.5])
def test_remembered_text_is_drawn_pixel_for_pixel_as_matplotlib_draws_it(value):
    remembering = FigureCanvasAgg(labelled_figure(value))
    remember_text(remembering.get_renderer())
    plain = pixels(FigureCanvasAgg(labelled_figure(value)))
    first, again = pixels(remembering), pixels(remembering)  # the second from the caches
    assert (first == plain).all()
    assert (again == plain).all()


@pytest.fixture
def made(monkeypatch) -> list:
    """The keys of the layouts and glyphs made from now on (not found in a cache)."""
    keys: list = []
    remember = _text_cache._Lru.remember

    def counting(self, key, make):
        return remember(self, key, lambda: keys.append(key) or make())

    monkeypatch.setattr(_text_cache._Lru, "remember", counting)
    return keys


def test_a_redraw_lays_out_and_renders_nothing_anew(made):
    canvas = FigureCanvasAgg(labelled_figure(0.5))
    remember_text(canvas.get_renderer())
    canvas.draw()
    made.clear()
    canvas.draw()
    assert made == []
    # A changed label: only its new glyphs and its layout are made.
    canvas.figure.axes[0].set_title("loss = 0.501")
    canvas.draw()
    assert 0 < len(made) <= 3


def titled_setup(fig):
    """A slider figure whose title changes with the value: text redrawn on every frame."""
    axes = fig.subplots()
    (line,) = axes.plot([0, 1], [0, 1])
    title = axes.set_title("")

    def update(power):
        line.set_ydata([0, 1 / power])
        title.set_text(f"x ** {power:.1f}")
        return [line, title]

    return update


def test_a_slider_frame_drawn_again_lays_out_and_renders_no_text_anew(made):
    figure = slider_figure(titled_setup, power=Slider(1, 5, 0.5, value=2), alt="titled")
    first = [np.asarray(figure.image(power=value)) for value in (1, 4.5)]
    assert made, "the slider figure drew its text past the caches"
    made.clear()
    again = [np.asarray(figure.image(power=value)) for value in (1, 4.5)]
    assert made == []
    assert all((a == b).all() for a, b in zip(first, again))


def test_the_caches_forget_their_oldest_entries_beyond_their_limit():
    cache = _text_cache._Lru(2)
    for key in "abc":
        cache.remember(key, lambda key=key: key.upper())
    cache.remember("b", lambda: "not made again")
    assert list(cache.items()) == [("c", "C"), ("b", "B")]
