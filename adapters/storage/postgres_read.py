"""The quick read of a PostgreSQL database with asyncpg alone (no SQLAlchemy).

Connects as the usual way would (the same arguments to asyncpg.connect, from a plain
URL only), reads only when the schema is current, and gives
adapters/storage/read_only.py the rows of its SQL in one read-only snapshot.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from adapters.storage import read_only
from adapters.storage.revisions import quick_head

if TYPE_CHECKING:
    import asyncpg

# The schemes engine.database_url() points at asyncpg, as they are written.
_SCHEMES = ("postgresql+asyncpg://", "postgresql://", "postgres://")
# host[:port][/database]: a host name or IPv4 address, or an IPv6 one in brackets.
_PLACE = re.compile(
    r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9._-]*))"
    r"(?::(?P<port>[0-9]+))?(?:/(?P<database>.*))?"
)


def connect_args(url: str) -> dict[str, Any] | None:
    """Return what the usual way passes asyncpg.connect for *url*; None unless plain.

    The usual way (SQLAlchemy's make_url, then its asyncpg dialect) takes
    scheme://user:password@host:port/database, user, password and database
    percent-decoded, and passes asyncpg each part that is not empty. Anything else
    (options after ?, several hosts, a second @, other schemes) is left to it.
    """
    scheme = next((s for s in _SCHEMES if url.startswith(s)), None)
    if scheme is None:
        return None
    rest = url[len(scheme) :]
    if any(c in rest for c in "?#") or rest.count("@") > 1:
        return None
    user = password = None
    if "@" in rest:
        userinfo, rest = rest.split("@")
        user, colon, secret = userinfo.partition(":")
        if "/" in user:
            return None  # SQLAlchemy would read it as a host and database
        password = secret if colon else None
    place = _PLACE.fullmatch(rest)
    if place is None:
        return None
    parts = {
        "host": place["ipv6"] or place["host"],
        "database": None if place["database"] is None else unquote(place["database"]),
        "user": None if user is None else unquote(user),
        "password": None if password is None else unquote(password),
        "port": int(place["port"]) if place["port"] else None,
    }
    return {name: value for name, value in parts.items() if value}


QUICK_TIMEOUT = 5.0  # seconds to connect before the usual way takes over


async def open_current(args: dict[str, Any]) -> asyncpg.Connection | None:
    """Connect with *args* if the schema is current, else None (nothing left open).

    Errors (the server, the password, a missing alembic_version) propagate: the
    caller gives up on them and the usual way reports them.
    """
    head = quick_head()
    if head is None:
        return None
    import asyncpg

    # A host that does not answer would hold asyncpg for its default 60 s, and the
    # usual way then waits as long again to report it: the quick read gives up sooner.
    connection = await asyncpg.connect(**{"timeout": QUICK_TIMEOUT, **args})
    try:
        rows = await connection.fetch("SELECT version_num FROM alembic_version")
    except BaseException:
        await connection.close()
        raise
    if [tuple(row) for row in rows] != [(head,)]:
        await connection.close()
        return None
    return connection


def errors() -> tuple[type[BaseException], ...]:
    """The errors of reading a server: give up on them, the usual way reports them."""
    import asyncpg

    return (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError)


class PostgresDriver:
    """read_only.Driver over an asyncpg connection."""

    def __init__(self, db: asyncpg.Connection) -> None:
        self._db = db

    async def rows(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        found: Sequence[Sequence[Any]] = await self._db.fetch(sql, *args)
        return found

    async def begin(self) -> None:
        # One snapshot for the whole read (READ ONLY: nothing here ever writes).
        await self._db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    async def end(self) -> None:
        await self._db.execute("ROLLBACK")


def read_only_factory(db: asyncpg.Connection) -> Callable[..., Any]:
    """Return a unit-of-work factory over *db* that only ever reads."""
    return read_only.read_only_factory(PostgresDriver(db))
