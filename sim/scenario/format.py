"""The scenario file format: pydantic models, frozen, unknown keys forbidden.

A scenario is data, not code: issues and their levels, actors with preferences and
private types, the escalation ladder, red lines, state stocks (missiles, nuclear
progress), the negotiation protocol and the outcome categories. The engine knows
nothing about any particular crisis; ``scenarios/`` holds the crises.

Every number says where it comes from: distributions take ``source:`` or
``assumption:`` keys, and every object that holds plain numbers has ``source`` and
``assumption`` fields for the article sentence it encodes or the reason for the value.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.scenario.distributions import Distribution, Number

__all__ = [
    "Actor",
    "DealCondition",
    "Effect",
    "Incidents",
    "Issue",
    "Judgement",
    "KnownOutcome",
    "Ladder",
    "LevelTest",
    "Move",
    "Outcome",
    "OutcomeCondition",
    "Preference",
    "Protocol",
    "RedLine",
    "Rung",
    "Scenario",
    "Stock",
    "Terminal",
]

Probability = Annotated[float, Field(ge=0, le=1)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Article(_Model):
    """A news article the scenario is seeded from, cited by headline and date."""

    headline: str
    outlet: str | None = None
    date: str = Field(description="Publication date as reported, e.g. 2026-02-11.")


# --- issues and packages ---------------------------------------------------------


class Issue(_Model):
    """A dimension of a deal with ordered, labelled levels (lowest first).

    Levels sit at evenly spaced positions on [0, 1] unless ``positions`` gives them.
    A continuous issue is written with ``continuous: {low, high, steps}`` and gets
    ``steps`` evenly spaced levels labelled by their value.
    """

    description: str = ""
    levels: list[str] | None = Field(default=None, min_length=2, max_length=101)
    names: list[str] | None = Field(
        default=None, description="Readable names of the levels, in the same order, for "
        "stories and reports (e.g. 'enrichment capped at 3.67%' for cap_3_67).")
    positions: list[float] | None = None
    continuous: ContinuousRange | None = None
    source: str | None = None
    assumption: str | None = None

    @field_validator("names")
    @classmethod
    def _one_name_per_level(cls, names, info):
        levels = info.data.get("levels")
        if names is not None and (levels is None or len(names) != len(levels)):
            raise ValueError(f"{len(names)} name(s) for {len(levels or [])} level(s): give one "
                             "readable name per entry of 'levels'")
        return names

    @model_validator(mode="after")
    def _one_kind(self) -> Issue:
        if (self.levels is None) == (self.continuous is None):
            raise ValueError("give exactly one of 'levels' or 'continuous'")
        if self.levels is not None:
            if len(set(self.levels)) != len(self.levels):
                raise ValueError("level labels must be unique")
            if self.positions is not None:
                if len(self.positions) != len(self.levels):
                    raise ValueError(
                        f"'positions' has {len(self.positions)} entries but there are "
                        f"{len(self.levels)} levels"
                    )
                if any(not 0 <= p <= 1 for p in self.positions) or any(
                    b <= a for a, b in zip(self.positions, self.positions[1:])
                ):
                    raise ValueError("'positions' must increase strictly within [0, 1]")
        elif self.positions is not None:
            raise ValueError("'positions' is only for labelled levels")
        return self

    def labels(self) -> list[str]:
        """The levels' labels, lowest first (values, for a continuous issue)."""
        if self.levels is not None:
            return list(self.levels)
        c = self.continuous
        return [_fmt(v) for v in c.values()]

    def display_names(self) -> list[str] | None:
        """The levels' readable names, or None if the file gives none."""
        return list(self.names) if self.names is not None else None

    def level_positions(self) -> list[float]:
        """Each level's position on [0, 1], lowest first."""
        if self.levels is not None:
            if self.positions is not None:
                return list(self.positions)
            n = len(self.levels)
            return [i / (n - 1) for i in range(n)]
        c = self.continuous
        return [(v - c.low) / (c.high - c.low) for v in c.values()]


