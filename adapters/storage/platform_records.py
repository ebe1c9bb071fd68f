"""core.platform.PlatformRecords over SQLAlchemy: recorded pair spaces and the thread budget.

The platform adapters call these in the middle of an action (right after Discord
made a thread, before adding members), outside the outbox's own transaction, so
each call is its own short transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.storage.orm import (
    GroupMemberRow,
    GroupRow,
    MemberRow,
    OutboxRow,
    PairSpaceRow,
    ThreadWakeRow,
)
from core.model import MemberRef, Platform


class SqlPlatformRecords:
    """Pair spaces by key and platform id, and threads made or woken, in the database."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    @classmethod
    def over(cls, engine: AsyncEngine) -> SqlPlatformRecords:
        """Return records kept through *engine*."""
        return cls(async_sessionmaker(engine, expire_on_commit=False))

    # -- pair spaces -------------------------------------------------------------------

    async def record_space(
        self, community_id: int, platform: Platform, key: str, space_id: str
    ) -> None:
        """Record (or replace: the earlier space was deleted) the space made for *key*."""
        async with self._sessionmaker() as session:
            found = await session.scalar(
                select(PairSpaceRow).where(
                    PairSpaceRow.platform == platform.value, PairSpaceRow.key == key
                )
            )
            now = datetime.now(UTC)
            if found is None:
                session.add(
                    PairSpaceRow(
                        community_id=community_id,
                        platform=platform.value,
                        key=key,
                        space_id=space_id,
                        created_at=now,
                    )
                )
            else:
                found.space_id, found.created_at = space_id, now
            await session.commit()

    async def recorded_space(self, platform: Platform, key: str) -> str | None:
        async with self._sessionmaker() as session:
            return await session.scalar(
                select(PairSpaceRow.space_id).where(
                    PairSpaceRow.platform == platform.value, PairSpaceRow.key == key
                )
            )

    async def forget_space(self, platform: Platform, key: str) -> None:
        async with self._sessionmaker() as session:
            await session.execute(
                delete(PairSpaceRow).where(
                    PairSpaceRow.platform == platform.value, PairSpaceRow.key == key
                )
            )
            await session.commit()

    async def space_key(self, platform: Platform, space_id: str) -> str | None:
        async with self._sessionmaker() as session:
            return await session.scalar(
                select(PairSpaceRow.key)
                .where(PairSpaceRow.platform == platform.value, PairSpaceRow.space_id == space_id)
                .limit(1)
            )

    async def space_members(self, platform: Platform, space_id: str) -> tuple[MemberRef, ...]:
        """Return the group's current members (withdrawn ones are no longer in the group)."""
        async with self._sessionmaker() as session:
            key = await session.scalar(
                select(PairSpaceRow.key)
                .where(PairSpaceRow.platform == platform.value, PairSpaceRow.space_id == space_id)
                .limit(1)
            )
            if key is None:
                return ()
            payload = await session.scalar(select(OutboxRow.payload).where(OutboxRow.key == key))
            if not payload or "round_id" not in payload or "group" not in payload:
                return ()
            rows = await session.execute(
                select(MemberRow.platform, MemberRow.external_id)
                .join(GroupMemberRow, GroupMemberRow.member_id == MemberRow.id)
                .join(GroupRow, GroupRow.id == GroupMemberRow.group_id)
                .where(
                    GroupRow.round_id == int(payload["round_id"]),
                    GroupRow.number == int(payload["group"]),
                )
                .order_by(MemberRow.id)
            )
            return tuple(MemberRef(Platform(p), external) for p, external in rows)

    # -- the thread budget -------------------------------------------------------------

    async def take_wake(
        self,
        platform: Platform,
        place: str,
        thread: str,
        *,
        limit: int,
        since: datetime,
        now: datetime,
    ) -> datetime | None:
        """Count *thread* at *now* unless *limit* other threads were counted since *since*."""
        where = (ThreadWakeRow.platform == platform.value, ThreadWakeRow.place == place)
        async with self._sessionmaker() as session:
            await session.execute(delete(ThreadWakeRow).where(*where, ThreadWakeRow.at <= since))
            found = await session.scalar(
                select(ThreadWakeRow).where(*where, ThreadWakeRow.thread_id == thread)
            )
            if found is None:
                counted, oldest = (
                    await session.execute(
                        select(func.count(), func.min(ThreadWakeRow.at)).where(*where)
                    )
                ).one()
                if counted >= limit:
                    await session.commit()
                    return oldest  # type: ignore[no-any-return]
                session.add(
                    ThreadWakeRow(platform=platform.value, place=place, thread_id=thread, at=now)
                )
            else:
                found.at = now
            try:
                await session.commit()
            except IntegrityError:  # counted meanwhile by a concurrent call: it is counted
                await session.rollback()
            return None

    async def move_wake(self, platform: Platform, place: str, old: str, new: str) -> None:
        where = (ThreadWakeRow.platform == platform.value, ThreadWakeRow.place == place)
        async with self._sessionmaker() as session:
            taken = await session.scalar(
                select(ThreadWakeRow.id).where(*where, ThreadWakeRow.thread_id == new)
            )
            if taken is None:
                await session.execute(
                    update(ThreadWakeRow)
                    .where(*where, ThreadWakeRow.thread_id == old)
                    .values(thread_id=new)
                )
            else:
                await session.execute(
                    delete(ThreadWakeRow).where(*where, ThreadWakeRow.thread_id == old)
                )
            await session.commit()

    async def drop_wake(self, platform: Platform, place: str, thread: str) -> None:
        async with self._sessionmaker() as session:
            await session.execute(
                delete(ThreadWakeRow).where(
                    ThreadWakeRow.platform == platform.value,
                    ThreadWakeRow.place == place,
                    ThreadWakeRow.thread_id == thread,
                )
            )
            await session.commit()
