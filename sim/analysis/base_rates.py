"""Reference-class frequencies to read a run against: how often crises and disputes of
various kinds ended in war, compromise or stalemate.

They are context, never targets: a scenario is not tuned to them. The figures and
their sources are those of ``docs/sources.md`` (B1-B4); a test keeps the two in step.

References
----------
Brecher, M., and Wilkenfeld, J. (2000). *A Study of Crisis*. University of Michigan
Press. International Crisis Behavior data, version 14.
Palmer, G., et al. (2022). The MID5 dataset, 2011-2014. *Conflict Management and
Peace Science* 39(4), 470-482.
Art, R. J., and Cronin, P. M. (Eds.) (2003). *The United States and Coercive
Diplomacy*. United States Institute of Peace Press.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BASE_RATES", "BaseRate", "war_context"]


@dataclass(frozen=True)
class BaseRate:
    """One reference-class frequency."""

    label: str  # as in docs/sources.md
    reference_class: str
    what: str
    share: float
    source: str


_ICB = "International Crisis Behavior data, version 14 (Brecher and Wilkenfeld 2000)"
_MID = "Correlates of War MID data, version 5.0 (Palmer et al. 2022)"

#: The base rates quoted beside a run.
BASE_RATES: tuple[BaseRate, ...] = (
    BaseRate("B1", "international crises, 1918-2017 (486)", "reached full-scale war",
             0.212, _ICB),
    BaseRate("B1", "international crises after 1945", "reached full-scale war", 0.167, _ICB),
    BaseRate("B1", "international crises with the US as a crisis actor",
             "reached full-scale war", 0.270, _ICB),
    BaseRate("B1", "international crises, 1918-2017", "ended in compromise", 0.222, _ICB),
    BaseRate("B1", "international crises, 1918-2017", "ended in stalemate", 0.223, _ICB),
    BaseRate("B2", "militarized interstate disputes after 1945", "reached war", 0.017, _MID),
    BaseRate("B2", "militarized interstate disputes, 1816-2014 (2,436)",
             "ended in a negotiated settlement", 0.152, _MID),
    BaseRate("B3", "US coercive diplomacy after the Cold War", "succeeded", 0.32,
             "Art and Cronin (2003)"),
)


def war_context(p_war: float) -> str:
    """A sentence setting a run's share of war against the crisis base rates."""
    icb = next(b for b in BASE_RATES if b.reference_class.startswith("international crises "
                                                                      "after 1945"))
    us = next(b for b in BASE_RATES if "US as a crisis actor" in b.reference_class)
    mid = next(b for b in BASE_RATES if b.label == "B2" and b.what == "reached war")
    if p_war > us.share:
        where = "above every reference class below"
    elif p_war >= icb.share:
        where = "within the range of the crisis reference classes"
    elif p_war >= mid.share:
        where = ("below the crisis reference classes but above the rate for militarized "
                 "disputes")
    else:
        where = "below every reference class below"
    return (f"The run ends in war in {p_war:.1%} of trials, {where}: "
            f"{icb.share:.1%} of international crises after 1945 reached full-scale war "
            f"({us.share:.1%} of those with the US as a crisis actor), {mid.share:.1%} of "
            "militarized disputes after 1945. A scenario is one crisis at one moment, not a "
            "draw from these classes; a large gap is a reason to look at its assumptions, "
            "not proof that they are wrong.")