class ContinuousRange(_Model):
    """A continuous issue discretised into ``steps`` evenly spaced values."""

    low: float = 0.0
    high: float = 1.0
    steps: int = Field(default=101, ge=2, le=100_001)

    @model_validator(mode="after")
    def _ordered(self) -> ContinuousRange:
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be > low ({self.low})")
        return self

    def values(self) -> list[float]:
        return [
            self.low + (self.high - self.low) * i / (self.steps - 1) for i in range(self.steps)
        ]


def _fmt(v: float) -> str:
    return f"{v:.6g}"


class LevelTest(_Model):
    """A test on one issue's level: at least, at most, or one of a set (by label)."""

    at_least: str | None = None
    at_most: str | None = None
    among: list[str] | None = Field(default=None, alias="in")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _some(self) -> LevelTest:
        if self.at_least is None and self.at_most is None and self.among is None:
            raise ValueError("give at least one of 'at_least', 'at_most' or 'in'")
        return self


#: A condition on a package: issue name -> level test; all must hold.
DealCondition = dict[Identifier, LevelTest]


# --- actors ------------------------------------------------------------------------


class Preference(_Model):
    """An actor's ideal level on one issue and how much that issue matters to it."""

    ideal: str | float = Field(description="Level label (or value of a continuous issue).")
    salience: float = Field(ge=0, description="Relative weight; normalised over issues.")
    source: str | None = None
    assumption: str | None = None


class Effect(_Model):
    """What a ladder move does to a stock: add to its level or scale it (a strike's
    damage), and add to or scale its growth per round from then on (a blockade slows a
    build-up)."""

    stock: Identifier
    add: float = 0.0
    multiply: float = Field(default=1.0, ge=0)
    growth_add: float = Field(default=0.0, description="Added to the growth per round.")
    growth_multiply: float = Field(default=1.0, ge=0,
                                   description="Scales the growth per round.")
    source: str | None = None
    assumption: str | None = None


class Move(_Model):
    """A threat option: an actor's move to a rung of the ladder, its cost and effects."""

    rung: int = Field(ge=0, description="Rung index on the ladder.")
    name: str = ""
    cost: Number = Field(default=0.0, description="Cost to the mover, in utility units.")
    effects: list[Effect] = Field(default_factory=list)
    joint_with: list[Identifier] = Field(
        default_factory=list,
        description="A coalition move: these allies must each agree to join (each weighs "
        "the move against its own best choice); without all of them it does not happen.",
    )
    source: str | None = None
    assumption: str | None = None


class Actor(_Model):
    """A state (or mediator) and its private types.

    ``war_cost``, ``resolve``, ``capability`` and ``audience_cost`` may be
    distributions: each trial draws the actor's private type from them, and the
    other actors' beliefs about it start from the same distribution unless
    ``beliefs`` says otherwise.
    """

    name: str
    description: str = ""
    side: Identifier | None = Field(
        default=None, description="War coalition; actors without a side stay out of wars."
    )
    preferences: dict[Identifier, Preference] = Field(default_factory=dict)
    capability: Number = Field(default=1.0, description="Military capability (>0).")
    war_cost: Number = Field(default=0.0, description="Cost of war, in utility units.")
    resolve: Number = Field(
        default=0.0,
        description="Value of holding out: added to the actor's reservation value.",
    )
    audience_cost: Number = Field(
        default=0.0, description="Paid when the actor backs down in public: a public red "
        "line crossed and not enforced, or backing down in a standoff."
    )
    rationality: float | None = Field(
        default=None,
        ge=0,
        description="Logit precision lambda; null means best response (lambda -> inf).",
    )
    discount: Number = Field(default=1.0, description="Per-round discount factor in (0, 1].")
    influence: dict[Identifier, Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict,
        description="Weight this actor gives an ally's utility in the packages it proposes "
        "(lobbying); its ladder moves weigh its own values only.",
    )
    moves: list[Move] = Field(default_factory=list)
    beliefs: dict[Identifier, Beliefs] = Field(
        default_factory=dict,
        description="This actor's prior about another actor's private types.",
    )
    source: str | None = None
    assumption: str | None = None


