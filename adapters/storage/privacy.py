"""The privacy repository: everything stored about one member, to export or forget it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage.applications import application_from_row
from adapters.storage.common import utc
from adapters.storage.orm import (
    ApplicationRow,
    GroupMemberRow,
    GroupRow,
    MemberRow,
    OutboxRow,
    PairActivityRow,
    PauseRow,
    RoundRow,
    StandbyRow,
)
from core.model import Application, MemberRef, Platform
from core.ports import MemberRecord, Membership, Pause, Volunteer, WeekCount


class SqlPrivacyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def member(self, community_id: int, ref: MemberRef) -> MemberRecord | None:
        row = await self._session.scalar(
            select(MemberRow).where(
                MemberRow.community_id == community_id,
                MemberRow.platform == ref.platform.value,
                MemberRow.external_id == ref.external_id,
            )
        )
        if row is None:
            return None
        return MemberRecord(
            row.id,
            row.community_id,
            MemberRef(Platform(row.platform), row.external_id),
            row.display_name,
            utc(row.created_at),
        )

    async def applications(self, member_id: int) -> list[Application]:
        """Return the member's applications in every round, oldest first."""
        rows = await self._session.execute(
            select(ApplicationRow, MemberRow.platform, MemberRow.external_id)
            .join(MemberRow, MemberRow.id == ApplicationRow.member_id)
            .where(ApplicationRow.member_id == member_id)
            .order_by(ApplicationRow.submitted_at, ApplicationRow.id)
        )
        return [
            application_from_row(row, MemberRef(Platform(platform), external_id))
            for row, platform, external_id in rows
        ]

    async def memberships(self, member_id: int) -> list[Membership]:
        rows = await self._session.execute(
            select(GroupRow.id, GroupRow.round_id, GroupRow.number, GroupRow.published)
            .add_columns(GroupRow.active)
            .join(GroupMemberRow, GroupMemberRow.group_id == GroupRow.id)
            .where(GroupMemberRow.member_id == member_id)
            .order_by(GroupRow.round_id, GroupRow.number)
        )
        return [Membership(*row) for row in rows]

    async def pauses(self, member_id: int) -> list[Pause]:
        rows = await self._session.scalars(
            select(PauseRow).where(PauseRow.member_id == member_id).order_by(PauseRow.starts)
        )
        return [Pause(r.id, r.member_id, r.round_id, utc(r.starts), utc(r.ends)) for r in rows]

    async def volunteering(self, member_id: int) -> list[Volunteer]:
        rows = await self._session.scalars(
            select(StandbyRow)
            .where(StandbyRow.member_id == member_id)
            .order_by(StandbyRow.created_at, StandbyRow.id)
        )
        return [Volunteer(r.community_id, r.member_id, r.round_id, utc(r.created_at)) for r in rows]

    async def activity(self, member_id: int) -> list[WeekCount]:
        """Return the member's own weekly message counts, oldest week first."""
        a = PairActivityRow
        rows = await self._session.execute(
            select(a.group_id, a.member_id, a.week, a.message_count, a.last_message_at)
            .where(a.member_id == member_id)
            .order_by(a.week, a.group_id)
        )
        return [
            WeekCount(g, m, w, n, None if last is None else utc(last)) for g, m, w, n, last in rows
        ]

    async def rename_member(self, member_id: int, external_id: str, display_name: str) -> None:
        """Replace the member's platform id and display name."""
        await self._session.execute(
            update(MemberRow)
            .where(MemberRow.id == member_id)
            .values(external_id=external_id, display_name=display_name)
        )

    async def set_declared_partners(self, application_id: int, partners: Sequence[str]) -> None:
        await self._session.execute(
            update(ApplicationRow)
            .where(ApplicationRow.id == application_id)
            .values(declared_previous_partners=list(partners))
        )

    async def declared_partners(self, community_id: int) -> dict[int, list[str]]:
        """Return the declared previous partners of every application of the community."""
        rows = await self._session.execute(
            select(ApplicationRow.id, ApplicationRow.declared_previous_partners)
            .join(RoundRow, RoundRow.id == ApplicationRow.round_id)
            .where(RoundRow.community_id == community_id)
        )
        return {app_id: list(partners) for app_id, partners in rows if partners}

    async def set_payload(self, action_id: int, payload: Mapping[str, Any]) -> None:
        """Replace the payload of an outbox action."""
        await self._session.execute(
            update(OutboxRow).where(OutboxRow.id == action_id).values(payload=dict(payload))
        )
