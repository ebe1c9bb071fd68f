"""Storage ports for what penpals keeps about members beyond their applications.

Weekly message counts, pauses and the standby pool (core.engagement), the goals a
pair agreed, and the reads and rewrites of one member's data for export and forget
(core.privacy). Re-exported by core.ports, whose UnitOfWork holds these repositories.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from core.model import Application, MemberRef


@dataclass(frozen=True, slots=True)
class WeekCount:
    """How many messages one member wrote in their pair space in one week: never contents."""

    group_id: int
    member_id: int
    week: date  # the Monday (UTC) the week starts on
    messages: int
    # The space's latest message of this week, when known (platforms report it per space);
    # storing None keeps the time stored before.
    last_message_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Pause:
    """A member stepping away from their pair for a while."""

    id: int
    member_id: int
    round_id: int
    starts: datetime
    ends: datetime


@dataclass(frozen=True, slots=True)
class Volunteer:
    """A member willing to take a partner whose own partner went quiet."""

    community_id: int
    member_id: int
    round_id: int | None  # None: any round of the community
    created_at: datetime


class EngagementRepository(Protocol):
    async def record(self, counts: Sequence[WeekCount], at: datetime) -> None:
        """Store the weekly counts, replacing those of the same group, member and week."""
        ...

    async def weeks(self, group_ids: Iterable[int]) -> builtins.list[WeekCount]:
        """Return the stored weekly counts of the groups, oldest week first."""
        ...

    async def latest_weeks(self, group_ids: Iterable[int]) -> dict[int, date]:
        """Return, for each group with counts, the latest week counted."""
        ...

    async def last_active(self, group_ids: Iterable[int]) -> builtins.list[WeekCount]:
        """Return each member's count of the latest week they wrote in, if they ever did."""
        ...

    async def last_recorded(self, round_id: int) -> datetime | None:
        """Return when counts of the round's groups were last stored."""
        ...

    async def spaces_version(self, round_id: int) -> tuple[int, ...]:
        """Return figures of the round's pair spaces that change whenever they do.

        Counts and sums of ids of the published active groups, their members and the
        done pair-space creations: equal figures mean the same pair spaces.
        """
        ...

    async def add_pause(
        self, member_id: int, round_id: int, starts: datetime, ends: datetime
    ) -> Pause: ...
    async def pauses(self, round_id: int) -> builtins.list[Pause]: ...
    async def end_pauses(self, member_id: int, round_id: int, at: datetime) -> int:
        """End the member's pauses still running at *at*; return how many."""
        ...

    async def add_volunteer(
        self, community_id: int, member_id: int, round_id: int | None, at: datetime
    ) -> bool:
        """Put a member in the standby pool; return False if they already were."""
        ...

    async def volunteers(self, community_id: int, round_id: int) -> builtins.list[Volunteer]:
        """Return the volunteers for the round (and for any round), earliest first."""
        ...

    async def remove_volunteer(self, community_id: int, member_id: int) -> None: ...


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """What the members table holds about one person."""

    id: int
    community_id: int
    ref: MemberRef
    display_name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Membership:
    """One group a member was placed in (never who else was in it)."""

    group_id: int
    round_id: int
    number: int
    published: bool
    active: bool


class PrivacyRepository(Protocol):
    """Reads and rewrites everything stored about one member (export and forget)."""

    async def member(self, community_id: int, ref: MemberRef) -> MemberRecord | None: ...
    async def applications(self, member_id: int) -> builtins.list[Application]:
        """Return the member's applications in every round, oldest first."""
        ...

    async def memberships(self, member_id: int) -> builtins.list[Membership]: ...
    async def pauses(self, member_id: int) -> builtins.list[Pause]: ...
    async def volunteering(self, member_id: int) -> builtins.list[Volunteer]: ...
    async def activity(self, member_id: int) -> builtins.list[WeekCount]:
        """Return the member's own weekly message counts, oldest week first."""
        ...

    async def rename_member(self, member_id: int, external_id: str, display_name: str) -> None:
        """Replace the member's platform id and display name."""
        ...

    async def set_declared_partners(self, application_id: int, partners: Sequence[str]) -> None: ...

    async def declared_partners(self, community_id: int) -> dict[int, builtins.list[str]]:
        """Return the declared previous partners of every application of the community."""
        ...

    async def set_payload(self, action_id: int, payload: Mapping[str, Any]) -> None:
        """Replace the payload of an outbox action."""
        ...


class GoalRepository(Protocol):
    """The goals each pair agreed (core.engagement.goals), by group id."""

    async def get(self, group_id: int) -> str | None:
        """Return the pair's goals, or None if it has set none."""
        ...

    async def get_many(self, group_ids: Iterable[int]) -> dict[int, str]:
        """Return, by group id, the goals of the groups that set some."""
        ...

    async def put(self, group_id: int, text: str, at: datetime) -> None:
        """Store (or replace) a pair's goals; an empty text removes them."""
        ...

    async def delete(self, group_ids: Iterable[int]) -> int:
        """Remove the goals of these groups; return how many were removed."""
        ...
