"""How fast the engine runs, why trials are batched into chunks, and how much memory it uses.

Run from the project root (see benchmarks/README.md)::

    .venv/bin/python benchmarks/bench_run.py            # full: about 5 minutes on 2 cores
    .venv/bin/python benchmarks/bench_run.py --quick    # small numbers, under a minute
    .venv/bin/python benchmarks/bench_run.py --skip-million

Prints a plain-text table, then one line of JSON with every figure (the last line).
This is a script, not a test: the figures depend on the machine.
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

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "iran_2026" / "baseline.yaml"
SEED = 7
CHUNK = 5_000


def _maxrss_mb(who: int) -> float:
    """Peak resident set size in MB (Linux reports KB, macOS bytes)."""
    rss = resource.getrusage(who).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024


def _vmhwm_mb() -> float | None:
    """Peak RSS of this process image from /proc (Linux); unlike ru_maxrss it does not
    inherit the RSS of the process that forked us."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _compiled():
    from sim.engine.compile import compile_scenario
    from sim.scenario.loader import load_scenario

    return compile_scenario(load_scenario(BASELINE))


def _without(*parts: str):
    """The baseline compiled without some of the engine parts it uses, to show their
    cost: ``commitments`` (deadline and retaliation lines, re-arming), ``coalitions``
    (joint moves), ``drawn_breakdown`` (breakdown risks fixed at their means)."""
    from sim.engine.compile import compile_scenario
    from sim.scenario.loader import load_scenario, scenario_from_dict

    data = load_scenario(BASELINE).model_dump(mode="json", exclude_none=True)
    data.pop("judgements", None)  # they name numbers some of these remove
    if "commitments" in parts:
        data["red_lines"] = {k: dict(v, repeat=False) for k, v in data["red_lines"].items()
                             if v["kind"] not in ("deadline", "struck")}
    if "coalitions" in parts:
        for actor in data["actors"].values():
            actor["moves"] = [m for m in actor.get("moves", []) if not m.get("joint_with")]
    if "drawn_breakdown" in parts:
        for rung in data["ladder"]["rungs"]:
            risk = rung.get("breakdown_risk")
            if isinstance(risk, dict):
                rung["breakdown_risk"] = (risk["low"] + risk["high"]) / 2
    return compile_scenario(scenario_from_dict(data))


def report_timing(trials: int) -> dict:
    """Wall time of the HTML report of a run of ``trials`` trials (default options), of
    its judgement design alone, and of one PRIM box."""
    from sim.analysis.drivers import prim_box
    from sim.analysis.report import build_report, inputs_from_dir
    from sim.analysis.uncertainty import judgement_ranges
    from sim.runs.runner import run
    from sim.scenario.loader import load_scenario

    scenario = load_scenario(BASELINE)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        run(scenario, trials=trials, seed=SEED, workers=None, out=out)
        inputs = inputs_from_dir(out)
        t0 = time.perf_counter()
        build_report(inputs, workers=None)
        total = time.perf_counter() - t0
    t0 = time.perf_counter()
    judgement_ranges(scenario, seed=SEED, workers=None)
    design = time.perf_counter() - t0
    t0 = time.perf_counter()
    prim_box(inputs.trials, (inputs.trials["ended_by"] == "war").to_numpy())
    prim = time.perf_counter() - t0
    return {"trials": trials, "points": 16, "point_trials": 2000, "seconds": total,
            "judgement_seconds": design, "prim_seconds": prim}


def throughput(cs, trials: int, workers: int, repeats: int) -> dict:
    """Best-of-``repeats`` wall time of ``run`` on the baseline (results kept in memory)."""
    from sim.runs.runner import run

    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run(cs, trials=trials, seed=SEED, workers=workers, chunk_size=CHUNK)
        times.append(time.perf_counter() - t0)
    best = min(times)
    return {"trials": trials, "workers": workers, "repeats": repeats,
            "seconds_best": best, "seconds_all": times, "trials_per_s": trials / best}


def bare_mesa_models(n: int) -> dict:
    """Rate of constructing empty ``mesa.Model`` objects (the floor for one model per trial)."""
    import mesa
    import numpy as np

    seeds = [np.random.SeedSequence(SEED, spawn_key=(k,)) for k in range(n)]
    t0 = time.perf_counter()
    for s in seeds:
        mesa.Model(rng=s)
    dt = time.perf_counter() - t0
    return {"models": n, "seconds": dt, "models_per_s": n / dt}


