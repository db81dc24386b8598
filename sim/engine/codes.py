"""Named codes for the integers the engine keeps in its per-trial arrays."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["MEDIATOR", "NONE", "Ending", "MoveOption", "WarCause"]

#: Index of the mediator wherever an actor index is expected (proposer, observer).
MEDIATOR = -1
#: No actor, no package, no ending yet.
NONE = -1


class Ending(IntEnum):
    """How a trial ended. A scenario's terminal events follow: event k is ``TERMINAL + k``.

    The names of all endings, in code order, are ``CompiledScenario.endings``.
    """

    DEAL = 0
    WAR = 1
    HORIZON = 2
    TERMINAL = 3


class MoveOption(IntEnum):
    """A ladder choice after a rejected round: stay, step down one rung, or one of the
    actor's moves (move k is ``MOVE + k``)."""

    STAY = 0
    STEP_DOWN = 1
    MOVE = 2


class WarCause(IntEnum):
    """How a trial reached the war rung."""

    CHOSEN = 0  # an actor's ladder move reached it (recorded with the actor)
    RED_LINE = 1  # a red line's response reached it (recorded with the holder)
    BREAKDOWN = 2  # a rejected round slid into war at the rung's breakdown risk
    DEADLINE = 3  # the horizon was a deadline enforced by war
    INCIDENT = 4  # a random incident pushed the rung to war
