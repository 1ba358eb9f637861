"""Sliders that work everywhere: live with a kernel, kernel-free on the static site.

One call, :func:`slider_figure`, gives an object that Jupyter displays as

* a live ipywidgets view (``application/vnd.jupyter.widget-view+json``): sliders
  that redraw the matplotlib figure in place by updating its artists, and
* when the book is being built (``LOSSVIZ_STATIC_SLIDERS`` set), also a
  ``text/html`` version that needs no kernel: frames rendered by the *same*
  drawing code, every value of a one-slider figure and at least 11 per axis of a
  two-slider one, a real ``<input type="range">`` per parameter, the value shown
  beside it, and a few lines of inline JavaScript (no external script). The
  build moves the frames into files beside the pages, fetched as the reader
  moves the slider (``book/_ext/slider_frames.py``).

The book's ``_config.yml`` makes the HTML builder prefer ``text/html``; JupyterLab,
Notebook and Colab render the live widget, and a kernel spends no time on frames
nobody there sees.

A figure is described by a *setup* function: it receives an empty
:class:`matplotlib.figure.Figure`, draws the axes and artists once, and returns an
*update* function taking the slider values as keyword arguments, which changes
the artists (``set_ydata``, ``set_height``, ...). When ``update`` returns the
artists it changed, only they, and whatever a full redraw would paint over them,
are redrawn on a cached background: that is what keeps a live update within the
book's 30 ms budget (see ``benchmarks/slider_updates.py``). So give changing
artists a high ``zorder`` (bars default to 1, below ticks, legends and text, all
of which would then be redrawn too) and fix the axes limits in ``setup``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import math
import os
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import imagequant
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from lossviz._text_cache import remember_text

__all__ = ["Slider", "SliderFigure", "slider_figure", "registered_sliders"]

# update(**values) may return the artists it changed, which enables blitting.
Update = Callable[..., "Sequence[Artist] | None"]
Setup = Callable[[Figure], Update]

# Figures are sized for a projector as well as a laptop; the static frames keep the
# live resolution but a palette of 256 colours, to keep the site small.
DEFAULT_FIGSIZE = (9.0, 4.5)
DPI = 80
PALETTE_COLOURS = 256
# The frames of one figure share one palette, made from this many of them: mapping a
# frame to it costs a few ms where quantizing it afresh costs about 21 ms. A frame
# that the shared palette would change by more than PALETTE_TOLERANCE levels in some
# channel, in more colours than its PALETTE_SPARE free entries hold, gets a palette
# of its own; a frame's own palette errs by up to about 40 levels at anti-aliased edges.
PALETTE_SAMPLES = 8
PALETTE_TOLERANCE = 32
PALETTE_SPARE = 16
LIVE_JPEG_QUALITY = 90
# The static version holds every value of a one-slider figure, and at least this
# many round values per axis of a two-slider figure (all of them if fewer).
MIN_STATIC_PER_AXIS_2D = 11
# The static version is rendered only where a page is being built: a kernel
# (Jupyter, Binder, Live Code) shows the live widget and has no use for it. The
# book's build sets this variable (book/_ext/slider_frames.py), and the kernels
# that execute the chapters inherit it.
STATIC_ENV = "LOSSVIZ_STATIC_SLIDERS"

_ROUND_STRIDES = sorted({int(m * 10**e) for e in range(6) for m in (1, 2, 2.5, 5)} - {0})
# Weak references: a figure lives as long as the notebook holds it, not for the
# whole session (a kernel re-running a chapter would otherwise pile up figures).
_REGISTRY: list["weakref.ref[SliderFigure]"] = []
# Numbers each HTML view, so that one figure displayed twice on a page gets distinct ids.
_HTML_IDS = itertools.count(1)


@dataclass(frozen=True)
class Slider:
    """One slider: values ``lo, lo + step, ..., hi``.

    Args:
        lo, hi, step: the live slider's range and step.
        value: the initial value (default: the grid value nearest the middle).
        label: what the reader sees, e.g. ``"γ"`` (default: the argument name).
        static: with two sliders, what the static site holds on this axis besides
            its default of at least 11 round values: a larger count, or values
            the prose asks the reader to try (grid values). With one slider the
            static site holds every grid value anyway.
    """

    lo: float
    hi: float
    step: float
    value: float | None = None
    label: str | None = None
    static: int | Sequence[float] | None = None

    def __post_init__(self) -> None:
        if not (self.step > 0 and self.hi > self.lo):
            raise ValueError(f"Slider needs lo < hi and step > 0, got {self.lo}, {self.hi}, {self.step}")
        if self.value is not None and not self.lo <= self.value <= self.hi:
            raise ValueError(f"Slider value {self.value} is outside [{self.lo}, {self.hi}]")
        if isinstance(self.static, (int, np.integer)):
            if self.static < 2:
                raise ValueError(f"static needs at least 2 values, got {self.static}")
        elif self.static is not None:
            grid = self.grid()
            # Checked before snapping: 0.15 on a 0.1 grid is an error, not 0.1 or 0.2.
            outside = [v for v in self.static if min(abs(v - g) for g in grid) > 1e-9]
            if outside:
                raise ValueError(f"static values {outside} are not on the slider's grid")
            if len({self._snap(v) for v in self.static}) < 2:
                raise ValueError("static needs at least 2 distinct values")

    @property
    def decimals(self) -> int:
        """Decimal places needed to write every grid value exactly."""
        for places in range(7):
            if all(abs(round(v, places) - v) < 1e-9 for v in (self.lo, self.step)):
                return places
        return 6

    @property
    def is_integer(self) -> bool:
        return self.decimals == 0

    @property
    def count(self) -> int:
        """How many values the live slider can take."""
        return int(math.floor((self.hi - self.lo) / self.step + 1e-9)) + 1

    def grid(self) -> list[float]:
        """Every value the live slider can take."""
        return [self._snap(self.lo + i * self.step) for i in range(self.count)]

    def index(self, value: float) -> int:
        """The position of ``value`` in :meth:`grid`: where a figure keeps what it
        precomputed for each slider value, it looks a value up here, and only here.

        Raises ``ValueError`` for a value off the grid (by more than a millionth of
        a step), which would otherwise silently show the nearest frame.
        """
        position = (value - self.lo) / self.step
        index = round(position)
        # On every live update: the count, not the grid list.
        if abs(position - index) > 1e-6 or not 0 <= index < self.count:
            raise ValueError(f"value {value} is not on the slider's grid {self.lo}:{self.hi}:{self.step}")
        return index

    def initial(self) -> float:
        target = (self.lo + self.hi) / 2 if self.value is None else self.value
        return min(self.grid(), key=lambda v: abs(v - target))

    def static_values(self, min_count: int | None) -> list[float]:
        """The static site's values: the whole grid (``min_count=None``), or
        every k-th grid value, for the largest round k (1, 2, 5, 10, 20, 25, ...
        steps) that still gives ``min_count`` values (or the count in ``static``,
        if larger), both ends included; plus any values listed in ``static``."""
        grid = self.grid()
        listed = [] if self.static is None or isinstance(self.static, (int, np.integer)) else self.static
        if min_count is None:
            return grid
        count = max(min_count, self.static if isinstance(self.static, (int, np.integer)) else 0)
        if len(grid) <= count:
            return grid
        # Round strides, so the static values read 0, 1, 2, ... rather than 0, 0.8, 1.5, ...
        stride = max(k for k in _ROUND_STRIDES if math.ceil((len(grid) - 1) / k) + 1 >= count)
        values = grid[::stride]
        if values[-1] != grid[-1]:
            values.append(grid[-1])
        # Sorted, so that the frames follow the range input from left to right.
        return sorted({*values, *(self._snap(v) for v in listed)})

    def text(self, name: str, value: float) -> str:
        """The value as the reader sees it, e.g. ``γ = 2.0``."""
        return f"{self.label or name} = {value:.{self.decimals}f}"

    def _snap(self, value: float) -> float | int:
        rounded = round(value, self.decimals)
        return int(rounded) if self.is_integer else rounded


class SliderFigure:
    """A matplotlib figure with one or two sliders; see :func:`slider_figure`."""

    def __init__(
        self,
        setup: Setup,
        params: Mapping[str, Slider],
        *,
        alt: str,
        caption: str | None = None,
        figsize: tuple[float, float] = DEFAULT_FIGSIZE,
    ) -> None:
        if not 1 <= len(params) <= 2:
            raise ValueError(f"a slider figure takes one or two sliders, got {len(params)}")
        self.params = dict(params)
        self.alt = alt
        self.caption = caption
        self.figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        self._update = setup(self.figure)
        remember_text(self.canvas.get_renderer())  # after setup, which may resize the figure
        self.initial = {name: spec.initial() for name, spec in self.params.items()}
        self._changed: dict[Artist, None] = {}  # every artist an update has returned so far
        self._front: list[Artist] = []  # what blitting redraws, in drawing order
        self._background: Any = None
        self._update(**self.initial)
        self.canvas.draw()
        # The layout is computed once, for the initial values; frozen, it cannot jump
        # between frames, and the background can be reused.
        self.figure.set_layout_engine("none")
        _REGISTRY[:] = [ref for ref in _REGISTRY if ref() is not None]
        _REGISTRY.append(weakref.ref(self))

    # -- drawing ---------------------------------------------------------------------
    def image(self, **values: float) -> Image.Image:
        """Update the artists for ``values`` and return the figure as an RGB image.

        When ``update`` returns the artists it changed, only those (and whatever a full
        redraw puts over them) are redrawn over a cached background (blitting);
        otherwise the whole figure is redrawn.
        """
        return self._drawn(**values).convert("RGB")

    def _drawn(self, **values: float) -> Image.Image:
        """:meth:`image` as the canvas holds it: RGBA (opaque), sharing the canvas's
        buffer, so valid only until the next draw (copy it to keep it)."""
        changed = self._update(**values)
        if changed is None:
            self.canvas.draw()
        else:
            if not self._changed.keys() >= set(changed):
                self._snapshot_background(changed)
            self.canvas.restore_region(self._background)
            for artist in self._front:
                self.figure.draw_artist(artist)
        width, height = self.canvas.get_width_height(physical=True)
        return Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba())

    def render(self, **values: float) -> bytes:
        """One live frame for ``values``, as JPEG bytes.

        JPEG because it encodes in about 1 ms where PNG takes 10-20 ms, the larger
        part of the 30 ms budget; the static frames stay lossless (palette PNG).
        """
        buffer = io.BytesIO()
        self.image(**values).save(buffer, format="jpeg", quality=LIVE_JPEG_QUALITY)
        return buffer.getvalue()

    def live_html(self, values: Mapping[str, float]) -> str:
        """One live frame as an ``<img>`` with its alt text, at its natural size or narrower.

        Never enlarged: a stretched JPEG is blurry.
        """
        jpeg = base64.b64encode(self.render(**values)).decode("ascii")
        width, height = self.canvas.get_width_height()
        return (
            f'<img src="data:image/jpeg;base64,{jpeg}" alt="{html.escape(self.frame_alt(values))}" '
            f'width="{width}" height="{height}" style="max-width:100%;height:auto;display:block">'
        )

    def _snapshot_background(self, changed: Sequence[Artist]) -> None:
        """Draw and keep the figure without the changed artists and what lies over them.

        A full redraw draws each axes' children in z-order: whatever follows a changed
        artist (a legend, the spines, a later line) must be redrawn after it too, or the
        blitted frame would differ from the full one where they overlap.
        """
        self._changed.update(dict.fromkeys(changed))
        self._front = []
        for axes in [*self.figure.axes, None]:  # the figure draws its axes in this order
            children = [] if axes is None else _drawing_order(axes)
            mine = [artist for artist in self._changed if artist.axes is axes]
            first = min((children.index(artist) for artist in mine if artist in children), default=len(children))
            self._front += children[first:] + [artist for artist in mine if artist not in children]
        for artist in self._front:
            artist.set_animated(True)
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)

    def _static_axes(self) -> list[list[float]]:
        """Each slider's static values (sorted, distinct)."""
        min_count = None if len(self.params) == 1 else MIN_STATIC_PER_AXIS_2D
        return [spec.static_values(min_count) for spec in self.params.values()]

    def static_grid(self) -> list[dict[str, float]]:
        """The slider values the static version holds, row-major over the sliders."""
        names = list(self.params)
        return [dict(zip(names, combo)) for combo in itertools.product(*self._static_axes())]

    def static_frames(self) -> list[bytes]:
        """Palette PNGs for :meth:`static_grid`, drawn by the same code as the live view."""
        grid = self.static_grid()
        samples = grid[:: -(-len(grid) // PALETTE_SAMPLES)] + grid[-1:]
        palette = _SharedPalette([self._drawn(**values).copy() for values in samples])
        frames = [_palette_png(self._drawn(**values), palette) for values in grid]
        self._update(**self.initial)
        return frames

    # -- the two views ---------------------------------------------------------------
    def frame_alt(self, values: Mapping[str, float]) -> str:
        """Alt text of the frame for ``values``: the figure's, with the slider values."""
        return f"{self.alt} ({', '.join(spec.text(name, values[name]) for name, spec in self.params.items())})"

    def widget(self) -> Any:
        """The live ipywidgets view (needs a kernel)."""
        import ipywidgets as widgets

        # An <img> in an HTML widget, not ipywidgets' Image: that has no alt attribute
        # (and its tooltip breaks the view in JupyterLab, ipywidgets 8.1).
        image = widgets.HTML(self.live_html(self.initial))
        controls = {}
        for name, spec in self.params.items():
            slider_class = widgets.IntSlider if spec.is_integer else widgets.FloatSlider
            options = {} if spec.is_integer else {"readout_format": f".{spec.decimals}f"}
            controls[name] = slider_class(
                value=self.initial[name], min=spec.lo, max=spec.hi, step=spec.step,
                description=spec.label or name, continuous_update=True, **options,
                # As wide as the static version's slider, with the whole label shown.
                layout=widgets.Layout(width="min(100%, 40em)"), style={"description_width": "initial"},
            )

        def redraw(_change: Any = None) -> None:
            values = {name: self.params[name]._snap(c.value) for name, c in controls.items()}
            image.value = self.live_html(values)

        for control in controls.values():
            control.observe(redraw, names="value")
        return widgets.VBox([image, *controls.values()])

    def to_html(self) -> str:
        """The kernel-free version: precomputed frames, range inputs, inline script."""
        grid = self.static_grid()
        frames = self.static_frames()
        names = list(self.params)
        axes = self._static_axes()
        start = [min(range(len(a)), key=lambda i: abs(a[i] - self.initial[n])) for a, n in zip(axes, names)]
        first = int(np.ravel_multi_index(start, [len(a) for a in axes]))
        uid = f"lossviz-{hashlib.sha1(b''.join(frames)).hexdigest()[:10]}-{next(_HTML_IDS)}"
        alts = [self.frame_alt(values) for values in grid]
        data = {
            "frames": [base64.b64encode(f).decode("ascii") for f in frames],
            "alts": alts,
            "shape": [len(a) for a in axes],
            "texts": [[self.params[n].text(n, v) for v in a] for n, a in zip(names, axes)],
        }
        controls = "".join(
            f'<div class="lossviz-control" style="display:flex;align-items:center;gap:.75em;margin:.25em 0">'
            f'<label for="{uid}-{i}" style="min-width:4em">{html.escape(self.params[n].label or n)}</label>'
            f'<input type="range" id="{uid}-{i}" data-axis="{i}" min="0" max="{len(a) - 1}" step="1" '
            f'value="{start[i]}" aria-valuetext="{html.escape(data["texts"][i][start[i]])}" style="flex:1">'
            f'<output for="{uid}-{i}" aria-live="polite" style="min-width:7em">'
            f'{html.escape(data["texts"][i][start[i]])}</output></div>'
            for i, (n, a) in enumerate(zip(names, axes))
        )
        held = "; ".join(
            f"{html.escape(self.params[n].label or n)} ∈ {{{', '.join(f'{v:g}' for v in a)}}}"
            for n, a in zip(names, axes)
        )
        caption = f"{html.escape(self.caption)} " if self.caption else ""
        payload = json.dumps(data).replace("</", "<\\/")
        return (
            f'<figure class="lossviz-slider" id="{uid}" style="margin:1em 0">'
            f'<img src="data:image/png;base64,{data["frames"][first]}" alt="{html.escape(alts[first])}" '
            f'style="max-width:100%;height:auto">{controls}'
            f'<figcaption style="font-size:.9em">{caption}Static version: frames computed when the '
            f"book was built, for {held}. Run the notebook for the continuous slider.</figcaption>"
            f'<script type="application/json">{payload}</script>'
            f"<script>{_SCRIPT.replace('__ID__', uid)}</script></figure>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        if os.environ.get(STATIC_ENV):
            bundle["text/html"] = self.to_html()
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        ranges = ", ".join(f"{n} in [{s.lo}, {s.hi}] step {s.step}" for n, s in self.params.items())
        return f"SliderFigure({ranges})"


def slider_figure(
    setup: Setup,
    *,
    alt: str,
    caption: str | None = None,
    figsize: tuple[float, float] = DEFAULT_FIGSIZE,
    **params: Slider | tuple[float, float, float],
) -> SliderFigure:
    """A figure with one or two sliders, live in Jupyter and working on the static site.

    Args:
        setup: draws the figure once and returns ``update(**values)``, which changes
            the artists for new slider values (it must not clear the figure).
        alt: alternative text describing the figure; each static frame gets it,
            followed by its slider values.
        caption: optional sentence shown under the static version.
        figsize: figure size in inches.
        **params: one or two sliders, as :class:`Slider` or ``(lo, hi, step)``.

    Example:
        >>> def setup(fig):
        ...     ax = fig.subplots()
        ...     x = np.linspace(0, 1, 100)
        ...     (line,) = ax.plot(x, x)
        ...     return lambda power: line.set_ydata(x ** power)
        >>> slider_figure(setup, power=Slider(1, 5, 1), alt="x to a power")
        SliderFigure(power in [1, 5] step 1)
    """
    specs = {name: spec if isinstance(spec, Slider) else Slider(*spec) for name, spec in params.items()}
    return SliderFigure(setup, specs, alt=alt, caption=caption, figsize=figsize)


def registered_sliders() -> list[SliderFigure]:
    """Every slider figure of this process still alive, in creation order (for benchmarks and tests)."""
    return [figure for figure in (ref() for ref in _REGISTRY) if figure is not None]


def _drawing_order(axes: Axes) -> list[Artist]:
    """The artists ``Axes.draw`` draws over the axes' background, in the order it draws them."""
    hidden: set[Artist] = {axes.patch}
    if not (axes.axison and axes.get_frame_on()):
        hidden |= set(axes.spines.values())
    if not axes.axison:
        hidden |= {axes.xaxis, axes.yaxis}
    return sorted((child for child in axes.get_children() if child not in hidden), key=lambda child: child.get_zorder())


def _quantized(image: Image.Image, colours: int = PALETTE_COLOURS) -> Image.Image:
    """``image`` with a palette of its own of at most ``colours`` entries, as a "P" image."""
    # libimagequant (pngquant's library) places the palette by perceived error, so a
    # colour bar keeps its gradient beside large flat areas; Pillow's median cut gave
    # a colour bar a handful of entries, and visible bands. No dithering: it would
    # speckle the flat fields of the heatmaps.
    rgba = image.convert("RGBA")
    # The raw-bytes entry point: quantize_pil_image copies the pixels in a Python loop.
    indices, palette = imagequant.quantize_raw_rgba_bytes(
        rgba.tobytes(), rgba.width, rgba.height, dithering_level=0.0, max_colors=colours
    )
    quantized = Image.frombytes("P", rgba.size, indices)
    # The frames are opaque: the palette's alpha is dropped, so the PNG has no tRNS chunk.
    quantized.putpalette(bytes(value for i, value in enumerate(palette) if i % 4 != 3))
    return quantized


class _SharedPalette:
    """One palette for all of a figure's frames, from the quantized stack of ``samples``.

    Each colour maps to its nearest entry, found once and remembered (Pillow's own
    mapping to a given palette is approximate: it turned white into (252, 252, 252)).
    A colour further than PALETTE_TOLERANCE from every entry (a rare anti-aliased
    blend the samples lacked) takes one of the PALETTE_SPARE entries kept free.
    """

    _UNSEEN, _TOO_FAR = -1, -2

    def __init__(self, samples: Sequence[Image.Image]) -> None:
        width, height = samples[0].size
        stack = Image.new("RGB", (width, height * len(samples)))
        for row, sample in enumerate(samples):
            stack.paste(sample, (0, row * height))
        quantized = _quantized(stack, PALETTE_COLOURS - PALETTE_SPARE)
        # imagequant pads its palette to 256 entries: the spare ones are those past the last used.
        used = max(quantized.getextrema()) + 1
        self.entries = np.array(quantized.getpalette() or [], dtype=np.int32).reshape(-1, 3)[:used]
        self._index = np.full(1 << 24, self._UNSEEN, dtype=np.int16)

    def indices(self, image: Image.Image) -> np.ndarray | None:
        """The palette index of each pixel of an RGBA image (a frame as drawn), or None
        if the palette cannot hold the image's colours."""
        # Each pixel's colour as one number, R + 256 G + 65536 B: the RGBA bytes read as
        # little-endian 32-bit words, less alpha (a third of the time of shifting channels).
        packed = np.asarray(image).view("<u4")[..., 0] & 0xFFFFFF
        index = self._index[packed]
        unseen = index == self._UNSEEN
        if unseen.any():
            new = np.unique(packed[unseen]).astype(np.int32)
            colours = np.stack([new & 255, (new >> 8) & 255, new >> 16], axis=1)
            nearest = ((colours[:, None, :] - self.entries[None]) ** 2).sum(axis=-1).argmin(axis=1)
            far = np.abs(colours - self.entries[nearest]).max(axis=1) > PALETTE_TOLERANCE
            if far.sum() <= PALETTE_COLOURS - len(self.entries):
                nearest[far] = np.arange(len(self.entries), len(self.entries) + far.sum())
                self.entries = np.concatenate([self.entries, colours[far]])
            else:
                nearest[far] = self._TOO_FAR
            self._index[new] = nearest
            index = self._index[packed]
        return None if (index == self._TOO_FAR).any() else index.astype(np.uint8)


def _palette_png(image: Image.Image, shared: _SharedPalette | None = None) -> bytes:
    """``image`` as a palette PNG: in the shared palette if it holds the image's colours
    (``image`` then RGBA, as drawn), else in a palette of its own."""
    indices = None if shared is None else shared.indices(image)
    if indices is None:
        quantized = _quantized(image)
    else:
        quantized = Image.frombytes("P", image.size, indices.tobytes())
        quantized.putpalette(shared.entries.astype(np.uint8).tobytes())
    buffer = io.BytesIO()
    # zlib level 3, not Pillow's 6 nor optimize=True: measured on the frames of the
    # focal_alpha and cross_entropy sliders, a frame encodes in 1.3-1.9 ms at level 3,
    # 3.8-4.3 ms at 6 and about 20 ms optimized, for frames 13% larger than at 6 and
    # 30% larger than optimized; the build encodes thousands of frames.
    quantized.save(buffer, format="png", compress_level=3)
    return buffer.getvalue()


# Kept deliberately small and dependency-free: it only swaps precomputed frames.
# Frames are files (data.srcs, see book/_ext/slider_frames.py) or, outside the
# book, inline PNGs (data.frames). A file is fetched when first shown, and the
# frames next to the current one on each axis are fetched ahead, from the first
# time the reader points at or tabs to the figure, so the next step is instant.
_SCRIPT = """(function(){var root=document.getElementById("__ID__");
var data=JSON.parse(root.querySelector('script[type="application/json"]').textContent);
var img=root.querySelector("img");var inputs=root.querySelectorAll('input[type="range"]');var ahead={};
function src(flat){return data.srcs?data.srcs[flat]:"data:image/png;base64,"+data.frames[flat];}
function position(){var index=[];inputs.forEach(function(input){index.push(+input.value);});return index;}
function flatten(index){var flat=0;index.forEach(function(i,axis){flat=flat*data.shape[axis]+i;});return flat;}
function fetchAhead(){if(!data.srcs)return;var index=position();index.forEach(function(i,axis){
[-2,-1,1,2].forEach(function(step){var j=i+step;if(j<0||j>=data.shape[axis])return;
var near=index.slice();near[axis]=j;var flat=flatten(near);
if(!ahead[flat]){ahead[flat]=new Image();ahead[flat].src=src(flat);}});});}
function show(){var index=position(),flat=flatten(index);inputs.forEach(function(input,axis){
var text=data.texts[axis][index[axis]];input.setAttribute("aria-valuetext",text);
input.parentNode.querySelector("output").textContent=text;});
img.src=src(flat);img.alt=data.alts[flat];fetchAhead();}
root.addEventListener("pointerenter",fetchAhead,{once:true});root.addEventListener("focusin",fetchAhead,{once:true});
inputs.forEach(function(input){input.addEventListener("input",show);});})();"""
