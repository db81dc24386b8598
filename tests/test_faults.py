"""Results under faults and untrusted targets: kill -9 at every step of writing a run
and a sweep, SIGTERM, a killed parent's workers, two writers, --overwrite on a folder
this tool did not write, damaged files. After any crash the results directory is the
old results, the new results, or missing with the next command putting one of them
back: never a mixture, never silent loss, no debris left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from tests.files import ROOT, TRACE

RUN = [sys.executable, "-m", "sim.cli", "run", str(TRACE), "--trials", "500", "--quiet"]


def _cli(args, fault: str | None = None, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "ESCALATION_TEST_FAULT": fault or ""}
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, **kw)


def _seed_of(results: Path) -> int:
    """The seed of a complete results directory (every file there and readable)."""
    names = sorted(p.name for p in results.iterdir())
    assert names == ["manifest.json", "outcomes.png", "rounds.parquet", "summary.json",
                     "trials.parquet"], names
    assert len(pd.read_parquet(results / "trials.parquet")) == 500
    summary = json.loads((results / "summary.json").read_text())
    manifest = json.loads((results / "manifest.json").read_text())
    assert summary["seed"] == manifest["root_seed"]
    return manifest["root_seed"]


def _debris(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize(("step", "after"), [
    ("run-staged", 1),        # new results complete in staging, nothing moved yet
    ("run-journal", 1),       # the journal written, the old results still in place
    ("run-swapped-out", 2),   # the old results moved aside: R is missing for a moment
    ("run-swapped-in", 2),    # the new results in place, the old ones not yet removed
    ("run-old-removed", 2),   # only the journal left
])
def test_kill_during_overwrite_leaves_old_or_new_never_a_mixture(tmp_path, step, after):
    results = tmp_path / "R"
    assert _cli([*RUN, "--seed", "1", "--out", str(results)]).returncode == 0
    killed = _cli([*RUN, "--seed", "2", "--out", str(results), "--overwrite"], fault=step)
    assert killed.returncode == -signal.SIGKILL
    if results.exists():
        assert _seed_of(results) in (1, 2)
    else:  # between the renames: both complete folders are beside it, with the journal
        assert ".R.swap.json" in _debris(tmp_path)
    reopened = _cli([sys.executable, "-m", "sim.cli", "explain", "--from", str(results),
                     "--trial", "3"])
    assert reopened.returncode == 0, reopened.stderr
    assert _seed_of(results) == after
    assert _debris(tmp_path) == []


def test_kill_during_a_first_write_leaves_nothing_then_is_cleaned(tmp_path):
    results = tmp_path / "R"
    assert _cli([*RUN, "--out", str(results)], fault="run-staged").returncode == -9
    assert not results.exists() and len(_debris(tmp_path)) == 2  # staging + lock file
    again = _cli([*RUN, "--out", str(results)])
    assert again.returncode == 0
    assert "removed 1 unfinished results folder(s)" in again.stderr
    assert _debris(tmp_path) == []


def test_overwrite_refuses_a_folder_this_tool_did_not_write(tmp_path, capsys):
    mine = tmp_path / "mydocs"
    mine.mkdir()
    (mine / "thesis.txt").write_text("precious")
    assert main(["run", str(TRACE), "--trials", "100", "--out", str(mine), "--overwrite",
                 "--quiet"]) == 2
    assert "is not a results directory written by escalation" in capsys.readouterr().err
    assert (mine / "thesis.txt").read_text() == "precious"
    assert _debris(tmp_path) == []


@pytest.mark.parametrize(("target", "message"), [
    (".", "cannot write results into the working folder"),
    ("file/sub", "is a file, so no folder can be made under it"),
    ("file", "is a file, not a results folder"),
])
def test_bad_targets_are_messages(tmp_path, monkeypatch, capsys, target, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").write_text("x")
    assert main(["run", str(TRACE), "--trials", "50", "--out", target, "--overwrite",
                 "--quiet"]) == 2
    assert message in capsys.readouterr().err


def test_a_read_only_folder_is_a_message(tmp_path, capsys):
    locked = tmp_path / "ro"
    locked.mkdir(mode=0o500)
    if os.geteuid() == 0:  # root writes anywhere, but not in /proc
        locked = Path("/proc/1")
    assert main(["run", str(TRACE), "--trials", "50", "--out", str(locked / "R"),
                 "--quiet"]) == 2
    assert "permission denied" in capsys.readouterr().err


def test_a_second_writer_is_refused_and_a_dead_ones_lock_taken_over(tmp_path):
    results = tmp_path / "R"
    slow = subprocess.Popen([sys.executable, "-m", "sim.cli", "run", "iran_2026/baseline",
                             "--trials", "200000", "--workers", "1", "--quiet",
                             "--out", str(results)], cwd=ROOT, stderr=subprocess.PIPE,
                            text=True)
    try:
        lock = tmp_path / ".R.lock"
        deadline = time.time() + 60
        while time.time() < deadline and not (lock.exists() and lock.read_text()):
            time.sleep(0.05)
        second = _cli([*RUN, "--out", str(results)])
        assert second.returncode == 2
        assert f"is being written by another escalation process (pid {slow.pid}" in second.stderr
    finally:
        slow.kill()
        slow.wait()
    # The killed writer's note is still in the lock file, but its lock died with it.
    third = _cli([*RUN, "--out", str(results)])
    assert third.returncode == 0, third.stderr
    assert f"took over the lock of pid {slow.pid}" in third.stderr
    assert "removed 1 unfinished results folder(s)" in third.stderr
    assert _debris(tmp_path) == []


def _descendants(pid: int) -> set[int]:
    parents = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            parents[int(d)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(p)
    return alive


def _start_pool_run(results: Path) -> tuple[subprocess.Popen, set[int]]:
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "run", "iran_2026/baseline",
                             "--trials", "400000", "--workers", "2", "--quiet",
                             "--out", str(results)], cwd=ROOT, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.time() + 120
    children: set[int] = set()
    while time.time() < deadline and len(children) < 3:  # fork server and two workers
        time.sleep(0.2)
        children = _descendants(proc.pid)
    assert len(children) >= 3, children
    return proc, children


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_stops_cleanly_like_ctrl_c(tmp_path):
    proc, children = _start_pool_run(tmp_path / "R")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted; no results were written" in err
    assert not (tmp_path / "R").exists() and _debris(tmp_path) == []
    deadline = time.time() + 30
    while time.time() < deadline and _alive(children):
        time.sleep(0.2)
    assert not _alive(children)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_minus_nine_of_the_parent_takes_the_workers_with_it(tmp_path):
    proc, children = _start_pool_run(tmp_path / "R")
    proc.kill()
    proc.wait()
    deadline = time.time() + 30
    while time.time() < deadline and _alive(children):
        time.sleep(0.2)
    assert not _alive(children), "fork server or workers outlived their parent"


# --- sweeps ---------------------------------------------------------------------------------

SWEEP = [sys.executable, "-m", "sim.cli", "sweep", str(TRACE), "--vary",
         "incidents.rate=0:0.3", "--points", "5", "--trials", "300", "--seed", "4",
         "--workers", "1", "--quiet"]


def _points(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "points.parquet")


@pytest.fixture(scope="module")
def clean_sweep(tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("clean") / "S"
    assert _cli([*SWEEP, "--out", str(out)]).returncode == 0
    return _points(out)


@pytest.mark.parametrize("step", ["sweep-manifest", "sweep-point-2", "sweep-finish"])
def test_kill_during_a_sweep_then_resume_equals_an_uninterrupted_sweep(tmp_path, step,
                                                                       clean_sweep):
    out = tmp_path / "S"
    assert _cli([*SWEEP, "--out", str(out)], fault=step).returncode == -9
    resumed = _cli([*SWEEP, "--out", str(out)])
    assert resumed.returncode == 0, resumed.stderr
    pd.testing.assert_frame_equal(_points(out), clean_sweep)
    assert _debris(tmp_path) == []


def test_a_damaged_point_is_set_aside_and_run_again(tmp_path, clean_sweep):
    out = tmp_path / "S"
    assert _cli([*SWEEP, "--out", str(out)]).returncode == 0
    (out / "points" / "point-000001.json").write_text("{}")
    (out / "points.parquet").unlink()
    again = _cli([*SWEEP, "--out", str(out)])
    assert again.returncode == 0
    assert "point-000001.json is damaged; moved it to" in again.stderr
    assert len(list((out / "points" / "corrupt").iterdir())) == 1
    pd.testing.assert_frame_equal(_points(out), clean_sweep)


def test_damaged_manifests_are_messages(tmp_path, capsys):
    out = tmp_path / "S"
    assert _cli([*SWEEP, "--out", str(out)]).returncode == 0
    text = (out / "manifest.json").read_text()
    (out / "manifest.json").write_text(text[: len(text) // 2])
    assert main([*SWEEP[3:], "--out", str(out)]) == 2
    assert "manifest.json is damaged (not complete JSON)" in capsys.readouterr().err
    run_dir = tmp_path / "R"
    assert main(["run", str(TRACE), "--trials", "50", "--out", str(run_dir), "--quiet"]) == 0
    manifest = json.loads((run_dir / "manifest.json").read_text())
    (run_dir / "manifest.json").write_text(json.dumps({**manifest, "chunk_size": 0}))
    capsys.readouterr()
    assert main(["explain", "--from", str(run_dir), "--trial", "1"]) == 2
    assert "chunk_size should be a whole number >= 1" in capsys.readouterr().err


def test_a_sweep_into_a_file_is_a_message(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    assert main([*SWEEP[3:], "--out", str(tmp_path / "f")]) == 2
    assert "is a file, not a results folder" in capsys.readouterr().err


# --- sizes, workers, time and disk, estimated before they hurt --------------------------------


def test_a_huge_chunk_size_is_refused_with_one_that_fits(capsys):
    assert main(["run", "iran_2026/baseline", "--trials", "200000000",
                 "--chunk-size", "100000000", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "GB each for this scenario" in err and "use --chunk-size" in err


def test_a_huge_design_is_refused_before_it_is_drawn(capsys):
    assert main(["sweep", str(TRACE), "--vary", "incidents.rate=0:0.3", "--vary",
                 "ladder.rungs.1.breakdown_risk=0:0.5", "--points", "100000", "--quiet"]) == 2
    assert "would have 10,000,000,000 points; the limit is 100,000" in capsys.readouterr().err


def test_too_many_workers_are_capped_unless_forced(capsys):
    from sim.runs.executor import cpu_count

    assert main(["run", str(TRACE), "--trials", "20000", "--chunk-size", "1000",
                 "--workers", "1000", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"using {cpu_count()} workers, the cores available (asked for 1000" in err


def test_too_many_packages_are_a_scenario_problem(tmp_path):
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import scenario_from_dict
    from tests.builders import duel

    data = duel(issues={f"i{k}": {"levels": ["a", "b", "c"]} for k in range(1000)},
                actors__a__preferences={"i0": {"ideal": "a", "salience": 1}},
                actors__b__preferences={"i0": {"ideal": "c", "salience": 1}},
                protocol__status_quo={f"i{k}": "a" for k in range(1000)})
    with pytest.raises(ScenarioError, match=r"make about 10\^477 packages \(1000 issues\); "
                                            "a scenario may have at most 20,000"):
        scenario_from_dict(data)


def test_a_long_run_says_how_long_and_a_full_disk_stops_it_cleanly(tmp_path, monkeypatch,
                                                                   capsys):
    import shutil
    from collections import namedtuple

    from sim.runs import runner

    monkeypatch.setattr(runner, "LONG_SECONDS", 0)
    assert main(["run", str(TRACE), "--trials", "4000", "--chunk-size", "1000",
                 "--workers", "1", "--quiet"]) == 0
    assert "this run will take about" in capsys.readouterr().err
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9, 1000))
    assert main(["run", str(TRACE), "--trials", "4000", "--chunk-size", "1000",
                 "--workers", "1", "--quiet", "--out", str(tmp_path / "R")]) == 2
    err = capsys.readouterr().err
    assert "the results would take about" in err and "GB is free where they go" in err
    assert not (tmp_path / "R").exists() and _debris(tmp_path) == []
