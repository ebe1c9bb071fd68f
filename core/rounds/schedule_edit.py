"""Move a round's dates and topic cadence while that is safe.

The rules (each refusal is one sentence saying why):

- A finished round does not change.
- A date that has passed (applications opened, closed, the round started or ended)
  stays as it is: it is history, and the automation has acted on it.
- A new date lies in the future: moving a date into the past would make the engine
  act at once; use `round open/close/start/finish` for that.
- The calendar keeps its order: open < close <= start < end.
- Once the first topic has gone out, the start and the cadence stay (the dates of the
  topics already sent would change meaning).
- The end comes after the last topic goes out, so every topic is sent.
- An end date equal to the default (one cadence after the last of the nine topics)
  follows a moved start or cadence, unless a new end is given.

The automation (core.rounds.automation) reads the dates from the database at every
step, so a moved date is what it acts on; the adapter that called this wakes the
engine (services.wake(round_id)) so that the next due time is computed again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from core import audit
from core.clock import as_utc
from core.errors import Conflict, InvalidValue
from core.model import Round, RoundState
from core.ports import Clock, UnitOfWorkFactory
from core.rounds import lifecycle
from core.rounds.round_topics import calendar_topics, posted_count
from core.rounds.service import find_round

_FIELDS = (
    ("opens", "applications_open_at", "applications opened"),
    ("closes", "applications_close_at", "applications closed"),
    ("starts", "starts_at", "the round started"),
    ("ends", "ends_at", "the round ended"),
)


@dataclass(frozen=True, slots=True)
class Rescheduled:
    round: Round
    changes: tuple[str, ...]  # e.g. ("closes 2027-02-01T00:00 -> 2027-02-08T00:00",)


class RoundSettingsService:
    """Organisers' edits of a round's calendar; each audited as round.edit."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def reschedule(
        self,
        community_id: int,
        round_name: str,
        *,
        opens: datetime | None = None,
        closes: datetime | None = None,
        starts: datetime | None = None,
        ends: datetime | None = None,
        cadence_days: int | None = None,
        actor: str = audit.UNKNOWN,
    ) -> Rescheduled:
        """Move some of the round's dates or its cadence (None: unchanged), if safe."""
        wanted = {
            "opens": as_utc(opens) if opens else None,
            "closes": as_utc(closes) if closes else None,
            "starts": as_utc(starts) if starts else None,
            "ends": as_utc(ends) if ends else None,
        }
        if cadence_days is not None:
            lifecycle.validate_cadence(cadence_days)
        if all(v is None for v in wanted.values()) and cadence_days is None:
            raise InvalidValue(
                "say what to change: --opens, --closes, --starts, --ends or --cadence"
            )
        now = self._clock.now()
        async with self._uow() as uow:
            current = await find_round(uow, community_id, round_name)
            if current.state is RoundState.FINISHED:
                raise Conflict(f"round {current.name} is finished: its dates no longer change")
            moved = current
            for option, attr, passed in _FIELDS:
                new = wanted[option]
                old: datetime | None = getattr(current, attr)
                if new is None or new == old:
                    continue
                if old is not None and old <= now:
                    raise Conflict(
                        f"{passed} on {old:%Y-%m-%d %H:%M} UTC: a date that has passed "
                        "cannot be moved"
                    )
                if new <= now:
                    raise InvalidValue(
                        f"{option} {new:%Y-%m-%d %H:%M} is in the past: give a future date "
                        f"(or use `penpals round {_VERB[option]}` to do it now)"
                    )
                fields: dict[str, Any] = {attr: new}
                moved = replace(moved, **fields)
            if cadence_days is not None:
                moved = replace(moved, topic_cadence_days=cadence_days)
            topics = await calendar_topics(uow, current)
            calendar_moves = (
                moved.starts_at != current.starts_at
                or moved.topic_cadence_days != current.topic_cadence_days
            )
            if calendar_moves and await posted_count(uow, current, len(topics)):
                raise Conflict(
                    f"the topics of round {current.name} have started going out: its start "
                    "and cadence can no longer move"
                )
            moved = _follow_default_end(current, moved, ends_given=wanted["ends"] is not None)
            _check_order(current, moved)
            _last_topic_before_end(moved, len(topics))
            changes = _changes(current, moved)
            if not changes:
                return Rescheduled(current, ())
            await uow.rounds.save(moved)
            await audit.record(
                uow,
                community_id=community_id,
                round_id=moved.id,
                at=now,
                actor=actor,
                action="round.edit",
                subject=f"round {moved.name}",
                detail="; ".join(changes),
            )
            await uow.commit()
        return Rescheduled(moved, tuple(changes))


_VERB = {"opens": "open", "closes": "close", "starts": "start", "ends": "finish"}


def _follow_default_end(current: Round, moved: Round, *, ends_given: bool) -> Round:
    """Move a default end date along with a moved start or cadence."""
    if ends_given or current.starts_at is None or current.ends_at is None:
        return moved
    if current.ends_at != lifecycle.default_end(current.starts_at, current.topic_cadence_days):
        return moved
    if moved.starts_at is None:
        return moved
    return replace(moved, ends_at=lifecycle.default_end(moved.starts_at, moved.topic_cadence_days))


def _check_order(before: Round, after: Round) -> None:
    """Refuse a calendar out of order where it changed (history stays as it happened)."""
    moved = {attr for _, attr, _ in _FIELDS if getattr(before, attr) != getattr(after, attr)}
    known = [attr for _, attr, _ in _FIELDS if getattr(after, attr) is not None]
    for first, second in pairwise(known):
        if first in moved or second in moved:
            pair: dict[str, datetime | None] = dict.fromkeys(_OPTION.values())
            pair[_OPTION[first]] = getattr(after, first)
            pair[_OPTION[second]] = getattr(after, second)
            lifecycle.validate_dates(**pair)


_OPTION = {attr: option for option, attr, _ in _FIELDS}


def _last_topic_before_end(round_: Round, count: int) -> None:
    if round_.starts_at is None or round_.ends_at is None or count == 0:
        return
    last = round_.starts_at + (count - 1) * timedelta(days=round_.topic_cadence_days)
    if last >= round_.ends_at:
        raise InvalidValue(
            f"round {round_.name} would end on {round_.ends_at:%Y-%m-%d}, before its topic "
            f"{count} goes out on {last:%Y-%m-%d}: end it later or shorten the cadence"
        )


def _changes(before: Round, after: Round) -> list[str]:
    out = []
    for option, attr, _ in _FIELDS:
        old, new = getattr(before, attr), getattr(after, attr)
        if old != new:
            out.append(f"{option} {_when(old)} -> {_when(new)}")
    if before.topic_cadence_days != after.topic_cadence_days:
        out.append(f"cadence {before.topic_cadence_days} -> {after.topic_cadence_days} days")
    return out


def _when(at: datetime | None) -> str:
    return at.isoformat(timespec="minutes") if at else "unset"
