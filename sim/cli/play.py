"""``escalation play``: play one actor of a scenario in the terminal (role-play)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from sim.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    add_roots,
    load_or_report,
    positive_int,
    scenario_path,
    seed,
)
from sim.runs.chunks import DEFAULT_SEED

__all__ = ["add"]


def add(sub) -> None:
    """Declare the command's options on the subcommand parsers ``sub``."""
    p = sub.add_parser(
        "play", help="play one actor of a scenario, round by round, against the model",
        description="Role-play: you choose one actor's proposals, responses and ladder moves "
        "in one trial; the model plays the others. At the end: the story of the trial, what "
        "the model's own actor did in the same trial, and how often the model's actor "
        "reaches each outcome. --summarise DIR tabulates a class's saved plays.")
    p.add_argument("scenario", nargs="?", help="scenario file (or a shipped scenario's name)")
    p.add_argument("--as", dest="actor", metavar="ACTOR", help="the actor you play (its id)")
    p.add_argument("--seed", type=seed, default=DEFAULT_SEED,
                   help=f"root seed (default {DEFAULT_SEED})")
    p.add_argument("--trial", type=int, default=0,
                   help="which trial's draws to play (default 0; each gives other types)")
    p.add_argument("--out", metavar="FILE", help="save the play (JSON) for the instructor")
    p.add_argument("--model-trials", type=positive_int, default=2_000,
                   help="trials of the model's own distribution shown at the end (2,000)")
    p.add_argument("--summarise", metavar="DIR",
                   help="tabulate the plays saved in DIR (instead of playing)")
    add_roots(p)
    p.set_defaults(func=command)


def command(args) -> int:
    if args.summarise:
        return summarise(Path(args.summarise))
    if not args.scenario or not args.actor:
        print("escalation play: give a scenario and --as ACTOR (or --summarise DIR)",
              file=sys.stderr)
        return EXIT_INVALID
    scenario = load_or_report(scenario_path(args.scenario), args.roots)
    if scenario is None:
        return EXIT_INVALID
    if args.actor not in scenario.actors:
        print(f"escalation play: '{args.actor}' is not an actor of this scenario; valid: "
              f"{', '.join(scenario.actors)}", file=sys.stderr)
        return EXIT_INVALID
    if args.trial < 0:
        print("escalation play: --trial must be 0 or more", file=sys.stderr)
        return EXIT_INVALID
    if args.out and Path(args.out).exists():
        print(f"escalation play: {args.out} exists; choose another file", file=sys.stderr)
        return EXIT_INVALID
    if args.out and (problem := _writable_folder(Path(args.out).parent)):
        print(f"escalation play: cannot save to {args.out}: {problem}", file=sys.stderr)
        return EXIT_INVALID
    from sim.analysis.roleplay import PlayAbandoned

    try:
        record = play(scenario, args.actor, seed=args.seed, trial=args.trial,
                      model_trials=args.model_trials)
    except PlayAbandoned:
        print("\nescalation play: the input ended before the crisis did; nothing was saved",
              file=sys.stderr)
        return EXIT_INVALID
    if args.out:
        from sim.runs.store import atomic_write_text

        text = json.dumps(record, indent=2) + "\n"
        try:
            atomic_write_text(Path(args.out), text)
        except OSError as err:  # the folder went away during the play, the disk is full
            print(text)
            print(f"escalation play: could not save {args.out} ({err.strerror}); the play "
                  "is printed above", file=sys.stderr)
            return EXIT_INVALID
        print(f"\nyour play is saved in {args.out}")
    return EXIT_OK


