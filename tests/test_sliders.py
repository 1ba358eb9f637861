"""Unit tests of the slider helper, lossviz.sliders (no browser; see test_site.py for that)."""

from __future__ import annotations

import base64
import functools
import gc
import io
import json
import weakref
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

from lossviz.sliders import STATIC_ENV, Slider, SliderFigure, registered_sliders, slider_figure

X = np.linspace(0.0, 1.0, 200)


def power_setup(fig, *, blit=True):
    """One line whose exponent the slider sets; returns the artists it changed if `blit`."""
    ax = fig.subplots()
    ax.plot(X, X, color="0.8", label="x")
    (line,) = ax.plot(X, X, lw=2, label="x ** power")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="x", ylabel="x ** power")
    # The curve runs under the legend: a full redraw draws the legend over it.
    ax.legend(loc="upper right", fontsize=20)

    def update(power):
        line.set_ydata(X**power)
        return [line] if blit else None

    return update


def full_redraw_setup(fig):
    return power_setup(fig, blit=False)


def bump_setup(fig):
    """Two parameters: a Gaussian bump's centre and width."""
    ax = fig.subplots()
    (line,) = ax.plot(X, X)
    ax.set(xlim=(0, 1), ylim=(0, 1.05))

    def update(centre, width):
        line.set_ydata(np.exp(-0.5 * ((X - centre) / width) ** 2))
        return [line]

    return update


@pytest.fixture(scope="module")
def power():
    return slider_figure(power_setup, power=Slider(1, 5, 0.5, value=2), alt="x raised to a power")


@pytest.fixture(scope="module")
def bump():
    return slider_figure(
        bump_setup,
        centre=Slider(0, 1, 0.25, label="centre"),
        width=(0.1, 0.3, 0.1),
        alt="A Gaussian bump",
        figsize=(4, 3),
    )


def rgb(encoded: bytes) -> np.ndarray:
    """Decoded pixels as a signed array, so that differences do not wrap around."""
    return np.asarray(Image.open(io.BytesIO(encoded)).convert("RGB"), dtype=np.int16)


@functools.cache
def static_html(figure: SliderFigure) -> str:
    """``figure.to_html()``, computed once per figure: the frames take a while."""
    return figure.to_html()


