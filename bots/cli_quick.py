"""The quick read of a SQLite file for the CLI's lightest commands (`penpals round list`).

A command that only reads rounds and their counts runs in about half its time
without SQLAlchemy: adapters/storage/sqlite_read.py reads the file with sqlite3 and
core's RoundService runs over it unchanged. Whenever anything is not plain (another
database, a URL with options, a file that is not there or not current, a community
not stored yet, any SQLite error), this gives up and the command takes the usual way
(bots.bootstrap.build()), which decides and explains as it always has.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from core.model import Community, Platform

T = TypeVar("T")
_SCHEMES = ("sqlite:///", "sqlite+aiosqlite:///")


class ReadServices:
    """The part of bots.bootstrap.Services a quick read offers: the rounds, read-only."""

    def __init__(self, db: sqlite3.Connection) -> None:
        from adapters.storage.sqlite_read import read_only_factory
        from core.clock import SystemClock
        from core.rounds.service import RoundService

        self.uow = read_only_factory(db)
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
    url: str,
    platform: Platform,
    external: str,
    work: Callable[[Any, Community], Coroutine[Any, Any, T]],
) -> tuple[bool, T | None]:
    """Run *work* over a quick read of *url*: (True, its result), or (False, None)."""
    path = sqlite_file(url)
    if path is None:
        return False, None
    from adapters.storage.sqlite_read import open_current

    db = open_current(path)
    if db is None:
        return False, None
    try:
        services = ReadServices(db)
        async with services.uow(read_only=True) as uow:
            community = await uow.communities.find(platform, external)
        if community is None:
            return False, None
        return True, await work(services, community)
    except sqlite3.Error:
        return False, None  # the usual way reads again and reports what is wrong
    finally:
        db.close()
