"""The pair goals repository: one text per group (core.engagement.goals)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage.orm import PairGoalRow


class SqlGoalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, group_id: int) -> str | None:
        """Return the pair's goals, or None if it has set none."""
        row = await self._session.scalar(
            select(PairGoalRow).where(PairGoalRow.group_id == group_id)
        )
        return None if row is None else row.text

    async def get_many(self, group_ids: Iterable[int]) -> dict[int, str]:
        """Return, by group id, the goals of the groups that set some."""
        ids = list(set(group_ids))
        found: dict[int, str] = {}
        for i in range(0, len(ids), 500):
            rows = await self._session.scalars(
                select(PairGoalRow).where(PairGoalRow.group_id.in_(ids[i : i + 500]))
            )
            found.update({r.group_id: r.text for r in rows})
        return found

    async def put(self, group_id: int, text: str, at: datetime) -> None:
        """Store (or replace) a pair's goals; an empty text removes them."""
        row = await self._session.scalar(
            select(PairGoalRow).where(PairGoalRow.group_id == group_id)
        )
        if not text:
            if row is not None:
                await self._session.delete(row)
            return
        if row is None:
            self._session.add(PairGoalRow(group_id=group_id, text=text, updated_at=at))
        else:
            row.text, row.updated_at = text, at
        await self._session.flush()

    async def delete(self, group_ids: Iterable[int]) -> int:
        """Remove the goals of these groups; return how many were removed."""
        ids = list(set(group_ids))
        if not ids:
            return 0
        result = await self._session.execute(
            delete(PairGoalRow).where(PairGoalRow.group_id.in_(ids))
        )
        return int(getattr(result, "rowcount", 0) or 0)
