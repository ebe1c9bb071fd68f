"""The engagement repository: weekly message counts, pauses and the standby pool."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Row, and_, case, func, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage.orm import (
    GroupMemberRow,
    GroupRow,
    OutboxRow,
    PairActivityRow,
    PauseRow,
    StandbyRow,
)
from adapters.storage.sqlite_values import sqlite_time
from core.delivery.outbox import ActionKind, ActionState
from core.ports import Pause, Volunteer, WeekCount

_CHUNK = 500  # rows per INSERT: well inside SQLite's variable limit
_A = PairActivityRow
# Plain columns rather than ORM objects: a round has tens of thousands of counts.
_COUNTS = select(
    _A.group_id, _A.member_id, _A.week, _A.message_count, _A.last_message_at
).select_from(_A)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start : start + _CHUNK]


def _counts(rows: Iterable[Row[tuple[int, int, date, int, datetime | None]]]) -> list[WeekCount]:
    return [WeekCount(*row) for row in rows]


# The upsert of record() in SQLite's words, for its quick path.
_SQLITE_UPSERT = (
    "INSERT INTO pair_activity "
    "(group_id, member_id, week, message_count, last_message_at, recorded_at) "
    "VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (group_id, member_id, week) DO UPDATE SET "
    "message_count = excluded.message_count, "
    "last_message_at = coalesce(excluded.last_message_at, pair_activity.last_message_at), "
    "recorded_at = excluded.recorded_at"
)


def _pause(row: PauseRow) -> Pause:
    return Pause(row.id, row.member_id, row.round_id, row.starts, row.ends)


class SqlEngagementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, counts: Sequence[WeekCount], at: datetime) -> None:
        """Store the weekly counts, replacing those of the same group, member and week."""
        if not counts:
            return
        if self._session.get_bind().dialect.name == "sqlite":
            await self._record_sqlite(counts, at)
            return
        rows = [
            {
                "group_id": c.group_id,
                "member_id": c.member_id,
                "week": c.week,
                "message_count": c.messages,
                "last_message_at": c.last_message_at,
                "recorded_at": at,
            }
            for c in counts
        ]
        if not rows:
            return
        dialect = self._session.get_bind().dialect.name
        insert = sqlite_insert
        if dialect == "postgresql":  # imported here: SQLite deployments do without it
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            insert = pg_insert  # type: ignore[assignment]
        stmt = insert(_A.__table__)
        upsert = stmt.on_conflict_do_update(
            index_elements=["group_id", "member_id", "week"],
            set_={
                "message_count": stmt.excluded.message_count,
                # Unknown now (a later message hid it): keep what an earlier reading found.
                "last_message_at": func.coalesce(
                    stmt.excluded.last_message_at, _A.__table__.c.last_message_at
                ),
                "recorded_at": stmt.excluded.recorded_at,
            },
        )
        # One statement, many parameter sets: compiled once, sent in batches by the driver.
        await self._session.execute(upsert, rows)

    async def _record_sqlite(self, counts: Sequence[WeekCount], at: datetime) -> None:
        """record() on SQLite: the same upsert, its values written as SQLAlchemy stores them.

        A daily count of a 20,000-member round writes about 40,000 rows; converting each
        row's dates and times through the column types cost most of the time (0.4 s a
        call), so they are formatted here and handed to the driver as they are.
        """
        recorded = sqlite_time(at)
        rows = [
            (
                c.group_id,
                c.member_id,
                c.week.isoformat(),
                c.messages,
                None if c.last_message_at is None else sqlite_time(c.last_message_at),
                recorded,
            )
            for c in counts
        ]
        connection = await self._session.connection()
        await connection.exec_driver_sql(_SQLITE_UPSERT, rows)

    async def weeks(self, group_ids: Iterable[int]) -> list[WeekCount]:
        """Return the stored weekly counts of the groups, oldest week first."""
        found: list[WeekCount] = []
        for chunk in _chunks(group_ids):
            found += _counts(await self._session.execute(_COUNTS.where(_A.group_id.in_(chunk))))
        return sorted(found, key=lambda c: c.week)

    async def latest_weeks(self, group_ids: Iterable[int]) -> dict[int, date]:
        """Return, for each group with counts, the latest week counted."""
        latest: dict[int, date] = {}
        for chunk in _chunks(group_ids):
            rows = await self._session.execute(
                select(_A.group_id, func.max(_A.week))
                .where(_A.group_id.in_(chunk))
                .group_by(_A.group_id)
            )
            latest.update((group_id, week) for group_id, week in rows)
        return latest

    async def last_active(self, group_ids: Iterable[int]) -> list[WeekCount]:
        """Return each member's count of the latest week they wrote in, if they ever did."""
        found: list[WeekCount] = []
        for chunk in _chunks(group_ids):
            latest = (
                select(_A.group_id, _A.member_id, func.max(_A.week).label("week"))
                .where(_A.group_id.in_(chunk), _A.message_count > 0)
                .group_by(_A.group_id, _A.member_id)
                .subquery()
            )
            on = and_(
                _A.group_id == latest.c.group_id,
                _A.member_id == latest.c.member_id,
                _A.week == latest.c.week,
            )
            found += _counts(await self._session.execute(_COUNTS.join(latest, on)))
        return found

    async def last_recorded(self, round_id: int) -> datetime | None:
        """Return when counts of the round's groups were last stored."""
        found: datetime | None = await self._session.scalar(
            select(func.max(PairActivityRow.recorded_at))
            .join(GroupRow, GroupRow.id == PairActivityRow.group_id)
            .where(GroupRow.round_id == round_id)
        )
        # SQLite's MAX() hands back the stored text's datetime without its zone.
        return None if found is None else found.replace(tzinfo=found.tzinfo or UTC)

    async def spaces_version(self, round_id: int) -> tuple[int, ...]:
        """Return figures of the round's pair spaces that change whenever they do.

        Two aggregate queries instead of reading every pair and space (20,000 members:
        a few milliseconds against a tenth of a second).
        """
        groups, links = GroupRow.__table__, GroupMemberRow.__table__
        members = await self._session.execute(
            select(
                func.count(func.distinct(groups.c.id)),
                func.coalesce(func.sum(groups.c.id), 0),
                func.coalesce(func.sum(groups.c.number), 0),
                func.count(links.c.member_id),
                func.coalesce(func.sum(links.c.member_id), 0),
            )
            .select_from(groups)
            .outerjoin(links, links.c.group_id == groups.c.id)
            .where(
                groups.c.round_id == round_id,
                groups.c.active.is_(True),
                groups.c.published.is_(True),
            )
        )
        # The state is summed, not filtered: filtering on it makes SQLite walk the
        # (state, not_before) index through every done action (see outbox.made_spaces).
        done = OutboxRow.state == ActionState.DONE.value
        spaces = await self._session.execute(
            select(
                func.coalesce(func.sum(case((done, 1), else_=0)), 0),
                func.coalesce(func.sum(case((done, OutboxRow.id), else_=0)), 0),
            ).where(
                OutboxRow.round_id == round_id,
                OutboxRow.kind == ActionKind.CREATE_SPACE.value,
            )
        )
        return tuple(int(n) for n in (*members.one(), *spaces.one()))

    async def add_pause(
        self, member_id: int, round_id: int, starts: datetime, ends: datetime
    ) -> Pause:
        """Store a pause of a member's pair."""
        row = PauseRow(member_id=member_id, round_id=round_id, starts=starts, ends=ends)
        self._session.add(row)
        await self._session.flush()
        return _pause(row)

    async def pauses(self, round_id: int) -> list[Pause]:
        """Return the round's pauses, earliest first."""
        rows = await self._session.scalars(
            select(PauseRow).where(PauseRow.round_id == round_id).order_by(PauseRow.starts)
        )
        return [_pause(row) for row in rows]

    async def end_pauses(self, member_id: int, round_id: int, at: datetime) -> int:
        """End the member's pauses still running at *at*; return how many."""
        result = await self._session.execute(
            update(PauseRow)
            .where(
                PauseRow.member_id == member_id,
                PauseRow.round_id == round_id,
                PauseRow.starts <= at,
                PauseRow.ends > at,
            )
            .values(ends=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def add_volunteer(
        self, community_id: int, member_id: int, round_id: int | None, at: datetime
    ) -> bool:
        """Put a member in the standby pool; return False if they already were."""
        existing = await self._session.scalar(
            select(StandbyRow.id).where(
                StandbyRow.community_id == community_id,
                StandbyRow.member_id == member_id,
                # NULL never equals NULL in SQL: compare the "any round" case explicitly.
                StandbyRow.round_id.is_(None)
                if round_id is None
                else StandbyRow.round_id == round_id,
            )
        )
        if existing is not None:
            return False
        self._session.add(
            StandbyRow(
                community_id=community_id, member_id=member_id, round_id=round_id, created_at=at
            )
        )
        await self._session.flush()
        return True

    async def volunteers(self, community_id: int, round_id: int) -> list[Volunteer]:
        """Return the volunteers for the round (and for any round), earliest first."""
        rows = await self._session.scalars(
            select(StandbyRow)
            .where(
                StandbyRow.community_id == community_id,
                or_(StandbyRow.round_id.is_(None), StandbyRow.round_id == round_id),
            )
            .order_by(StandbyRow.created_at, StandbyRow.id)
        )
        return [Volunteer(r.community_id, r.member_id, r.round_id, r.created_at) for r in rows]

    async def remove_volunteer(self, community_id: int, member_id: int) -> None:
        """Take a member out of the community's standby pool."""
        rows = await self._session.scalars(
            select(StandbyRow).where(
                StandbyRow.community_id == community_id, StandbyRow.member_id == member_id
            )
        )
        for row in rows:
            await self._session.delete(row)
        await self._session.flush()
