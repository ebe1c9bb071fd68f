"""Rounds as organisers run them: create, open, close, start, finish, status."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from core import audit
from core.clock import as_utc
from core.delivery.outbox import ActionKind, NewAction, announce_key, archive_key, space_key
from core.errors import Conflict, InvalidValue
from core.messages import render as messages
from core.model import ApplicationStatus, Round, RoundState
from core.platform import message_to_dict
from core.ports import Clock, NewApplication, NewRound, UnitOfWork, UnitOfWorkFactory
from core.rounds import lifecycle
from core.rounds.lookup import find_round as find_round

_NAME = re.compile(r"^[\w][\w.\- ]{0,63}$", re.UNICODE)


@dataclass(frozen=True, slots=True)
class RoundStatus:
    round: Round
    applications: Mapping[ApplicationStatus, int]
    groups: int
    trios: int
    members_in_groups: int


class RoundService:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def create(
        self,
        community_id: int,
        name: str,
        *,
        opens: datetime | None = None,
        closes: datetime | None = None,
        starts: datetime | None = None,
        ends: datetime | None = None,
        cadence_days: int = 14,
        carry_waitlist: bool = True,
        actor: str = audit.UNKNOWN,
    ) -> tuple[Round, int]:
        """Create a draft round; return it and how many waitlisted applicants it carried over.

        Waitlisted applicants of the community's latest earlier round (those over the
        country cap, say) become pending applications of the new one, keeping their
        original submission time so they come first next time.
        """
        name = name.strip()
        if not _NAME.match(name):
            raise InvalidValue(
                f"round name {name!r} is not valid: use up to 64 letters, digits, spaces, "
                "dots or hyphens, such as 2027A"
            )
        opens, closes, starts, ends = (
            as_utc(d) if d else None for d in (opens, closes, starts, ends)
        )
        lifecycle.validate_cadence(cadence_days)
        if starts is not None and ends is None:
            ends = lifecycle.default_end(starts, cadence_days)
        lifecycle.validate_dates(opens=opens, closes=closes, starts=starts, ends=ends)
        now = self._clock.now()
        async with self._uow() as uow:
            if await uow.rounds.find(community_id, name) is not None:
                raise Conflict(f"a round named {name} already exists: choose another name")
            earlier = await uow.rounds.list(community_id)
            round_ = await uow.rounds.add(
                NewRound(community_id, name, opens, closes, starts, ends, cadence_days, now)
            )
            carried = 0
            if carry_waitlist and earlier:
                previous = max(earlier, key=lambda r: (r.created_at or now, r.id))
                waiting = await uow.applications.list(previous.id, [ApplicationStatus.WAITLISTED])
                for app in waiting:
                    await uow.applications.add(
                        NewApplication(
                            round_.id,
                            app.member_id,
                            app.profile,
                            ApplicationStatus.PENDING,
                            app.submitted_at,
                            app.declared_previous_partners,
                            note=f"carried over from the {previous.name} waitlist",
                        )
                    )
                    carried += 1
            await audit.record(
                uow,
                community_id=community_id,
                round_id=round_.id,
                at=now,
                actor=actor,
                action="round.create",
                subject=f"round {round_.name}",
                detail=_dates(round_)
                + (f"; {carried} carried over from the waitlist" if carried else ""),
            )
            await uow.commit()
            return round_, carried

    async def get(self, community_id: int, name: str) -> Round:
        """Return the round called *name*."""
        async with self._uow(read_only=True) as uow:
            return await find_round(uow, community_id, name)

    async def list(self, community_id: int) -> list[RoundStatus]:
        """Return every round of the community with its counts, newest first."""
        async with self._uow(read_only=True) as uow:
            rounds = await uow.rounds.list(community_id)
            out = [await self._status(uow, r) for r in rounds]
        return sorted(
            out, key=lambda s: (s.round.created_at or self._clock.now(), s.round.id), reverse=True
        )

    async def status(self, community_id: int, name: str) -> RoundStatus:
        """Return one round with its application and group counts."""
        async with self._uow(read_only=True) as uow:
            return await self._status(uow, await find_round(uow, community_id, name))

    async def open(self, community_id: int, name: str, *, actor: str = audit.UNKNOWN) -> Round:
        """Open applications (now, if the planned opening is later)."""
        return await self._move(community_id, name, RoundState.OPEN, actor)

    async def close(self, community_id: int, name: str, *, actor: str = audit.UNKNOWN) -> Round:
        """Close applications (now, if the planned closing is later)."""
        return await self._move(community_id, name, RoundState.CLOSED, actor)

    async def start(self, community_id: int, name: str, *, actor: str = audit.UNKNOWN) -> Round:
        """Start a matched round: pairs begin and the topic calendar runs from its start."""
        return await self._move(community_id, name, RoundState.RUNNING, actor)

    async def finish(self, community_id: int, name: str, *, actor: str = audit.UNKNOWN) -> Round:
        """Finish a running round."""
        return await self._move(community_id, name, RoundState.FINISHED, actor)

    async def _move(self, community_id: int, name: str, target: RoundState, actor: str) -> Round:
        now = self._clock.now()
        async with self._uow() as uow:
            current = await find_round(uow, community_id, name)
            moved = lifecycle.transition(current, target)
            moved = _stamp(moved, target, now, reopening=current.state is RoundState.CLOSED)
            await uow.rounds.save(moved)
            await uow.outbox.enqueue(await _consequences(uow, moved, now))
            await audit.record(
                uow,
                community_id=community_id,
                round_id=moved.id,
                at=now,
                actor=actor,
                action=f"round.{_MOVE[target]}",
                subject=f"round {moved.name}",
                detail=f"{current.state.value} -> {moved.state.value}; {_dates(moved)}",
            )
            await uow.commit()
            return moved

    async def _status(self, uow: UnitOfWork, round_: Round) -> RoundStatus:
        sizes = await uow.groups.sizes(round_.id)  # members: active groups of that size
        return RoundStatus(
            round=round_,
            applications=await uow.applications.counts(round_.id),
            groups=sum(sizes.values()),
            trios=sizes.get(3, 0),
            members_in_groups=sum(size * n for size, n in sizes.items()),
        )


_MOVE = {
    RoundState.OPEN: "open",
    RoundState.CLOSED: "close",
    RoundState.RUNNING: "start",
    RoundState.FINISHED: "finish",
}


def _dates(round_: Round) -> str:
    """Say a round's dates for the audit log (UTC, ISO 8601)."""
    parts = [
        (label, at)
        for label, at in (
            ("opens", round_.applications_open_at),
            ("closes", round_.applications_close_at),
            ("starts", round_.starts_at),
            ("ends", round_.ends_at),
        )
        if at is not None
    ]
    text = ", ".join(f"{label} {at.isoformat(timespec='minutes')}" for label, at in parts)
    return f"{text or 'no dates'}, topics every {round_.topic_cadence_days} days"


