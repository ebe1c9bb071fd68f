"""Database fixtures shared by every test: a fresh, fully migrated database per test.

`database_url` runs a test once on SQLite and once on PostgreSQL; `engine` and
`uow_factory` build on it. The migrations run once per session into a template
(a SQLite file, a PostgreSQL template database) that each test copies, so tests
see the schema the migrations make, never one made by create_all.

PostgreSQL needs PENPALS_TEST_POSTGRES_URL, a URL of any database on a server where
that user may create databases; without it the PostgreSQL runs are skipped, unless
PENPALS_REQUIRE_POSTGRES=1 (CI) makes them fail.

A fresh database per test rather than one rolled-back outer transaction (practice 8
of STYLE.md): services commit, and the scheduler and the CLI open connections of
their own, which a test transaction would hide from them. For the rollback style,
pass an AsyncConnection to adapters.storage.uow.unit_of_work_factory.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import NullPool
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from typer.testing import CliRunner

from adapters.storage.engine import create_engine
from adapters.storage.engine import database_url as parse_database_url
from adapters.storage.migrate import upgrade_async
from adapters.storage.uow import SqlUnitOfWork, unit_of_work_factory
from bots.cli import app

POSTGRES_URL_VARIABLE = "PENPALS_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_VARIABLE = "PENPALS_REQUIRE_POSTGRES"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def _sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


class PostgresServer:
    """Create and drop the databases of one test session on a PostgreSQL server."""

    def __init__(self, base_url: URL) -> None:
        self._base_url = base_url
        # CREATE DATABASE cannot run inside a transaction.
        self._admin = create_async_engine(
            base_url, isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        # Unique per session: several sessions may share one server.
        self.template = self.new_name("template")

    @staticmethod
    def new_name(kind: str) -> str:
        """Return a database name no other test or session uses."""
        return f"penpals_{kind}_{uuid4().hex[:16]}"

    def url(self, name: str) -> str:
        """Return the URL of the database *name*, password included."""
        return self._base_url.set(database=name).render_as_string(hide_password=False)

    async def create(self, name: str, *, template: str | None = None) -> None:
        """Create the database *name*, empty or as a copy of *template*."""
        copy = f' TEMPLATE "{template}"' if template else ""
        async with self._admin.connect() as connection:
            await connection.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')

    async def drop(self, name: str) -> None:
        """Drop the database *name*, closing connections a test may have leaked."""
        async with self._admin.connect() as connection:
            await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def close(self) -> None:
        """Release the administrative engine."""
        await self._admin.dispose()


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a SQLite file migrated to head, to be copied by each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "penpals.db"
    await upgrade_async(_sqlite_url(path))
    return path


@pytest.fixture(scope="session")
async def postgres_server() -> AsyncIterator[PostgresServer]:
    """Yield the session's PostgreSQL server, with a template database migrated to head."""
    raw_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not raw_url:
        reason = (
            f"set {POSTGRES_URL_VARIABLE} (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/"
            "postgres) to run the PostgreSQL tests"
        )
        if os.environ.get(REQUIRE_POSTGRES_VARIABLE) == "1":
            pytest.fail(f"{REQUIRE_POSTGRES_VARIABLE}=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    server = PostgresServer(parse_database_url(raw_url))
    try:
        await server.create(server.template)
        await upgrade_async(server.url(server.template))
        yield server
        await server.drop(server.template)
    finally:
        await server.close()


@pytest.fixture
def sqlite_database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """Return the URL of a fresh, migrated SQLite database."""
    path = tmp_path / "penpals.db"
    shutil.copyfile(sqlite_template, path)
    return _sqlite_url(path)


@pytest.fixture
async def postgres_database_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """Yield the URL of a fresh, migrated PostgreSQL database, dropped afterwards."""
    name = postgres_server.new_name("test")
    await postgres_server.create(name, template=postgres_server.template)
    yield postgres_server.url(name)
    await postgres_server.drop(name)


@pytest.fixture
def empty_sqlite_database_url(tmp_path: Path) -> str:
    """Return the URL of a SQLite database that does not exist yet."""
    return _sqlite_url(tmp_path / "empty.db")


@pytest.fixture
async def empty_postgres_database_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """Yield the URL of an empty PostgreSQL database, dropped afterwards."""
    name = postgres_server.new_name("empty")
    await postgres_server.create(name)
    yield postgres_server.url(name)
    await postgres_server.drop(name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """Return the URL of a fresh database migrated to head, on SQLite then PostgreSQL."""
    # Looked up by name so that a SQLite-only run never touches PostgreSQL.
    url: str = request.getfixturevalue(f"{request.param}_database_url")
    return url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest) -> str:
    """Return the URL of an empty (never migrated) database, on SQLite then PostgreSQL."""
    url: str = request.getfixturevalue(f"empty_{request.param}_database_url")
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """Yield a penpals engine on the test's database, disposed afterwards."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> Callable[[], SqlUnitOfWork]:
    """Return a factory of units of work on the test's database."""
    return unit_of_work_factory(engine)


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Return a function running `penpals ARGS` against the test database."""
    monkeypatch.setenv("PENPALS_DATABASE_URL", database_url)
    monkeypatch.setenv("PENPALS_COMMUNITY", "local:cli-test")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):  # type: ignore[no-untyped-def]
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result

    return invoke
