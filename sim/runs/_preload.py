"""Imported once by the worker pool's fork server: the engine's modules and its
compiled kernels, so that every worker forked from it starts ready."""

import sim.runs.chunks
import sim.studies.sweeps  # noqa: F401
from sim.engine.kernels import warm_up

warm_up()