class Beliefs(_Model):
    """A prior about another actor's private types (defaults: that actor's own)."""

    war_cost: Number | None = None
    resolve: Number | None = None
    source: str | None = None
    assumption: str | None = None


# --- ladder, stocks, red lines -------------------------------------------------------


class Rung(_Model):
    """A rung of the escalation ladder and the breakdown risk of talks failing there."""

    name: str
    description: str = ""
    breakdown_risk: Probability | Distribution = Field(
        default=0.0,
        description="Probability that a rejected round at this rung slides into war; a "
        "distribution draws it per trial (the actors reason with its mean).",
    )
    holding_cost: float = Field(
        default=0.0, ge=0,
        description="In a standoff (protocol kind 'standoff'): what each party pays for a "
        "round in which both hold out at this rung, the flow cost of a war of attrition.",
    )
    source: str | None = None
    assumption: str | None = None


class Ladder(_Model):
    """Ordered rungs shared by all actors. Reaching ``war_rung`` ends a trial in war."""

    rungs: list[Rung] = Field(min_length=2, max_length=50)
    start: int = Field(ge=0, description="Rung at the start of the crisis.")
    war_rung: int = Field(ge=1)
    strike_rung: int | None = Field(
        default=None, ge=0, description="Lowest rung that counts as a military strike."
    )
    source: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _indices(self) -> Ladder:
        n = len(self.rungs)
        for name in ("start", "war_rung", "strike_rung"):
            v = getattr(self, name)
            if v is not None and v >= n:
                raise ValueError(f"'{name}' is {v} but the ladder has rungs 0..{n - 1}")
        if self.start >= self.war_rung:
            raise ValueError("'start' must be below 'war_rung'")
        return self


class Stock(_Model):
    """A state variable that moves between rounds (missiles, nuclear progress)."""

    description: str = ""
    owner: Identifier | None = Field(default=None, description="Actor whose capability it adds to.")
    initial: Number
    growth: Number = Field(default=0.0, description="Change per round (drawn per trial).")
    min: float = 0.0
    max: float = 1e12
    capability_per_unit: float = Field(
        default=0.0, description="Capability the owner gains per unit of stock."
    )
    source: str | None = None
    assumption: str | None = None


class RedLine(_Model):
    """A red line: a condition, whether it was stated publicly, its credibility and
    the response it commits its holder to.

    Kinds:

    - ``package``: the holder rejects any package meeting ``condition``.
    - ``deal``: if a deal meeting ``condition`` is concluded (holder not a party),
      the holder responds by moving to ``response`` (e.g. a unilateral strike).
    - ``stock``: when ``stock`` reaches ``at_least``, the holder moves to ``response``.
    - ``deadline``: a compellent threat: if no deal is made by the end of round
      ``by_round``, the holder moves to ``response`` ("agree by then or we strike").
    - ``struck``: a retaliation commitment: when one of ``by`` (default: any actor on
      another side) moves to rung ``rung_at_least`` or above, the holder moves to
      ``response`` in the same round.

    Each trial draws whether the red line binds with probability ``credibility``;
    a public red line crossed and not enforced costs the holder its audience cost.
    A line fires once, unless ``repeat``: then it re-arms when its condition stops
    holding (a stock falls back below the threshold; after each deal; after each
    round in which it was struck), and fires again the next time.
    """

    holder: Identifier
    kind: Literal["package", "deal", "stock", "deadline", "struck"]
    public: bool = True
    credibility: Number = Field(default=1.0)
    condition: DealCondition | None = None
    stock: Identifier | None = None
    at_least: float | None = None
    by_round: int | None = Field(default=None, ge=1, description="deadline: the last round.")
    by: list[Identifier] | None = Field(
        default=None, description="struck: the actors whose moves trigger it.")
    rung_at_least: int | None = Field(
        default=None, ge=0, description="struck: the rung a triggering move reaches.")
    response: int | None = Field(default=None, ge=0, description="Rung the holder moves to.")
    repeat: bool = Field(default=False, description="Re-arm after firing (see the kinds).")
    description: str = ""
    source: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _fields_for_kind(self) -> RedLine:
        need = {
            "package": ("condition",),
            "deal": ("condition", "response"),
            "stock": ("stock", "at_least", "response"),
            "deadline": ("by_round", "response"),
            "struck": ("rung_at_least", "response"),
        }[self.kind]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a '{self.kind}' red line needs {', '.join(map(repr, missing))}")
        return self


