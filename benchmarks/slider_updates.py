"""Time every live slider update of the book against its goals: median 16 ms, p95 30 ms.

Run from the repository root:

    .venv/bin/python benchmarks/slider_updates.py [book/chapter.md ...] [--max-updates N]

Each chapter listed in _toc.yml (MyST markdown notebooks with code) is read with
myst-nb's reader and executed in a fresh kernel, with one cell appended: it drives
every slider figure the chapter created (``lossviz.sliders.registered_sliders()``)
through its whole live grid (for two sliders, the grid product, evenly sampled down
to ``--max-updates`` if larger) and times ``render(**values)``, which is exactly what
a move of the live slider costs in the kernel. Prints a table of the median and 95th
percentile per slider, in wall-clock time (what the reader waits; the goals apply
to it) and in the kernel thread's CPU time (what the update costs on an idle machine:
on a busy one the wall time also counts waiting for a CPU, so the load average is
printed too). Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from myst_nb.core.read import read_myst_markdown_notebook
from nbclient import NotebookClient
from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parents[1]
MEDIAN_GOAL_MS = 16.0
P95_GOAL_MS = 30.0
MARKER = "LOSSVIZ-SLIDER-TIMINGS "

TIMING_CELL = """\
import itertools as _itertools, json as _json, time as _time
from lossviz.sliders import registered_sliders as _registered_sliders

_results = []
for _figure in _registered_sliders():
    _names = list(_figure.params)
    _updates = [dict(zip(_names, _values))
                for _values in _itertools.product(*(_figure.params[_n].grid() for _n in _names))]
    if len(_updates) > {max_updates}:
        _updates = [_updates[round(_i * (len(_updates) - 1) / ({max_updates} - 1))] for _i in range({max_updates})]
    _figure.render(**_figure.initial)  # the live view has drawn this one already
    _wall, _cpu = [], []
    for _values in _updates:
        _start, _start_cpu = _time.perf_counter(), _time.thread_time()
        _figure.render(**_values)
        _wall.append(_time.perf_counter() - _start)
        _cpu.append(_time.thread_time() - _start_cpu)
    _results.append({{"alt": _figure.alt, "params": _names, "wall": _wall, "cpu": _cpu}})
print({marker!r} + _json.dumps(_results))
"""


def chapters() -> list[Path]:
    """The MyST notebooks of _toc.yml, in order."""
    paths = [ROOT / f"{docname}.md" for docname in parse_toc_yaml(ROOT / "_toc.yml")]
    return [p for p in paths if p.is_file() and "```{code-cell}" in p.read_text()]


def time_chapter(path: Path, max_updates: int) -> list[dict]:
    notebook = read_myst_markdown_notebook(path.read_text())
    notebook.cells.append(nbformat.v4.new_code_cell(TIMING_CELL.format(max_updates=max_updates, marker=MARKER)))
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute(stderr=subprocess.DEVNULL)  # the kernel's start-up chatter; cell errors still raise
    for output in notebook.cells[-1].outputs:
        if output.get("name") == "stdout" and MARKER in output.text:
            return json.loads(output.text.split(MARKER, 1)[1])
    raise RuntimeError(f"{path}: the timing cell printed nothing")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="default: every chapter in _toc.yml")
    parser.add_argument("--max-updates", type=int, default=400, help="per slider figure (default 400)")
    args = parser.parse_args()
    paths = [p.resolve() for p in args.chapters] or chapters()

    rows = []
    for path in paths:
        start = time.perf_counter()
        results = time_chapter(path, args.max_updates)
        chapter = str(path.relative_to(ROOT))
        print(f"{chapter}: executed and timed in {time.perf_counter() - start:.1f} s, {len(results)} slider(s)")
        for index, result in enumerate(results):
            wall = [t * 1000 for t in result["wall"]]
            cpu = [t * 1000 for t in result["cpu"]]
            median = statistics.median(wall)
            alt = result["alt"] if len(result["alt"]) <= 40 else result["alt"][:39] + "…"
            rows.append((chapter, f"{index}: {alt}", ",".join(result["params"]), len(wall), median,
                         percentile(wall, 0.95), statistics.median(cpu), percentile(cpu, 0.95),
                         "yes" if median <= MEDIAN_GOAL_MS else "NO",
                         "yes" if percentile(wall, 0.95) <= P95_GOAL_MS else "NO"))

    header = ("chapter", "slider", "params", "updates", "median ms", "p95 ms",
              "cpu median ms", "cpu p95 ms", f"median <= {MEDIAN_GOAL_MS:g} ms", f"p95 <= {P95_GOAL_MS:g} ms")
    widths = [max(len(header[i]), *(len(f"{r[i]:.1f}" if isinstance(r[i], float) else str(r[i])) for r in rows))
              if rows else len(header[i]) for i in range(len(header))]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        cells = [f"{c:.1f}" if isinstance(c, float) else str(c) for c in row]
        print("  ".join(c.rjust(w) if isinstance(v, (int, float)) else c.ljust(w)
                        for c, v, w in zip(cells, row, widths)))
    if not rows:
        print("(no slider figures in these chapters)")
    print(f"\nload average (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