class _Parts(HTMLParser):
    """The parts of a slider's static HTML the tests look at."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.figures, self.imgs, self.inputs, self.labels, self.outputs, self.json = [], [], [], [], [], []
        self._in = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure":
            self.figures.append(attrs)
        elif tag == "img":
            self.imgs.append(attrs)
        elif tag == "input":
            self.inputs.append(attrs)
        elif tag in ("label", "output"):
            getattr(self, tag + "s").append([attrs, ""])
            self._in = tag
        elif tag == "script" and attrs.get("type") == "application/json":
            self.json.append("")
            self._in = "json"

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "json":
            self.json[-1] += data
        elif self._in:
            getattr(self, self._in + "s")[-1][1] += data


# -- Slider ------------------------------------------------------------------------------


def test_grid_holds_every_step_with_exact_values():
    assert Slider(0, 1, 0.25).grid() == [0, 0.25, 0.5, 0.75, 1]
    assert Slider(0, 0.3, 0.1).grid() == [0, 0.1, 0.2, 0.3]  # not 0.30000000000000004
    integers = Slider(1, 5, 1).grid()
    assert integers == [1, 2, 3, 4, 5] and all(isinstance(v, int) for v in integers)


def test_initial_value_is_the_grid_value_nearest_the_given_one_or_the_middle():
    assert Slider(0, 1, 0.25).initial() == 0.5
    assert Slider(0, 1, 0.25, value=0.3).initial() == 0.25
    assert Slider(1, 4, 1).initial() in (2, 3)


def test_one_slider_figures_hold_every_grid_value():
    cross_entropy_like = Slider(0.05, 9.55, 0.05)
    assert cross_entropy_like.static_values(None) == cross_entropy_like.grid()
    assert len(cross_entropy_like.grid()) == 191


def test_static_values_default_to_the_whole_grid_when_it_is_small():
    assert Slider(0, 2, 0.5).static_values(11) == [0, 0.5, 1, 1.5, 2]


def test_static_values_thin_a_long_grid_to_round_values_with_both_ends():
    # The largest round stride that still gives 11 values.
    assert Slider(0, 5, 0.1).static_values(11) == [i / 2 for i in range(11)]
    # Stride 20 steps gives 0, 2, ..., 18, and the end is kept.
    assert Slider(0, 19, 0.1).static_values(11) == [*range(0, 19, 2), 19]
    values = Slider(0, 1, 0.01).static_values(11)
    assert len(values) >= 11 and values[0] == 0 and values[-1] == 1
    assert set(values) <= set(Slider(0, 1, 0.01).grid())


@pytest.mark.parametrize("step", [0.01, 0.02, 0.05, 0.1, 0.25, 1])
def test_two_slider_axes_hold_at_least_eleven_values(step):
    values = Slider(0, 10, step).static_values(11)
    assert len(values) >= min(11, len(Slider(0, 10, step).grid()))


def test_listed_static_values_are_added_to_the_default_ones():
    # The values the prose asks for are positions, whatever the default holds.
    values = Slider(0, 5, 0.1, static=[0.3, 2.7]).static_values(11)
    assert {0.3, 2.7, 0, 0.5, 5} <= set(values) and values == sorted(values)
    assert len(Slider(0, 100, 1, static=21).static_values(11)) >= 21


def test_value_text_uses_the_label_and_the_step_precision():
    assert Slider(0, 5, 0.5, label="γ").text("gamma", 2) == "γ = 2.0"
    assert Slider(0, 5, 1).text("k", 3) == "k = 3"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lo": 1, "hi": 1, "step": 0.1},  # lo == hi
        {"lo": 2, "hi": 1, "step": 0.1},  # lo > hi
        {"lo": 0, "hi": 1, "step": 0},
        {"lo": 0, "hi": 1, "step": -0.1},
        {"lo": 0, "hi": 1, "step": 0.1, "value": 1.5},
        {"lo": 0, "hi": 1, "step": 0.1, "static": [0.15]},  # between grid values
        {"lo": 0, "hi": 10, "step": 1, "static": [2, 2.5]},
        {"lo": 0, "hi": 1, "step": 0.1, "static": [0.5, 2.0]},  # beyond hi
        {"lo": 0, "hi": 1, "step": 0.1, "static": [0.5]},  # one position is no slider
        {"lo": 0, "hi": 1, "step": 0.1, "static": 1},
    ],
)
def test_invalid_slider_specs_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        Slider(**kwargs)


@pytest.mark.parametrize("count", [0, 3])
def test_a_figure_takes_one_or_two_sliders(count):
    params = {name: Slider(0, 1, 0.5) for name in "abc"[:count]}

    def setup(fig):
        return lambda **values: None

    with pytest.raises(ValueError, match="one or two sliders"):
        slider_figure(setup, alt="nothing", **params)


# -- SliderFigure: grid, frames, HTML ------------------------------------------------------


def test_two_parameter_grid_is_row_major_over_the_sliders(bump):
    grid = bump.static_grid()
    centres, widths = [0, 0.25, 0.5, 0.75, 1], [0.1, 0.2, 0.3]
    assert len(grid) == len(centres) * len(widths)
    assert grid == [{"centre": c, "width": w} for c in centres for w in widths]


def test_a_kernel_gets_the_live_widget_and_no_static_frames(power, monkeypatch):
    monkeypatch.delenv(STATIC_ENV, raising=False)
    rendered = []
    monkeypatch.setattr(power, "static_frames", lambda: rendered.append(1) or [])
    bundle = power._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "text/html" not in bundle
    assert not rendered


def test_mimebundle_has_the_live_widget_the_static_html_and_plain_text(power, monkeypatch):
    monkeypatch.setenv(STATIC_ENV, "1")
    bundle = power._repr_mimebundle_()
    assert "model_id" in bundle["application/vnd.jupyter.widget-view+json"]
    assert bundle["text/html"].startswith('<figure class="lossviz-slider"')
    assert bundle["text/plain"] == "SliderFigure(power in [1, 5] step 0.5)"


@pytest.mark.parametrize("name", ["power", "bump"])
def test_html_has_one_labelled_range_input_and_value_output_per_parameter(name, request):
    figure: SliderFigure = request.getfixturevalue(name)
    parts = _Parts(static_html(figure))
    assert len(parts.figures) == 1 and parts.figures[0]["class"] == "lossviz-slider"
    assert len(parts.imgs) == 1 and parts.imgs[0]["alt"].startswith(figure.alt)
    assert [i["type"] for i in parts.inputs] == ["range"] * len(figure.params)
    ids = [i["id"] for i in parts.inputs]
    assert len(set(ids)) == len(ids)
    assert [a["for"] for a, _ in parts.labels] == ids
    assert [text for _, text in parts.labels] == [s.label or n for n, s in figure.params.items()]
    assert [a["for"] for a, _ in parts.outputs] == ids
    data = json.loads(parts.json[0])
    for axis, (tag, (_, shown)) in enumerate(zip(parts.inputs, parts.outputs)):
        assert tag["min"] == "0" and int(tag["max"]) == data["shape"][axis] - 1
        assert shown == data["texts"][axis][int(tag["value"])] == tag["aria-valuetext"]


def test_one_figure_shown_twice_gets_distinct_ids(power):
    first, second = _Parts(power.to_html()), _Parts(power.to_html())
    assert first.figures[0]["id"] != second.figures[0]["id"]
    assert first.inputs[0]["id"] != second.inputs[0]["id"]


@pytest.mark.parametrize("name", ["power", "bump"])
def test_frames_are_pngs_with_alt_text_listing_the_values(name, request):
    figure: SliderFigure = request.getfixturevalue(name)
    data = json.loads(_Parts(static_html(figure)).json[0])
    grid = figure.static_grid()
    assert len(data["frames"]) == len(data["alts"]) == len(grid) == int(np.prod(data["shape"]))
    width, height = figure.canvas.get_width_height(physical=True)
    for frame, alt, values in zip(data["frames"], data["alts"], grid):
        image = Image.open(io.BytesIO(base64.b64decode(frame)))
        image.verify()
        assert image.format == "PNG" and image.size == (width, height)
        assert alt.startswith(figure.alt)
        for name_, value in values.items():
            assert figure.params[name_].text(name_, value) in alt
    assert len(set(data["frames"])) == len(grid), "every position should show a different picture"


def test_the_page_opens_on_the_frame_of_the_initial_values(power):
    parts = _Parts(static_html(power))
    data = json.loads(parts.json[0])
    start = power.static_grid().index(power.initial)
    assert parts.imgs[0]["src"] == "data:image/png;base64," + data["frames"][start]
    assert parts.inputs[0]["value"] == str(start)


@pytest.mark.parametrize("name", ["power", "bump"])
def test_first_and_last_frames_match_the_live_drawing(name, request):
    figure: SliderFigure = request.getfixturevalue(name)
    frames = figure.static_frames()
    grid = figure.static_grid()
    for frame, values in [(frames[0], grid[0]), (frames[-1], grid[-1])]:
        static, live = rgb(frame), np.asarray(figure.image(**values), dtype=float)
        assert static.shape == live.shape
        diff = np.abs(static - live).max(axis=-1)
        # The static frames are palette PNGs: close, not identical.
        assert diff.mean() < 1.5, diff.mean()
        assert (diff > 24).mean() < 0.002, (diff > 24).mean()
    assert np.abs(rgb(frames[0]) - rgb(frames[-1])).max() > 100


def random_tiles_setup(fig):
    """Tiles of random colour, new ones at each position: colours no other frame has."""
    ax = fig.subplots()
    image = ax.imshow(np.zeros((32, 32, 3)))

    def update(seed):
        image.set_data(np.random.default_rng(round(seed * 100)).random((32, 32, 3)))
        return [image]

    return update


@pytest.mark.parametrize(("setup", "name"), [(power_setup, "power"), (random_tiles_setup, "seed")])
def test_static_frames_are_as_faithful_as_frames_quantized_alone(setup, name):
    """The frames share one palette where it holds their colours (mapping to it is 20 times
    faster than quantizing afresh) and are quantized alone where it does not; either way
    no frame is further from the live drawing than PALETTE_TOLERANCE or its own palette."""
    from lossviz.sliders import PALETTE_TOLERANCE, _palette_png

    figure = slider_figure(setup, **{name: (0, 1, 0.05)}, alt="a test figure", figsize=(4, 3))
    palettes = set()
    for frame, values in zip(figure.static_frames(), figure.static_grid()):
        live = figure.image(**values)
        error = np.abs(rgb(frame) - np.asarray(live, dtype=np.int16)).max()
        alone = np.abs(rgb(_palette_png(live)) - np.asarray(live, dtype=np.int16)).max()
        assert error <= max(PALETTE_TOLERANCE, alone), (values, error, alone)
        assert (rgb(frame)[0, 0] == 255).all(), "the white background must stay exactly white"
        palettes.add(bytes(Image.open(io.BytesIO(frame)).getpalette()[:3 * 200]))
    # One line over a fixed background: one palette; random tiles: a palette each.
    assert (len(palettes) == 1) == (setup is power_setup), len(palettes)


def test_colour_bars_keep_their_gradient_in_the_static_frames():
    """Two heatmaps with their colour bars and a contour line, as in the Dice chapter:
    the 256-colour frame must keep the colour bars smooth. (Pillow's median cut with
    128 colours, used before, kept 43 and 57 steps of these bars: visible bands.)"""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from lossviz.sliders import _palette_png

    fig = Figure(figsize=(9, 4.5), dpi=80)
    FigureCanvasAgg(fig)
    y, x = np.mgrid[-1:1:48j, -1:1:48j]
    fields = [("viridis", np.exp(-4 * (x**2 + y**2))), ("RdBu_r", x * y)]
    for ax, (cmap, field) in zip(fig.subplots(1, 2), fields):
        fig.colorbar(ax.imshow(field, cmap=cmap, interpolation="nearest"), ax=ax)
        ax.plot([0, 47], [0, 47], color="k")
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    frame = rgb(_palette_png(Image.fromarray(image)))
    steps_per_column = [len(np.unique(image[:, c], axis=0)) for c in range(image.shape[1])]
    bars = [c for c, steps in enumerate(steps_per_column) if steps > 150]
    assert bars, "no colour bar found in the test figure"
    for column in (bars[0], bars[-1]):
        # About 260 pixels of bar: 70 or more steps leave bands under 4 pixels.
        kept = len(np.unique(frame[:, column], axis=0))
        assert kept >= 70, f"column {column}: {kept} of {steps_per_column[column]} steps"
    assert np.abs(frame - image).mean() < 0.3


def test_html_survives_markup_in_the_alt_text():
    figure = slider_figure(power_setup, power=(1, 2, 1), alt='</script><b>"bold"</b>', figsize=(2, 2))
    parts = _Parts(static_html(figure))
    assert len(parts.json) == 1
    assert json.loads(parts.json[0])["alts"][0].startswith('</script><b>"bold"</b>')
    assert parts.imgs[0]["alt"].startswith('</script><b>"bold"</b>')


# -- the live view -------------------------------------------------------------------------


def live_frame(html_value: str) -> tuple[dict, bytes]:
    """The live view's <img> attributes and its JPEG."""
    (img,) = _Parts(html_value).imgs
    return img, base64.b64decode(img["src"].removeprefix("data:image/jpeg;base64,"))


