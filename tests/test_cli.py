"""The command line as a user meets it: output, exit status, files, error messages."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from sim.cli import main
from tests.files import BASELINE as BASELINE_PATH
from tests.files import ROOT
from tests.files import TRACE as TRACE_PATH

BASELINE = str(BASELINE_PATH)
TRACE = str(TRACE_PATH)


def test_run_prints_the_summary_table(capsys):
    assert main(["run", BASELINE, "--trials", "300", "--seed", "7", "--workers", "1",
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "95% interval" in out and "MCSE" in out
    assert "Regional war" in out and "peak escalation rung" in out
    assert "red line" in out and "first to escalate" in out
    assert "warning: with 300 trials" in out  # too few for +/-0.02 intervals
    assert "run 2,401 or more trials" in out


def test_run_json_is_machine_readable_and_deterministic(capsys):
    args = ["run", TRACE, "--trials", "300", "--seed", "3", "--format", "json", "--quiet"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)
    assert first == second
    assert abs(sum(o["share"] for o in first["outcomes"]) - 1) < 1e-12
    assert {"ci_low", "ci_high", "mcse", "median_rounds"} <= set(first["outcomes"][0])


def test_run_writes_a_results_directory_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", TRACE, "--trials", "500", "--seed", "1", "--out", str(out),
                 "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json", "outcomes.png", "rounds.parquet", "summary.json", "trials.parquet"]
    trials = pd.read_parquet(out / "trials.parquet")
    assert list(trials.trial) == list(range(500))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["root_seed"] == 1 and manifest["chunk_size"] == 5000
    assert manifest["trials"] == 500 and len(manifest["scenario_sha256"]) == 64
    assert "Deterministic trace crisis" in manifest["scenario_text"]
    assert manifest["versions"]["mesa"].startswith("3.")
    before = (out / "summary.json").read_bytes()
    capsys.readouterr()
    assert main(["run", TRACE, "--trials", "500", "--seed", "2", "--out", str(out),
                 "--quiet"]) == 2
    assert "already exists; choose another --out or pass --overwrite" in capsys.readouterr().err
    assert (out / "summary.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["res"]  # no staging leftovers


def test_run_on_a_bad_file_reports_problems_not_a_traceback(capsys):
    bad = ROOT / "tests/bad_scenarios/unknown_field.yaml"
    assert main(["run", str(bad), "--trials", "10"]) == 2
    err = capsys.readouterr().err
    assert "unknown_field.yaml:" in err and "nothing was run" in err
    assert "Traceback" not in err


def test_bad_options_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["run", BASELINE, "--trials", "0"])
    assert e.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_validate_ok_and_bad(capsys):
    assert main(["validate", BASELINE, TRACE]) == 0
    assert "baseline.yaml: ok" in capsys.readouterr().out
    assert main(["validate", str(ROOT / "tests/bad_scenarios/not_yaml.yaml")]) == 2


def test_explain_tells_the_story(capsys):
    assert main(["explain", TRACE, "--seed", "1", "--trial", "0"]) == 0
    out = capsys.readouterr().out
    assert "Types drawn for this trial" in out
    assert "The mediator proposes: enrichment" in out
    assert "Red rejects: holding out is worth" in out
    assert "blue_stock_line' is crossed and enforced: Blue moves to rung 2" in out
    assert "Outcome: Strikes after 6 round(s)" in out


def test_explain_matches_the_run(tmp_path, capsys):
    """The replayed trial is the trial the run counted, also in a final partial chunk."""
    assert main(["run", BASELINE, "--trials", "450", "--seed", "7", "--chunk-size", "100",
                 "--out", str(tmp_path / "r"), "--quiet"]) == 0
    trials = pd.read_parquet(tmp_path / "r/trials.parquet")
    labels = {o["outcome"]: o["label"] for o in
              json.loads((tmp_path / "r/summary.json").read_text())["outcomes"]}
    for trial in (234, 420, 449):
        row = trials.iloc[trial]
        capsys.readouterr()
        assert main(["explain", "--from", str(tmp_path / "r"), "--trial", str(trial)]) == 0
        from_dir = capsys.readouterr().out
        assert f"Outcome: {labels[row.outcome]} after {row.rounds} round(s)" in from_dir
        assert main(["explain", BASELINE, "--seed", "7", "--trials", "450",
                     "--chunk-size", "100", "--trial", str(trial)]) == 0
        assert capsys.readouterr().out == from_dir
    assert main(["explain", "--from", str(tmp_path / "r"), "--trial", "450"]) == 2
    assert "trial 450 is not in a run of 450 trials" in capsys.readouterr().err


def test_list_and_schema(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the shipped library, whatever the folder
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "iran_2026/baseline.yaml " in out and "validation/v1_risk_return.yaml " in out
    assert main(["list", str(ROOT / "tests" / "fixtures")]) == 0
    assert "minimal.yaml" in capsys.readouterr().out
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_shipped_scenarios_run_by_name_from_anywhere(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "iran_2026/baseline", "--trials", "100", "--quiet"]) == 0
    assert "US, Israel and Iran" in capsys.readouterr().out
    assert main(["run", "iran_2026/nowhere.yaml", "--quiet"]) == 2
    assert "iran_2026/nowhere.yaml: (document): file not found" in capsys.readouterr().err


def test_console_script_runs_without_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "validate", str(ROOT / "tests/bad_scenarios/empty.yaml")],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "empty.yaml" in proc.stderr


def test_misspelt_commands_and_options_get_the_closest_one(capsys):
    for argv, hint in ((["comapre", "a", "b"], "did you mean 'compare'?"),
                       (["run", "x.yaml", "--trails", "10"], "--trails -> --trials")):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        assert hint in capsys.readouterr().err


def test_run_prints_rich_text_when_asked_and_plain_text_into_a_pipe(capsys):
    """--format rich: the same numbers as the plain table, as rich text with bars; the
    default (auto) prints the plain table when the output is not a terminal."""
    from tests.files import VALIDATION

    scenario = str(VALIDATION / "v7_chicken.yaml")
    assert main(["run", scenario, "--trials", "500", "--quiet", "--format", "rich"]) == 0
    rich_out = capsys.readouterr().out
    assert main(["run", scenario, "--trials", "500", "--quiet"]) == 0
    plain = capsys.readouterr().out
    assert "█" in rich_out and "█" not in plain
    assert "95% interval" in rich_out and "[0." in plain
    for line in plain.splitlines()[4:8]:  # each outcome's label, in both
        label = line[:38].strip()
        if label:
            assert label in rich_out
