"""Alembic environment of penpals: async engines, SQLite in batch mode.

adapters.storage.migrate sets sqlalchemy.url; the bare `alembic` command (alembic.ini
at the repository root, for developers) falls back to PENPALS_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, TypeDecorator

from adapters.storage.engine import DEFAULT_DATABASE_URL, create_engine, database_url
from adapters.storage.orm import Base

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get(
        "PENPALS_DATABASE_URL", DEFAULT_DATABASE_URL
    )
    return database_url(url).render_as_string(hide_password=False)


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    # Render our TypeDecorators as the plain type they store, so that revisions never
    # import application code that may change after they are written.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _configure(*, sqlite: bool, **kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=sqlite,
        # engine.create_engine makes SQLAlchemy emit BEGIN on SQLite, so its DDL is
        # transactional too: a failed upgrade leaves the database as it was.
        transactional_ddl=True,
        render_item=_render_item,
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Print the SQL of the migrations instead of running them (alembic --sql)."""
    url = _url()
    _configure(
        url=url,
        sqlite=database_url(url).get_backend_name() == "sqlite",
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_migrations(connection: Connection) -> None:
    _configure(connection=connection, sqlite=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            _check_foreign_keys(connection)


def _check_foreign_keys(connection: Connection) -> None:
    # Migrations run with SQLite's foreign keys off (batch mode drops referenced
    # tables), so check them before committing.
    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise RuntimeError(f"the migration left rows with broken foreign keys: {problems[:5]}")


async def run_migrations_online() -> None:
    """Run the migrations on a connection of a penpals engine."""
    engine = create_engine(_url(), foreign_keys=False)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
