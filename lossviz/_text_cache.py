"""Text a slider figure redraws, from layouts and glyphs it has drawn before.

matplotlib 3.11's Agg renderer lays every string out (FreeType and HarfBuzz) and
renders every glyph of it anew each time the string is drawn: about 1.4 ms of
layout per string and 60 µs per glyph. A slider figure redraws its changing labels
on every frame, the same strings and glyphs at the same places again and again, so
text took a third of the time of a static frame and most of a live update of
figures with many labels.

:func:`remember_text` makes one renderer remember both. A layout is keyed on the
font, its size and everything ``_layout`` is given; a glyph bitmap on the font, its
size and every input of FreeType's rendering: transform, position (in 1/64 pixel),
glyph, hinting and render mode. The font objects themselves are in the keys, so a
key cannot outlive its font and be matched by another one at the same address. The
same inputs render the same pixels, so a figure drawn with the caches is
pixel-for-pixel the one drawn without (``tests/test_text_cache.py``).

It wraps private methods of ``RendererAgg``; with a matplotlib that lacks them
(before 3.11, which drew each string as one bitmap) it does nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from types import SimpleNamespace
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg

# Enough for every label of every slider figure; the oldest entries go first.
MAX_LAYOUTS = 2_000
MAX_GLYPHS = 50_000


class _Lru(OrderedDict):
    """A dict that forgets its least recently used entry beyond ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def remember(self, key: Any, make: Any) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        if len(self) > self.limit:
            self.popitem(last=False)
        return value


class _RememberingFont:
    """An FT2Font whose layouts and rendered glyphs are remembered in shared caches."""

    def __init__(self, font: Any, layouts: _Lru, glyphs: _Lru) -> None:
        self._font, self._layouts, self._glyphs = font, layouts, glyphs
        self._size: tuple[float, float] | None = None
        self._transform: tuple[bytes, tuple[int, ...]] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._font, name)

    def set_size(self, size: float, dpi: float) -> None:
        self._size = (size, dpi)
        self._font.set_size(size, dpi)

    def _set_transform(self, matrix: Any, delta: Any) -> None:
        self._transform = (np.asarray(matrix).tobytes(), tuple(int(d) for d in delta))
        self._font._set_transform(matrix, delta)

    def _layout(self, text: str, **options: Any) -> Any:
        try:
            key = (self._font, self._size, text, tuple(sorted(options.items())))
            hash(key)
        except TypeError:  # an option that is a list (a language given by ranges)
            return self._font._layout(text, **options)
        return self._layouts.remember(key, lambda: self._font._layout(text, **options))

    def _render_glyph(self, index: int, flags: Any, mode: Any) -> Any:
        def render() -> tuple[np.ndarray, int, int]:
            bitmap = self._font._render_glyph(index, flags, mode)
            return bitmap.buffer.copy(), bitmap.left, bitmap.top

        key = (self._font, self._size, self._transform, index, flags, mode)
        buffer, left, top = self._glyphs.remember(key, render)
        # A copy: matplotlib scales a monochrome glyph's buffer in place.
        return SimpleNamespace(buffer=buffer.copy(), left=left, top=top)


def remember_text(renderer: RendererAgg) -> None:
    """Make ``renderer`` remember the layouts and glyph bitmaps it draws text with."""
    if not all(hasattr(renderer, name) for name in ("_prepare_font", "_draw_text_glyphs_and_boxes")):
        return
    layouts, glyphs = _Lru(MAX_LAYOUTS), _Lru(MAX_GLYPHS)
    prepare_font, draw_glyphs = renderer._prepare_font, renderer._draw_text_glyphs_and_boxes

    def remembering(font: Any) -> _RememberingFont:
        return font if isinstance(font, _RememberingFont) else _RememberingFont(font, layouts, glyphs)

    def prepared_font(font_prop: Any) -> _RememberingFont:
        font = remembering(prepare_font(font_prop))
        font._size = (font_prop.get_size_in_points(), renderer.dpi)
        return font

    def draw_text_glyphs(gc: Any, x: float, y: float, angle: float, glyph_items: Any, boxes: Any) -> None:
        glyph_items = ((remembering(font), *rest) for font, *rest in glyph_items)
        draw_glyphs(gc, x, y, angle, glyph_items, boxes)

    renderer._prepare_font = prepared_font
    renderer._draw_text_glyphs_and_boxes = draw_text_glyphs
