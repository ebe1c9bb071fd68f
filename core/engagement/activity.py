"""Engagement's reads: the round's pair spaces, their weekly counts from the platform,
which pairs are quiet or silent and which an organisers' list already named."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from core.delivery.outbox import ActionKind, space_key
from core.engagement.model import NUDGE_AFTER, WEEK, PairSpace, Silence
from core.engagement.rules import (
    active_partner,
    count,
    last_in_week,
    quiet_since,
    week_of,
    week_start,
)
from core.model import (
    Community,
    MemberRef,
    Round,
)
from core.platform import Activity, ChatPlatform, SpaceRef
from core.ports import Pause, UnitOfWork
from core.ports import WeekCount as Count


async def pair_spaces(uow: UnitOfWork, round_id: int) -> list[PairSpace]:
    """Return the round's published active groups whose space has been made."""
    groups = await uow.groups.published_members(round_id)
    made = await uow.outbox.made_spaces(round_id)
    spaces = []
    for g in groups:
        action = made.get(space_key(round_id, g.number))
        if action is None:
            continue
        r = action.result
        if "space_id" not in r:  # skipped: the group was dissolved first
            continue
        ref = SpaceRef(action.platform, r["space_id"], r.get("name", ""), r.get("url", ""))
        spaces.append(PairSpace(g, ref, action.at))
    return spaces


async def weekly_counts(
    platform: ChatPlatform,
    space: PairSpace,
    refs: Mapping[int, MemberRef],
    first: date,
    now: datetime,
) -> list[Count]:
    """Return the members' counts for each week from *first* to this one.

    The platform counts from a moment onwards, so a week's count is the count since
    its Monday minus the count since the next Monday. Weeks from the last one stored
    are counted again: after downtime every missed week is filled in exactly.
    """
    weeks = [first]
    while weeks[-1] < week_of(now):
        weeks.append(weeks[-1] + WEEK)
    since = [await platform.activity(space.space, since=week_start(w).isoformat()) for w in weeks]
    counts = []
    for i, week in enumerate(weeks):
        later = since[i + 1] if i + 1 < len(since) else Activity()
        by_member = {
            m: max(0, count(since[i], refs[m]) - count(later, refs[m]))
            for m in space.group.member_ids
        }
        last = last_in_week(since[i], week) if any(by_member.values()) else None
        counts += [Count(space.group.id, m, week, n, last) for m, n in by_member.items()]
    return counts


@dataclass(frozen=True, slots=True)
class Quiet:
    """A pair space, when its silence began, and its members' latest weeks with messages."""

    space: PairSpace
    since: datetime
    counts: Sequence[Count]


async def quiet_pairs(
    uow: UnitOfWork, round_: Round, spaces: Sequence[PairSpace], now: datetime
) -> list[Quiet]:
    counts: dict[int, list[Count]] = defaultdict(list)
    for c in await uow.engagement.last_active(s.group.id for s in spaces):
        counts[c.group_id].append(c)
    pauses: dict[int, list[Pause]] = defaultdict(list)
    for p in await uow.engagement.pauses(round_.id):
        pauses[p.member_id].append(p)
    return [
        Quiet(
            s,
            quiet_since(
                s,
                counts[s.group.id],
                [p for m in s.group.member_ids for p in pauses[m]],
                round_.starts_at,
                now,
            ),
            counts[s.group.id],
        )
        for s in spaces
    ]


async def find_silences(
    uow: UnitOfWork, round_: Round, spaces: Sequence[PairSpace], now: datetime
) -> list[Silence]:
    """Return the pairs silent for 14 days or more."""
    return silences(await quiet_pairs(uow, round_, spaces, now), now)


def silences(quiet: Sequence[Quiet], now: datetime) -> list[Silence]:
    """Return the quiet pairs silent for 14 days or more."""
    return [
        Silence(
            q.space.group.number,
            q.space.group.member_ids,
            q.since,
            (now - q.since).days,
            active_partner(q.space.group.member_ids, q.counts),
        )
        for q in quiet
        if now - q.since >= NUDGE_AFTER
    ]


async def not_yet_listed(
    uow: UnitOfWork, community: Community, round_: Round, silent: Sequence[Silence]
) -> list[Silence]:
    """Return the silences no earlier organisers' list of the round named."""
    alerts = await uow.outbox.list(
        community.id, round_id=round_.id, kinds=[ActionKind.ALERT_ORGANISERS]
    )
    listed = {tuple(p) for a in alerts for p in a.payload.get("silent_pairs", ())}
    return [s for s in silent if (s.number, s.spell) not in listed]


async def member_names(uow: UnitOfWork, round_id: int, member_ids: Iterable[int]) -> dict[int, str]:
    """Return the names these members gave in their applications to the round."""
    found = await uow.applications.find_many(round_id, member_ids)
    return {m: a.profile.name for m, a in found.items()}
