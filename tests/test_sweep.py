"""Sweeps: designs, validation before running, common random numbers, resuming after
an interruption (including kill -9), sensitivity indices, and Dask."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, run
from sim.cli import main
from sim.runs.store import StoreError
from sim.studies.design import Vary, make_design, parse_vary
from sim.studies.sweeps import sweep
from tests.files import BASELINE, ROOT

V1 = ROOT / "scenarios/validation/v1_risk_return.yaml"


def test_list_parameters(capsys):
    assert main(["sweep", str(BASELINE), "--list-parameters"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("ladder.rungs.1.breakdown_risk "))
    assert line.split()[1:] == ["0", "[0,", "1]"]
    assert any(x.startswith("protocol.horizon ") and "whole number" in x
               for x in out.splitlines())


def test_bad_vary_is_reported_with_file_and_line_before_running(capsys, tmp_path):
    out = tmp_path / "never"
    code = main(["sweep", str(BASELINE), "--vary", "actors.iran.war_cst.high=0.4:0.8",
                 "--vary", "ladder.rungs.1.breakdown_risk=0:1.5", "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "baseline.yaml:" in err and "did you mean 'actors.iran.war_cost.high'?" in err
    assert "1.5 is outside the valid range [0, 1]" in err
    assert "nothing was run" in err and not out.exists()


@pytest.mark.parametrize("text", ["nopath", "a.b=1:x", "a.b=2:1"])
def test_bad_vary_syntax(text):
    with pytest.raises(ValueError, match="--vary"):
        parse_vary(text)


def test_designs_and_sample_count_rules():
    vary = [Vary("a", 0, 1), Vary("b", 0, 1)]
    assert make_design(vary, "grid", 3, 0).X.shape == (9, 2)
    assert make_design(vary, "lhs", 7, 0).X.shape == (7, 2)
    sobol = make_design(vary, "sobol", 6, 0)  # not a power of two: raised to 8
    assert sobol.X.shape == (8 * 4, 2) and "6 -> 8" in sobol.notes[0]
    assert make_design(vary, "morris", 5, 0).X.shape == (5 * 3, 2)
    with pytest.raises(ValueError, match="need --sampler grid"):
        make_design([Vary("a", values=(1.0, 2.0))], "lhs", 4, 0)


def test_common_random_numbers_reproduce_a_plain_run():
    """A point at the scenario's own value equals a plain run with the same seed."""
    scenario = load_scenario(BASELINE)
    s = sweep(scenario, {"incidents.rate": [0.05, 0.2]}, trials=1_000, seed=3,
              chunk_size=500)
    plain = run(scenario, trials=1_000, seed=3, chunk_size=500).summary().to_df()
    row = s.frame.iloc[0]
    for oid, share in plain["share"].items():
        assert row[f"share_{oid}"] == share
    assert list(s.frame["incidents.rate"]) == [0.05, 0.2]


def _frame(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "points.parquet")


def test_resume_finishes_only_missing_points(tmp_path):
    scenario = load_scenario(V1)
    args = dict(vary={"actors.b.war_cost.high": (0.2, 0.4)}, sampler="grid", points=6,
                trials=400, seed=5)
    whole = sweep(scenario, out=tmp_path / "whole", **args)
    part = tmp_path / "part"
    sweep(scenario, out=part, **args)
    for i in (1, 4):  # as if the run had been killed before these points finished
        (part / "points" / f"point-{i:06d}.json").unlink()
    (part / "points" / ".point-000002.json.abc.tmp").write_text("{half a fi")
    calls = []
    resumed = sweep(scenario, out=part, progress=lambda d, t, r: calls.append(d), **args)
    assert calls == [5, 6]  # two points computed, four loaded
    pd.testing.assert_frame_equal(resumed.frame, whole.frame)
    pd.testing.assert_frame_equal(_frame(part), _frame(tmp_path / "whole"))
    assert not list((part / "points").glob(".*.tmp"))


def test_a_different_design_is_refused(tmp_path):
    scenario = load_scenario(V1)
    sweep(scenario, {"actors.b.war_cost.high": (0.2, 0.4)}, points=2, trials=100,
          out=tmp_path / "s")
    with pytest.raises(StoreError, match="holds a different sweep"):
        sweep(scenario, {"actors.b.war_cost.high": (0.2, 0.5)}, points=2, trials=100,
              out=tmp_path / "s")


def test_kill_minus_nine_then_resume_equals_uninterrupted(tmp_path):
    cmd = [sys.executable, "-m", "sim.cli", "sweep", str(BASELINE),
           "--vary", "incidents.rate=0:0.2", "--points", "8", "--trials", "1500",
           "--seed", "2", "--workers", "1", "--quiet"]
    killed = tmp_path / "killed"
    proc = subprocess.Popen([*cmd, "--out", str(killed)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((killed / "points").glob("point-*.json"))) < 2:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list((killed / "points").glob("point-*.json")))
    assert 2 <= done < 8 and not (killed / "points.parquet").exists()
    assert subprocess.run([*cmd, "--out", str(killed)], cwd=ROOT).returncode == 0
    clean = tmp_path / "clean"
    assert subprocess.run([*cmd, "--out", str(clean)], cwd=ROOT).returncode == 0
    pd.testing.assert_frame_equal(_frame(killed), _frame(clean))


