"""Run the Alembic migrations of penpals and check that a database is up to date."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations
from adapters.storage.engine import database_url, display_url
from adapters.storage.revisions import quick_head as _quick_head
from core.errors import PenpalsError

if TYPE_CHECKING:
    # Alembic is imported where migrations run or a schema turns out not to be current:
    # every command checks the schema at start, and importing Alembic takes longer
    # than the check itself.
    from alembic.config import Config
    from alembic.script import ScriptDirectory

UPGRADE_HINT = "run `penpals db upgrade`"


class SchemaOutdated(PenpalsError):
    """The database's schema is not the one this version of penpals needs."""


def alembic_config(url: str | URL) -> Config:
    """Return an Alembic configuration for *url* that works from any working directory."""
    config = _bare_config()
    # Config is a ConfigParser: a literal % (URL-encoded passwords) must be doubled.
    rendered = database_url(url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the database at *url* up to *revision*; call from synchronous code only."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | URL, revision: str) -> None:
    """Migrate the database at *url* down to *revision*; call from synchronous code only."""
    from alembic import command

    command.downgrade(alembic_config(url), revision)


async def upgrade_async(url: str | URL, revision: str = "head") -> None:
    """Migrate up from async code: env.py runs its own event loop, so use a worker thread."""
    await asyncio.to_thread(upgrade, url, revision)


async def downgrade_async(url: str | URL, revision: str) -> None:
    """Migrate down from async code, in a worker thread like upgrade_async."""
    await asyncio.to_thread(downgrade, url, revision)


def _bare_config() -> Config:
    from alembic.config import Config

    config = Config()
    # The installed package, not the working directory: `penpals` may run from anywhere.
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return config


def _script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_bare_config())


def head_revision() -> str:
    """Return the revision this version of penpals needs."""
    head = _script_directory().get_current_head()
    if head is None:
        raise RuntimeError("the migrations package has no revisions")
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    """Return the database's Alembic revision, or None when it has never been migrated."""

    def read(connection: Connection) -> str | None:
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def _stored_revision(engine: AsyncEngine) -> str | None:
    """Return the one revision in alembic_version, or None if that is not what is found."""
    try:
        async with engine.connect() as connection:
            await connection.execution_options(penpals_read_only=True)  # no write lock
            rows = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
    except DBAPIError:
        return None
    return rows[0][0] if len(rows) == 1 else None


async def check_schema(engine: AsyncEngine) -> None:
    """Raise SchemaOutdated unless the database is at the revision this penpals needs."""
    quick = _quick_head()
    if quick is not None and await _stored_revision(engine) == quick:
        return
    current = await current_revision(engine)
    needed = head_revision()
    if current == needed:
        return
    where = display_url(engine.url)
    if current is None:
        raise SchemaOutdated(
            f"the database at {where} has no penpals tables yet: {UPGRADE_HINT} to create them"
        )
    known = {script.revision for script in _script_directory().walk_revisions()}
    if current not in known:
        raise SchemaOutdated(
            f"the database at {where} is at revision {current}, which this penpals does not "
            f"know (it needs {needed}): install the penpals version that migrated it, or newer"
        )
    raise SchemaOutdated(
        f"the database at {where} is at revision {current} but this penpals needs {needed}: "
        f"{UPGRADE_HINT}"
    )
