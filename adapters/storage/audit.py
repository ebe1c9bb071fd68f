"""The audit log repository (core.audit): rows written with the change they record."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage.orm import AuditRow, RoundRow
from core.audit_entries import AuditEntry, NewAuditEntry


class SqlAuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entries: Sequence[NewAuditEntry]) -> None:
        """Store entries in the session's transaction."""
        if not entries:
            return
        await self._session.execute(
            insert(AuditRow),
            [
                {
                    "community_id": e.community_id,
                    "round_id": e.round_id,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "subject": e.subject,
                    "detail": e.detail,
                }
                for e in entries
            ],
        )

    async def list(self, community_id: int, round_id: int | None = None) -> list[AuditEntry]:
        """Return the community's entries (or one round's), oldest first, with round names."""
        query = (
            select(AuditRow, RoundRow.name)
            .outerjoin(RoundRow, RoundRow.id == AuditRow.round_id)
            .where(AuditRow.community_id == community_id)
            .order_by(AuditRow.at, AuditRow.id)
        )
        if round_id is not None:
            query = query.where(AuditRow.round_id == round_id)
        rows = await self._session.execute(query)
        return [
            AuditEntry(
                r.id,
                r.community_id,
                r.round_id,
                r.at,
                r.actor,
                r.action,
                r.subject,
                r.detail,
                name or "",
            )
            for r, name in rows.all()
        ]