def test_sobol_indices_find_the_parameter_that_matters(tmp_path):
    """V1: P(war) = (cbar - c_A) / (2 cbar) depends on cbar, not on B's audience cost."""
    scenario = load_scenario(V1)
    s = sweep(scenario, {"actors.b.war_cost.high": (0.15, 0.45),
                         "actors.b.audience_cost": (0.0, 0.5)},
              sampler="sobol", points=32, trials=2_000, seed=1, workers=2,
              out=tmp_path / "sobol")
    si = s.sensitivity()["war"]
    assert si.loc["actors.b.war_cost.high", "ST"] > 0.5
    assert si.loc["actors.b.audience_cost", "ST"] < 0.05
    saved = json.loads((tmp_path / "sobol" / "sensitivity.json").read_text())
    assert {r["parameter"] for r in saved["war"]} == {"actors.b.war_cost.high",
                                                     "actors.b.audience_cost"}
    assert (tmp_path / "sobol" / "sensitivity.png").stat().st_size > 1000


def test_morris_reports_mu_star(capsys, tmp_path):
    code = main(["sweep", str(V1), "--vary", "actors.b.war_cost.high=0.15:0.45",
                 "--vary", "actors.b.audience_cost=0:0.5", "--sampler", "morris",
                 "--points", "6", "--trials", "500", "--workers", "1", "--quiet",
                 "--out", str(tmp_path / "m")])
    assert code == 0
    out = capsys.readouterr().out
    assert "Morris elementary effects" in out and "mu_star" in out


def test_dask_cluster_gives_the_same_results_as_local(tmp_path):
    distributed = pytest.importorskip("distributed")
    scenario = load_scenario(V1)
    args = dict(vary={"actors.b.war_cost.high": (0.2, 0.4)}, points=4, trials=500, seed=9)
    local = sweep(scenario, workers=1, **args)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = sweep(scenario, scheduler=cluster.scheduler_address,
                       out=tmp_path / "dask", **args)
    pd.testing.assert_frame_equal(local.frame, remote.frame)
    assert np.isfinite(remote.frame["share_war"]).all()


def test_public_api_names_are_the_functions():
    import sim
    from sim.studies.sweeps import sweep as sweep_function

    assert sim.sweep is sweep_function and callable(sim.run) and callable(sim.explain)
    assert sim.theory.CASES  # the theory module
    assert sim.shipped("iran_2026/baseline.yaml").is_file()


def test_a_judgement_point_is_the_run_of_the_shifted_scenario():
    """Common random numbers: a sweep point that shifts a judgement gives exactly the
    counts of a run of the scenario with that judgement moved (same seed)."""
    from sim import load_scenario, run
    from sim.scenario.parameters import with_judgements
    from sim.studies.sweeps import run_point

    base = load_scenario(BASELINE)
    point = run_point(base, ["judgements.war_costs"], [0.1], trials=300, seed=4,
                      chunk_size=100)
    direct = run(with_judgements(base, {"war_costs": 0.1}), trials=300, seed=4,
                 chunk_size=100).summary()
    assert point["outcomes"] == {o["outcome"]: o["count"] for o in direct["outcomes"]}


def test_varying_an_unknown_judgement_names_the_known_ones(capsys):
    assert main(["sweep", str(BASELINE), "--vary", "judgements.war_cost=-0.1:0.1"]) == 2
    err = capsys.readouterr().err
    assert "the scenario has no judgement 'war_cost' (its judgements: war_costs," in err


def test_judgements_flag_varies_every_declared_judgement(capsys, tmp_path):
    assert main(["sweep", str(BASELINE), "--judgements", "--sampler", "lhs", "--points", "2",
                 "--trials", "50", "--chunk-size", "50", "--workers", "1", "--quiet",
                 "--out", str(tmp_path / "j")]) == 0
    import json

    manifest = json.loads((tmp_path / "j" / "manifest.json").read_text())
    from sim import load_scenario

    assert manifest["vary"][0].startswith("judgements.war_costs=-0.2:0.2")
    assert len(manifest["vary"]) == len(load_scenario(BASELINE).judgements)


def test_discovery_finds_the_region_that_makes_the_outcome():
    """Points where war > 0.2 exactly when x > 0.5 (y irrelevant): PRIM's box bounds x
    from below near 0.5, holds nearly all such points and little else."""
    import numpy as np
    import pandas as pd

    from sim.analysis.drivers import prim_box
    from sim.studies.sweeps import point_condition

    rng = np.random.default_rng(0)
    x, y = rng.uniform(size=400), rng.uniform(size=400)
    frame = pd.DataFrame({"x": x, "y": y, "share_war": np.where(x > 0.5, 0.4, 0.1),
                          "strike_share": 0.5})
    target = point_condition(frame, ["war"], "war>0.2")
    assert (target == (x > 0.5)).all()
    box = prim_box(frame, target, columns=["x", "y"])
    assert 0.45 <= box.limits["x"][0] <= 0.55
    assert box.density >= 0.95 and box.coverage >= 0.9


@pytest.mark.parametrize(("condition", "message"), [
    ("war>>0.2", "expected OUTCOME>SHARE"), ("peace>0.2", "'peace' is not an outcome")])
def test_a_bad_discovery_condition_is_refused_before_running(capsys, tmp_path, condition,
                                                             message):
    out = tmp_path / "never"
    assert main(["sweep", str(BASELINE), "--vary", "incidents.rate=0:0.1", "--discover",
                 condition, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err and not out.exists()
