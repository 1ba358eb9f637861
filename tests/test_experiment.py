"""Tests for lossviz.experiment, the loss-comparison chapter's bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from lossviz.experiment import fl_key, gap, last_bin_phrase, logits_of, verdict, versus


def test_logits_of_gives_one_logit_per_row_without_a_graph():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    x = torch.randn(5, 3)
    logits = logits_of(model, x)
    assert logits.shape == (5,)
    assert not logits.requires_grad
    torch.testing.assert_close(logits, x @ model.weight.detach()[0] + model.bias.detach())


def test_fl_key_files_gamma_zero_under_balanced_ce():
    assert fl_key(0, 0.25) == ("α-CE", 0.25)
    assert fl_key(2, 0.25) == ("FL", 2, 0.25)


def test_gap_is_the_difference_of_means_and_whether_it_beats_the_larger_std():
    assert gap((0.0, 0.7, 0.02), (0.0, 0.6, 0.05)) == (pytest.approx(0.1), True)
    assert gap((0.0, 0.6, 0.02), (0.0, 0.7, 0.15)) == (pytest.approx(-0.1), False)


@pytest.mark.parametrize(
    ("a", "b", "other", "text"),
    [
        ((0, 0.702, 0.01), (0, 0.600, 0.05), "CE", "higher than CE by 0.102, more than the seed-to-seed spread"),
        ((0, 0.704, 0.01), (0, 0.700, 0.02), None, "higher by only 0.004, within the seed-to-seed spread"),
        ((0, 0.5, 0.01), (0, 0.7, 0.02), "focal", "lower than focal by 0.200, more than the seed-to-seed spread"),
        ((0, 0.7001, 0.01), (0, 0.7, 0.01), "CE", "the same as CE to three decimals"),
        ((0, 0.7, 0.01), (0, 0.7, 0.01), None, "the same to three decimals"),
    ],
)
def test_versus_states_the_difference_against_the_seed_spread(a, b, other, text):
    assert versus(a, b, other) == text


@pytest.mark.parametrize(
    ("a", "b", "word"),
    [
        ((0, 0.465, 0.080), (0, 0.600, 0.052), "lower"),
        ((0, 0.700, 0.010), (0, 0.600, 0.052), "higher"),
        ((0, 0.560, 0.030), (0, 0.600, 0.052), "about the same (within one seed-to-seed standard deviation)"),
    ],
)
def test_verdict_says_lower_or_higher_only_when_the_intervals_are_apart(a, b, word):
    assert verdict(a, b) == word


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
