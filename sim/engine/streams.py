"""Named random streams: every use of randomness in a chunk has a stream of its own.

A chunk is seeded with one :class:`numpy.random.SeedSequence` (passed to
``mesa.Model(rng=...)``). Each use of randomness (a type of an actor, a red line's
credibility, the incidents of round t, actor j's response in round t, ...) draws
from a child of that seed named by the use: ``(purpose, *keys)``. So

- trial i of the chunk takes the i-th number of each stream it uses, and its numbers
  depend only on the seed, the chunk and its row: not on the other trials' fates,
  not on the chunk's length, and not on whether other streams were used;
- two scenarios that differ in a parameter see the same numbers in every stream the
  difference does not touch: common random numbers at the level of single trials,
  which makes paired comparisons (variants, sweeps) far tighter.

Draws that take one uniform number per value (uniform, triangular, truncated normal,
the per-round choices) pair trial for trial whatever the parameters; numpy's beta
sampler uses a variable count, so changing a beta's parameters re-pairs the trials of
that one stream only.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

__all__ = ["Purpose", "Streams"]

#: Marks our children of a chunk seed apart from ``SeedSequence.spawn``'s.
_TAG = 0xE5C


class Purpose(IntEnum):
    """What a stream is for; with its keys it names the stream."""

    TYPE = 0  # keys: type index, actor
    STOCK_INITIAL = 1  # keys: stock
    STOCK_GROWTH = 2  # keys: stock
    CREDIBILITY = 3  # keys: red line
    BINDING = 4  # keys: red line
    MOVE_COST = 5  # keys: actor, move
    BREAKDOWN_RISK = 6  # keys: rung
    INCIDENT = 10  # keys: round
    PROPOSAL = 11  # keys: round
    RESPONSE = 12  # keys: round, actor
    MOVE = 13  # keys: round, actor
    BREAKDOWN = 14  # keys: round
    STANDOFF = 15  # keys: round, actor
    THREAT = 16  # keys: round, actor
    CARRY_OUT = 17  # keys: round, actor


class Streams:
    """The named streams of one chunk of ``n`` trials.

    Parameters
    ----------
    seed : numpy.random.SeedSequence
        The chunk's seed.
    n : int
        Trials in the chunk.
    """

    def __init__(self, seed: np.random.SeedSequence, n: int):
        self.seed = seed
        self.n = int(n)

    def generator(self, purpose: Purpose, *keys: int) -> np.random.Generator:
        """A fresh generator for the stream named ``(purpose, *keys)``."""
        child = np.random.SeedSequence(
            self.seed.entropy, spawn_key=(*self.seed.spawn_key, _TAG, int(purpose), *keys)
        )
        return np.random.Generator(np.random.PCG64(child))

    def uniform(self, purpose: Purpose, *keys: int) -> np.ndarray:
        """One uniform number on [0, 1) per trial of the chunk, from the named stream."""
        return self.generator(purpose, *keys).random(self.n)
