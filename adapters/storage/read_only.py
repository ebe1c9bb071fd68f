"""The read-only unit of work of the CLI's quick reads, over a database driver's plain rows.

For the CLI's quickest reads (`penpals round list`): importing SQLAlchemy and declaring
penpals' tables takes longer than such a command's queries. This offers the few
repository methods those reads call, with the SQL the repositories run, and maps rows
with adapters/storage/mapping.py like they do. A driver (sqlite_read.py over sqlite3,
postgres_read.py over asyncpg) runs the SQL and opens and ends one snapshot; like a
read-only SqlUnitOfWork, it never commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from types import SimpleNamespace, TracebackType
from typing import Any, Protocol, Self

from adapters.storage.mapping import community_from_row, round_from_row
from core.model import ApplicationStatus, Community, Platform, Round


class Driver(Protocol):
    """Runs the readers' SQL on one connection; parameters are written $1, $2..."""

    async def rows(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]: ...

    async def begin(self) -> None: ...  # one snapshot, no write lock

    async def end(self) -> None: ...  # roll it back


def _when(value: str | datetime | None) -> datetime | None:
    """A stored datetime as the ORM's UTCDateTime gives it: aware, UTC.

    SQLite returns the text SQLAlchemy wrote (UTC, without its zone); PostgreSQL a
    datetime (aware for timestamptz).
    """
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _json(text: str | None) -> Any:
    """A JSON column, which both drivers return as its text (SQL NULL as None)."""
    return None if text is None else json.loads(text)


_COMMUNITY_COLUMNS = (
    "id",
    "platform",
    "external_id",
    "name",
    "default_language",
    "pairing_rule",
    "country_cap",
    "organiser_roles",
    "channels",
    "practices",
)
_COMMUNITY_JSON = ("organiser_roles", "channels", "practices")
_ROUND_COLUMNS = (
    "id",
    "community_id",
    "name",
    "state",
    "applications_open_at",
    "applications_close_at",
    "starts_at",
    "ends_at",
    "topic_cadence_days",
    "created_at",
)
_ROUND_TIMES = ("applications_open_at", "applications_close_at", "starts_at", "ends_at")


class _Communities:
    def __init__(self, db: Driver) -> None:
        self._db = db

    async def find(self, platform: Platform, external_id: str) -> Community | None:
        rows = await self._db.rows(
            f"SELECT {', '.join(_COMMUNITY_COLUMNS)} FROM communities "
            "WHERE platform = $1 AND external_id = $2",
            platform.value,
            external_id,
        )
        if not rows:
            return None
        fields = dict(zip(_COMMUNITY_COLUMNS, rows[0], strict=True))
        for column in _COMMUNITY_JSON:
            fields[column] = _json(fields[column])
        return community_from_row(SimpleNamespace(**fields))


class _Rounds:
    def __init__(self, db: Driver) -> None:
        self._db = db

    async def list(self, community_id: int) -> list[Round]:
        rows = await self._db.rows(
            f"SELECT {', '.join(_ROUND_COLUMNS)} FROM rounds WHERE community_id = $1 "
            "ORDER BY created_at, id",
            community_id,
        )
        found = []
        for row in rows:
            fields = dict(zip(_ROUND_COLUMNS, row, strict=True))
            for column in (*_ROUND_TIMES, "created_at"):
                fields[column] = _when(fields[column])
            found.append(round_from_row(SimpleNamespace(**fields)))
        return found


class _Applications:
    def __init__(self, db: Driver) -> None:
        self._db = db

    async def counts(self, round_id: int) -> Mapping[ApplicationStatus, int]:
        rows = await self._db.rows(
            "SELECT status, count(*) FROM applications WHERE round_id = $1 GROUP BY status",
            round_id,
        )
        return {ApplicationStatus(status): int(count) for status, count in rows}


class _Groups:
    def __init__(self, db: Driver) -> None:
        self._db = db

    async def sizes(self, round_id: int) -> Mapping[int, int]:
        # `active` alone as the condition: a boolean on PostgreSQL, 0 or 1 on SQLite.
        rows = await self._db.rows(
            "SELECT size, count(*) FROM (SELECT count(group_members.member_id) AS size "
            "FROM groups LEFT OUTER JOIN group_members ON group_members.group_id = groups.id "
            "WHERE groups.round_id = $1 AND groups.active GROUP BY groups.id) AS per_group "
            "GROUP BY size",
            round_id,
        )
        return {int(size): int(n) for size, n in rows}


class ReadUnitOfWork:
    """`async with uow:` reads one snapshot; communities, rounds, applications, groups."""

    def __init__(self, db: Driver) -> None:
        self._db = db
        self.communities = _Communities(db)
        self.rounds = _Rounds(db)
        self.applications = _Applications(db)
        self.groups = _Groups(db)

    async def __aenter__(self) -> Self:
        await self._db.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._db.end()

    async def commit(self) -> None:
        raise RuntimeError("a read-only unit of work cannot commit: open one for writing")


def read_only_factory(db: Driver) -> Callable[..., Any]:
    """Return a unit-of-work factory over *db* that only ever reads."""

    def make(*, read_only: bool = False) -> ReadUnitOfWork:
        if not read_only:
            raise RuntimeError("this quick reader only reads: use bots.bootstrap.build()")
        return ReadUnitOfWork(db)

    return make
