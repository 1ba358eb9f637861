"""Figures of the reference chapter: the rest of the catalogue of losses."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from ..plotting import COLOURS, LOSS_COLOURS, shade

__all__ = [
    "CLASS_COLOURS",
    "center_loss_features",
    "gaussian_nll_curves",
    "generator_loss_and_gradient",
    "generator_losses_on_raw_output",
    "poisson_nll_curves",
    "triplet_regions",
]

# Classes with no meaning of their own: the three most distinct of the book's
# semantic colours.
CLASS_COLOURS = (COLOURS["positive"], COLOURS["negative"], COLOURS["target"])
# Poisson and Gaussian NLL are negative log-likelihoods, like cross-entropy, so
# their curve families are shades of its colour, light to dark as the parameter grows.
_NLL_SHADES = (0.3, 0.0, -0.5)


def poisson_nll_curves() -> Figure:
    """PyTorch's Poisson NLL against the predicted rate, one curve per observed count:
    each is smallest where the rate equals the count (the dots)."""
    rates = torch.linspace(0.2, 12, 400, dtype=torch.float64)
    fig = Figure(figsize=(9, 4.2))
    ax = fig.subplots()
    for observed, amount in zip((1, 3, 7), _NLL_SHADES):
        values = F.poisson_nll_loss(rates.log(), torch.full_like(rates, observed), reduction="none")
        ax.plot(rates, values, color=shade(LOSS_COLOURS["ce"], amount), label=f"observed count y = {observed}")
        # At λ = y the loss is y − y log y.
        ax.plot(observed, observed - observed * np.log(observed), "ko")
    ax.set(
        xlabel="predicted rate λ = exp(x)", ylabel="loss  λ − y log λ", title="Poisson NLL is smallest at λ = y (dots)"
    )
    ax.legend()
    return fig


def gaussian_nll_curves() -> Figure:
    """PyTorch's Gaussian NLL against the predicted variance, one curve per error
    |y − μ|: each is smallest where the variance equals the squared error (the dots)."""
    variances = torch.logspace(-2, 1.5, 400, dtype=torch.float64)
    fig = Figure(figsize=(9, 4.2))
    ax = fig.subplots()
    for error, amount in zip((0.3, 1.0, 2.0), _NLL_SHADES):
        values = F.gaussian_nll_loss(
            torch.zeros_like(variances), torch.full_like(variances, error), variances, reduction="none"
        )
        ax.plot(variances, values, color=shade(LOSS_COLOURS["ce"], amount), label=f"error |y − μ| = {error:g}")
        ax.plot(error**2, 0.5 * (np.log(error**2) + 1), "ko")
    ax.set_xscale("log")
    ax.set(xlabel="predicted variance σ²", ylabel="loss", ylim=(-2.5, 6), title="Smallest at σ² = (y − μ)² (dots)")
    ax.legend()
    return fig


def triplet_regions() -> Figure:
    """The triplet loss (margin 1) against d(a, n) − d(a, p), over the three kinds of
    negatives: hard (the negative is closer), semi-hard (inside the margin), easy (loss 0)."""
    gap = torch.linspace(-2.5, 2.5, 401, dtype=torch.float64)  # d(a, n) − d(a, p)
    fig = Figure(figsize=(9, 4.2))
    ax = fig.subplots()
    ax.plot(gap, (1.0 - gap).clamp(min=0), color=LOSS_COLOURS["ce"], label="triplet loss, margin 1")
    # The harder the negative, the darker its band; easy negatives get none.
    ax.axvspan(-2.5, 0, color=shade(COLOURS["hard"], 0.8), lw=0)
    ax.axvspan(0, 1, color=shade(COLOURS["hard"], 0.9), lw=0)
    ax.text(-1.25, 0.15, "hard:\nnegative closer\nthan positive", ha="center", va="bottom", fontsize=12)
    ax.text(0.5, 3.1, "semi-hard", ha="center", va="top", fontsize=12)
    ax.text(1.75, 3.1, "easy:\nloss 0", ha="center", va="top", fontsize=12)
    ax.set(
        xlabel="d(a, n) − d(a, p)", ylabel="loss", ylim=(0, 3.3), title="Triplet loss and the three kinds of negatives"
    )
    return fig


def center_loss_features(
    classes: torch.Tensor, features: Mapping[float, torch.Tensor], ratios: Mapping[float, float]
) -> Figure:
    """The learned 2-D features of each class, one panel per center-loss weight λ:
    the classes contract around their centres as λ grows.

    ``features`` and ``ratios`` map each weight to its features and to its ratio of
    within-class spread to the distance between centres (shown in the title).
    """
    fig = Figure(figsize=(10, 4.6))
    axes = fig.subplots(1, len(features))
    # One scale for every panel, so that the eye compares the clouds' sizes, which is
    # the claim, and sees that without the center loss the features also grow.
    everything = torch.cat(list(features.values()))
    low, high = everything.min(dim=0).values, everything.max(dim=0).values
    pad = 0.05 * (high - low).max()
    for ax, (weight, points) in zip(axes, features.items()):
        ax.set(xlim=(low[0] - pad, high[0] + pad), ylim=(low[1] - pad, high[1] + pad))
        for c, colour in enumerate(CLASS_COLOURS[: int(classes.max()) + 1]):
            ax.scatter(*points[classes == c].T, s=8, color=colour, alpha=0.6, label=f"class {c}")
        ax.set(
            xlabel="feature 1",
            ylabel="feature 2",
            aspect="equal",
            title=f"λ = {weight:g}: spread / separation = {float(ratios[weight]):.3f}",
        )
    axes[0].legend(markerscale=3)
    return fig


def generator_loss_and_gradient(
    d_of_g: torch.Tensor,
    minimax: torch.Tensor,
    non_saturating: torch.Tensor,
    grad_minimax: torch.Tensor,
    grad_non_saturating: torch.Tensor,
) -> Figure:
    """The minimax and non-saturating generator losses and their gradients against
    D(G(z)): where fakes are rejected (D ≈ 0) the minimax loss is flat and the
    non-saturating one is steep."""
    fig = Figure(figsize=(10, 4.3))
    ax_loss, ax_grad = fig.subplots(1, 2)
    for values, slopes, label, colour in [
        (minimax, grad_minimax, "minimax: log(1 − D)", LOSS_COLOURS["mse"]),
        (non_saturating, grad_non_saturating, "non-saturating: −log D", LOSS_COLOURS["ce"]),
    ]:
        ax_loss.plot(d_of_g, values, color=colour, label=label)
        ax_grad.plot(d_of_g, slopes.abs(), color=colour, label=label)
    for ax in (ax_loss, ax_grad):
        ax.axvspan(0, 0.1, color="0.9", zorder=0)
        ax.set_xlabel("D(G(z)), the discriminator's belief that a fake is real")
    ax_loss.text(0.11, 5.5, "early training:\nfakes are rejected", fontsize=12)
    ax_loss.set(ylabel="generator loss", ylim=(-7, 7.5), title="Generator loss")
    ax_grad.set(ylabel="|d loss / d logit|", title="Its gradient")
    ax_loss.legend(loc="lower left", fontsize=11)
    return fig


def generator_losses_on_raw_output() -> Figure:
    """The WGAN, LSGAN and non-saturating generator losses against the raw output for a
    fake: flat once convincing (cross-entropy), pulled to 1 (LSGAN), linear (WGAN)."""
    outputs = torch.linspace(-3, 3, 401, dtype=torch.float64)
    fig = Figure(figsize=(9, 4.3))
    ax = fig.subplots()
    ax.plot(outputs, -outputs, color=LOSS_COLOURS["ghm"], label="WGAN  L_G = −f(G(z))")
    ax.plot(outputs, 0.5 * (outputs - 1) ** 2, color=LOSS_COLOURS["alpha_ce"], label="LSGAN  L_G = ½(D(G(z)) − 1)²")
    ax.plot(outputs, F.softplus(-outputs), color=LOSS_COLOURS["ce"], ls="--", label="non-saturating  −log σ(l)")
    ax.set(
        xlabel="raw discriminator / critic output for a fake sample",
        ylabel="generator loss",
        ylim=(-3.2, 8.5),
        title="Generator losses on the raw output",
    )
    ax.legend(loc="upper right", fontsize=11)
    return fig
