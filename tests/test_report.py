"""The HTML report: built from a run directory, self-contained, opened in a real
headless Chromium (Playwright driving the system browser): every figure loads, no
console errors, and the headline numbers on the page are the run's summary."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from sim import load_scenario, run
from sim.cli import main
from tests.files import BASELINE, SCENARIOS

CARRIER = SCENARIOS / "iran_2026" / "second_carrier.yaml"

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists(
    "/usr/bin/chromium") else None)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A small baseline run and its report (4 judgement points of 200 trials)."""
    root = tmp_path_factory.mktemp("report")
    out = root / "run"
    assert main(["run", str(BASELINE), "--trials", "1500", "--seed", "3", "--chunk-size",
                 "500", "--workers", "1", "--out", str(out), "--quiet"]) == 0
    assert main(["report", str(out), "--judgement-points", "4", "--judgement-trials", "200",
                 "--workers", "1", "--compare", str(CARRIER), "--compare-trials", "400"]) == 0
    return out, (out / "report.html").read_text(encoding="utf-8")


def test_the_report_is_self_contained(report):
    _, page = report
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page  # no network, no scripts
    assert "<script" not in page
    assert page.count('src="data:image/png;base64,') >= 3


def test_the_report_states_force_judgement_ranges_base_rates_and_the_command(report):
    out, page = report
    for text in ("Any use of force", "range over the judgement calls", "Latin hypercube of 4",
                 "Compared with another scenario", "400 paired trials",
                 "16.7% of international crises after 1945", "PRIM box",
                 "escalation run", str(json.loads((out / "manifest.json").read_text())
                                       ["scenario_sha256"])):
        assert text in page, text


def test_a_directory_that_is_not_a_run_is_refused_with_exit_2(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["report", str(tmp_path)]) == 2
    assert "not a results directory" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_run_in_memory_writes_the_same_kind_of_report(tmp_path):
    result = run(load_scenario(BASELINE), trials=500, seed=2, chunk_size=250)
    path = result.report(tmp_path / "r.html", uncertainty_points=0, drivers=False)
    page = path.read_text(encoding="utf-8")
    share = result.summary()["outcomes"][0]["share"]
    assert f"{100 * share:.1f}%" in page and "Any use of force" in page


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("ESCALATION_BROWSER_REQUIRED"),
                    reason="no Chromium (Debian: apt-get install chromium; `make test` does)")
def test_the_report_in_a_real_browser(report):
    assert CHROMIUM, "ESCALATION_BROWSER_REQUIRED is set but Chromium is not installed"
    from playwright.sync_api import sync_playwright

    out, _ = report
    summary = json.loads((out / "summary.json").read_text())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto((out / "report.html").as_uri())
            page.wait_for_load_state("load")
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.complete, e.naturalWidth])")
            rows = page.eval_on_selector_all(
                "#headline tbody tr", "rs => rs.map(r => [...r.cells].map(c => c.innerText))")
        finally:
            browser.close()
    assert errors == []
    assert len(images) >= 3 and all(done and width > 0 for done, width in images)
    shown = {r[0]: r for r in rows}
    for o in summary["outcomes"]:
        row = shown[o["label"]]
        assert row[1] == f"{100 * o['share']:.1f}%"
        assert row[2] == f"{100 * o['ci_low']:.1f}% to {100 * o['ci_high']:.1f}%"


def test_a_run_shows_its_outcome_table_in_a_notebook():
    result = run(load_scenario(BASELINE), trials=300, seed=4, chunk_size=150)
    page = result._repr_html_()
    for o in result.summary()["outcomes"]:
        assert f"<td>{o['label']}</td><td>{o['share']:.1%}</td>" in page