class Incidents(_Model):
    """Random incidents (ship seizures, drone shoot-downs) that push the rung up."""

    rate: Probability = Field(default=0.0, description="Probability per round.")
    escalation: int = Field(default=1, ge=0, description="Rungs an incident adds.")
    max_rung: int | None = Field(default=None, description="Incidents never push above this.")
    source: str | None = None
    assumption: str | None = None


class Terminal(_Model):
    """An event that ends a trial: a stock reaching a threshold (e.g. breakout)."""

    stock: Identifier
    at_least: float
    description: str = ""
    source: str | None = None
    assumption: str | None = None


class Protocol(_Model):
    """Who proposes, who must accept, and for how long."""

    kind: Literal["offers", "standoff", "compellence"] = Field(
        default="offers",
        description="'offers': a proposer offers a package each round and the parties "
        "accept or reject it. 'standoff': nobody proposes; each round the two parties "
        "choose at once to hold firm or back down, conceding the other's demand (chicken, "
        "the war of attrition); both backing down restores the status quo. "
        "'compellence': one exchange; the first party threatens by one of its moves (or "
        "not), the second complies with its demand or defies, and a defied threat slides "
        "into war at the rung's breakdown risk or is carried out or abandoned (audience "
        "costs, brinkmanship).",
    )
    parties: list[Identifier] = Field(min_length=1, description="Actors who must accept.")
    proposer: Identifier | Literal["mediator", "rotate"] = "mediator"
    rotation: list[Identifier] | None = Field(
        default=None, description="Order of proposers for 'rotate' (default: parties)."
    )
    mediator: str | None = Field(default=None, description="Name of the mediator.")
    mediator_rationality: float | None = Field(default=None, ge=0)
    horizon: int = Field(ge=1, le=1000, description="Rounds simulated (about a week each).")
    planning_horizon: int | None = Field(
        default=None,
        ge=1,
        le=2000,
        description="Rounds the actors look ahead when they value holding out (default: "
        "the horizon). Longer than the horizon when the horizon is only the window we "
        "observe, not a deadline the actors face: no end-of-window rush.",
    )
    status_quo: dict[Identifier, str | float] = Field(
        default_factory=dict,
        description="The package that stands if no deal is reached (stalemate).",
    )
    agreements: Literal["final", "renegotiated"] = Field(
        default="final",
        description="'final': an accepted package ends the crisis and is worth its utility "
        "for good. 'renegotiated': agreements cannot bind the future (Fearon 1995's "
        "commitment problem): an accepted package sets this round's terms, payoffs are per "
        "round flows ((1 - discount) u per round), and bargaining goes on until the horizon.",
    )
    on_horizon: Literal["stalemate", "war"] = Field(
        default="stalemate",
        description="What happens when the horizon passes without a deal: the status quo "
        "stands, or the deadline is enforced by war (the disagreement point of "
        "finite-horizon bargaining).",
    )
    source: str | None = None
    assumption: str | None = None


