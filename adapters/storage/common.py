"""What the SQLAlchemy repositories share: unique-constraint errors as Conflict, an
INSERT that can skip duplicates on either database, datetimes back in UTC.

Each repository works inside the AsyncSession of one unit of work and maps rows to
core.model dataclasses explicitly. Every write flushes before returning, so that a
database error surfaces at the call that caused it, and inserts that may clash with
a unique constraint run in a savepoint, so that the Conflict they raise leaves the
unit of work usable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Table
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage.mapping import utc as utc
from adapters.storage.mapping import utc_or_none as utc_or_none
from core.errors import Conflict

CHUNK = 500  # ids per IN (...): well inside SQLite's variable limit
_UNIQUE_SQLITE_ERRORS = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})


def is_unique_violation(error: IntegrityError) -> bool:
    """Tell whether *error* comes from a unique (or primary key) constraint."""
    orig = error.orig
    # asyncpg reports the SQLSTATE; sqlite3 (Python 3.11+) the extended error name.
    if getattr(orig, "sqlstate", None) == "23505":
        return True
    return getattr(orig, "sqlite_errorname", None) in _UNIQUE_SQLITE_ERRORS


def insert_for(session: AsyncSession, table: Table) -> SqliteInsert:
    """Return an INSERT that can say ON CONFLICT DO NOTHING on this session's database."""
    if session.get_bind().dialect.name == "postgresql":
        # Imported here: a SQLite deployment (and every CLI start) does without it.
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)  # type: ignore[return-value]
    return sqlite_insert(table)


@asynccontextmanager
async def unique_or_conflict(session: AsyncSession, message: str) -> AsyncIterator[None]:
    """Flush the block's changes in a savepoint; raise Conflict(*message*) on a duplicate."""
    try:
        async with session.begin_nested():
            yield
            await session.flush()
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise Conflict(message) from error
