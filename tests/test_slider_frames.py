"""The build's static sliders load their frames from files (book/_ext/slider_frames.py)."""

from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path

import numpy as np

from lossviz import sliders
from lossviz.sliders import Slider, slider_figure

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from slider_frames import FOLDER, STATIC_ENV, externalise  # noqa: E402


def setup(fig):
    ax = fig.subplots()
    x = np.linspace(0, 1, 20)
    (line,) = ax.plot(x, x)
    ax.set_ylim(0, 1)
    # Powers past 8 draw the same picture as 8: identical frames.
    return lambda power: line.set_ydata(x ** min(power, 8))


def payload(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json">(.*?)</script>', html, re.S).group(1))


def test_frames_become_files_and_the_page_keeps_only_their_urls(tmp_path):
    figure = slider_figure(setup, power=Slider(1, 10, 1, value=3), alt="x to a power", figsize=(2, 2))
    inline = figure.to_html()
    frames = payload(inline)["frames"]
    html = externalise(inline, "../", tmp_path / FOLDER)

    data = payload(html)
    assert "frames" not in data and "iVBORw0KGgo" not in html  # no inline PNG left
    assert len(data["srcs"]) == len(frames) == 10
    for src, frame in zip(data["srcs"], frames):
        assert src.startswith(f"../{FOLDER}/")
        assert (tmp_path / src.removeprefix("../")).read_bytes() == base64.b64decode(frame)
    # Powers 8, 9 and 10 draw the same picture: one file.
    assert len(set(data["srcs"][7:])) == 1 and len(set(data["srcs"])) == 8
    # The first image shown is the initial value's frame (power 3), by URL.
    assert re.search(r'<img src="([^"]+)"', html).group(1) == data["srcs"][2]
    assert len(html) < len(inline) / 5


def test_a_figure_already_rewritten_is_left_alone(tmp_path):
    figure = slider_figure(setup, power=Slider(1, 3, 1), alt="x to a power", figsize=(2, 2))
    once = externalise(figure.to_html(), "", tmp_path / FOLDER)
    assert externalise(once, "", tmp_path / FOLDER) == once


def test_the_build_sets_the_variable_the_sliders_read():
    assert STATIC_ENV == sliders.STATIC_ENV
