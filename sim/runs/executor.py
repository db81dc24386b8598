"""Where tasks run: in this process, on local worker processes, or on a Dask cluster.

Runs send chunks and sweeps send design points through one interface,
:class:`TaskPool`, built on :class:`concurrent.futures.Executor`: a
:class:`ProcessPoolExecutor` locally and ``distributed.Client.get_executor()`` on a
cluster. Results never depend on where a task ran: every task carries its own seed.

>>> with TaskPool(workers=2) as pool:                    # doctest: +SKIP
...     for result in pool.ordered(run_chunk, [(cs, 0, 5000, 7, 5000), ...]):
...         ...
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import Any

__all__ = ["ClusterError", "InProcessExecutor", "TaskPool", "cpu_count", "pool_context"]

Task = tuple  # the positional arguments of one call


class ClusterError(Exception):
    """A Dask cluster cannot be used; the message says what was tried and what to check."""


class InProcessExecutor(Executor):
    """Runs each task at once, in this process (one worker, no start-up cost)."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` now; return its finished future."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:
            if not isinstance(e, Exception):
                raise  # KeyboardInterrupt, SystemExit: stop now
            future.set_exception(e)
        return future


def pool_context():
    """Process start method for local worker pools.

    On Linux a fork server that has imported the engine once: workers start fast and
    never inherit the parent's threads (pyarrow, BLAS), which plain fork could
    deadlock on. Elsewhere, spawn.
    """
    if sys.platform.startswith("linux"):
        ctx = get_context("forkserver")
        ctx.set_forkserver_preload(["sim.runs._preload"])
        return ctx
    return get_context("spawn")


class TaskPool:
    """A context manager that runs tasks here, on worker processes, or on Dask.

    Parameters
    ----------
    workers : int
        Local worker processes; 1 runs every task in this process.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``); overrides
        ``workers``.
    tasks : int, optional
        How many tasks will be sent; with fewer than two per worker, a local pool
        would cost more to start than it saves, so they run in this process.
    """

    def __init__(self, workers: int = 1, scheduler: str | None = None,
                 tasks: int | None = None):
        self.workers = max(1, int(workers))
        self.scheduler = scheduler
        if tasks is not None and tasks < 2 * self.workers:
            self.workers = 1
        self._executor: Executor | None = None
        self._client = None

    @property
    def in_flight(self) -> int:
        """Tasks sent ahead of the results being read (bounds memory)."""
        if self._client is not None:
            return max(2, 2 * sum(self._client.nthreads().values()))
        if isinstance(self._executor, InProcessExecutor):
            return 1  # compute each task when its result is wanted
        return 2 * self.workers

    def __enter__(self) -> TaskPool:
        if self.scheduler:
            try:
                from distributed import Client
            except ImportError:
                raise ClusterError("--scheduler needs Dask distributed, which is not installed: "
                                   "pip install 'escalation-sim[cluster]'") from None

            self._client = Client(self.scheduler, timeout="30s")
            self._executor = self._client.get_executor(pure=False)
        elif self.workers > 1:
            self._executor = ProcessPoolExecutor(max_workers=self.workers,
                                                 mp_context=pool_context())
        else:
            self._executor = InProcessExecutor()
        return self

    def __exit__(self, kind, error, tb) -> None:
        if isinstance(self._executor, ProcessPoolExecutor):
            self._executor.shutdown(wait=kind is None, cancel_futures=True)
        elif self._executor is not None:  # Dask's executor cancels what runs unless it waits
            self._executor.shutdown(wait=kind is None)
        if self._client is not None:
            self._client.close()

    def ordered(self, fn: Callable, tasks: Iterable[Task]) -> Iterator[Any]:
        """``fn(*task)`` for each task, yielded in task order, at most
        :attr:`in_flight` computed ahead of the one being read."""
        queue = iter(tasks)
        pending: list[Future] = [self._executor.submit(fn, *t)
                                 for t in itertools.islice(queue, self.in_flight)]
        try:
            while pending:
                result = pending.pop(0).result()
                pending += [self._executor.submit(fn, *t) for t in itertools.islice(queue, 1)]
                yield result
        finally:
            for f in pending:
                f.cancel()

    def unordered(self, fn: Callable, tasks: Iterable[tuple[Any, Task]]) -> Iterator[tuple]:
        """``(key, fn(*task))`` for each ``(key, task)``, as tasks finish."""
        queue = iter(tasks)
        pending: dict[Future, Any] = {}

        def send(n: int) -> None:
            for key, t in itertools.islice(queue, n):
                pending[self._executor.submit(fn, *t)] = key

        send(self.in_flight)
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    key = pending.pop(future)
                    send(1)
                    yield key, future.result()
        finally:
            for f in pending:
                f.cancel()


def cpu_count() -> int:
    """Cores this process may use (the affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1
