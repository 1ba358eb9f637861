"""Vectorized GHM-C (one bin index per element + bincount + gather) vs the per-bin loop.

Run from the repository root:

    .venv/bin/python benchmarks/ghm_vectorized.py

For N = 10^5 and 10^6 and for float32 and float64, draws a converging detector's
logits/targets (``lossviz.detector_logits``: 1% positives, most anchors easy), then reports the
median wall time over a few repeats of

* lossviz: ``gradient_density`` alone, and the full ``GHMC(bins=30)`` forward
  (gradient norm, the same histogram and weights, weighted BCE);
* the loop: the GHM paper's reference formulation (also mmdetection's), one
  boolean mask ``(g >= edges[i]) & (g < edges[i + 1])`` per bin;

checks that both put every element in the same bin (the same weights) and give
the same loss, and prints the ratio.

Then, for the same sizes and dtypes, the cost of GHM-C in training: the ratio
of ``GHMC(bins=30)`` forward + backward to plain
``F.binary_cross_entropy_with_logits`` forward + backward on the same batch,
without and with an all-ones ``label_weight``, next to the goal of at most
2.5x. The two sides are timed alternately (their order swapped every repeat),
so that a change in load hits both alike. Printed: "min", the ratio of the two
fastest times (each side's best case), and "median", the median of the
per-pair ratios. (The smallest per-pair ratio is not used: one slow baseline
run makes it meaningless.)

Everything runs on one thread (``torch.set_num_threads(1)``). Figures only: the
timings are not asserted (they depend on the machine and its load, printed
first and last).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

from lossviz import GHMC, detector_logits, gradient_density, gradient_norm

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from references import mmdet_edges, mmdet_weights  # noqa: E402

SIZES = (10**5, 10**6)
DTYPES = (torch.float32, torch.float64)
BINS = 30
REPEATS = 9
RATIO_REPEATS = 21
GOAL = 2.5
SEED = 0


def loop_weights(g: torch.Tensor, bins: int) -> torch.Tensor:
    """The reference formulation, mmdetection's per-bin loop, with the edges in
    g's dtype as lossviz documents (mmdet itself always uses float32 edges)."""
    return mmdet_weights(g, torch.ones_like(g, dtype=torch.bool), float(g.numel()), mmdet_edges(bins, "ghmc", g.dtype))


def loop_ghmc(pred: torch.Tensor, target: torch.Tensor, bins: int) -> torch.Tensor:
    g = torch.abs(pred.sigmoid().detach() - target)
    return F.binary_cross_entropy_with_logits(pred, target, loop_weights(g, bins), reduction="sum") / g.numel()


def median_seconds(fns: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Median time of each function; repeats are interleaved so that a change
    in machine load affects all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        fn()  # warm-up
    for _ in range(REPEATS):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def run(n: int, dtype: torch.dtype) -> None:
    logits, target = detector_logits(n, seed=SEED, dtype=dtype)
    module = GHMC(bins=BINS)
    g = gradient_norm(logits, target)

    # One element in another bin would change its weight by far more than rounding.
    same_bins = torch.allclose(gradient_density(g, BINS).weights, loop_weights(g, BINS), rtol=1e-6, atol=0)
    vectorized = module(logits, target).item()
    looped = loop_ghmc(logits, target, BINS).item()
    rel = abs(vectorized - looped) / abs(looped)
    same = same_bins and rel < 1e-5

    t = median_seconds({
        "density": lambda: gradient_density(g, BINS),
        "vectorized": lambda: module(logits, target),
        "loop": lambda: loop_ghmc(logits, target, BINS),
    })
    dt = str(dtype).removeprefix("torch.")
    print(f"N = {n:>9,}  {dt:7s}  density {t['density'] * 1e3:7.2f} ms  "
          f"GHMC vectorized {t['vectorized'] * 1e3:7.2f} ms  loop {t['loop'] * 1e3:7.2f} ms  "
          f"loop/vectorized {t['loop'] / t['vectorized']:6.2f}x  "
          f"{'same' if same else 'DIFFERENT'} (bins {'equal' if same_bins else 'differ'}, "
          f"loss rel. diff {rel:.1e})")


def fwd_bwd(loss: Callable[[torch.Tensor], torch.Tensor], logits: torch.Tensor) -> Callable[[], None]:
    """One training step's loss work: forward, backward, gradient dropped."""
    x = logits.detach().requires_grad_()

    def step() -> None:
        loss(x).backward()
        x.grad = None

    return step


def ratio(fn: Callable[[], object], base: Callable[[], object]) -> tuple[float, float]:
    """``(min(fn) / min(base), median of the per-pair fn / base)`` over interleaved
    pairs, their order swapped every repeat."""
    fn()
    base()  # warm-up
    times: dict[str, list[float]] = {"fn": [], "base": []}
    for i in range(RATIO_REPEATS):
        for name, f in (("fn", fn), ("base", base))[:: 1 if i % 2 == 0 else -1]:
            start = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - start)
    pairs = [a / b for a, b in zip(times["fn"], times["base"])]
    return min(times["fn"]) / min(times["base"]), statistics.median(pairs)


def run_ratio(n: int, dtype: torch.dtype) -> None:
    logits, target = detector_logits(n, seed=SEED, dtype=dtype)
    ones = torch.ones_like(target)
    module = GHMC(bins=BINS)
    bce = fwd_bwd(lambda x: F.binary_cross_entropy_with_logits(x, target), logits)
    plain = ratio(fwd_bwd(lambda x: module(x, target), logits), bce)
    masked = ratio(fwd_bwd(lambda x: module(x, target, ones), logits), bce)
    dt = str(dtype).removeprefix("torch.")
    print(f"N = {n:>9,}  {dt:7s}  GHMC / BCE  min {plain[0]:5.2f}x  median {plain[1]:5.2f}x   "
          f"with all-ones label_weight  min {masked[0]:5.2f}x  median {masked[1]:5.2f}x   "
          f"(goal <= {GOAL}x)")


def main() -> None:
    torch.set_num_threads(1)
    print(f"bins = {BINS}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"median of {REPEATS}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for n in SIZES:
        for dtype in DTYPES:
            run(n, dtype)
    print(f"\nGHMC(bins={BINS}) forward + backward / BCE-with-logits forward + backward, "
          f"{RATIO_REPEATS} interleaved pairs; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for n in SIZES:
        for dtype in DTYPES:
            run_ratio(n, dtype)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
