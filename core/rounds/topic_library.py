"""Each community's editable copy of the topic library."""

from __future__ import annotations

import builtins
from dataclasses import replace

from core import audit
from core.clock import SystemClock
from core.errors import InvalidValue, NotFound
from core.model import Topic
from core.ports import Clock, UnitOfWorkFactory
from core.rounds.topics import DEFAULT_TOPICS


class TopicService:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock | None = None) -> None:
        self._uow = uow
        self._clock = clock or SystemClock()

    async def list(self, community_id: int) -> list[Topic]:
        """Return the community's topics in calendar order."""
        async with self._uow() as uow:
            return sorted(await uow.topics.list(community_id), key=lambda t: t.position)

    async def edit(
        self,
        community_id: int,
        position: int,
        *,
        title: str | None = None,
        prompt: str | None = None,
        questions: tuple[str, ...] | None = None,
        actor: str = audit.UNKNOWN,
    ) -> Topic:
        """Change one topic's title, prompt or questions."""
        if questions is not None and not 1 <= len(questions) <= 5:
            raise InvalidValue("a topic has one to five questions")
        if title is not None and not title.strip():
            raise InvalidValue("a topic needs a title")
        async with self._uow() as uow:
            topics = await uow.topics.list(community_id)
            current = next((t for t in topics if t.position == position), None)
            if current is None:
                raise NotFound(
                    f"there is no topic {position}: topics are numbered 1 to {len(topics)}"
                )
            edited = replace(
                current,
                title=title.strip() if title is not None else current.title,
                prompt=prompt.strip() if prompt is not None else current.prompt,
                questions=questions if questions is not None else current.questions,
            )
            await uow.topics.replace(
                community_id, [edited if t.position == position else t for t in topics]
            )
            changed = [
                name
                for name, new in (("title", title), ("prompt", prompt), ("questions", questions))
                if new is not None
            ]
            await audit.record(
                uow,
                community_id=community_id,
                round_id=None,
                at=self._clock.now(),
                actor=actor,
                action="topics.edit",
                subject=f"topic {position}: {edited.title}",
                detail=f"changed {', '.join(changed) or 'nothing'}",
            )
            await uow.commit()
            return edited

    async def reset(self, community_id: int, *, actor: str = audit.UNKNOWN) -> builtins.list[Topic]:
        """Put back the default library."""
        async with self._uow() as uow:
            await uow.topics.replace(community_id, DEFAULT_TOPICS)
            await audit.record(
                uow,
                community_id=community_id,
                round_id=None,
                at=self._clock.now(),
                actor=actor,
                action="topics.reset",
                subject="the topic library",
                detail="back to the defaults",
            )
            await uow.commit()
        return list(DEFAULT_TOPICS)
