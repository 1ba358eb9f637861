"""Tests for lossviz.experiment, the loss-comparison chapter's bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import lossviz
from lossviz.experiment import (
    BatchedGHM,
    batched_average_precision,
    batched_focal,
    interval,
    last_bin_phrase,
    logits_of,
    paired_difference,
    progress,
    stacked_logits,
    stacked_mlp,
    t_quantile,
    unstack,
)
from lossviz.sliders import STATIC_ENV

SEEDS, PRIORS = (0, 3), (0.01, None, 0.2)


def test_logits_of_gives_one_logit_per_row_without_a_graph():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    x = torch.randn(5, 3)
    logits = logits_of(model, x)
    assert logits.shape == (5,)
    assert not logits.requires_grad
    torch.testing.assert_close(logits, x @ model.weight.detach()[0] + model.bias.detach())


def _serial(seed, prior, n_in=4, hidden=6):
    """The network a serial run would build: nn.Sequential after manual_seed."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))
    if prior is not None:
        nn.init.constant_(model[-1].bias, -np.log((1 - prior) / prior))
    return model


def test_stacked_mlp_starts_every_run_where_a_serial_run_would():
    params = stacked_mlp(4, 6, SEEDS, PRIORS)
    assert [tuple(p.shape) for p in params] == [(3, 2, 4, 6), (3, 2, 1, 6), (3, 2, 6, 6), (3, 2, 1, 6), (3, 2, 6, 1), (3, 2, 1, 1)]
    x_batches, x_shared = torch.randn(2, 9, 4), torch.randn(20, 4)
    batched, shared = stacked_logits(params, x_batches), stacked_logits(params, x_shared, chunk=7)
    for c, prior in enumerate(PRIORS):
        for s, seed in enumerate(SEEDS):
            model = _serial(seed, prior)
            torch.testing.assert_close(batched[c, s], logits_of(model, x_batches[s]))
            torch.testing.assert_close(shared[c, s], logits_of(model, x_shared))
            torch.testing.assert_close(logits_of(unstack(params, c, s), x_shared), logits_of(model, x_shared))
    assert not shared.requires_grad


@pytest.mark.parametrize("alpha", [None, 0.25, 0.75])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
def test_batched_focal_is_lossviz_focal_loss_value_and_gradient(alpha, gamma):
    gen = torch.Generator().manual_seed(1)
    logits = (4 * torch.randn(50, generator=gen, dtype=torch.float64)).requires_grad_()
    labels = (torch.rand(50, generator=gen) < 0.3).double()
    a = torch.tensor(float("nan") if alpha is None else alpha, dtype=torch.float64)
    ours = batched_focal(logits, labels, a, torch.tensor(gamma, dtype=torch.float64))
    reference = lossviz.sigmoid_focal_loss(logits, labels, alpha=alpha, gamma=gamma)
    torch.testing.assert_close(ours, reference)
    torch.testing.assert_close(lossviz.grad(lambda x: batched_focal(x, labels, a, torch.tensor(gamma)).sum(), logits),
                               lossviz.grad(lambda x: lossviz.sigmoid_focal_loss(x, labels, alpha=alpha, gamma=gamma, reduction="sum"), logits))


def test_batched_focal_is_finite_at_extreme_logits_even_for_gamma_zero():
    logits = torch.tensor([-1e4, 1e4, -1e4, 1e4], requires_grad=True)
    labels = torch.tensor([0.0, 1.0, 1.0, 0.0])
    for gamma in (0.0, 2.0):
        loss = batched_focal(logits, labels, torch.tensor(0.25), torch.tensor(gamma))
        (grad,) = torch.autograd.grad(loss.sum(), logits)
        assert torch.isfinite(loss).all() and torch.isfinite(grad).all()
        assert loss[0] == 0 and loss[1] == 0


def test_batched_ghm_gives_each_run_lossviz_ghmc_weights_over_several_steps():
    bins, momentum = [10, 30, 10, 7], [0.0, 0.75, 0.75, 0.5]
    batched = BatchedGHM(bins, momentum)
    modules = [lossviz.GHMC(b, m) for b, m in zip(bins, momentum)]
    gen = torch.Generator().manual_seed(2)
    for _ in range(5):
        logits = 3 * torch.randn(4, 200, generator=gen, dtype=torch.float64)
        labels = (torch.rand(4, 200, generator=gen) < 0.1).double()
        weights = batched(logits, labels)
        for r, module in enumerate(modules):
            bce = lossviz.binary_cross_entropy(logits[r], labels[r], reduction="none")
            torch.testing.assert_close((weights[r] * bce).mean(), module(logits[r], labels[r]))