def one_model_per_trial(cs, n: int) -> dict:
    """Rate of constructing and running one ``CrisisModel`` per trial (chunk size 1)."""
    from sim.engine.model import CrisisModel
    from sim.runs.chunks import chunk_seed

    t0 = time.perf_counter()
    for k in range(n):
        CrisisModel(cs, 1, rng=chunk_seed(SEED, k)).run_model()
    dt = time.perf_counter() - t0
    return {"trials": n, "seconds": dt, "trials_per_s": n / dt}


class TreeRssSampler(threading.Thread):
    """Peak of the summed RSS of this process and all its descendants (Linux /proc, sampled).

    ``ru_maxrss`` gives each process's own peak; this gives the memory the whole run
    held at once. Sampling every ``interval`` seconds can miss a peak shorter than that.
    """

    child_hwm_mb = 0.0  # largest VmHWM seen in any descendant (its own peak, sampled)

    def __init__(self, interval: float = 0.2):
        super().__init__(daemon=True)
        self.interval, self.peak_mb, self.max_processes = interval, 0.0, 0
        self._halt = threading.Event()

    @staticmethod
    def _tree_rss_kb() -> tuple[int, int]:
        parent: dict[int, int] = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    stat = Path(f"/proc/{d}/stat").read_text()
                    parent[int(d)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        tree, frontier = {os.getpid()}, [os.getpid()]
        while frontier:
            kids = [p for p, pp in parent.items() if pp in frontier and p not in tree]
            tree.update(kids)
            frontier = kids
        total = 0
        for pid in tree:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                    elif line.startswith("VmHWM:") and pid != os.getpid():
                        hwm = int(line.split()[1]) / 1024
                        TreeRssSampler.child_hwm_mb = max(TreeRssSampler.child_hwm_mb, hwm)
            except (OSError, ValueError, IndexError):
                continue
        return total, len(tree)

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                kb, n = self._tree_rss_kb()
            except OSError:
                return
            self.peak_mb = max(self.peak_mb, kb / 1024)
            self.max_processes = max(self.max_processes, n)
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _stop_forkserver() -> None:
    """Stop and reap multiprocessing's fork server, so RUSAGE_CHILDREN covers its workers.

    Workers started through a fork server are its children, not ours; the server reaps
    them, and once we reap the server, getrusage(RUSAGE_CHILDREN) includes their peak.
    Uses a private hook of the standard library (the one its own tests use).
    """
    try:
        from multiprocessing import forkserver

        forkserver._forkserver._stop()
    except Exception:  # best effort: the figure then covers the parent's own children only
        pass


def big_run_child(trials: int, workers: int) -> None:
    """Entry point of the fresh subprocess: one streamed run to a temporary directory."""
    from sim.runs.runner import run

    cs = _compiled()
    sampler = TreeRssSampler() if sys.platform.startswith("linux") else None
    if sampler:
        sampler.start()
    with tempfile.TemporaryDirectory(prefix="bench_") as tmp:
        out = Path(tmp) / "results"
        t0 = time.perf_counter()
        run(cs, trials=trials, seed=SEED, workers=workers, chunk_size=CHUNK, out=out)
        dt = time.perf_counter() - t0
        parquet_mb = (out / "trials.parquet").stat().st_size / 2**20
    if sampler:
        sampler.stop()
    _stop_forkserver()
    print(json.dumps({
        "trials": trials, "workers": workers, "seconds": dt, "trials_per_s": trials / dt,
        "parent_maxrss_mb": _maxrss_mb(resource.RUSAGE_SELF),
        "parent_vmhwm_mb": _vmhwm_mb(),
        "workers_vmhwm_mb": TreeRssSampler.child_hwm_mb if sampler else None,
        # Largest worker process, fork server included (0 when the run used none).
        "workers_maxrss_mb": _maxrss_mb(resource.RUSAGE_CHILDREN),
        "tree_peak_rss_mb": sampler.peak_mb if sampler else None,
        "tree_max_processes": sampler.max_processes if sampler else None,
        "trials_parquet_mb": parquet_mb,
    }))


def big_run(trials: int, workers: int) -> dict:
    """Run :func:`big_run_child` in a fresh interpreter so earlier work does not count."""
    cmd = [sys.executable, __file__, "--child-big-run", str(trials), str(workers)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_seconds"] = wall  # including interpreter start-up and imports
    return out


def machine() -> dict:
    from importlib import metadata

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"python": platform.python_version(), "mesa": metadata.version("mesa"),
            "numpy": metadata.version("numpy"), "cpus": os.cpu_count(), "cpu": cpu,
            "platform": platform.platform()}


def _row(label: str, value: str, note: str = "") -> str:
    return f"{label:<46} {value:>14}  {note}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small numbers, to check the script")
    ap.add_argument("--skip-million", action="store_true",
                    help="skip the 1,000,000-trial memory measurement")
    ap.add_argument("--child-big-run", nargs=2, type=int, metavar=("TRIALS", "WORKERS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child_big_run:
        big_run_child(*args.child_big_run)
        return 0

    quick = args.quick
    n_run = 10_000 if quick else 100_000
    repeats = 1 if quick else 2
    n_bare = 2_000 if quick else 20_000
    n_single = 50 if quick else 300
    n_big = 50_000 if quick else 1_000_000

    info = machine()
    print(f"escalation-sim benchmark{' (--quick)' if quick else ''}: "
          f"{BASELINE.relative_to(ROOT)}, seed {SEED}, chunk size {CHUNK:,}")
    print(f"python {info['python']}, mesa {info['mesa']}, numpy {info['numpy']}, "
          f"{info['cpus']} CPUs ({info['cpu']})\n", flush=True)

    # (c) runs first, while this process is still small: on Linux a child's ru_maxrss
    # starts at the RSS of the process that forked it, so a big parent would inflate it.
    big = {} if args.skip_million else {f"workers_{w}": big_run(n_big, w) for w in (1, 2)}

    cs = _compiled()
    results: dict = {"machine": info, "quick": quick, "scenario": str(BASELINE.relative_to(ROOT)),
                     "seed": SEED, "chunk_size": CHUNK}
    # Warm-up: imports, first-call costs, page cache.
    throughput(cs, min(CHUNK, n_run), 1, 1)

    one = throughput(cs, n_run, 1, repeats)
    two = throughput(cs, n_run, 2, repeats)
    results["throughput"] = {"workers_1": one, "workers_2": two,
                             "speedup_2_vs_1": two["trials_per_s"] / one["trials_per_s"]}
    bare = bare_mesa_models(n_bare)
    single = one_model_per_trial(cs, n_single)
    results["one_model_per_trial"] = {
        "bare_mesa_model": bare, "crisis_model_chunk_size_1": single,
        "chunking_gain": one["trials_per_s"] / single["trials_per_s"],
    }

    rows = [
        "(a) throughput, baseline scenario "
        f"({n_run:,} trials, chunk size {CHUNK:,}, best of {repeats})",
        _row("  1 worker", f"{one['trials_per_s']:,.0f} /s", f"{one['seconds_best']:.2f} s"),
        _row("  2 workers", f"{two['trials_per_s']:,.0f} /s", f"{two['seconds_best']:.2f} s"),
        _row("  speed-up, 2 workers vs 1", f"{results['throughput']['speedup_2_vs_1']:.2f} x"),
        "",
        "(b) why chunks: one Mesa model per trial",
        _row(f"  bare mesa.Model() construction ({n_bare:,})", f"{bare['models_per_s']:,.0f} /s",
             f"{1e3 * bare['seconds'] / n_bare:.3f} ms per model"),
        _row(f"  CrisisModel per trial, chunk size 1 ({n_single:,})",
             f"{single['trials_per_s']:,.0f} /s",
             f"{1e3 * single['seconds'] / n_single:.2f} ms per trial"),
        _row("  chunk size 5,000 vs 1 (1 worker)",
             f"{results['one_model_per_trial']['chunking_gain']:,.0f} x"),
    ]
    print("\n".join(rows), flush=True)

    parts = {"without deadline and retaliation lines": ("commitments",),
             "without coalition moves": ("coalitions",),
             "breakdown risks fixed at their means": ("drawn_breakdown",),
             "without all three": ("commitments", "coalitions", "drawn_breakdown")}
    cost = {label: throughput(_without(*p), n_run, 1, repeats) for label, p in parts.items()}
    results["engine_parts"] = cost
    rows = ["", f"(d) what the engine parts the baseline uses cost ({n_run:,} trials, 1 worker)",
            _row("  baseline, as shipped", f"{one['trials_per_s']:,.0f} /s")]
    rows += [_row(f"  {label}", f"{c['trials_per_s']:,.0f} /s",
                  f"the baseline takes {c['trials_per_s'] / one['trials_per_s']:.2f}x as long")
             for label, c in cost.items()]
    print("\n".join(rows), flush=True)

    rep = report_timing(n_run)
    results["report"] = rep
    print("\n".join([
        "", f"(e) escalation report of a {n_run:,}-trial run (default judgement design: "
        f"{rep['points']} points x {rep['point_trials']:,} trials, all cores)",
        _row("  whole report", f"{rep['seconds']:.1f} s"),
        _row("  of which the judgement design", f"{rep['judgement_seconds']:.1f} s"),
        _row("  PRIM box for war (first 20,000 trials)", f"{rep['prim_seconds']:.1f} s"),
    ]), flush=True)

    from sim.engine.compile import compile_scenario
    from sim.scenario.loader import load_scenario

    standoffs = {}
    for name in ("v7_chicken", "v6_attrition"):
        scs = compile_scenario(load_scenario(ROOT / "scenarios" / "validation" / f"{name}.yaml"))
        throughput(scs, min(CHUNK, n_run), 1, 1)  # warm-up: first solves, page cache
        standoffs[name] = throughput(scs, n_run, 1, repeats)
    results["standoffs"] = standoffs
    print("\n".join([
        "", f"(f) standoffs: the logit equilibrium of each round ({n_run:,} trials, 1 worker)",
        _row("  V7 chicken (one round)", f"{standoffs['v7_chicken']['trials_per_s']:,.0f} /s"),
        _row("  V6 war of attrition (150-round horizon)",
             f"{standoffs['v6_attrition']['trials_per_s']:,.0f} /s",
             "about 10 rounds a trial"),
    ]), flush=True)

    from sim.engine.compellence import _solve, threat_game

    threats = {}
    for name in ("v4_audience_costs", "v5_brinkmanship"):
        tcs = compile_scenario(load_scenario(ROOT / "scenarios" / "validation" / f"{name}.yaml"))
        game = threat_game(tcs)
        _solve.cache_clear()
        start = time.perf_counter()
        _solve(game)
        solve = time.perf_counter() - start
        throughput(tcs, min(CHUNK, n_run), 1, 1)  # warm-up: page cache
        threats[name] = {**throughput(tcs, n_run, 1, repeats), "solve_seconds": solve}
    results["compellence"] = threats
    print("\n".join([
        "", f"(g) compellence: the signalling equilibrium, solved once ({n_run:,} trials, "
        "1 worker)",
        _row("  V4 audience costs: solving the equilibrium",
             f"{threats['v4_audience_costs']['solve_seconds']:.2f} s",
             "4,096 nodes of A's resolve, lambda traced to 1000"),
        _row("  V4 audience costs: trials",
             f"{threats['v4_audience_costs']['trials_per_s']:,.0f} /s"),
        _row("  V5 brinkmanship (5 risks): solving",
             f"{threats['v5_brinkmanship']['solve_seconds']:.2f} s"),
        _row("  V5 brinkmanship: trials",
             f"{threats['v5_brinkmanship']['trials_per_s']:,.0f} /s"),
    ]), flush=True)

    if not args.skip_million:
        print(f"\n(c) memory: {n_big:,} trials streamed to Parquet (--out), fresh process each",
              flush=True)
        for w in (1, 2):
            b = big[f"workers_{w}"]
            workers_rss = (f"{b['workers_maxrss_mb']:,.0f} MB" if b["workers_maxrss_mb"] > 0
                           else "none")
            print(_row(f"  {w} worker{'s' if w > 1 else ''}: wall time",
                       f"{b['seconds']:.1f} s",
                       f"{b['trials_per_s']:,.0f} trials/s; {b['process_seconds']:.1f} s "
                       "with start-up"))
            print(_row("    peak RSS, main process", f"{b['parent_maxrss_mb']:,.0f} MB"))
            print(_row("    peak RSS, largest worker process", workers_rss))
            if b.get("parent_vmhwm_mb") is not None:
                vm_workers = b.get("workers_vmhwm_mb") or 0
                print(_row("    same from /proc VmHWM: main / largest child",
                           f"{b['parent_vmhwm_mb']:,.0f} MB",
                           f"/ {vm_workers:,.0f} MB" if vm_workers else "/ none"))
            if b.get("tree_peak_rss_mb") is not None:
                print(_row("    peak RSS, all processes together (sampled)",
                           f"{b['tree_peak_rss_mb']:,.0f} MB",
                           f"up to {b['tree_max_processes']} processes"))
            print(_row("    trials.parquet size", f"{b['trials_parquet_mb']:,.0f} MB"),
                  flush=True)
        results["big_run"] = big

    print("\n" + json.dumps(results, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
