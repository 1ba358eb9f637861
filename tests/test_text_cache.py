"""lossviz._text_cache: text from remembered layouts and glyphs is matplotlib's, pixel for pixel."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lossviz import _text_cache
from lossviz._text_cache import remember_text

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


def test_a_redraw_lays_out_and_renders_nothing_anew(monkeypatch):
    canvas = FigureCanvasAgg(labelled_figure(0.5))
    remember_text(canvas.get_renderer())
    canvas.draw()
    made = []
    remember = _text_cache._Lru.remember

    def counting(self, key, make):
        return remember(self, key, lambda: made.append(key) or make())

    monkeypatch.setattr(_text_cache._Lru, "remember", counting)
    canvas.draw()
    assert made == []
    # A changed label: only its new glyphs and its layout are made.
    canvas.figure.axes[0].set_title("loss = 0.501")
    canvas.draw()
    assert 0 < len(made) <= 3


def test_the_caches_forget_their_oldest_entries_beyond_their_limit():
    cache = _text_cache._Lru(2)
    for key in "abc":
        cache.remember(key, lambda key=key: key.upper())
    cache.remember("b", lambda: "not made again")
    assert list(cache.items()) == [("c", "C"), ("b", "B")]