class OutcomeCondition(_Model):
    """When an outcome applies; every given test must hold. Empty = catch-all."""

    ended_by: str | None = Field(
        default=None, description="deal, war, horizon, or a terminal event's name."
    )
    package: DealCondition | None = None
    peak_rung_at_least: int | None = None
    force_used: bool | None = Field(
        default=None, description="Whether the crisis reached the ladder's strike rung "
        "(any use of force, before or at the end).")
    war_cause: list[Literal["chosen", "red_line", "breakdown", "deadline", "incident"]] | \
        None = Field(default=None, description="For a war: how it came.")


class Outcome(_Model):
    """An outcome category. The first outcome whose condition holds is the trial's."""

    label: str
    when: OutcomeCondition = Field(default_factory=OutcomeCondition)
    description: str = ""
    source: str | None = None
    assumption: str | None = None


class Judgement(_Model):
    """A number (or numbers moving together) the scenario's author judged rather than
    read from evidence, and how far a reasonable author might have moved it.

    ``shift`` is the plausible range of a change added to every path at once, e.g. a
    war cost's ``low`` and ``high`` both moved by -0.15 to +0.15. Analyses vary these
    ranges (one at a time in the scenario notes; jointly, by Latin hypercube, in the
    report's parameter uncertainty).
    """

    paths: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")]] = Field(
        min_length=1, description="Dotted paths of the numbers the judgement sets.")
    shift: list[float] = Field(min_length=2, max_length=2,
                               description="Plausible change: [lowest, highest].")
    label: str = Field(default="", description="A short name for tables.")
    why: str = Field(description="Why this value and this range: the reasoning.")

    @model_validator(mode="after")
    def _around_zero(self) -> Judgement:
        if not self.shift[0] <= 0 <= self.shift[1]:
            raise ValueError(f"the shift {list(self.shift)} must run from a change <= 0 to "
                             "one >= 0 (the value written in the file is the central one)")
        return self


class KnownOutcome(_Model):
    """For a historical crisis: which of the file's outcomes happened. A hindcast file is
    written only from what was known on ``as_of``; ``escalation hindcast`` scores the
    probability the model gives to ``outcome``."""

    outcome: Identifier = Field(description="The outcome (a key of `outcomes`) that happened.")
    as_of: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$",
                       description="The date the file is written from (YYYY-MM-DD).")
    happened: str = Field(description="What happened, and when.")
    source: str = Field(description="Where that is recorded.")


class Scenario(_Model):
    """A crisis: who, over what, with which threats, under which rules."""

    name: Identifier
    title: str
    description: str = Field(description="One line shown by `escalation list`.")
    articles: dict[Identifier, Article] = Field(default_factory=dict)
    issues: dict[Identifier, Issue] = Field(min_length=1)
    actors: dict[Identifier, Actor] = Field(min_length=2)
    ladder: Ladder
    stocks: dict[Identifier, Stock] = Field(default_factory=dict)
    red_lines: dict[Identifier, RedLine] = Field(default_factory=dict)
    incidents: Incidents = Field(default_factory=Incidents)
    terminal: dict[Identifier, Terminal] = Field(default_factory=dict)
    protocol: Protocol
    outcomes: dict[Identifier, Outcome] = Field(min_length=1)
    judgements: dict[Identifier, Judgement] = Field(
        default_factory=dict,
        description="The judgement calls behind the numbers, with plausible ranges.")
    known_outcome: KnownOutcome | None = Field(
        default=None, description="For a historical crisis: what happened (hindcasts).")

    @field_validator("outcomes")
    @classmethod
    def _catch_all_last(cls, v: dict[str, Outcome]) -> dict[str, Outcome]:
        last_id, last = list(v.items())[-1]
        w = last.when
        if any(getattr(w, f) is not None for f in OutcomeCondition.model_fields):
            raise ValueError(
                f"the last outcome ('{last_id}') must be a catch-all with an empty 'when', "
                "so every trial gets an outcome"
            )
        return v


Issue.model_rebuild()
Actor.model_rebuild()
Scenario.model_rebuild()
