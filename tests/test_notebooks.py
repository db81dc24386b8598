"""Every notebook in notebooks/ runs from top to bottom without an error.

Each notebook is executed with nbclient in a fresh ``python3`` kernel (the one installed
with ipykernel in this environment), copied into an empty temporary folder as a student
might copy it (so nothing may depend on the repository's layout), with a small trial
count (``ESCALATION_NOTEBOOK_TRIALS``) and a non-interactive
matplotlib backend. A failing cell fails the test with that cell's source and traceback.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError  # noqa: E402

from tests.files import ROOT  # noqa: E402

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL = "python3"
TIMEOUT = 300  # seconds per cell; a whole notebook at 2,000 trials takes well under this
TRIALS = "2000"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # colour codes in IPython tracebacks


def _kernel_available() -> bool:
    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        return False
    return True


@pytest.fixture
def notebook_env(monkeypatch):
    """Environment the kernel inherits: few trials, no GUI, this interpreter first."""
    monkeypatch.setenv("ESCALATION_NOTEBOOK_TRIALS", TRIALS)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # jupyter_client replaces a kernel argv of "python" with sys.executable; putting the
    # venv's bin first on PATH covers kernel specs that name another python.
    bin_dir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", bin_dir + os.pathsep + os.environ.get("PATH", ""))
    monkeypatch.delenv("PYTHONPATH", raising=False)


def test_notebooks_exist():
    assert NOTEBOOKS, f"no notebooks found in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, notebook_env, tmp_path):
    if not _kernel_available():
        pytest.fail(
            f"Jupyter kernel {KERNEL!r} not found; install ipykernel in this environment "
            "(pip install -e '.[test]')"
        )
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=TIMEOUT,
        resources={"metadata": {"path": str(tmp_path)}},  # an empty folder, not notebooks/
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as exc:
        pytest.fail(f"{path.name}: a cell failed\n\n{ANSI.sub('', str(exc))}", pytrace=False)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_saved_without_outputs(path: Path):
    """Notebooks are committed clean: no outputs, no execution counts."""
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before saving"
