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
  (wall time does: on a loaded machine it can be several times the CPU time).

It also fails loudly if a cell raises or writes to stderr (the strict build
would fail too). Figures only: nothing is asserted about the times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import nbformat
from myst_nb.core.read import read_myst_markdown_notebook
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "experiment.md"
BUDGET_S = 120.0


def _kernel_cpu_seconds(client: NotebookClient) -> float:
    """User + system CPU time of the kernel process and its children, from /proc."""
    pid = client.km.provisioner.process.pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # Fields 14-17 of stat (utime, stime, cutime, cstime), counted after the ")".
    ticks = sum(int(v) for v in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_once() -> tuple[float, float]:
    nb = read_myst_markdown_notebook(CHAPTER.read_text())
    nbformat.validate(nb)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(CHAPTER.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        cpu = _kernel_cpu_seconds(client)
    wall = time.perf_counter() - start
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                raise RuntimeError(f"a cell wrote to stderr:\n{out.get('text')}")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    walls, cpus = [], []
    for k in range(args.repeats):
        wall, cpu = run_once()
        walls.append(wall)
        cpus.append(cpu)
        print(f"run {k + 1}: wall {wall:6.1f} s   kernel CPU {cpu:6.1f} s", flush=True)
    load = os.getloadavg()[0]
    print(
        f"median wall {statistics.median(walls):.1f} s, median kernel CPU {statistics.median(cpus):.1f} s "
        f"(budget {BUDGET_S:.0f} s wall on 2 cores; 1-min load average now {load:.1f} "
        f"on {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