def _writable_folder(folder: Path) -> str | None:
    """Create ``folder`` if it is missing (a class's shared plays folder); what stops a
    play being saved there, or None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return f"{folder} is a file, not a folder"
    except OSError as err:
        return f"cannot create the folder {folder} ({err.strerror})"
    if not os.access(folder, os.W_OK):
        return f"the folder {folder} is not writable"
    return None


def play(scenario, actor: str, *, seed: int, trial: int, model_trials: int,
         ask=None, say=None) -> dict:
    """Play one trial as ``actor``; returns the record saved with ``--out``. ``ask`` and
    ``say`` default to ``input`` and ``print`` (looked up when called)."""
    import builtins

    ask = ask or (lambda prompt: builtins.input(prompt))
    say = say or (lambda text: builtins.print(text))
    from sim.analysis.narrative import Teller
    from sim.analysis.roleplay import TerminalPlayer, briefing
    from sim.engine.compile import compile_scenario
    from sim.engine.model import CrisisModel
    from sim.engine.script import Script
    from sim.runs.chunks import chunk_seed
    from sim.runs.runner import run

    cs = compile_scenario(scenario)
    index = cs.actors.ids.index(actor)

    def model(player=None):
        return CrisisModel(cs, 1, rng=chunk_seed(seed, trial), trace_row=0, collect=False,
                           script=Script(player=player))

    played = model()
    teller = Teller(played, 0, seed, trial, 1, person=index)
    player = TerminalPlayer(index, cs, teller, ask=ask, say=say)
    played.script = Script(player=player)
    for line in briefing(played, index):
        say(line)
    played.run_model()
    player.catch_up(played)
    outcome = cs.outcome_ids[int(played.outcomes()[0])]
    label = scenario.outcomes[outcome].label
    rounds = int(played.state.rounds[0])
    say(f"\nYour crisis ended: {label} after {rounds} round(s).")

    own = model()  # the same trial with the model playing every actor
    own.run_model()
    own_outcome = scenario.outcomes[cs.outcome_ids[int(own.outcomes()[0])]].label
    say(f"In the same trial, the model's {cs.actor_name(index)} reached: {own_outcome} "
        f"after {int(own.state.rounds[0])} round(s).")
    result = run(scenario, trials=model_trials, seed=seed)
    shares = result.summary()["outcomes"]
    say(f"Across {model_trials:,} trials with the model playing every actor (other draws "
        "of every type), the crisis ends in:")
    for o in shares:
        mark = "   <- yours" if o["outcome"] == outcome else ""
        say(f"  {o['label']:<40}{o['share']:>7.1%}{mark}")
    backing = {}
    if cs.protocol.standoff or cs.protocol.compellence:
        model_rate = float(result.trials[f"backed_down_{actor}"].mean())
        backing = {"backed_down": bool(played.state.backed_down[0, index]),
                   "model_backed_down": model_rate}
        say(f"You {'backed down' if backing['backed_down'] else 'did not back down'}; the "
            f"model's {cs.actor_name(index)} backs down in {model_rate:.1%} of trials.")
    return {"format": "escalation-sim play", "scenario": scenario.name, "title": scenario.title,
            "actor": actor, "seed": seed, "trial": trial, "outcome": outcome, "label": label,
            "rounds": rounds, "peak_rung": int(played.state.peak[0]),
            "model_outcome_same_trial": own_outcome,
            "model_shares": {o["outcome"]: o["share"] for o in shares},
            "outcome_labels": {o["outcome"]: o["label"] for o in shares},
            "choices": player.choices, **backing}


def summarise(folder: Path) -> int:
    """Count a class's saved plays by scenario, actor and outcome, beside the model."""
    if not folder.is_dir():
        print(f"escalation play: {folder} is not a directory", file=sys.stderr)
        return EXIT_INVALID
    plays, skipped = [], []
    for f in sorted(folder.glob("*.json")):
        try:
            record = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            skipped.append(f.name)
            continue
        if isinstance(record, dict) and record.get("format") == "escalation-sim play":
            plays.append(record)
        else:
            skipped.append(f.name)
    if not plays:
        print(f"escalation play: no saved plays in {folder}", file=sys.stderr)
        return EXIT_INVALID
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in plays:
        groups.setdefault((r["title"], r["actor"]), []).append(r)
    roles: dict[str, list[dict]] = {}
    for (title, actor), rs in groups.items():
        _tabulate(f"{title}, played as {actor}", rs)
        roles.setdefault(title, []).extend(rs)
    for title, rs in roles.items():  # a class that played every side of one crisis
        if len({r["actor"] for r in rs}) > 1:
            _tabulate(f"{title}, all roles", rs, model=False)
    if skipped:
        print(f"(skipped, not saved plays: {', '.join(skipped)})")
    return EXIT_OK


def _tabulate(heading: str, rs: list[dict], model: bool = True) -> None:
    """One table of saved plays: outcomes (beside the model's actor in the same trials
    and the model's shares, for one role), mean rounds and, in a standoff or a
    compellence game, how often the player backed down (beside the model's actor)."""
    print(f"{heading}: {len(rs)} play(s)")
    print(f"  {'outcome':<40}{'plays':>6}{'share':>8}"
          + (f"{'model, same trials':>20}{'model':>8}" if model else ""))
    labels = {**rs[0].get("outcome_labels", {}), **{r["outcome"]: r["label"] for r in rs}}
    shares = rs[0].get("model_shares", {})
    for oid in [*shares, *(o for o in labels if o not in shares)]:
        n = sum(r["outcome"] == oid for r in rs)
        same = sum(r.get("model_outcome_same_trial") == labels.get(oid, oid) for r in rs)
        if n or same or oid in shares:
            line = f"  {labels.get(oid, oid):<40}{n:>6}{n / len(rs):>8.0%}"
            print(line + (f"{same:>20}{shares.get(oid, float('nan')):>8.1%}" if model else ""))
    print(f"  mean rounds: {sum(r['rounds'] for r in rs) / len(rs):.1f}")
    if model:
        alike = sum(r["label"] == r.get("model_outcome_same_trial") for r in rs)
        print(f"  the same ending as the model's actor in the same trial: {alike} of "
              f"{len(rs)} play(s)")
    backed = [r for r in rs if "backed_down" in r]
    if backed:
        k = sum(r["backed_down"] for r in backed)
        line = f"  backed down: {k} of {len(backed)} play(s) ({k / len(backed):.0%})"
        if model:
            line += f"; the model's actor: {backed[0]['model_backed_down']:.1%}"
        print(line)
    print()
