"""Bounded memory: what a run would allocate, estimated before it allocates it.

Measured on the shipped scenarios (``tracemalloc``, numpy arrays included): a chunk of
n trials over P candidate packages, a planning horizon T and A actors peaks at about
50-100 bytes per trial and package (the acceptance estimates and the planning tables)
plus 24 bytes per trial, planning round and actor. :func:`chunk_bytes` uses the upper
end. The limits below are stated in docs/results.md.
"""

from __future__ import annotations

from sim.engine.compiled import CompiledScenario

__all__ = [
    "MAX_CHUNK_BYTES",
    "MAX_KEPT_BYTES",
    "MAX_POINTS",
    "LimitError",
    "check_chunk",
    "check_kept",
    "chunk_bytes",
]

#: The most one chunk (one Mesa model) may allocate.
MAX_CHUNK_BYTES = 2 * 2**30
#: The most a per-trial table kept in memory (no ``out``) may take.
MAX_KEPT_BYTES = 4 * 2**30
#: The most points a sweep design may have.
MAX_POINTS = 100_000


class LimitError(ValueError):
    """A run or sweep would need more than a stated limit; the message says what fits."""


def chunk_bytes(cs: CompiledScenario, n: int) -> int:
    """Estimated peak memory of a chunk of ``n`` trials."""
    per_trial = (100 * cs.n_packages
                 + 24 * (cs.protocol.planning_horizon + 2) * cs.n_actors + 2_000)
    return int(n) * per_trial


def check_chunk(cs: CompiledScenario, chunk_size: int, trials: int) -> None:
    """Refuse a chunk size whose chunks would exceed :data:`MAX_CHUNK_BYTES`."""
    n = min(int(chunk_size), int(trials))
    need = chunk_bytes(cs, n)
    if need > MAX_CHUNK_BYTES:
        fits = max(1, MAX_CHUNK_BYTES // chunk_bytes(cs, 1))
        raise LimitError(
            f"chunks of {n:,} trials would need about {need / 2**30:.1f} GB each for this "
            f"scenario ({cs.n_packages:,} packages, {cs.protocol.planning_horizon} planning "
            f"rounds); the limit is {MAX_CHUNK_BYTES / 2**30:.0f} GB: use --chunk-size "
            f"{fits:,} or less (another chunk size draws other numbers from the same "
            "distributions)")


def check_kept(cs: CompiledScenario, trials: int, columns: int) -> None:
    """Refuse to keep a per-trial table in memory past :data:`MAX_KEPT_BYTES`."""
    need = int(trials) * columns * 40  # pandas: numbers 8 bytes, labels ~60 as objects
    if need > MAX_KEPT_BYTES:
        raise LimitError(
            f"{trials:,} trials would need about {need / 2**30:.0f} GB to keep the per-trial "
            "table in memory; write it to disk instead (--out DIR, or out= in Python, "
            "streams it chunk by chunk), or keep_trials=False")
