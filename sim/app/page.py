"""The interactive page served by ``escalation app``: a Mesa SolaraViz app.

The sidebar holds Mesa's controls: Reset, Play and Step drive one trial of the
scenario round by round (the trial chosen under "Model Parameters"), and a card says
what each control does. The main view shows:

- **Judgement calls.** A slider for each judgement the scenario declares (its
  ``judgements`` section), over the declared range of shifts; 0 is the file as written.
  Under each, the numbers it sets, as written and as set, and why.
- **Outcomes.** The outcome shares of 5,000 trials (seed 7) under the sliders' values
  (named above the chart), with 95% intervals and the share of trials with any use of
  force, recomputed after every change; with the compare switch on, beside the scenario
  as written (the same seed: common random numbers).
- **One trial.** The story of the stepped trial so far, as ``escalation explain`` tells
  it. Trial k is trial k of ``escalation run SCENARIO --seed 7`` (chunk size 5,000).

The scenario is named by the environment variable ``ESCALATION_APP_SCENARIO`` (a file or
a shipped scenario's name; ``escalation app`` sets it), the trial count by
``ESCALATION_APP_TRIALS`` and the folders a variant may take its base from by
``ESCALATION_APP_ROOTS`` (``--scenario-root``).
"""

from __future__ import annotations

import functools
import html
import os
import textwrap

import mesa
import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization import Slider, SolaraViz
from mesa.visualization.utils import update_counter
from solara.toestand import KernelStoreFactory

from sim.analysis.html import percent, table
from sim.analysis.narrative import Teller
from sim.engine.compile import CompiledScenario, compile_scenario
from sim.engine.model import CrisisModel
from sim.runs.chunks import DEFAULT_CHUNK_SIZE, chunk_seed
from sim.runs.runner import run
from sim.runs.stats import wilson_interval
from sim.scenario.library import shipped
from sim.scenario.loader import load_scenario
from sim.scenario.parameters import numeric_fields, with_judgements

SCENARIO_ENV, TRIALS_ENV, ROOTS_ENV = ("ESCALATION_APP_SCENARIO", "ESCALATION_APP_TRIALS",
                                       "ESCALATION_APP_ROOTS")
SEED = 7
TRIALS = int(os.environ.get(TRIALS_ENV, "5000"))
SCENARIO = load_scenario(os.environ.get(SCENARIO_ENV) or shipped("iran_2026/baseline.yaml"),
                         roots=tuple(filter(None, os.environ.get(ROOTS_ENV, "").split(
                             os.pathsep))))
JUDGEMENTS = SCENARIO.judgements
STEPS = 20  # slider positions across a judgement's range

#: The sliders' shifts, by judgement name (0: as written), and the compare switch.
shifts = solara.reactive({name: 0.0 for name in JUDGEMENTS})
compare = solara.reactive(False)


def _key(values: dict[str, float]) -> tuple:
    """The judgement shifts that are not 0 (to 9 decimals: a slider's -1e-17 is 0)."""
    rounded = ((k, round(float(v), 9)) for k, v in values.items())
    return tuple(sorted((k, v) for k, v in rounded if v))


@functools.lru_cache(maxsize=32)
def variant(key: tuple) -> CompiledScenario:
    """The compiled scenario with the judgement shifts ``key`` applied."""
    return compile_scenario(with_judgements(SCENARIO, dict(key)) if key else SCENARIO)


@functools.lru_cache(maxsize=32)
def outcomes(key: tuple) -> dict:
    """Shares with intervals, and the share with any use of force, of ``TRIALS`` trials."""
    cs = variant(key)
    result = run(cs, trials=TRIALS, seed=SEED, collect_rounds=False)
    hits = int((result.trials.peak_rung >= cs.ladder.strike_rung).sum())
    low, high = wilson_interval(hits, TRIALS)
    return {"outcomes": result.summary()["outcomes"],
            "force": {"share": hits / TRIALS, "ci_low": float(low), "ci_high": float(high)}}


