"""The scenarios shipped with the package, found wherever it is installed.

The repository's ``scenarios/`` folder is installed as the package ``sim.library``
(pyproject.toml maps it), so the same files are found from a source checkout, an
editable install or a wheel installed anywhere, whatever the working directory:

>>> from sim.scenario.library import shipped
>>> shipped("iran_2026/baseline.yaml")          # doctest: +SKIP
PosixPath('.../scenarios/iran_2026/baseline.yaml')
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["library_root", "listing", "shipped"]

PACKAGE = "sim.library"


def library_root() -> Path:
    """The folder holding the shipped scenarios (``iran_2026/``, ``validation/``, ...)."""
    return Path(str(files(PACKAGE)))


def shipped(name: str) -> Path:
    """The path of a shipped scenario file, e.g. ``"validation/v1_risk_return.yaml"``.

    Raises
    ------
    FileNotFoundError
        Naming the shipped files, if there is no such file.
    """
    path = library_root() / name
    if not path.is_file():
        known = ", ".join(str(p.relative_to(library_root())) for p in listing())
        raise FileNotFoundError(f"no shipped scenario '{name}'; shipped: {known}")
    return path


def listing(folder: Path | None = None) -> list[Path]:
    """Every scenario file under ``folder`` (default: the shipped library), sorted."""
    return sorted((folder or library_root()).rglob("*.yaml"))