def test_moving_a_live_slider_redraws_the_image(bump):
    box = bump.widget()
    image, centre, width = box.children
    assert (centre.description, width.description) == ("centre", "width")
    before = image.value
    assert np.array_equal(rgb(live_frame(before)[1]), rgb(bump.render(**bump.initial)))
    centre.value = 0.0
    assert image.value != before
    width.value = 0.3
    assert np.array_equal(rgb(live_frame(image.value)[1]), rgb(bump.render(centre=0, width=0.3)))


def test_the_live_image_keeps_its_natural_size_and_the_static_alt_text(bump):
    box = bump.widget()
    image, centre, _ = box.children
    img, jpeg = live_frame(image.value)
    natural = Image.open(io.BytesIO(jpeg)).size
    assert (int(img["width"]), int(img["height"])) == natural
    assert "max-width:100%;height:auto" in img["style"]  # narrower on a phone, never enlarged
    static_alts = json.loads(_Parts(static_html(bump)).json[0])["alts"]
    assert img["alt"] in static_alts and img["alt"].startswith(bump.alt)
    centre.value = 0.0
    moved, _ = live_frame(image.value)
    assert moved["alt"] == bump.frame_alt({"centre": 0.0, "width": bump.initial["width"]}) != img["alt"]


def test_integer_parameters_get_an_integer_slider():
    figure = slider_figure(power_setup, power=(1, 4, 1), alt="integer powers", figsize=(2, 2))
    _, control = figure.widget().children
    assert type(control).__name__ == "IntSlider" and (control.min, control.max, control.step) == (1, 4, 1)


