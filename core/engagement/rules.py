"""Engagement's rules: weeks, pauses, when a pair's silence began, who wrote last, the
organisers' summary of silent pairs (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from core.engagement.model import MAX_PAUSE_DAYS, RESCUE_AFTER, WEEK, PairSpace, Silence
from core.errors import InvalidValue, Moment
from core.messages.i18n import N_
from core.model import (
    MemberRef,
)
from core.platform import Activity
from core.ports import Pause
from core.ports import WeekCount as Count


def week_of(at: datetime) -> date:
    """Return the Monday (UTC) of the week *at* falls in."""
    day = at.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def week_start(week: date) -> datetime:
    return datetime.combine(week, time(), UTC)


def offer_action_id(round_id: int, number: int) -> str:
    """Return the button id of an offer of a new partner (adapters route presses by it)."""
    return f"engagement:new-partner:{round_id}:{number}"


def pause_end(day: date, now: datetime) -> datetime:
    """Return when a pause "until *day*" ends: that day's first moment (UTC), within 60 days."""
    until = datetime.combine(day, time(), UTC)
    latest = now + timedelta(days=MAX_PAUSE_DAYS)
    if until <= now:
        raise InvalidValue(
            N_("{day} is not in the future: give the day you will be back"),
            day=Moment(until, "%Y-%m-%d"),
        )
    if until > latest:
        raise InvalidValue(
            N_(
                "a pause lasts at most {days} days (until {latest}): "
                "for longer, tell the organisers or withdraw from the round"
            ),
            days=MAX_PAUSE_DAYS,
            latest=Moment(latest, "%Y-%m-%d"),
        )
    return until


def silent_summary(round_name: str, pairs: Sequence[Silence]) -> tuple[str, list[str]]:
    """Return the organisers' heading and one line per silent pair (counts, never contents)."""
    if not pairs:
        return f"No pair of round {round_name} has been silent for two weeks or more.", []
    heading = f"Round {round_name}: {len(pairs)} pair(s) silent for two weeks or more"
    lines = []
    for s in sorted(pairs, key=lambda s: (-s.days, s.number)):
        if s.days < RESCUE_AFTER.days:
            then = "nudged"
        elif s.active_member_id is not None:
            then = "the partner who wrote last was offered a new partner"
        else:
            then = "nobody wrote last on their own: check in with both"
        lines.append(f"Pair {s.number}: silent {s.days} days; {then}")
    return heading, lines


def count(activity: Activity, member: MemberRef) -> int:
    return activity.messages_by_member.get(member.external_id, 0)


def last_in_week(activity: Activity, week: date) -> datetime | None:
    """Return the latest message of the week, or None when a later message hides it."""
    if activity.last_message_at is None:
        return None
    last = datetime.fromisoformat(activity.last_message_at).astimezone(UTC)
    return last if last < week_end(week) else None


def week_end(week: date) -> datetime:
    return week_start(week) + WEEK


def quiet_since(
    space: PairSpace,
    counts: Sequence[Count],
    pauses: Sequence[Pause],
    started: datetime | None,
    now: datetime,
) -> datetime:
    """Return when the pair's silence began (in the future while a member is paused).

    Silence counts from the last message, or else from when the pair could first
    talk, and afresh from the end of a pause. *counts* are the members' latest
    weeks with messages: the space's last message is in the latest of them.
    """
    # A week whose last message was never read exactly counts as talking to its end.
    last = max((c.last_message_at or week_end(c.week) for c in counts), default=None)
    ends = [p.ends for p in pauses if p.starts <= now]
    return max(t for t in (last, space.created_at, started, *ends) if t is not None)


def next_midnight(at: datetime) -> datetime:
    """Return *at* if it is 00:00 UTC, else the next 00:00 UTC."""
    day = at.astimezone(UTC).date()
    midnight = datetime.combine(day, time(), UTC)
    return midnight if midnight == at else midnight + timedelta(days=1)


def active_partner(member_ids: Sequence[int], counts: Sequence[Count]) -> int | None:
    """Return who alone wrote in the pair's last week with messages, if anyone did."""
    last = {
        m: max((c.week for c in counts if c.member_id == m and c.messages), default=None)
        for m in member_ids
    }
    weeks = [w for w in last.values() if w is not None]
    if not weeks:
        return None
    writers = [m for m, w in last.items() if w == max(weeks)]
    # Both wrote and then both stopped: nobody is left waiting for an answer.
    return writers[0] if len(writers) == 1 else None
