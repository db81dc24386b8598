"""How long ``escalation app`` takes to answer a judgement slider (5,000 trials a move).

Run from the project root, with the app extra installed (see benchmarks/README.md)::

    .venv/bin/python benchmarks/bench_app.py            # about 2 minutes on 2 cores
    .venv/bin/python benchmarks/bench_app.py --quick    # two sliders, checks the script

For every judgement slider of the February 2026 baseline, moved to the top of its range
and back to the bottom:

- **(a) in a browser**: with Chromium (Debian: ``apt-get install chromium``) and
  Playwright, the time from the key press that moves the slider to the outcome card
  naming the new values, with ``escalation app`` serving the page on this machine.
  This is what a student waits for; it includes the page's re-render and the
  websocket round trip. Skipped without Chromium.
- **(b) in the process**: the time the page's own functions take to compute the move's
  outcomes (``sim.app.page.variant`` and ``outcomes``: apply the shift, compile, run
  5,000 trials), in one process that has computed the scenario as written first, as
  the page does when it loads.

Prints a plain-text table, then one line of JSON with every figure (the last line).
This is a script, not a test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench_run import machine

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium"
                                        if os.path.exists("/usr/bin/chromium") else None)
ENDS = (("End", 1), ("Home", 0))  # key, end of the declared range it moves to


def in_process(names: list[str]) -> list[dict]:
    """(b): each move's compute time in the page's functions."""
    t = time.perf_counter()
    import sim.app.page as page  # loads the baseline (ESCALATION_APP_SCENARIO unset)

    load = time.perf_counter() - t
    t = time.perf_counter()
    page.outcomes(())
    rows = [{"judgement": "(page load: import, then the scenario as written)",
             "seconds": load + time.perf_counter() - t}]
    for name in names:
        grid = page.slider_grid(*page.JUDGEMENTS[name].shift, integer=page.whole(name))
        for key_name, end in ENDS:
            key = page._key({name: float(grid[end])})
            t = time.perf_counter()
            page.outcomes(key)  # compiles the variant (page.variant) on its way
            rows.append({"judgement": name, "key": key_name, "shift": grid[end],
                         "seconds": time.perf_counter() - t})
    return rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_browser(names: list[str]) -> list[dict]:
    """(a): key press to the outcome card naming the new values, in Chromium."""
    from playwright.sync_api import sync_playwright

    from sim.app.page import JUDGEMENTS, _key, computed_for, slider_grid, whole

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "sim", "app", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    url = f"http://127.0.0.1:{port}/"
    rows = []
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            t = time.monotonic()
            page.goto(url)
            page.wait_for_selector("text=any use of force", timeout=120_000)
            rows.append({"judgement": "(page load)", "seconds": time.monotonic() - t})
            shifts = {}  # each slider stays at its bottom end after its two moves
            for name in names:
                label = JUDGEMENTS[name].label
                grid = slider_grid(*JUDGEMENTS[name].shift, integer=whole(name))
                for key_name, end in ENDS:
                    shift = shifts[name] = float(grid[end])
                    shown = "computed for " + computed_for(_key(shifts))
                    thumb = page.locator(f"text={label}").locator(
                        "xpath=following::*[@role='slider'][1]")
                    thumb.focus()
                    t = time.monotonic()
                    page.keyboard.press(key_name)
                    page.wait_for_selector(f"text={shown}", timeout=60_000)
                    rows.append({"judgement": name, "key": key_name, "shift": shift,
                                 "seconds": time.monotonic() - t})
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def _print(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    for r in rows:
        what = r["judgement"] if "key" not in r else f"{r['judgement']} to {r['shift']:+g}"
        print(f"  {what:<58} {r['seconds']:6.2f} s")
    moves = [r["seconds"] for r in rows if "key" in r]
    if moves:
        print(f"  {'moves: median, slowest':<58} {statistics.median(moves):6.2f} s"
              f" {max(moves):6.2f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="two sliders, to check the script")
    args = ap.parse_args(argv)
    from sim.scenario.library import shipped
    from sim.scenario.loader import load_scenario

    names = list(load_scenario(shipped("iran_2026/baseline.yaml")).judgements)
    names = names[:2] if args.quick else names
    info = machine()
    print(f"escalation-sim app benchmark{' (--quick)' if args.quick else ''}: "
          f"{info['cpus']} CPUs ({info['cpu']}), python {info['python']}, mesa "
          f"{info['mesa']}, numpy {info['numpy']}; 5,000 trials a move, seed 7")
    results: dict = {"machine": info, "quick": args.quick}
    # The browser first, while this process is idle (the server is a process of its own).
    if CHROMIUM:
        results["browser"] = in_browser(names)
        _print("(a) key press to the recomputed outcomes, in Chromium", results["browser"])
    else:
        print("\n(a) skipped: no Chromium (Debian: apt-get install chromium)")
    results["in_process"] = in_process(names)
    _print("(b) the page's computation of each move, in the process", results["in_process"])
    print("\n" + json.dumps(results, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
