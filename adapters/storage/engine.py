"""Build the async SQLAlchemy engine for a database URL (SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core.errors import InvalidValue

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./penpals.db"

# Plain scheme (what people paste from their hosting provider) -> the async driver we ship.
_ASYNC_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


def database_url(url: str | URL) -> URL:
    """Parse *url* and point it at the async driver penpals uses (asyncpg or aiosqlite)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        # The text is not echoed: it may hold a password.
        raise InvalidValue(
            "the database URL is not valid: set PENPALS_DATABASE_URL to a URL such as "
            "sqlite:///penpals.db or postgresql://user:password@host/penpals"
        ) from None
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise InvalidValue(
            f"penpals cannot use a {parsed.drivername!r} database: set PENPALS_DATABASE_URL "
            "to a sqlite:// or postgresql:// URL"
        )
    parsed = parsed.set(drivername=driver)
    if driver == "postgresql+asyncpg" and "sslmode" in parsed.query:
        # libpq URLs (as hosting providers give them) say sslmode; asyncpg calls it ssl.
        mode = parsed.query["sslmode"]
        parsed = parsed.difference_update_query(["sslmode"]).update_query_dict({"ssl": mode})
    return parsed


def display_url(url: str | URL) -> str:
    """Return *url* as text without its password, for messages and logs."""
    parsed = make_url(url)
    # URL.set() treats None as "unchanged", so rebuild the URL without the password.
    bare = URL.create(
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return bare.render_as_string(hide_password=False)


def create_engine(
    url: str | URL = DEFAULT_DATABASE_URL, *, foreign_keys: bool = True
) -> AsyncEngine:
    """Return an async engine for *url*; on SQLite, configure every new connection.

    *foreign_keys* turns SQLite's enforcement off only for migrations, whose batch
    ALTERs copy and drop tables that other tables refer to.
    """
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite":
        check_sqlite_folder(parsed)
    engine = create_async_engine(parsed)
    if parsed.get_backend_name() == "sqlite":
        _configure_sqlite(engine, foreign_keys=foreign_keys)
    return engine


def check_sqlite_folder(url: URL) -> None:
    """Refuse a SQLite file whose folder does not exist, naming the folder.

    SQLite would say only "unable to open database file" (and aiosqlite's worker
    thread may then print a traceback after the event loop closed).
    """
    name = url.database or ""
    if not name or name == ":memory:" or name.startswith("file:") or "uri" in url.query:
        return
    folder = Path(name).expanduser().absolute().parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise InvalidValue(
            f"the SQLite database {name} cannot be opened: the folder {folder} {what}; "
            "create it or set PENPALS_DATABASE_URL to a file in an existing folder"
        )


def _configure_sqlite(engine: AsyncEngine, *, foreign_keys: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (on_begin): the sqlite3 driver's own
        # transaction handling skips BEGIN before SELECT, DDL and SAVEPOINT, which
        # breaks savepoints and makes migrations non-atomic.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # busy_timeout first, so that switching to WAL waits for other connections.
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        # A unit of work that writes takes the write lock up front (IMMEDIATE):
        # concurrent writers queue on busy_timeout instead of failing with "database
        # is locked" when a read-then-write transaction finds its snapshot stale.
        # A read-only one (uow.READ_ONLY) reads a snapshot of WAL and takes no lock,
        # so reads go on while a writer (an import's batch) holds it.
        if connection.get_execution_options().get("penpals_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
