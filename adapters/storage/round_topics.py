"""A round's own topics, one row per topic and language (core.rounds.round_topics)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage.orm import RoundTopicTextRow
from core.rounds.topic_texts import RoundTopic, TopicText


class SqlRoundTopicRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list(self, round_id: int) -> list[RoundTopic]:
        """Return the round's own topics by position (empty: it follows the library)."""
        rows = await self._session.scalars(
            select(RoundTopicTextRow)
            .where(RoundTopicTextRow.round_id == round_id)
            .order_by(RoundTopicTextRow.position, RoundTopicTextRow.lang)
        )
        texts: dict[int, dict[str, TopicText]] = {}
        for row in rows:
            texts.setdefault(row.position, {})[row.lang] = TopicText(
                row.title, row.prompt, tuple(row.questions)
            )
        return [RoundTopic(position, found) for position, found in sorted(texts.items())]

    async def replace(self, round_id: int, topics: Sequence[RoundTopic], at: datetime) -> None:
        """Store *topics* as the round's topics, dropping those stored before."""
        await self._session.execute(
            delete(RoundTopicTextRow).where(RoundTopicTextRow.round_id == round_id)
        )
        rows = [
            {
                "round_id": round_id,
                "position": topic.position,
                "lang": lang,
                "title": text.title,
                "prompt": text.prompt,
                "questions": list(text.questions),
                "updated_at": at,
            }
            for topic in topics
            for lang, text in topic.texts.items()
        ]
        if rows:
            await self._session.execute(insert(RoundTopicTextRow), rows)
