"""Reference implementations that several tests (and benchmarks) compare lossviz with.

mmdetection's GHM-C and GHM-R (``mmdet/models/losses/ghm_loss.py``, v2/v3), as
per-bin loops, transcribed without its device and one-hot handling.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

def mmdet_edges(bins: int, top: str, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """mmdet's bin edges: ``i / bins``, the top one moved to ``1 + 1e-6`` (GHM-C)
    or ``1e3`` (GHM-R). mmdet computes them in float32; lossviz in g's dtype."""
    edges = torch.arange(bins + 1, dtype=dtype) / bins
    if top == "ghmc":
        edges[-1] += 1e-6
    else:
        edges[-1] = 1e3
    return edges


def mmdet_weights(g, valid, tot, edges, mmt=0.0, acc_sum=None):
    """mmdet's per-bin loop; updates ``acc_sum`` in place like its buffer."""
    weights = torch.zeros_like(g)
    n = 0
    for i in range(len(edges) - 1):
        inds = (g >= edges[i]) & (g < edges[i + 1]) & valid
        num_in_bin = inds.sum().item()
        if num_in_bin > 0:
            if mmt > 0:
                acc_sum[i] = mmt * acc_sum[i] + (1 - mmt) * num_in_bin
                weights[inds] = tot / acc_sum[i]
            else:
                weights[inds] = tot / num_in_bin
            n += 1
    if n > 0:
        weights = weights / n
    return weights


def mmdet_ghmc(pred, target, label_weight, bins=10, mmt=0.0, acc_sum=None):
    g = torch.abs(pred.sigmoid().detach() - target)
    valid = label_weight > 0
    tot = max(valid.float().sum().item(), 1.0)
    weights = mmdet_weights(g, valid, tot, mmdet_edges(bins, "ghmc"), mmt, acc_sum)
    return F.binary_cross_entropy_with_logits(pred, target, weights, reduction="sum") / tot


def mmdet_ghmr(pred, target, label_weight, mu=0.02, bins=10, mmt=0.0, acc_sum=None):
    diff = pred - target
    loss = torch.sqrt(diff * diff + mu * mu) - mu
    g = torch.abs(diff / torch.sqrt(mu * mu + diff * diff)).detach()
    valid = label_weight > 0
    tot = max(label_weight.float().sum().item(), 1.0)  # GHMR's own normalizer
    weights = mmdet_weights(g, valid, tot, mmdet_edges(bins, "ghmr"), mmt, acc_sum)
    return (loss * weights).sum() / tot
