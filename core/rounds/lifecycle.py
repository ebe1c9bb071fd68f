"""The life of a round: draft -> open -> closed -> matched -> running -> finished.

A closed round can be reopened (late applications) until it is matched; after
that it only moves forward. Every refusal says why and what to do instead.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise

from core.errors import Conflict, InvalidValue
from core.model import Round, RoundState

S = RoundState
ALLOWED: dict[RoundState, frozenset[RoundState]] = {
    S.DRAFT: frozenset({S.OPEN}),
    S.OPEN: frozenset({S.CLOSED}),
    S.CLOSED: frozenset({S.OPEN, S.MATCHED}),
    S.MATCHED: frozenset({S.RUNNING}),
    S.RUNNING: frozenset({S.FINISHED}),
    S.FINISHED: frozenset(),
}

# What to run to reach each state, for messages that tell the organiser the way.
_VERB = {
    S.OPEN: "open",
    S.CLOSED: "close",
    S.MATCHED: "match --publish",
    S.RUNNING: "start",
    S.FINISHED: "finish",
}

TOPIC_COUNT = 9


def transition(round_: Round, target: RoundState) -> Round:
    """Return *round_* moved to *target*, or raise Conflict saying why it cannot move."""
    if target == round_.state:
        raise Conflict(f"round {round_.name} is already {target.value}")
    if target in ALLOWED[round_.state]:
        return replace(round_, state=target)
    if round_.state is S.FINISHED:
        raise Conflict(f"round {round_.name} is finished: a finished round cannot change")
    nxt = sorted(ALLOWED[round_.state])
    hint = " or ".join(f"`round {_VERB[s]}`" for s in nxt)
    raise Conflict(
        f"round {round_.name} is {round_.state.value} and cannot become {target.value} "
        f"directly: next comes {hint}"
    )


def validate_dates(
    *,
    opens: datetime | None,
    closes: datetime | None,
    starts: datetime | None,
    ends: datetime | None,
) -> None:
    """Refuse a calendar whose dates are out of order."""
    order = [("applications open", opens), ("applications close", closes)]
    order += [("round start", starts), ("round end", ends)]
    known = [(label, at) for label, at in order if at is not None]
    for (a_label, a), (b_label, b) in pairwise(known):
        if b < a:
            raise InvalidValue(f"{b_label} ({b:%Y-%m-%d}) comes before {a_label} ({a:%Y-%m-%d})")
        if b == a and (a_label, b_label) != ("applications close", "round start"):
            raise InvalidValue(f"{a_label} and {b_label} are the same moment: give them apart")


def default_end(starts: datetime, cadence_days: int) -> datetime:
    """Return the end of a round: two weeks (one cadence) after its last topic."""
    return starts + timedelta(days=cadence_days * TOPIC_COUNT)


def validate_cadence(days: int) -> int:
    """Return *days* if it is a usable topic cadence."""
    if not 1 <= days <= 90:
        raise InvalidValue(f"topic cadence must be between 1 and 90 days, not {days}")
    return days
