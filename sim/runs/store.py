"""Results directories: written in a temporary sibling and renamed into place.

A run's directory holds ``trials.parquet`` (one row per trial, streamed chunk by
chunk), ``rounds.parquet``, ``summary.json``, ``manifest.json`` and ``outcomes.png``.
Nothing appears under the final name until every file is complete, and an existing
directory is never overwritten unless asked.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["ResultsExistError", "StagedDir", "TrialWriter", "atomic_write_text"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class ResultsExistError(Exception):
    """The results directory exists and overwriting was not asked for."""


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file via a temporary file in the same directory and a rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give ordinary permissions
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class StagedDir:
    """A results directory staged under a temporary name, moved into place on commit."""

    def __init__(self, final: Path | str, overwrite: bool = False):
        self.final = Path(final)
        if self.final.exists() and not overwrite:
            raise ResultsExistError(
                f"{self.final} already exists; choose another --out or pass --overwrite"
            )
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(dir=self.final.parent, prefix=f".{self.final.name}."))
        os.chmod(self.path, 0o777 & ~_umask())  # mkdtemp makes 0700
        self.overwrite = overwrite

    def commit(self) -> Path:
        """Move the staged directory into place (replacing the old one); return it."""
        old = None
        if self.final.exists():
            old = self.final.with_name(f".{self.final.name}.old-{os.getpid()}")
            os.replace(self.final, old)
        os.replace(self.path, self.final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.final

    def abandon(self) -> None:
        """Delete the staged directory."""
        shutil.rmtree(self.path, ignore_errors=True)


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

    def close(self) -> None:
        """Finish the Parquet file."""
        if self._writer is not None:
            self._writer.close()


def write_json(path: Path, data) -> None:
    atomic_write_text(Path(path), json.dumps(data, indent=2, default=_jsonable) + "\n")


def _jsonable(x):
    if hasattr(x, "item"):
        return x.item()
    if hasattr(x, "tolist"):
        return x.tolist()
    raise TypeError(f"cannot write {type(x).__name__} to JSON")
