"""Vectorized GHM-C (bucketize + bincount + gather) vs the per-bin Python loop.

Run from the repository root:

    .venv/bin/python benchmarks/ghm_vectorized.py

Builds N = 10^6 detector-like logits/targets (about 1% positives, most
negatives easy), then reports the median wall time over a few repeats of

* lossviz: ``gradient_density`` alone, and the full ``GHMC(bins=30)`` forward
  (gradient norm, the same histogram and weights, weighted BCE);
* the loop: the GHM paper's reference formulation (also mmdetection's), one
  boolean mask ``(g >= edges[i]) & (g < edges[i + 1])`` per bin;

checks that both give the same loss, and prints the ratio. Figures only: the
timings are not asserted (they depend on the machine and its load).
"""

from __future__ import annotations

import statistics
import time
from typing import Callable

import torch
import torch.nn.functional as F

from lossviz import GHMC, gradient_density, gradient_norm

N = 10**6
BINS = 30
REPEATS = 9
SEED = 0


def detector_batch(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    target = (torch.rand(n, generator=gen) < 0.01).float()
    logits = torch.randn(n, generator=gen) * 1.5 + torch.where(target > 0, 0.5, -4.0)
    return logits, target


def loop_ghmc(pred: torch.Tensor, target: torch.Tensor, bins: int) -> torch.Tensor:
    """The reference formulation: a Python loop with one mask per bin."""
    edges = torch.arange(bins + 1).float() / bins
    edges[-1] += 1e-6
    g = torch.abs(pred.sigmoid().detach() - target)
    weights = torch.zeros_like(pred)
    tot = float(pred.numel())
    n = 0
    for i in range(bins):
        inds = (g >= edges[i]) & (g < edges[i + 1])
        num_in_bin = inds.sum().item()
        if num_in_bin > 0:
            weights[inds] = tot / num_in_bin
            n += 1
    if n > 0:
        weights = weights / n
    return F.binary_cross_entropy_with_logits(pred, target, weights, reduction="sum") / tot


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


def main() -> None:
    logits, target = detector_batch(N, SEED)
    module = GHMC(bins=BINS)
    g = gradient_norm(logits, target)

    vectorized = module(logits, target).item()
    looped = loop_ghmc(logits, target, BINS).item()
    rel = abs(vectorized - looped) / abs(looped)

    t = median_seconds({
        "density": lambda: gradient_density(g, BINS),
        "vectorized": lambda: module(logits, target),
        "loop": lambda: loop_ghmc(logits, target, BINS),
    })
    t_density, t_vec, t_loop = t["density"], t["vectorized"], t["loop"]

    print(f"N = {N:,}, bins = {BINS}, float32, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, median of {REPEATS}")
    print(f"positives: {int(target.sum()):,}; non-empty bins: "
          f"{int((gradient_density(g, BINS).counts > 0).sum())}")
    print(f"loss  vectorized = {vectorized:.8g}  loop = {looped:.8g}  rel. diff = {rel:.2e}"
          f"  -> {'same' if rel < 1e-5 else 'DIFFERENT'}")
    print(f"gradient_density alone     : {t_density * 1e3:8.2f} ms")
    print(f"GHMC forward, vectorized   : {t_vec * 1e3:8.2f} ms")
    print(f"GHMC forward, per-bin loop : {t_loop * 1e3:8.2f} ms")
    print(f"ratio loop / vectorized    : {t_loop / t_vec:8.2f}x")


if __name__ == "__main__":
    main()
