"""Time the experiment chapter (book/experiment.md) end to end, as the book build runs it.

Run from the repository root:

    .venv/bin/python benchmarks/experiment_time.py [--repeats N]

The chapter is read as a notebook with MyST-NB's own reader (the one
``jupyter-book build`` uses) and executed by nbclient in a fresh ``python3``
kernel, from the ``book/`` folder. For each repeat it prints

* the wall time of the whole execution (kernel start-up included), which is
  what the build waits for; the budget is 120 s on 2 cores;
* the kernel's CPU time (user + system, read from ``/proc`` just before the
  kernel is shut down), which does not grow when other jobs share the machine
  (wall time does: on a loaded machine it can be several times the CPU time);
  the budget is 45 s, since the build executes two chapters at once;
* from the same kernel, the chapter's own measurements: the batched training of
  every run (``train_time``), the serial loop's time for the same runs,
  extrapolated from the steps it timed (``serial_time``), and the speed-up.

The kernel runs with ``LOSSVIZ_STATIC_SLIDERS`` set, as in the book build (static
slider frames rendered, progress bars off).

It also fails loudly if a cell raises or writes to stderr (the strict build
would fail too). Figures only: nothing is asserted about the times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import nbformat
from myst_nb.core.read import read_myst_markdown_notebook
from nbclient import NotebookClient

from lossviz.sliders import STATIC_ENV

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "experiment.md"
BUDGET_S = 120.0
# The book executes two chapters at once on 2 cores: this one's share of the CPU.
CPU_BUDGET_S = 45.0


def _kernel_cpu_seconds(client: NotebookClient) -> float:
    """User + system CPU time of the kernel process and its children, from /proc."""
    pid = client.km.provisioner.process.pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # Fields 14-17 of stat (utime, stime, cutime, cstime), counted after the ")".
    ticks = sum(int(v) for v in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def _chapter_times(client: NotebookClient) -> dict[str, float]:
    """The chapter's own training-time variables, read from its kernel."""
    code = 'import json; print(json.dumps({"train": train_time, "serial": serial_time, "speedup": speedup}))'
    cell = nbformat.v4.new_code_cell(code)
    client.execute_cell(cell, 0)
    return json.loads(cell.outputs[0]["text"])


def run_once() -> tuple[float, float, dict[str, float]]:
    nb = read_myst_markdown_notebook(CHAPTER.read_text())
    nbformat.validate(nb)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(CHAPTER.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        cpu = _kernel_cpu_seconds(client)
        times = _chapter_times(client)
    wall = time.perf_counter() - start
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                raise RuntimeError(f"a cell wrote to stderr:\n{out.get('text')}")
    return wall, cpu, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    os.environ[STATIC_ENV] = "1"
    walls, cpus = [], []
    for k in range(args.repeats):
        wall, cpu, times = run_once()
        walls.append(wall)
        cpus.append(cpu)
        print(
            f"run {k + 1}: wall {wall:6.1f} s   kernel CPU {cpu:6.1f} s   batched training "
            f"{times['train']:.1f} s, serial loop (extrapolated) {times['serial']:.0f} s: "
            f"speed-up {times['speedup']:.1f}x",
            flush=True,
        )
    load = os.getloadavg()[0]
    print(
        f"median wall {statistics.median(walls):.1f} s, median kernel CPU {statistics.median(cpus):.1f} s "
        f"(budget {BUDGET_S:.0f} s wall on 2 cores, {CPU_BUDGET_S:.0f} s CPU; 1-min load average now {load:.1f} "
        f"on {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
