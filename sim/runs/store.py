"""Results directories that survive crashes, written by one process at a time.

A run's directory holds ``trials.parquet`` (one row per trial, streamed chunk by
chunk), ``rounds.parquet``, ``summary.json``, ``manifest.json`` and ``outcomes.png``;
a sweep's holds ``manifest.json``, ``points/`` (one file per finished point) and the
combined ``points.parquet``. The guarantees (docs/results.md says them to users):

- **Nothing half-written appears under the final name.** A run writes into a hidden
  staging folder beside the target (``.R.staging-PID-XXXX``); every file is flushed to
  disk before the folder is moved into place.
- **Overwriting keeps the old results until the new ones are in place.** A journal
  (``.R.swap.json``) is written, the old folder is renamed aside (``.R.old-PID``), the
  new one renamed in, then the old one deleted and the journal removed. A crash at any
  step leaves R with the old results, with the new ones, or missing with both the
  journal and a complete folder beside it; the next command that opens R finishes the
  swap (or restores the old results) and says so.
- **One writer per directory.** Writers hold an advisory lock on ``.R.lock`` beside
  the target; a second writer is refused with the first one's pid, host and command.
  The operating system releases the lock when its holder dies, so a dead writer never
  blocks anyone (its note in the lock file is reported and replaced).
- **``--overwrite`` only replaces results this tool wrote** (a manifest that says so).
- Debris of interrupted runs (staging folders) is removed by the next writer of the
  same target, with a line saying so.

For tests only, ``ESCALATION_TEST_FAULT=<step>`` kills the process at that step
(:func:`fault`), so tests can check every crash point.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "FORMAT",
    "BadTargetError",
    "NotResultsError",
    "ResultsBusyError",
    "ResultsExistError",
    "RunDirectory",
    "StoreError",
    "TrialWriter",
    "WriterLock",
    "atomic_write_text",
    "fault",
    "is_results_dir",
    "recover",
    "write_json",
]

log = logging.getLogger(__name__)

#: ``manifest["format"]`` of every results directory this tool writes.
FORMAT = "escalation-sim results"


class StoreError(Exception):
    """A results directory cannot be written or read as asked; the message says why."""


class ResultsExistError(StoreError):
    """The results directory exists and overwriting was not asked for."""


class NotResultsError(StoreError):
    """``--overwrite`` names something this tool did not write."""


class ResultsBusyError(StoreError):
    """Another process is writing the same results directory."""


class BadTargetError(StoreError):
    """The target cannot hold a results directory (a file, the working folder, ...)."""


def fault(step: str) -> None:
    """Kill this process at ``step`` if the tests ask for it (``ESCALATION_TEST_FAULT``)."""
    if os.environ.get("ESCALATION_TEST_FAULT") == step:
        os.kill(os.getpid(), signal.SIGKILL)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file via a temporary file in the same directory, flushed, then renamed."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give ordinary permissions
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data) -> None:
    """Write JSON atomically (numpy scalars and arrays allowed)."""
    atomic_write_text(Path(path), json.dumps(data, indent=2, default=_jsonable) + "\n")


def _jsonable(x):
    if hasattr(x, "item"):
        return x.item()
    if hasattr(x, "tolist"):
        return x.tolist()
    raise TypeError(f"cannot write {type(x).__name__} to JSON")


def read_manifest(path: Path) -> dict | None:
    """The manifest of a results directory, or None if there is none or it is damaged."""
    try:
        data = json.loads((Path(path) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_results_dir(path: Path) -> bool:
    """Whether this tool wrote ``path`` (its manifest says so; manifests written before
    the format marker are recognised by their keys)."""
    m = read_manifest(path)
    if m is None:
        return False
    legacy = {"root_seed", "chunk_size", "scenario_sha256"} <= set(m) or "identity" in m
    return m.get("format") == FORMAT or legacy


# --- the target ---------------------------------------------------------------------------


def check_target(final: Path | str) -> Path:
    """The target as an absolute path whose parent exists, or a :class:`BadTargetError`."""
    final = Path(final)
    absolute = Path(os.path.abspath(final))
    here = Path.cwd().resolve()
    if absolute.resolve() == here or here.is_relative_to(absolute.resolve()):
        raise BadTargetError(f"{final}: cannot write results into the working folder or one "
                             "that contains it; name a new folder, e.g. --out results/run1")
    if absolute.exists() and not absolute.is_dir():
        raise BadTargetError(f"{final} is a file, not a results folder; choose another --out")
    for parent in absolute.parents:
        if parent.exists():
            if not parent.is_dir():
                raise BadTargetError(f"{final}: {parent} is a file, so no folder can be made "
                                     "under it; choose another --out")
            break
    try:
        absolute.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BadTargetError(f"{final}: cannot create {absolute.parent}: "
                             f"{e.strerror or e}") from None
    if not os.access(absolute.parent, os.W_OK | os.X_OK):
        raise BadTargetError(f"{final}: cannot write in {absolute.parent} (permission "
                             "denied); choose another --out")
    return absolute


def _hidden(final: Path, suffix: str) -> Path:
    return final.with_name(f".{final.name}.{suffix}")


# --- one writer at a time -------------------------------------------------------------------


class WriterLock:
    """An advisory lock on ``.NAME.lock`` beside a results directory.

    The lock file holds the owner's pid, host, start time and command, for the message
    a second writer gets. The operating system drops the lock when its owner dies; the
    next owner reports the dead owner's note and replaces it.
    """

    def __init__(self, final: Path, shown: Path | None = None):
        self.path = _hidden(final, "lock")
        self.shown = shown or final
        self.fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`ResultsBusyError`."""
        import fcntl

        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
            except OSError as e:
                raise BadTargetError(f"{self.shown}: cannot write in {self.path.parent}: "
                                     f"{e.strerror or e}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                owner = _describe_owner(_read_note(fd))
                os.close(fd)
                raise ResultsBusyError(
                    f"{self.shown} is being written by another escalation process ({owner}); "
                    "wait for it to finish or choose another --out") from None
            try:  # the file we locked must still be the one at the path
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        previous = _read_note(fd)
        if previous and not _alive(previous):
            log.warning("took over the lock of %s, which is no longer running",
                        _describe_owner(previous))
        note = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                "command": " ".join(sys.argv)}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(note).encode(), 0)
        self.fd = fd

    def release(self) -> None:
        """Drop the lock (and its file)."""
        if self.fd is not None:
            self.path.unlink(missing_ok=True)  # while still holding it: see acquire()
            os.close(self.fd)
            self.fd = None


