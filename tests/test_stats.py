"""Interval arithmetic against published values."""

import numpy as np
import pytest

from sim.runs.stats import mcse, trials_for_half_width, wilson_interval


def test_wilson_matches_published_values():
    # Brown, Cai and DasGupta (2001) / Newcombe (1998): 81 of 263 -> [0.2553, 0.3662]
    lo, hi = wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=5e-4) and hi == pytest.approx(0.3662, abs=5e-4)
    lo, hi = wilson_interval(0, 10)  # no successes: lower bound exactly 0
    assert lo == 0 and hi == pytest.approx(0.2775, abs=5e-4)


def test_mcse_and_sample_size():
    assert mcse(500, 1000) == pytest.approx(np.sqrt(0.25 / 1000))
    assert trials_for_half_width(0.01) == 9604
