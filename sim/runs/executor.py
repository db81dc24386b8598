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
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import Any

__all__ = ["ClusterError", "InProcessExecutor", "TaskPool", "connect", "cpu_count",
           "die_with_parent", "pool_context"]

log = logging.getLogger(__name__)

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
        ``workers``. Every way of failing to use it (a malformed address, nothing
        listening, no answer, something that is not a scheduler, no workers, the
        scheduler lost on the way) is a :class:`ClusterError` saying what was tried.
    timeout : float
        Seconds to wait for the scheduler to answer, and for a first worker.
    tasks : int, optional
        How many tasks will be sent; with fewer than two per worker, a local pool
        would cost more to start than it saves, so they run in this process.
    force : bool
        Start more worker processes than there are cores (otherwise capped, with a
        warning).
    """

    def __init__(self, workers: int = 1, scheduler: str | None = None,
                 tasks: int | None = None, timeout: float = 10.0, force: bool = False):
        self.workers = max(1, int(workers))
        if self.workers > cpu_count() and not force:
            log.warning("using %d workers, the cores available (asked for %d; more would "
                        "only compete for them: --force-workers to insist)", cpu_count(),
                        self.workers)
            self.workers = cpu_count()
        self.scheduler = scheduler
        self.timeout = float(timeout)
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
            self._client = connect(self.scheduler, self.timeout)
            self._executor = self._client.get_executor(pure=False)
        elif self.workers > 1:
            self._executor = ProcessPoolExecutor(max_workers=self.workers,
                                                 mp_context=pool_context(),
                                                 initializer=die_with_parent)
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
                result = self._result(pending.pop(0))
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
                    yield key, self._result(future)
        finally:
            for f in pending:
                f.cancel()


    def _result(self, future: Future):
        """A task's result; on a cluster, losing the cluster is a :class:`ClusterError`
        (an error raised by the task itself passes through unchanged)."""
        if self._client is None:
            return future.result()
        try:
            return future.result()
        except Exception as e:
            if _from_the_task(e):
                raise
            raise ClusterError(f"lost the Dask cluster at {self.scheduler} ({_brief(e)}); "
                               "finished work is kept: run the same command again to "
                               "resume") from None


def _from_the_task(error: Exception) -> bool:
    """Whether an exception came from the task's own code rather than the cluster."""
    from concurrent.futures import CancelledError

    module = type(error).__module__ or ""
    cluster = module.startswith(("distributed", "tornado", "asyncio")) or isinstance(
        error, (CancelledError, TimeoutError, OSError, EOFError))
    return not cluster


def _brief(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text[:120]}" if text else type(error).__name__


def connect(address: str, timeout: float = 10.0):
    """A ``distributed.Client`` for the scheduler at ``address``, or a
    :class:`ClusterError` saying what failed and what to check."""
    import socket
    import threading
    from urllib.parse import urlsplit

    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("--scheduler needs Dask distributed, which is not installed: "
                           "pip install 'escalation-sim[cluster]'") from None
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if parts.scheme not in ("tcp", "tls") or not host or not port:
        raise ClusterError(f"--scheduler {address!r} is not a scheduler address; expected "
                           "tcp://HOST:PORT, as `dask scheduler` prints it")
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except ConnectionRefusedError:
        raise ClusterError(f"nothing is listening at {address} (connection refused); is "
                           "`dask scheduler` running there, on that port?") from None
    except socket.gaierror:
        raise ClusterError(f"cannot find the host {host!r} of {address}; check the name") \
            from None
    except (TimeoutError, OSError) as e:
        raise ClusterError(f"cannot reach {address} within {timeout:g} s ({_brief(e)}); "
                           "check the host, the port and any firewall") from None
    found: dict = {}

    def attempt() -> None:
        try:
            found["client"] = Client(address, timeout=f"{timeout}s")
        except BaseException as e:  # anything at all: the answer was not a scheduler's
            found["error"] = e

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout + 5)
    if thread.is_alive() or "error" in found:
        why = "no answer" if thread.is_alive() else _brief(found["error"])
        raise ClusterError(f"{address} accepted a connection but did not answer as a Dask "
                           f"scheduler within {timeout:g} s ({why}); check that the port is "
                           "the scheduler's (8786 by default)")
    client = found["client"]
    try:
        client.wait_for_workers(1, timeout=timeout)
    except Exception:
        client.close()
        raise ClusterError(f"the scheduler at {address} has no workers (none joined within "
                           f"{timeout:g} s); start some with `dask worker {address}`") from None
    return client


def die_with_parent() -> None:
    """On Linux, have the kernel end this process when its parent dies.

    Run in the fork server (by ``sim.runs._preload``) and in every worker (as the pool's
    initializer), so that a ``kill -9`` of the command leaves no fork server, workers or
    their memory behind. (Linux ties this to the thread that started the process; the
    pools are started from the main thread.)
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def cpu_count() -> int:
    """Cores this process may use (the affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1