def _read_note(fd: int) -> dict:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _describe_owner(note: dict) -> str:
    if not note:
        return "owner unknown"
    return (f"pid {note.get('pid')} on {note.get('host')}, started {note.get('started')}: "
            f"`{note.get('command')}`")


def _alive(note: dict) -> bool:
    if note.get("host") != socket.gethostname():
        return True  # cannot tell; the lock itself is what counts
    try:
        os.kill(int(note.get("pid", -1)), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:
        return True
    return True


# --- recovery of interrupted writes -------------------------------------------------------------


def recover(final: Path) -> list[str]:
    """Finish or undo an interrupted overwrite of ``final`` and remove debris of
    interrupted runs; returns what was done, one line each. Call with the lock held."""
    done = []
    journal = _hidden(final, "swap.json")
    if journal.exists():
        try:
            plan = json.loads(journal.read_text(encoding="utf-8"))
            old, new = final.parent / plan["old"], final.parent / plan["new"]
        except (OSError, ValueError, KeyError, TypeError):
            old = new = None
        if old is not None:
            if not final.exists() and new.exists():
                os.replace(new, final)
                done.append(f"finished an interrupted overwrite of {final}: it now holds the "
                            "new results, which were complete")
            elif not final.exists() and old.exists():
                os.replace(old, final)
                done.append(f"restored the previous results of {final} after an interrupted "
                            "overwrite")
            if old.exists() and final.exists():
                shutil.rmtree(old, ignore_errors=True)
                done.append(f"removed the previous results of {final}, replaced before an "
                            "interruption")
        journal.unlink(missing_ok=True)
        _fsync_dir(final.parent)
    stale = sorted(final.parent.glob(f".{final.name}.staging-*")) + \
        sorted(final.parent.glob(f".{final.name}.old-*"))
    stale = [p for p in stale if p.is_dir()]
    for p in stale:
        if p.name.startswith(f".{final.name}.old-") and not final.exists():
            os.replace(p, final)
            done.append(f"restored the previous results of {final} from {p.name}")
            continue
        shutil.rmtree(p, ignore_errors=True)
    left = [p for p in stale if p.name.startswith(f".{final.name}.staging-")]
    if left:
        done.append(f"removed {len(left)} unfinished results folder(s) beside {final} left by "
                    "interrupted runs")
    for line in done:
        log.warning("%s", line)
    return done


# --- a run's directory -----------------------------------------------------------------------


class RunDirectory:
    """A run's results, staged beside the target and moved into place on commit.

    Parameters
    ----------
    final : path
        The results directory to create (or replace, with ``overwrite``).
    overwrite : bool
        Replace an existing results directory this tool wrote.
    """

    def __init__(self, final: Path | str, overwrite: bool = False):
        self.final = check_target(final)
        self.shown = Path(final)
        self.lock = WriterLock(self.final, self.shown)
        self.lock.acquire()
        try:
            recover(self.final)
            if self.final.exists():
                if not overwrite:
                    raise ResultsExistError(f"{self.shown} already exists; choose another "
                                            "--out or pass --overwrite")
                if not is_results_dir(self.final):
                    raise NotResultsError(
                        f"{self.shown} exists and is not a results directory written by "
                        "escalation (no manifest saying so): --overwrite replaces only "
                        "results, never other folders; choose another --out")
            try:
                self.path = Path(tempfile.mkdtemp(
                    dir=self.final.parent, prefix=f".{self.final.name}.staging-{os.getpid()}-"))
            except OSError as e:
                raise BadTargetError(f"{self.shown}: cannot create a folder in "
                                     f"{self.final.parent}: {e.strerror or e}") from None
            os.chmod(self.path, 0o777 & ~_umask())  # mkdtemp makes 0700
        except BaseException:
            self.lock.release()
            raise

    def commit(self) -> Path:
        """Move the staged results into place (replacing old ones); return the target."""
        for f in self.path.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(self.path)
        fault("run-staged")
        try:
            if self.final.exists():
                old = _hidden(self.final, f"old-{os.getpid()}")
                write_json(_hidden(self.final, "swap.json"),
                           {"old": old.name, "new": self.path.name})
                fault("run-journal")
                os.replace(self.final, old)
                fault("run-swapped-out")
                os.replace(self.path, self.final)
                _fsync_dir(self.final.parent)
                fault("run-swapped-in")
                shutil.rmtree(old, ignore_errors=True)
                fault("run-old-removed")
                _hidden(self.final, "swap.json").unlink(missing_ok=True)
            else:
                os.replace(self.path, self.final)
            _fsync_dir(self.final.parent)
        finally:
            self.lock.release()
        return self.shown

    def abandon(self) -> None:
        """Delete the staged results and release the target."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.lock.release()


class TrialWriter:
    """Streams per-trial tables into one Parquet file, chunk by chunk."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._writer: pq.ParquetWriter | None = None

    def write(self, df: pd.DataFrame) -> None:
        """Append a chunk's per-trial table."""
        table = pa.Table.from_pandas(df, preserve_index=False)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        self._writer.write_table(table.cast(self._writer.schema))

    def bytes_written(self) -> int:
        """Bytes in the file so far."""
        return self.path.stat().st_size if self.path.exists() else 0

    def close(self) -> None:
        """Finish the Parquet file."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None


# --- a sweep's directory ---------------------------------------------------------------------

#: Keys every finished point's file holds.
POINT_KEYS = ("outcomes", "trials", "mean_rounds", "mean_peak_rung", "strike_share")


class SweepDirectory:
    """A sweep's results: the manifest first, then one file per finished point.

    Opening a directory that holds the same sweep (the same ``identity``) resumes it; a
    damaged point file is set aside in ``points/corrupt/`` and recomputed, never
    deleted. Hold it with ``with``: the lock is released on leaving.

    Parameters
    ----------
    out : path
        The directory.
    identity : dict
        What makes two sweeps the same (scenario hash, design, seed, trials, chunks).
    manifest : dict
        The rest of the manifest to write for a new sweep.
    """

    def __init__(self, out: Path | str, identity: dict, manifest: dict):
        self.shown = Path(out)
        self.final = check_target(out)
        self.points = self.final / "points"
        self.lock = WriterLock(self.final, self.shown)
        self.lock.acquire()
        try:
            self._open(identity, manifest)
        except BaseException:
            self.lock.release()
            raise

    def _open(self, identity: dict, manifest: dict) -> None:
        content = [p for p in self.final.iterdir()] if self.final.exists() else []
        fresh = not content or (content == [self.points] and not any(self.points.iterdir()))
        if fresh:
            self.final.mkdir(exist_ok=True)
            write_json(self.final / "manifest.json",
                       {"format": FORMAT, "kind": "sweep", "identity": identity, **manifest})
            fault("sweep-manifest")
            self.points.mkdir(exist_ok=True)
            return
        old = read_manifest(self.final)
        if old is None:
            if (self.final / "manifest.json").exists():
                raise StoreError(
                    f"{self.shown}/manifest.json is damaged (not complete JSON), so the sweep "
                    f"cannot be resumed safely; move {self.shown} aside and run again")
            raise StoreError(f"{self.shown} exists and is not a sweep directory (no "
                             "manifest.json); choose another --out")
        if old.get("identity") != identity:
            raise StoreError(
                f"{self.shown} holds a different sweep (another scenario, design, seed, trial "
                "count or chunk size); choose another --out to run this one")
        self.points.mkdir(exist_ok=True)

    def __enter__(self) -> SweepDirectory:
        return self

    def __exit__(self, *exc) -> None:
        self.lock.release()

    def finished(self) -> dict[int, dict]:
        """The points already done; damaged files are set aside (and said so)."""
        rows = {}
        for tmp in self.points.glob(".*.tmp"):
            tmp.unlink()
        for f in sorted(self.points.glob("point-*.json")):
            row = _read_point(f)
            if row is None:
                corrupt = self.points / "corrupt"
                corrupt.mkdir(exist_ok=True)
                moved = corrupt / f"{f.name}.{time.strftime('%Y%m%dT%H%M%S')}"
                os.replace(f, moved)
                log.warning("%s is damaged; moved it to %s and the point will be run again",
                            f, moved)
                continue
            rows[int(f.stem.split("-")[1])] = row
        return rows

    def write_point(self, i: int, row: dict) -> None:
        """Store a finished point (atomically)."""
        atomic_write_text(self.points / f"point-{i:06d}.json", json.dumps(row))
        fault(f"sweep-point-{i}")


def _read_point(path: Path) -> dict | None:
    try:
        row = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(row, dict) or any(k not in row for k in POINT_KEYS):
        return None
    if not isinstance(row["outcomes"], dict) or not isinstance(row["trials"], int):
        return None
    return row


def open_run(path: Path | str) -> dict:
    """The manifest of a finished run's directory, after finishing any interrupted
    overwrite of it; a :class:`StoreError` says what is wrong otherwise."""
    shown = Path(path)
    final = Path(os.path.abspath(shown))
    if final.parent.is_dir() and os.access(final.parent, os.W_OK):
        lock = WriterLock(final, shown)
        lock.acquire()
        try:
            recover(final)
        finally:
            lock.release()
    if not final.is_dir():
        raise StoreError(f"{shown} is not a results directory (no such folder)")
    m = read_manifest(final)
    if m is None:
        what = "damaged" if (final / "manifest.json").exists() else "missing"
        raise StoreError(f"{shown}/manifest.json is {what}: not a results directory written "
                         "by `escalation run --out`")
    problems = [f"{key} should be {rule}" for key, rule, ok in (
        ("root_seed", "a whole number >= 0", _whole(m.get("root_seed"), 0)),
        ("chunk_size", "a whole number >= 1", _whole(m.get("chunk_size"), 1)),
        ("trials", "a whole number >= 1", _whole(m.get("trials"), 1)),
        ("scenario_resolved", "the scenario", isinstance(m.get("scenario_resolved"), dict)),
    ) if not ok]
    if problems:
        raise StoreError(f"{shown}/manifest.json is not a run's manifest: "
                         + "; ".join(problems))
    return m


def _whole(value, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least