def test_blitting_draws_the_same_pixels_as_a_full_redraw():
    spec = Slider(1, 5, 0.5, value=2)
    blitted = slider_figure(power_setup, power=spec, alt="blit")
    redrawn = slider_figure(full_redraw_setup, power=spec, alt="full")
    for value in [1, 5, 3.5, 1.5]:  # several updates, so the cached background is reused
        a, b = (np.asarray(f.image(power=value), dtype=float) for f in (blitted, redrawn))
        diff = np.abs(a - b)
        assert (diff > 2).mean() < 1e-4, f"power={value}: {(diff > 2).mean():.2%} of pixels differ"
    assert np.abs(rgb(blitted.render(power=1)) - rgb(blitted.render(power=5))).max() > 100


def test_live_frames_are_jpegs_close_to_the_lossless_image(power):
    live = Image.open(io.BytesIO(power.render(power=2)))
    assert live.format == "JPEG"
    diff = np.abs(np.asarray(live, dtype=float) - np.asarray(power.image(power=2), dtype=float))
    assert diff.mean() < 2, diff.mean()


def test_registered_sliders_lists_every_figure_in_creation_order():
    before = registered_sliders()
    created = [slider_figure(power_setup, power=(1, 2, 1), alt=str(i), figsize=(2, 2)) for i in range(2)]
    after = registered_sliders()
    assert after[: len(before)] == before and after[len(before):] == created


def test_registry_does_not_keep_figures_alive():
    figure = slider_figure(power_setup, power=(1, 2, 1), alt="dropped", figsize=(2, 2))
    reference = weakref.ref(figure)
    del figure
    gc.collect()
    assert reference() is None
    assert all(f.alt != "dropped" for f in registered_sliders())


def test_index_finds_each_grid_value_and_rejects_values_off_the_grid():
    gamma = Slider(0, 5, 0.1)
    assert [gamma.index(v) for v in gamma.grid()] == list(range(51))
    assert gamma.index(0.30000000000000004) == 3  # 3 * 0.1 in floating point
    for off in (0.15, -0.1, 5.1):
        with pytest.raises(ValueError, match="not on the slider's grid"):
            gamma.index(off)
