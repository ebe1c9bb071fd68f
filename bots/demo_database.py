"""The rehearsal's own SQLite file: recreated for each run, never someone else's database."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.storage.engine import database_url
from adapters.storage.migrate import upgrade_async
from core.errors import InvalidValue
from core.model import Platform

DEMO_DATABASE = Path("penpals-demo.db")
COMMUNITY = "rehearsal"  # the only community a demo database ever holds


async def fresh_database(url: str) -> None:
    """Recreate the rehearsal's SQLite file from nothing and migrate it."""
    path = sqlite_path(url)
    if path.exists() and not is_rehearsal_database(path):
        raise InvalidValue(
            f"{path} holds something other than a penpals rehearsal: the demo recreates its "
            f"database, so give it a new file (the default is {DEMO_DATABASE})"
        )
    for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    await upgrade_async(url)


def without_fsync(engine: AsyncEngine) -> None:
    """Let the rehearsal's SQLite file skip the disk flush on every commit.

    A rehearsal needs no protection against power loss, and flushing makes the
    thousands of small outbox commits of a round take half a minute longer.
    Registered before the first connection, so every connection gets it.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent, only unflushed
        cursor.close()


def sqlite_path(url: str) -> Path:
    """Return the file of a SQLite URL, refusing any other database."""
    parsed = database_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise InvalidValue(
            "the rehearsal runs on a SQLite file of its own: give a sqlite:///FILE URL "
            f"or leave --database out (the default is {DEMO_DATABASE})"
        )
    return Path(parsed.database)


def is_rehearsal_database(path: Path) -> bool:
    """Return whether the SQLite file holds nothing but an earlier rehearsal.

    Besides the rehearsal's community, a file the demo made may hold communities with
    no round and no member: a command run on it before commands that only read stopped
    creating their community (`round list`). They hold nothing, so the demo recovers it.
    """
    rehearsal = (Platform.LOCAL.value, COMMUNITY)
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            found = db.execute(
                "SELECT platform, external_id, "
                "EXISTS (SELECT 1 FROM rounds r WHERE r.community_id = c.id) "
                "OR EXISTS (SELECT 1 FROM members m WHERE m.community_id = c.id) "
                "FROM communities c"
            ).fetchall()
    except sqlite3.Error:
        return path.stat().st_size == 0
    communities = {(platform, external) for platform, external, _ in found}
    used = {(platform, external) for platform, external, holds in found if holds}
    return used <= {rehearsal} and (communities <= {rehearsal} or rehearsal in communities)
