"""Time `make book` cold (no _build: every chapter executes) and warm (nothing changed).

Run from the repository root:

    .venv/bin/python benchmarks/build_time.py

It DELETES _build first (the site, the execution cache, the screenshots), then runs
`make book` twice and prints both wall times. Takes a few minutes; asserts nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_book() -> float:
    start = time.perf_counter()
    done = subprocess.run(["make", "book"], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"`make book` failed (exit {done.returncode}) after {elapsed:.0f} s")
    return elapsed


def main() -> int:
    print("Removing _build ...", flush=True)
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    print("make book, cold ...", flush=True)
    cold = make_book()
    print(f"  {cold:.1f} s", flush=True)
    print("make book, warm (nothing changed) ...", flush=True)
    warm = make_book()
    print(f"  {warm:.1f} s")
    print(f"\ncold: {cold:.1f} s   warm: {warm:.1f} s   "
          f"(load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
