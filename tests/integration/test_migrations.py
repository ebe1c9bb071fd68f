"""The Alembic migrations against real SQLite and PostgreSQL databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.storage.engine import create_engine, database_url, display_url
from adapters.storage.migrate import (
    SchemaOutdated,
    alembic_config,
    check_schema,
    current_revision,
    downgrade_async,
    head_revision,
    upgrade_async,
)
from adapters.storage.orm import Base
from core.errors import InvalidValue


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "render_as_batch": True}
    )
    return compare_metadata(context, Base.metadata)


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: inspect(c).get_table_names())
    return set(names)


async def test_upgrade_downgrade_upgrade(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migrate an empty database up, down to base and up again, from any directory."""
    monkeypatch.chdir(tmp_path)  # the migrations are found through the package
    engine = create_engine(empty_database_url)
    try:
        await upgrade_async(empty_database_url)
        assert await current_revision(engine) == head_revision()
        assert {"communities", "applications", "group_members"} <= await _tables(engine)

        await downgrade_async(empty_database_url, "base")
        assert await current_revision(engine) is None
        assert await _tables(engine) <= {"alembic_version"}

        await upgrade_async(empty_database_url)
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


async def test_migrations_match_the_models(engine: AsyncEngine) -> None:
    """Find no difference between the migrated schema and the ORM metadata."""
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_check_schema_passes_at_head(engine: AsyncEngine) -> None:
    """Accept a database migrated to head."""
    await check_schema(engine)


async def test_check_schema_rejects_an_empty_database(empty_database_url: str) -> None:
    """Tell the user to upgrade a database that was never migrated."""
    engine = create_engine(empty_database_url)
    try:
        with pytest.raises(SchemaOutdated, match=r"no penpals tables.*`penpals db upgrade`"):
            await check_schema(engine)
    finally:
        await engine.dispose()


async def test_check_schema_rejects_a_downgraded_database(database_url: str) -> None:
    """Tell the user to upgrade a database downgraded to base, naming it without password."""
    await downgrade_async(database_url, "base")
    engine = create_engine(database_url)
    try:
        with pytest.raises(SchemaOutdated, match="`penpals db upgrade`") as raised:
            await check_schema(engine)
    finally:
        await engine.dispose()
    assert display_url(database_url) in str(raised.value)


def test_alembic_config_escapes_percent_signs() -> None:
    """Keep a URL-encoded password intact through Alembic's ConfigParser."""
    url = "postgresql://penpals:p%40ss@db.example/penpals"
    config = alembic_config(url)
    assert config.get_main_option("sqlalchemy.url") == (
        "postgresql+asyncpg://penpals:p%40ss@db.example/penpals"
    )


def test_display_url_hides_the_password() -> None:
    """Leave the password out of URLs shown to people."""
    shown = display_url("postgresql+asyncpg://penpals:secret@db.example/penpals")
    assert shown == "postgresql+asyncpg://penpals@db.example/penpals"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql://u@h:5433/db", "postgresql+asyncpg://u@h:5433/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db?sslmode=require", "postgresql+asyncpg://u@h/db?ssl=require"),
    ],
)
def test_database_url_uses_the_async_drivers(given: str, expected: str) -> None:
    """Rewrite plain SQLite and PostgreSQL URLs to aiosqlite and asyncpg."""
    assert database_url(given).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize("given", ["not a url", "mysql://u@h/db", "postgresql+psycopg2://u@h/db"])
def test_create_engine_rejects_other_urls(given: str) -> None:
    """Refuse URLs penpals cannot use, naming the setting to fix."""
    with pytest.raises(InvalidValue, match="PENPALS_DATABASE_URL"):
        create_engine(given)


async def test_sqlite_connections_use_wal_and_foreign_keys(sqlite_database_url: str) -> None:
    """Configure every SQLite connection: WAL journal, foreign keys, busy timeout."""
    engine = create_engine(sqlite_database_url)
    try:
        async with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert (await pragma("PRAGMA journal_mode")).scalar() == "wal"
            assert (await pragma("PRAGMA foreign_keys")).scalar() == 1
            assert (await pragma("PRAGMA busy_timeout")).scalar() == 5000
    finally:
        await engine.dispose()