class TrialReplay(mesa.Model):
    """One trial of the scenario under the sliders' values, played a round per step.

    Parameters
    ----------
    trial : int
        The trial's number in a run with seed ``seed`` and chunk size 5,000.
    seed : int
    """

    def __init__(self, trial: int = 0, seed: int = SEED):
        super().__init__()
        self.trial, self.seed = int(trial), int(seed)
        self.key = _key(shifts.value)
        self.crisis = self.teller = None  # built at the first step: a slider move stays cheap
        self.row = self.trial % DEFAULT_CHUNK_SIZE

    def _build(self) -> None:
        """The trial's whole chunk under the judgement values it was made with."""
        k = self.trial // DEFAULT_CHUNK_SIZE
        self.crisis = CrisisModel(variant(self.key), DEFAULT_CHUNK_SIZE,
                                  rng=chunk_seed(self.seed, k), trace_row=self.row,
                                  collect=False)
        self.teller = Teller(self.crisis, self.row, self.seed, self.trial, DEFAULT_CHUNK_SIZE)

    def step(self) -> None:
        """Play the next round (of the whole chunk, so the trial is the run's own)."""
        if self.crisis is None:
            self._build()
        if self.crisis.state.active[self.row]:
            self.crisis.step()
        self.running = bool(self.crisis.state.active[self.row])

    def story(self) -> str:
        """The trial so far, as ``escalation explain`` tells it."""
        lines = []
        events = self.crisis.trace.events[1:] if self.crisis is not None else []
        for event in events:
            lines += self.teller.tell(event)
        if not lines:
            lines = [f"Trial {self.trial}, seed {self.seed}: press Step to play round 1."]
        elif not self.running:
            lines += ["", "(The trial has ended. Reset plays it again; to replay another, "
                          "choose it under Model Parameters and press Reset.)"]
        return "\n".join(lines).strip("\n")


#: The stepped trial, one per browser session (a module-level model would be one object
#: shared by every session: stepping in one tab would step the others).
replay = solara.Reactive(KernelStoreFactory(TrialReplay, key="sim.app.page.replay"))


def _restart() -> None:
    """Replay the same trial from round 0 under new judgement values."""
    replay.set(TrialReplay(trial=replay.value.trial, seed=replay.value.seed))


def slider_grid(low: float, high: float, integer: bool = False) -> tuple[float, float, float]:
    """(min, max, step) of a slider over the declared range [low, high] of shifts with 0
    (the file as written) on its grid: steps of 1 for whole numbers (weeks, rounds);
    otherwise the fewest of 10 to 20 steps on the shorter side of 0 whose grid also
    reaches the longer side's end (else 10, and that side stops short of its end)."""
    def clean(x: float) -> float:  # 0.025, not 0.024999999999999998
        return float(f"{x:.12g}")

    if integer:
        return float(np.ceil(low)), float(np.floor(high)), 1.0
    if low < 0 < high:
        short, long = min(-low, high), max(-low, high)
        fits = [k for k in range(10, 21)
                if abs(long / (short / k) - round(long / (short / k))) < 1e-6]
        step = clean(short / (fits[0] if fits else 10))
        return (clean(-step * np.floor(-low / step + 1e-9)),
                clean(step * np.floor(high / step + 1e-9)), step)
    return low, high, clean((high - low) / STEPS)


FIELDS = {f.path: f for f in numeric_fields(SCENARIO)}
WRITTEN = {path: f.value for path, f in FIELDS.items()}


def whole(name: str) -> bool:
    """Whether every number a judgement moves is a whole number (a week, a round)."""
    return all(FIELDS[p].integer for p in JUDGEMENTS[name].paths)


def _readable(parts: list[str]) -> str:
    """A dotted path's parent in words: actors by name, moves and rungs by theirs."""
    words, node = [], SCENARIO.model_dump(mode="json", exclude_none=True)
    for k, part in enumerate(parts):
        node = node[int(part)] if isinstance(node, list) else node.get(part, {})
        if k and parts[k - 1] == "actors":
            words.append(node.get("name", part))
        elif k and parts[k - 1] == "influence":
            words[-1] = f"weight on {SCENARIO.actors[part].name}"
        elif k and parts[k - 1] in ("moves", "rungs"):
            words[-1] = f"{words[-1][:-1]} '{node.get('name', part)}'"
        elif part not in ("actors", "ladder", "protocol", "red_lines"):
            words.append(part.replace("_", " "))
        elif part == "red_lines":
            words.append("red line")
    return " ".join(words)


