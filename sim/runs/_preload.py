"""Imported once by the worker pool's fork server: the engine's modules and its
compiled kernels, so that every worker forked from it starts ready; and the fork
server ends when the process that started it dies."""

import sim.runs.chunks
import sim.studies.sweeps  # noqa: F401
from sim.engine.kernels import warm_up
from sim.runs.executor import die_with_parent

die_with_parent()
warm_up()
