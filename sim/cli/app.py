"""``escalation app``: the interactive page (a Mesa SolaraViz app), served locally."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys

from sim.cli.common import EXIT_INVALID, EXIT_OK, add_roots, load_or_report, positive_int

__all__ = ["add"]

#: What the page needs beyond the package (the ``app`` extra).
NEEDS = ("solara", "mesa.visualization")


def add(sub) -> None:
    """Declare the command's options on the subcommand parsers ``sub``."""
    a = sub.add_parser(
        "app", help="serve the interactive page (sliders, outcomes, one trial)",
        description="Serve the interactive page on this machine (no network needed): a "
        "slider for each judgement call the scenario declares, the outcome shares of "
        "5,000 trials recomputed after every change (with the share of trials with any "
        "use of force, and a switch to compare with the scenario as written), and one "
        "trial played round by round with its story. Open the address it prints in a "
        "browser; Ctrl-C stops it. Needs the app extra: pip install 'escalation-sim[app]'.",
        epilog="example: escalation app iran_2026/baseline --port 8765")
    a.add_argument("scenario", nargs="?", default="iran_2026/baseline.yaml",
                   help="scenario file or shipped name (default: iran_2026/baseline.yaml)")
    a.add_argument("--port", type=positive_int, default=8765, help="port (default 8765)")
    a.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    a.add_argument("--trials", type=positive_int, default=5_000,
                   help="trials behind the outcome bars (default 5,000)")
    add_roots(a)
    a.set_defaults(func=command)


def command(args) -> int:
    missing = [m for m in NEEDS if not _importable(m)]
    if missing:
        print("escalation app: the page needs Solara (Mesa's visualisation); install the "
              "app extra: pip install 'escalation-sim[app]' (from a clone: pip install -e "
              "'.[app]')", file=sys.stderr)
        return EXIT_INVALID
    if load_or_report(args.scenario, args.roots) is None:
        return EXIT_INVALID
    env = {**os.environ, "ESCALATION_APP_SCENARIO": os.path.abspath(args.scenario),
           "ESCALATION_APP_TRIALS": str(args.trials),
           "ESCALATION_APP_ROOTS": os.pathsep.join(os.path.abspath(r) for r in args.roots),
           "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
           # Solara's "This website runs on Solara" banner covers the page's last lines
           "SOLARA_THEME_SHOW_BANNER": "False"}
    print(f"escalation app: serving {args.scenario} at http://{args.host}:{args.port} "
          "(Ctrl-C stops it)", file=sys.stderr, flush=True)
    from sim.runs.executor import die_with_parent

    # The server ends with this command: on Ctrl-C, on a plain kill (SIGTERM), and even
    # on kill -9 (the kernel ends it when its parent dies, on Linux).
    server = subprocess.Popen(
        [sys.executable, "-m", "solara", "run", "sim.app.page", "--host", args.host,
         "--port", str(args.port), "--production", "--no-check-version"], env=env,
        preexec_fn=die_with_parent)
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        return EXIT_OK if server.wait() == 0 else EXIT_INVALID
    except KeyboardInterrupt:
        server.terminate()
        server.wait(timeout=10)
        raise


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False