def judgement_values(name: str, shift: float, most: int = 3) -> str:
    """The numbers a judgement sets, as written and with ``shift`` added: a low-high
    pair as one range; the first ``most`` of them, and how many more."""
    moved = {path: WRITTEN[path] + shift for path in JUDGEMENTS[name].paths}
    moved = {p: round(v) if FIELDS[p].integer else v for p, v in moved.items()}
    groups: dict[str, list[str]] = {}
    for path in JUDGEMENTS[name].paths:
        parent, _, last = path.rpartition(".")
        key = parent if last in ("low", "high") else path
        groups.setdefault(key, []).append(path)

    def num(x: float) -> str:
        return f"{x:.3g}"

    items = []
    for key, paths in groups.items():
        was = "-".join(num(WRITTEN[p]) for p in paths)
        now = "-".join(num(moved[p]) for p in paths)
        items.append(f"{_readable(key.split('.'))} {was}" + (f" (now {now})" if shift else ""))
    more = f"; and {len(items) - most} more" if len(items) > most else ""
    return "; ".join(items[:most]) + more


@solara.component
def JudgementCalls(model=None):
    """A slider per judgement call: the shift added to the numbers it names."""
    with solara.Card("Judgement calls", subtitle="Numbers the scenario's author judged "
                     "rather than read from evidence. Each slider adds a shift to the "
                     "numbers its judgement names, within the range the file declares; 0 "
                     "is the file as written. Costs and values are in utility units (1 is "
                     "an actor's best package against its worst). The outcomes are "
                     "recomputed after every move."):
        if not JUDGEMENTS:
            solara.Text("This scenario declares no judgement calls.")
        elif _key(shifts.value):
            def as_written():
                shifts.set({name: 0.0 for name in JUDGEMENTS})
                _restart()

            with solara.Row():
                solara.Button("Put every judgement back as written", on_click=as_written,
                              outlined=True)
        for name, j in JUDGEMENTS.items():
            low, high, step = slider_grid(*j.shift, integer=whole(name))

            def set_shift(value, name=name):
                shifts.set({**shifts.value, name: round(float(value), 9)})
                _restart()

            solara.Text(f"{j.label}: {shifts.value[name]:+.3g} "
                        f"(declared range {j.shift[0]:+g} to {j.shift[1]:+g})")
            solara.SliderFloat("", value=shifts.value[name], min=float(low), max=float(high),
                               step=float(step), on_value=set_shift)
            solara.Details(summary="sets " + judgement_values(name, shifts.value[name]),
                           children=[solara.Text(j.why, style="font-size: 13px")])


@solara.component
def Help():
    """What Mesa's controls do on this page."""
    with solara.Card("How to use this page"):
        # HTML, not solara.Markdown: Markdown would fetch KaTeX from a CDN (offline: 404)
        solara.HTML(tag="ul", style="padding-left: 18px; font-size: 14px", unsafe_innerHTML=(
            "<li><b>Step</b> plays the next round of one trial (shown under <i>Trial ..., "
            "round by round</i>); <b>Reset</b> starts it again; <b>&#9654;</b> plays rounds "
            "one after another every <i>Play Interval</i> milliseconds, redrawing every "
            "<i>Render Interval</i> rounds; <i>Use Threads</i> runs the play in the "
            "background (leave it off).</li>"
            "<li><i>Model Parameters</i>: which trial to replay (trial k of <code>escalation "
            "run SCENARIO --seed 7</code>); press <b>Reset</b> to load it. <i>Information, "
            "Time</i>: the rounds played so far.</li>"
            "<li>The judgement sliders change the scenario for both the outcomes and the "
            "trial. <i>PAGE 0</i> is the page's only tab.</li>"))