def test_one_adam_over_the_stacked_runs_steps_each_run_as_alone():
    params = stacked_mlp(4, 6, SEEDS, PRIORS[:2])
    optimizer = torch.optim.Adam(params, lr=0.05)
    models = [[_serial(seed, prior) for seed in SEEDS] for prior in PRIORS[:2]]
    optimizers = [torch.optim.Adam(m.parameters(), lr=0.05) for row in models for m in row]
    gen = torch.Generator().manual_seed(3)
    alpha, gamma = torch.tensor([[[0.25]], [[float("nan")]]]), torch.tensor([[[2.0]], [[0.0]]])
    for _ in range(3):
        x, y = torch.randn(2, 16, 4, generator=gen), (torch.rand(2, 16, generator=gen) < 0.3).float()
        optimizer.zero_grad()
        batched_focal(stacked_logits(params, x), y, alpha, gamma).mean(-1).sum().backward()
        optimizer.step()
        for (c, s), opt in zip(np.ndindex(2, 2), optimizers):
            a = None if c else 0.25
            loss = lossviz.sigmoid_focal_loss(models[c][s](x[s]).squeeze(1), y[s], alpha=a, gamma=float(gamma[c]), reduction="mean")
            opt.zero_grad()
            loss.backward()
            opt.step()
    x = torch.randn(10, 4)
    for c, s in np.ndindex(2, 2):
        torch.testing.assert_close(stacked_logits(params, x)[c, s], logits_of(models[c][s], x), rtol=1e-4, atol=1e-5)


def test_batched_average_precision_is_sklearns_ap_row_by_row_ties_included():
    metrics = pytest.importorskip("sklearn.metrics")
    gen = torch.Generator().manual_seed(0)
    labels = (torch.rand(500, generator=gen) < 0.05).float()
    labels[:2] = 1
    scores = torch.randn(3, 4, 500, generator=gen) + 2 * labels
    # Ties within the positives, within the negatives and across them.
    scores[0, 0] = torch.round(scores[0, 0] * 2) / 2
    scores[1, 1] = 0.0
    ap = batched_average_precision(scores, labels)
    assert ap.shape == (3, 4) and ap.dtype == torch.float64
    for c, s in np.ndindex(3, 4):
        expected = metrics.average_precision_score(labels.numpy(), scores[c, s].numpy())
        assert ap[c, s].item() == pytest.approx(expected, abs=1e-12)
        assert ap[c, s].item() == pytest.approx(lossviz.metrics.average_precision(scores[c, s], labels).item(), abs=1e-12)
    with pytest.raises(ValueError, match="labels"):
        batched_average_precision(scores, torch.zeros(500))


@pytest.mark.parametrize("df", [1, 2, 4, 9, 30])
@pytest.mark.parametrize("q", [0.9, 0.975, 0.995])
def test_t_quantile_matches_scipy(q, df):
    stats = pytest.importorskip("scipy.stats")
    assert t_quantile(q, df) == pytest.approx(stats.t.ppf(q, df), rel=1e-5)


def test_interval_and_paired_difference():
    stats = pytest.importorskip("scipy.stats")
    values = np.array([0.70, 0.72, 0.69, 0.75, 0.71])
    mean, half = interval(values)
    low, high = stats.t.interval(0.95, 4, loc=values.mean(), scale=stats.sem(values))
    assert mean == pytest.approx(values.mean()) and half == pytest.approx((high - low) / 2, rel=1e-5)
    # Paired: a constant shift is a supported difference, however noisy the seeds.
    assert paired_difference(values + 0.01 + 1e-4 * np.arange(5), values)[2]
    assert paired_difference(values, values[::-1])[2] is False


def test_progress_is_silent_while_the_book_builds(monkeypatch, capsys):
    monkeypatch.setenv(STATIC_ENV, "1")
    assert list(progress(range(3))) == [0, 1, 2]
    assert capsys.readouterr().err == ""
    monkeypatch.delenv(STATIC_ENV)
    bar = progress(range(3), file=__import__("sys").stderr)
    assert not bar.disable


def _phrase(top_positive: int, top_fake: int, top_other: int = 0) -> str:
    """The phrase for a last bin (bin 2 of 3) holding the given examples, after 4 in bin 0."""
    n_top = top_positive + top_fake + top_other
    bins = np.array([0] * 4 + [2] * n_top)
    positive = np.array([False] * 4 + [True] * top_positive + [False] * (top_fake + top_other))
    fake = np.array([False] * 4 + [False] * top_positive + [True] * top_fake + [False] * top_other)
    return last_bin_phrase(bins, 3, positive, fake)


def test_last_bin_phrase_counts_who_is_in_the_last_bin():
    assert last_bin_phrase(np.zeros(4, int), 3, np.zeros(4, bool), np.zeros(4, bool)) == "no example at all"
    assert _phrase(200, 24) == "224 examples, 200 of them true positives and 24 of them flipped labels"
    assert _phrase(0, 17) == (
        "17 examples, none of them true positives and 17 of them flipped labels: "
        "the outliers of the GHM paper are, here, all label errors we planted"
    )
    assert _phrase(1, 2) == (
        "3 examples, 1 of them a true positive and 2 of them flipped labels: "
        "the outliers of the GHM paper are, here, mostly label errors we planted"
    )
    assert _phrase(0, 1, 1) == "2 examples, none of them true positives and 1 of them a flipped label"
    assert _phrase(1, 0) == "1 example, 1 of them a true positive and none of them flipped labels"
