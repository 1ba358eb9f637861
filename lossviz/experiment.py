"""Bookkeeping for the chapter that compares the losses by training with each.

The chapter trains one small network per loss, hyper-parameter and seed, keeps each
run as ``{"model": ..., "val": AP, "test": AP}`` and summarises a configuration's
runs as ``(mean validation AP, mean test AP, std of test AP)``. The training step and
how the loss enters it stay in the chapter, for the reader; here are the scores of a
trained model, the key under which a focal-loss run is filed, and the comparisons the
chapter writes into its prose. The prose is assembled from the computed values, so
that it stays true when the experiment changes: a difference counts only when it
exceeds the seed-to-seed spread.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import torch

__all__ = ["Summary", "fl_key", "gap", "last_bin_phrase", "logits_of", "verdict", "versus"]

# (mean validation AP, mean test AP, standard deviation of the test AP) over seeds.
Summary = tuple[float, float, float]


def logits_of(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The model's logit for each row of ``x``, without recording a graph."""
    with torch.no_grad():
        return model(x).squeeze(1)


def fl_key(gamma: float, alpha: float) -> Hashable:
    """The key of the focal-loss run with ``gamma`` and ``alpha``.

    Focal loss with γ = 0 is α-balanced cross-entropy, whose runs are filed under
    ``("α-CE", alpha)``; the others under ``("FL", gamma, alpha)``.
    """
    return ("α-CE", alpha) if gamma == 0 else ("FL", gamma, alpha)


def gap(a: Summary, b: Summary) -> tuple[float, bool]:
    """Difference of the test-AP means, and whether it exceeds the larger seed-to-seed std."""
    (_, mean_a, std_a), (_, mean_b, std_b) = a, b
    return mean_a - mean_b, abs(mean_a - mean_b) > max(std_a, std_b)


def versus(a: Summary, b: Summary, other: str | None = None) -> str:
    """How ``a``'s test AP compares with ``b``'s, in words (``b`` named ``other``).

    For example "higher than CE by 0.102, more than the seed-to-seed spread".
    """
    difference, clear = gap(a, b)
    if f"{abs(difference):.3f}" == "0.000":
        return "the same" + (f" as {other}" if other else "") + " to three decimals"
    word = "higher" if difference > 0 else "lower"
    than = f" than {other}" if other else ""
    if clear:
        return f"{word}{than} by {abs(difference):.3f}, more than the seed-to-seed spread"
    return f"{word}{than} by only {abs(difference):.3f}, within the seed-to-seed spread"


def verdict(a: Summary, b: Summary) -> str:
    """``a``'s test AP against ``b``'s: "lower" or "higher" only when the two
    intervals mean ± std do not overlap, "about the same" otherwise."""
    (_, mean_a, std_a), (_, mean_b, std_b) = a, b
    if mean_a + std_a < mean_b - std_b:
        return "lower"
    if mean_a - std_a > mean_b + std_b:
        return "higher"
    return "about the same (within one seed-to-seed standard deviation)"


def _of_them(n: int, noun: str) -> str:
    """'none of them true positives', '1 of them a true positive', '5 of them ...'."""
    if n == 0:
        return f"none of them {noun}s"
    return f"1 of them a {noun}" if n == 1 else f"{n:,} of them {noun}s"


def last_bin_phrase(bins: np.ndarray, n_bins: int, positive: np.ndarray, fake: np.ndarray) -> str:
    """Who is in the last of ``n_bins`` gradient-norm bins, and what that makes of it.

    Args:
        bins: each example's bin, in ``0 .. n_bins - 1``.
        positive: which examples are true positives.
        fake: which examples are background carrying the label 1 by mistake.
    """
    top = bins == n_bins - 1
    n_top = int(top.sum())
    if n_top == 0:
        return "no example at all"
    n_pos, n_fake = int((top & positive).sum()), int((top & fake).sum())
    planted = "all" if n_fake == n_top else "mostly" if 2 * n_fake > n_top else None
    reading = f": the outliers of the GHM paper are, here, {planted} label errors we planted" if planted else ""
    return (
        f"{n_top:,} example{'s' if n_top > 1 else ''}, "
        f"{_of_them(n_pos, 'true positive')} and "
        f"{_of_them(n_fake, 'flipped label')}{reading}"
    )