def _figure(now: dict, written: dict | None) -> Figure:
    labels = [o["label"] for o in now["outcomes"]]
    y = np.arange(len(labels))
    # Large print for a projector, and no wider than the card (an image is cut, not
    # shrunk, to fit it): labels wrapped, about 430 pixels wide.
    labels = [textwrap.fill(label, 18) for label in labels]
    fig = Figure(figsize=(4.3, 0.5 * len(labels) + 1.1))
    ax = fig.add_subplot()
    series = [("judgements as set", now, 0.0)]
    if written is not None:
        series = [("as set", now, -0.2), ("as written", written, 0.2)]
    for name, data, offset in series:
        share = np.array([o["share"] for o in data["outcomes"]])
        err = np.array([[s - o["ci_low"], o["ci_high"] - s]
                        for s, o in zip(share, data["outcomes"])]).T
        ax.barh(y + offset, share, height=0.4 if written is not None else 0.6, xerr=err,
                capsize=3, label=name)
    ax.set_yticks(y, labels, fontsize=11)
    ax.tick_params(axis="x", labelsize=11)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of {TRIALS:,} trials (95% intervals)", fontsize=11)
    if written is not None:
        ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def _table(now: dict, written: dict | None) -> str:
    """The shares as an HTML table (Solara's Markdown would fetch KaTeX from a CDN)."""
    head = ["outcome", "share", "95% interval"] + (["as written"] if written else [])
    rows, classes = [], []
    for k, o in enumerate(now["outcomes"]):
        row = [o["label"], percent(o["share"]),
               f"{percent(o['ci_low'])} to {percent(o['ci_high'])}"]
        rows.append(row + ([percent(written["outcomes"][k]["share"])] if written else []))
        classes.append("")
    force = now["force"]
    rows.append(["any use of force", percent(force["share"]),
                 f"{percent(force['ci_low'])} to {percent(force['ci_high'])}"]
                + ([percent(written["force"]["share"])] if written else []))
    classes.append("force")
    style = ("<style>.outcomes {font-size: 15px} .outcomes td, .outcomes th {padding: 2px 10px} "
             ".outcomes .num "
             "{text-align: right} .outcomes .force {font-weight: bold}</style>")
    body = table(head, rows, numeric={1, 3}, cls=classes)
    return style + f'<div class="outcomes">{body}</div>'


def computed_for(key: tuple) -> str:
    """The judgement values a result was computed for, in words: a slider that changes
    nothing (a judgement inert in this scenario) still shows that it was recomputed."""
    if not key:
        return "the judgements as written"
    shifts = dict(key)
    return "; ".join(f"{j.label} {shifts[name]:+.3g}" for name, j in JUDGEMENTS.items()
                     if name in shifts)  # in the sliders' order


@solara.component
def Outcomes(model):
    """The outcome shares under the sliders' values (and as written, to compare)."""
    key = _key(shifts.value)
    now = outcomes(key)
    written = outcomes(()) if compare.value else None
    with solara.Sidebar():  # below Mesa's controls: what they do
        Help()
    with solara.Card("Outcomes", subtitle=f"{TRIALS:,} trials, seed {SEED}, computed for "
                     f"{computed_for(key)}"):
        solara.Checkbox(label="Compare with the scenario as written", value=compare)
        solara.FigureMatplotlib(_figure(now, written), format="png")
        solara.HTML(tag="div", unsafe_innerHTML=_table(now, written))


@solara.component
def OutcomesAndTrial(model):
    """The right-hand column: the outcomes, then the stepped trial's story.

    One grid item, not two: Mesa's grid gives each item a fixed height, and a third
    item would be drawn over a tall one.
    """
    Outcomes(model)
    OneTrial(model)


@solara.component
def OneTrial(model):
    """The story of the stepped trial so far."""
    update_counter.get()  # redrawn after every step
    with solara.Card(f"Trial {model.trial}, round by round",
                     subtitle="Step plays a round; Reset starts the trial again (or loads the "
                     "trial chosen under Model Parameters)"):
        solara.HTML(tag="pre", unsafe_innerHTML=html.escape(model.story()),
                    style="white-space: pre-wrap; font-size: 14px")


page = SolaraViz(
    replay,
    components=[(JudgementCalls, 0), (OutcomesAndTrial, 0)],
    model_params={"trial": Slider("trial (of escalation run --seed 7)", 0, 0, 999, 1),
                  "seed": SEED},
    name=SCENARIO.title,
)
