"""A read-only unit of work over a SQLite file with the standard library's sqlite3.

For the CLI's quickest reads (`penpals round list`): importing SQLAlchemy and declaring
penpals' tables takes longer than such a command's queries. It offers the few
repository methods those reads call, with the SQL the repositories run, and maps
rows with adapters/storage/mapping.py like they do. Like a read-only SqlUnitOfWork it
reads one snapshot (BEGIN, no write lock) and never commits.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace, TracebackType
from typing import Any, Self

from adapters.storage.mapping import community_from_row, round_from_row
from adapters.storage.revisions import quick_head
from core.model import ApplicationStatus, Community, Platform, Round

BUSY_MS = 5000  # as engine.py: wait for a writer's lock instead of failing


def open_current(path: Path) -> sqlite3.Connection | None:
    """Open the SQLite file at *path* for reading if its schema is current, else None.

    None (nothing opened) whenever the full path must decide and explain: a file that
    is not there, not a penpals database or not at the revision this penpals needs.
    """
    head = quick_head()
    if head is None or not path.is_file():
        return None
    try:
        # mode=rw: never create a file; isolation_level None: BEGIN is ours.
        connection = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode=rw", uri=True, isolation_level=None
        )
    except sqlite3.Error:
        return None
    try:
        connection.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        connection.close()
        return None
    if rows != [(head,)]:
        connection.close()
        return None
    return connection


def _when(text: str | None) -> datetime | None:
    """A stored datetime (UTC, written without its zone, as SQLAlchemy stores it)."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class _Communities:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    async def find(self, platform: Platform, external_id: str) -> Community | None:
        row = self._db.execute(
            "SELECT id, platform, external_id, name, default_language, pairing_rule, "
            "country_cap, organiser_roles, channels, practices FROM communities "
            "WHERE platform = ? AND external_id = ?",
            (platform.value, external_id),
        ).fetchone()
        if row is None:
            return None
        fields = dict(zip(_COMMUNITY_COLUMNS, row, strict=True))
        for column in ("organiser_roles", "channels", "practices"):
            fields[column] = None if fields[column] is None else json.loads(fields[column])
        return community_from_row(SimpleNamespace(**fields))


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


class _Rounds:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    async def list(self, community_id: int) -> list[Round]:
        rows = self._db.execute(
            f"SELECT {', '.join(_ROUND_COLUMNS)} FROM rounds WHERE community_id = ? "
            "ORDER BY created_at, id",
            (community_id,),
        ).fetchall()
        found = []
        for row in rows:
            fields = dict(zip(_ROUND_COLUMNS, row, strict=True))
            for column in (*_ROUND_TIMES, "created_at"):
                fields[column] = _when(fields[column])
            found.append(round_from_row(SimpleNamespace(**fields)))
        return found


class _Applications:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    async def counts(self, round_id: int) -> Mapping[ApplicationStatus, int]:
        rows = self._db.execute(
            "SELECT status, count(*) FROM applications WHERE round_id = ? GROUP BY status",
            (round_id,),
        )
        return {ApplicationStatus(status): count for status, count in rows}


class _Groups:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    async def sizes(self, round_id: int) -> Mapping[int, int]:
        rows = self._db.execute(
            "SELECT size, count(*) FROM (SELECT count(group_members.member_id) AS size "
            "FROM groups LEFT OUTER JOIN group_members ON group_members.group_id = groups.id "
            "WHERE groups.round_id = ? AND groups.active IS 1 GROUP BY groups.id) "
            "GROUP BY size",
            (round_id,),
        )
        return {int(size): int(n) for size, n in rows}


class SqliteReadUnitOfWork:
    """`async with uow:` reads one snapshot; communities, rounds, applications, groups."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self.communities = _Communities(db)
        self.rounds = _Rounds(db)
        self.applications = _Applications(db)
        self.groups = _Groups(db)

    async def __aenter__(self) -> Self:
        self._db.execute("BEGIN")  # deferred: a snapshot, no write lock
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._db.execute("ROLLBACK")

    async def commit(self) -> None:
        raise RuntimeError("a read-only unit of work cannot commit: open one for writing")


def read_only_factory(db: sqlite3.Connection) -> Callable[..., Any]:
    """Return a unit-of-work factory over *db* that only ever reads."""

    def make(*, read_only: bool = False) -> SqliteReadUnitOfWork:
        if not read_only:
            raise RuntimeError("this SQLite reader only reads: use bots.bootstrap.build()")
        return SqliteReadUnitOfWork(db)

    return make