def _stamp(round_: Round, target: RoundState, now: datetime, *, reopening: bool) -> Round:
    """Record on the calendar when a manual move happened earlier than planned."""
    if target is RoundState.OPEN:
        if round_.applications_open_at is None or round_.applications_open_at > now:
            round_ = replace(round_, applications_open_at=now)
        close = round_.applications_close_at
        if reopening and close is not None and close <= now:
            # Reopening after the planned close: the window has to reach past now.
            round_ = replace(round_, applications_close_at=None)
    elif target is RoundState.CLOSED:
        if round_.applications_close_at is None or round_.applications_close_at > now:
            round_ = replace(round_, applications_close_at=now)
    elif target is RoundState.RUNNING:
        starts = round_.starts_at
        if starts is None or starts > now:
            starts = now
        ends = round_.ends_at
        if ends is None or ends <= starts:
            ends = lifecycle.default_end(starts, round_.topic_cadence_days)
        round_ = replace(round_, starts_at=starts, ends_at=ends)
    elif target is RoundState.FINISHED and (round_.ends_at is None or round_.ends_at > now):
        round_ = replace(round_, ends_at=now)
    return round_


async def _consequences(uow: UnitOfWork, round_: Round, now: datetime) -> list[NewAction]:
    """Return the platform actions a move causes: announcements, closing the pair spaces."""
    community = await uow.communities.get(round_.community_id)

    def action(
        key: str, kind: ActionKind, payload: dict[str, Any], requires: tuple[str, ...] = ()
    ) -> NewAction:
        return NewAction(
            key, community.id, community.platform, kind, payload, now, round_.id, requires
        )

    def announce(what: str) -> NewAction:
        message = message_to_dict(
            messages.announcement(
                round_,
                what,
                lang=community.settings.default_language,
                practices=community.settings.practices,
            )
        )
        return action(announce_key(round_.id, what), ActionKind.ANNOUNCE, {"message": message})

    if round_.state is RoundState.OPEN:
        return [announce("opened")]
    if round_.state is RoundState.FINISHED:
        groups = [g for g in await uow.groups.list(round_.id) if g.published]
        return [
            *(
                action(
                    archive_key(round_.id, g.number),
                    ActionKind.ARCHIVE_SPACE,
                    {"round_id": round_.id, "group": g.number},
                    (space_key(round_.id, g.number),),
                )
                for g in groups
            ),
            announce("finished"),
        ]
    return []
