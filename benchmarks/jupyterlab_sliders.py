"""Live sliders end to end in a real JupyterLab: key press to new image, per figure.

Run from the repository root (after `make test` has installed JupyterLab):

    .venv/bin/python benchmarks/jupyterlab_sliders.py [chapter ...]

For each chapter whose figures module makes sliders (default: all of them), a
JupyterLab set up as on Binder (tests/lab_session.py) opens the chapter in
headless Chromium and runs it. Then, for every live slider figure, each of its
sliders is stepped with the arrow keys, 24 moves, right first and turning round at
the end of its range, one at a time: the page records ``performance.now()`` at the keydown and again when
the figure's new image is in the page (the widget's HTML replaced by the frame the
kernel rendered), so the figure is the time a student waits, measured in the
browser. Prints each figure's median and p95 next to the goal (p95 <= 100 ms).
Asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from lab_session import jupyterlab, open_notebook, run_all, wait_until_run  # noqa: E402

GOAL_P95_MS = 100.0
PRESSES = 12
TURN_AFTER_MS = 5_000
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# Installed once per page: for each live figure (a widget VBox holding an HTML image
# and its sliders), the time of the last keydown on one of its slider handles and
# the delays until its image was replaced.
PROBE = """() => {
    window.lossvizDelays = [];
    document.querySelectorAll('.jp-OutputArea-output .widget-vbox').forEach((box, figure) => {
        const html = box.querySelector('.widget-html');
        if (!html || !html.querySelector('img')) return;
        let pressed = null;
        box.addEventListener('keydown', () => { pressed = performance.now(); }, true);
        new MutationObserver(() => {
            if (pressed !== null) { window.lossvizDelays.push([figure, performance.now() - pressed]); pressed = null; }
        }).observe(html, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
    });
}"""


def slider_chapters() -> list[str]:
    return sorted(p.stem for p in (ROOT / "lossviz" / "figures").glob("*.py")
                  if "slider_figure(" in p.read_text() and (ROOT / "book" / f"{p.stem}.md").is_file())


def measure(page) -> dict[int, list[float]]:
    """Delays (ms) of every key press, per figure index on the page."""
    page.evaluate(PROBE)
    handles = page.locator(".jp-OutputArea-output .widget-vbox .noUi-handle")
    for index in range(handles.count()):
        handle = handles.nth(index)
        handle.scroll_into_view_if_needed()
        handle.focus()
        # A handle at the end of its range does not move, and no new image comes: turn
        # round when none comes within TURN_AFTER_MS (twice in a row: one position only).
        key, moves, turns = "ArrowRight", 0, 0
        while moves < 2 * PRESSES and turns < 2:
            count = page.evaluate("() => window.lossvizDelays.length")
            handle.press(key)
            try:
                page.wait_for_function(f"() => window.lossvizDelays.length > {count}", timeout=TURN_AFTER_MS)
            except PlaywrightTimeout:
                key, turns = ("ArrowLeft" if key == "ArrowRight" else "ArrowRight"), turns + 1
                continue
            moves, turns = moves + 1, 0
    delays: dict[int, list[float]] = {}
    for figure, delay in page.evaluate("() => window.lossvizDelays"):
        delays.setdefault(figure, []).append(delay)
    return delays


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> int:
    chapters = sys.argv[1:] or slider_chapters()
    print(f"{os.cpu_count()} CPUs, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"{PRESSES} presses each way per slider\n")
    print(f"{'chapter':16s} {'figure':>6s} {'presses':>7s} {'median ms':>9s} {'p95 ms':>7s}  goal p95 <= {GOAL_P95_MS:.0f} ms")
    worst = 0.0
    with tempfile.TemporaryDirectory() as home, jupyterlab(Path(home)) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for chapter in chapters:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            open_notebook(page, url.format(chapter=chapter))
            run_all(page)
            wait_until_run(page)
            for figure, delays in sorted(measure(page).items()):
                worst = max(worst, p95(delays))
                print(f"{chapter:16s} {figure:6d} {len(delays):7d} {statistics.median(delays):9.1f} {p95(delays):7.1f}  "
                      f"{'ok' if p95(delays) <= GOAL_P95_MS else 'OVER'}", flush=True)
            page.close()
        browser.close()
    print(f"\nworst p95: {worst:.1f} ms; load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
