"""The quick read of a SQLite file with the standard library's sqlite3.

Opens the file only when its schema is current and gives adapters/storage/read_only.py
the rows of its SQL; like a read-only SqlUnitOfWork it reads one snapshot (BEGIN, no
write lock) and never commits.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from adapters.storage import read_only
from adapters.storage.revisions import quick_head

BUSY_MS = 5000  # as engine.py: wait for a writer's lock instead of failing
_NUMBERED = re.compile(r"\$(\d+)")


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


class SqliteDriver:
    """read_only.Driver over a sqlite3 connection (its calls are quick: run in place)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    async def rows(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        return self._db.execute(_NUMBERED.sub(r"?\1", sql), args).fetchall()

    async def begin(self) -> None:
        self._db.execute("BEGIN")  # deferred: a snapshot, no write lock

    async def end(self) -> None:
        self._db.execute("ROLLBACK")


def read_only_factory(db: sqlite3.Connection) -> Callable[..., Any]:
    """Return a unit-of-work factory over *db* that only ever reads."""
    return read_only.read_only_factory(SqliteDriver(db))
