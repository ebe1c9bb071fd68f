"""The quick read of the database for the CLI's lightest commands (`penpals round list`).

A command that only reads rounds and their counts runs in about half its time
without SQLAlchemy: a plain SQLite file is read with sqlite3
(adapters/storage/sqlite_read.py), a plain PostgreSQL URL with asyncpg alone
(adapters/storage/postgres_read.py), and core's RoundService runs over either
unchanged. Whenever anything is not plain (another database, a URL with options, a
file that is not there, a schema that is not current, a community not stored yet,
any error of the database or the server), this gives up and the command takes the
usual way (bots.bootstrap.build()), which decides and explains as it always has.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from core.model import Community, Platform

T = TypeVar("T")
_SCHEMES = ("sqlite:///", "sqlite+aiosqlite:///")
Work = Callable[[Any, Community], Coroutine[Any, Any, T]]


class ReadServices:
    """The part of bots.bootstrap.Services a quick read offers: the rounds, read-only."""

    def __init__(self, uow: Callable[..., Any]) -> None:
        from core.clock import SystemClock
        from core.rounds.service import RoundService

        self.uow = uow
        self.clock = SystemClock()
        self.rounds = RoundService(uow=self.uow, clock=self.clock)


def sqlite_file(url: str) -> Path | None:
    """Return the file of a plain SQLite URL (sqlite:///path), None for anything else."""
    name = next((url[len(s) :] for s in _SCHEMES if url.startswith(s)), "")
    if not name or name == ":memory:" or name.startswith(("file:", "~")):
        return None
    if any(c in name for c in "?#%"):  # options or escapes: SQLAlchemy reads those
        return None
    return Path(name)


async def quick_read(
    url: str, platform: Platform, external: str, work: Work[T]
) -> tuple[bool, T | None]:
    """Run *work* over a quick read of *url*: (True, its result), or (False, None)."""
    path = sqlite_file(url)
    if path is not None:
        return await _read_sqlite(path, platform, external, work)
    from adapters.storage.postgres_read import connect_args

    args = connect_args(url)
    if args is not None:
        return await _read_postgres(args, platform, external, work)
    return False, None


async def _read_sqlite(
    path: Path, platform: Platform, external: str, work: Work[T]
) -> tuple[bool, T | None]:
    from adapters.storage.sqlite_read import open_current, read_only_factory

    db = open_current(path)
    if db is None:
        return False, None
    try:
        return await _run(ReadServices(read_only_factory(db)), platform, external, work)
    except sqlite3.Error:
        return False, None  # the usual way reads again and reports what is wrong
    finally:
        db.close()


async def _read_postgres(
    args: dict[str, Any], platform: Platform, external: str, work: Work[T]
) -> tuple[bool, T | None]:
    from adapters.storage.postgres_read import errors, open_current, read_only_factory

    try:
        db = await open_current(args)
    except errors():
        return False, None  # the server, the password, the tables: the usual way says
    if db is None:
        return False, None
    try:
        return await _run(ReadServices(read_only_factory(db)), platform, external, work)
    except errors():
        return False, None
    finally:
        await db.close()


async def _run(
    services: ReadServices, platform: Platform, external: str, work: Work[T]
) -> tuple[bool, T | None]:
    async with services.uow(read_only=True) as uow:
        community = await uow.communities.find(platform, external)
    if community is None:
        return False, None  # the usual way reads a community not stored yet as empty
    return True, await work(services, community)
