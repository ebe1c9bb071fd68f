"""The topics repository: a community's topic library."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage.orm import (
    TopicRow,
)
from core.model import (
    Topic,
)


class SqlTopicRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list(self, community_id: int) -> list[Topic]:
        """Return the community's discussion topics by position."""
        rows = await self._session.scalars(
            select(TopicRow)
            .where(TopicRow.community_id == community_id)
            .order_by(TopicRow.position)
        )
        return [
            Topic(
                position=row.position,
                title=row.title,
                prompt=row.prompt,
                questions=tuple(row.questions),
            )
            for row in rows
        ]

    async def replace(self, community_id: int, topics: Sequence[Topic]) -> None:
        """Replace the community's topics with *topics*."""
        # Delete before inserting, in separate statements: one flush would insert
        # first and trip the unique (community_id, position) constraint.
        await self._session.execute(delete(TopicRow).where(TopicRow.community_id == community_id))
        self._session.add_all(
            TopicRow(
                community_id=community_id,
                position=topic.position,
                title=topic.title,
                prompt=topic.prompt,
                questions=list(topic.questions),
            )
            for topic in topics
        )
        await self._session.flush()
