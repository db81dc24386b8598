"""The package works when installed from a wheel into another environment and run from
another folder: the shipped scenarios come with it (importlib.resources), nothing
looks for the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.files import ROOT

pytest.importorskip("setuptools")


def _run(cmd, cwd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600, **kw)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding only the wheel; the dependencies are read from this
    environment's site-packages (a .pth line), so nothing is downloaded."""
    tmp = tmp_path_factory.mktemp("wheel")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "--quiet", "-w", str(tmp / "dist"), str(ROOT)], cwd=tmp)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp / "dist").glob("escalation_sim-*.whl")
    venv = tmp / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     cwd=tmp).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    put = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                "--quiet", str(wheel)], cwd=tmp)
    assert put.returncode == 0, put.stderr
    return venv


def test_the_wheel_is_what_runs(installed, tmp_path):
    where = _run([str(installed / "bin" / "python"), "-c", "import sim; print(sim.__file__)"],
                 cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(installed), where.stdout + where.stderr


def test_list_and_theory_from_another_folder(installed, tmp_path):
    env = {**os.environ, "PYTHONPATH": ""}
    escalation = str(installed / "bin" / "escalation")
    listed = _run([escalation, "list"], cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    assert "iran_2026/baseline.yaml" in listed.stdout
    assert "validation/v1_risk_return.yaml" in listed.stdout
    theory = _run([escalation, "theory", "--trials", "2000"], cwd=tmp_path, env=env)
    assert theory.returncode == 0, theory.stdout + theory.stderr
    assert "checks agree" in theory.stdout and " NO " not in theory.stdout
    ran = _run([escalation, "run", "iran_2026/baseline", "--trials", "200", "--quiet"],
               cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stderr
    assert "US, Israel and Iran" in ran.stdout


def test_a_notebook_runs_from_the_wheel(installed, tmp_path, monkeypatch):
    """The build-your-own notebook (shipped scenarios, a hindcast, a file it writes and
    validates with ``python -m sim``) in a kernel of the wheel's environment, in an
    empty folder."""
    import json

    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")

    spec = tmp_path / "jupyter" / "kernels" / "wheel"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(installed / "bin" / "python"), "-m", "ipykernel_launcher", "-f",
                 "{connection_file}"], "display_name": "the wheel", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("ESCALATION_NOTEBOOK_TRIALS", "1000")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONPATH", "")
    nb = nbformat.read(ROOT / "notebooks" / "06_build_your_own_crisis.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sim\nprint('sim from', sim.__file__)"))
    work = tmp_path / "work"
    work.mkdir()
    client = nbclient.NotebookClient(nb, kernel_name="wheel", timeout=300,
                                     resources={"metadata": {"path": str(work)}})
    client.execute()
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                      for o in c.outputs)
    assert f"sim from {installed}" in printed  # the wheel's package, not the repository's
    assert "loaded 'my_crisis'" in printed
