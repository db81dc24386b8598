"""The interactive page (``escalation app``), served for real and driven in a headless
Chromium through Playwright: its numbers are the library's, a slider recomputes them,
the stepper tells a trial round by round, nothing is fetched from the network and the
browser logs no error."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlparse

import pytest

from sim import load_scenario, run
from sim.cli import main
from tests.files import BASELINE

pytest.importorskip("solara")

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists(
    "/usr/bin/chromium") else None)
TRIALS = 2_000
SEED = 7  # the page's seed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """``escalation app`` on the baseline, on a free port, until the module ends."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "app", str(BASELINE), "--port", str(port),
         "--trials", str(TRIALS)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out = proc.stdout.read().decode(errors="replace")
            pytest.fail(f"escalation app did not start:\n{out}")
        time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _table(page) -> dict[str, list[str]]:
    """The outcome table's rows by their first cell."""
    rows = page.eval_on_selector_all(
        "table tr", "rs => rs.map(r => [...r.cells].map(c => c.innerText.trim()))")
    return {r[0].strip("*"): r[1:] for r in rows if len(r) >= 2}


def _wait_for(page, check, what: str, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        page.wait_for_timeout(250)
    pytest.fail(f"the page never showed {what}")


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("ESCALATION_BROWSER_REQUIRED"),
                    reason="no Chromium (Debian: apt-get install chromium; `make test` does)")
def test_the_app_in_a_real_browser(server):
    assert CHROMIUM, "ESCALATION_BROWSER_REQUIRED is set but Chromium is not installed"
    from playwright.sync_api import sync_playwright

    from sim.app.page import slider_grid
    from sim.scenario.parameters import with_judgements

    baseline = load_scenario(BASELINE)
    as_written = run(baseline, trials=TRIALS, seed=SEED).summary()["outcomes"]
    war_costs = baseline.judgements["war_costs"]
    highest = slider_grid(*war_costs.shift)[1]
    moved = run(with_judgements(baseline, {"war_costs": highest}), trials=TRIALS,
                seed=SEED).summary()["outcomes"]
    errors, outside = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            def offline(route):
                if urlparse(route.request.url).hostname not in ("127.0.0.1", "localhost"):
                    outside.append(route.request.url)
                    return route.abort()
                return route.continue_()

            page.route("**/*", offline)
            page.goto(server)
            page.wait_for_selector("text=any use of force", timeout=120_000)
            assert "computed for the judgements as written" in page.inner_text("body")
            table = _table(page)
            for o in as_written:  # the library's numbers, as the page shows them
                assert table[o["label"]][0] == f"{o['share']:.1%}"
                assert table[o["label"]][1] == f"{o['ci_low']:.1%} to {o['ci_high']:.1%}"

            # Move the war-cost slider to its top: the table is recomputed for it.
            thumb = page.locator(f"text={war_costs.label}").locator(
                "xpath=following::*[@role='slider'][1]")
            thumb.focus()
            page.keyboard.press("End")
            war = moved[0]
            _wait_for(page, lambda: _table(page).get(war["label"], [""])[0]
                      == f"{war['share']:.1%}", f"{war['label']} at {war['share']:.1%}")
            body = page.inner_text("body")
            assert f"{war_costs.label}: {highest:+.3g}" in body
            assert f"computed for {war_costs.label} {highest:+.3g}" in body
            # Under the slider: the numbers it sets, as written and as set.
            assert "United States war cost 0.4-0.8 (now 0.6-1)" in body
            force = _table(page)["any use of force"]
            assert re.fullmatch(r"\d+\.\d% to \d+\.\d%", force[1]), force
            assert "How to use this page" in body

            # Step the trial: its story grows round by round.
            for _ in range(3):
                page.get_by_role("button", name="Step").click()
                page.wait_for_timeout(300)
            story = _wait_for(page, lambda: re.search(r"Round 3, at rung",
                                                      page.inner_text("body")), "round 3")
            assert story and "Round 1, at rung" in page.inner_text("body")

            # Another browser session has its own trial, not the one stepped here.
            other = browser.new_page(viewport={"width": 1400, "height": 1000})
            other.route("**/*", offline)
            other.goto(server)
            other.wait_for_selector("text=any use of force", timeout=120_000)
            assert "press Step to play round 1" in other.inner_text("body")
            assert "Round 1, at rung" not in other.inner_text("body")
            other.close()

            # Compare with the scenario as written: a second column of shares.
            page.get_by_text("Compare with the scenario as written").click()
            _wait_for(page, lambda: "as written" in _table(page).get("outcome", []),
                      "the comparison column")
            row = _table(page)[as_written[0]["label"]]
            assert row[2] == f"{as_written[0]['share']:.1%}"

            # One button puts every slider back: the outcomes are the file's again.
            page.get_by_role("button", name="Put every judgement back as written").click()
            _wait_for(page, lambda: "computed for the judgements as written"
                      in page.inner_text("body"), "the judgements as written")
            assert _table(page)[as_written[0]["label"]][0] == f"{as_written[0]['share']:.1%}"
        finally:
            browser.close()
    assert errors == []
    assert outside == []


@pytest.mark.parametrize(("shift", "integer", "grid"), [
    ((-0.2, 0.2), False, (-0.2, 0.2, 0.02)),
    ((-0.03, 0.08), False, (-0.03, 0.08, 0.0025)),  # 12 steps below 0 reach +0.08
    ((-15, 30), False, (-15, 30, 1.5)),
    ((-0.03, 0.0807), False, (-0.03, 0.078, 0.003)),  # no fit: 10 steps, stops short
    ((-4, 8), True, (-4, 8, 1)),  # weeks: whole steps
    ((0.0, 0.5), False, (0.0, 0.5, 0.025)),  # 0 at an end: 20 steps
])
def test_a_slider_has_0_on_its_grid_and_reaches_the_declared_ends(shift, integer, grid):
    from sim.app.page import slider_grid

    assert slider_grid(*shift, integer=integer) == pytest.approx(grid)


def test_the_app_refuses_a_bad_scenario(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    assert main(["app", str(bad)]) == 2
    assert "bad.yaml" in capsys.readouterr().err


def test_without_the_app_extra_the_message_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setattr("sim.cli.app._importable", lambda module: False)
    assert main(["app"]) == 2
    assert "pip install 'escalation-sim[app]'" in capsys.readouterr().err


def test_stopping_the_command_stops_the_server():
    """A plain kill of `escalation app` (what a test fixture or a process manager sends)
    ends the Solara server it started, instead of leaving it serving."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sim", "app", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("escalation app did not start")
    proc.terminate()
    proc.wait(timeout=30)
    time.sleep(1)
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=5)
