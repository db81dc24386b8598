"""Sweep benchmarks: local pool scaling, and a full Sobol analysis's time and memory.

Prints figures; asserts nothing (speed depends on the machine and on what else runs).

    python benchmarks/bench_sweep.py            # (a) and (b): about 5 minutes on 2 cores
    python benchmarks/bench_sweep.py --quick    # small numbers, checks the script works

(a) A grid of 64 points x 2,000 trials on the baseline, on 1 worker and on 2.
(b) Sobol sensitivity of 6 baseline parameters with 256 base samples (Saltelli:
    256 x (6 + 2) = 2,048 points) x 1,000 trials, run in a fresh process so its peak
    memory is its own; wall time and peak RSS of the process and its workers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "iran_2026" / "baseline.yaml"

SOBOL_VARY = [
    "actors.iran.resolve.high=0.06:0.3",
    "actors.us.war_cost.low=0.3:0.6",
    "actors.israel.war_cost.low=0.3:0.6",
    "incidents.rate=0:0.2",
    "ladder.rungs.5.breakdown_risk=0:0.03",
    "stocks.iran_missiles.growth.mode=5:25",
]


def grid_scaling(points: int, trials: int) -> dict:
    from sim import load_scenario, sweep

    scenario = load_scenario(BASELINE)
    out = {}
    frames = {}
    for workers in (1, 2):
        t0 = time.perf_counter()
        s = sweep(scenario, {"incidents.rate": (0.0, 0.2)}, sampler="grid", points=points,
                  trials=trials, seed=1, workers=workers)
        out[f"workers_{workers}_seconds"] = time.perf_counter() - t0
        frames[workers] = s.frame
    out["speedup"] = out["workers_1_seconds"] / out["workers_2_seconds"]
    out["identical"] = bool(frames[1].equals(frames[2]))
    out["points"], out["trials_per_point"] = points, trials
    return out


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        own = int(status.split("VmRSS:")[1].split()[0]) / 1024
    except (OSError, IndexError, ValueError):
        return 0.0
    ps = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                        text=True).stdout.split()
    return own + sum(_tree_rss_mb(int(child)) for child in ps)


def sobol_run(base: int, trials: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "sim.cli", "sweep", str(BASELINE), "--sampler", "sobol",
               "--points", str(base), "--trials", str(trials), "--seed", "1", "--quiet",
               "--workers", "2", "--out", str(Path(tmp) / "sobol")]
        for v in SOBOL_VARY:
            cmd += ["--vary", v]
        peak = [0.0]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
                time.sleep(0.5)

        threading.Thread(target=sample, daemon=True).start()
        code = proc.wait()
        stop.set()
        seconds = time.perf_counter() - t0
        points = len(list((Path(tmp) / "sobol" / "points").glob("point-*.json")))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"exit": code, "seconds": seconds, "points": points, "trials_per_point": trials,
            "base_samples": base, "parameters": len(SOBOL_VARY),
            "peak_tree_rss_mb_sampled": peak[0], "largest_process_maxrss_mb": children}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    os.chdir(ROOT)
    print(f"escalation-sim sweep benchmark; python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")
    grid = grid_scaling(8 if args.quick else 64, 200 if args.quick else 2_000)
    print(f"(a) grid, {grid['points']} points x {grid['trials_per_point']:,} trials")
    print(f"    1 worker  {grid['workers_1_seconds']:8.1f} s")
    print(f"    2 workers {grid['workers_2_seconds']:8.1f} s   speed-up {grid['speedup']:.2f}x"
          f"   identical results: {grid['identical']}")
    sobol = sobol_run(8 if args.quick else 256, 100 if args.quick else 1_000)
    print(f"(b) Sobol, {sobol['parameters']} parameters, {sobol['base_samples']} base samples "
          f"= {sobol['points']:,} points x {sobol['trials_per_point']:,} trials, 2 workers")
    print(f"    wall time {sobol['seconds']:8.1f} s ({sobol['seconds'] / 60:.1f} min), exit "
          f"{sobol['exit']}")
    print(f"    peak memory, all processes (sampled) {sobol['peak_tree_rss_mb_sampled']:,.0f} MB;"
          f" largest single process {sobol['largest_process_maxrss_mb']:,.0f} MB")
    print(json.dumps({"grid": grid, "sobol": sobol}))


if __name__ == "__main__":
    main()
