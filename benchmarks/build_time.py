"""Time `make book`: cold, warm, and after a change to the library.

Run from the repository root:

    .venv/bin/python benchmarks/build_time.py

It DELETES _build first (the site, the execution cache, the screenshots), then runs
`make book` four times and prints each one's wall time and CPU time (user + system,
of make and everything it starts, kernels included) next to its goal:

* cold: nothing built, every chapter executes (in parallel, one per core);
* warm, twice: nothing changed (goal: at most 3 s of CPU);
* library change: a file of lossviz/ touched, which drops the execution cache, so
  every chapter executes again (goal: at most 2 minutes).

Takes several minutes; asserts nothing.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WARM_CPU_GOAL_S = 3.0
LIBRARY_CHANGE_GOAL_S = 120.0


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def make_book() -> tuple[float, float]:
    """``(wall seconds, CPU seconds)`` of one `make book`."""
    cpu, start = children_cpu(), time.perf_counter()
    done = subprocess.run(["make", "book"], cwd=ROOT, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - start, children_cpu() - cpu
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"`make book` failed (exit {done.returncode}) after {elapsed:.0f} s")
    return elapsed, cpu


def report(name: str, wall: float, cpu: float, goal: str = "") -> None:
    print(f"{name:16s} {wall:7.1f} s wall {cpu:7.1f} s CPU   {goal}", flush=True)


def main() -> int:
    print(f"{os.cpu_count()} CPUs, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    report("cold", *make_book())
    for _ in range(2):
        wall, cpu = make_book()
        report("warm", wall, cpu, f"goal <= {WARM_CPU_GOAL_S:.0f} s CPU: {'ok' if cpu <= WARM_CPU_GOAL_S else 'OVER'}")
    (ROOT / "lossviz" / "__init__.py").touch()
    wall, cpu = make_book()
    report("library change", wall, cpu, f"goal <= {LIBRARY_CHANGE_GOAL_S:.0f} s wall: "
           f"{'ok' if wall <= LIBRARY_CHANGE_GOAL_S else 'OVER'}")
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
