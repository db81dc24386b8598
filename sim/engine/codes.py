"""Named codes for the integers the engine keeps in its per-trial arrays."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["MEDIATOR", "NONE", "Ending", "MoveOption"]

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
