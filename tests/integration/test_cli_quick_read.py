"""`penpals round list` reads the database without SQLAlchemy, and says the same thing.

bots/cli_quick.py reads a plain SQLite URL with sqlite3 and a plain PostgreSQL URL with
asyncpg; a URL with options (?timeout=5 on SQLite, ?prepared_statement_cache_size=100,
asyncpg's default, on PostgreSQL) takes the usual way through SQLAlchemy, so the two
are compared on one database.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bots.cli import app
from tests.integration.test_cli import write_pool

SEVEN = [
    (f"q{i}", f"Person {i}", country, "Europe/Paris", "en", "public", "mid", "", "")
    for i, country in enumerate(("FR", "DE", "ES", "IT", "PT", "NL", "BE"), 1)
]


def usual(url: str) -> str:
    """*url* with an option that changes nothing, so that the quick read gives it up."""
    return f"{url}?{option(url)}"


def option(url: str) -> str:
    return "timeout=5" if url.startswith("sqlite") else "prepared_statement_cache_size=100"


@pytest.fixture
def organiser(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run `penpals ARGS` on SQLite, then PostgreSQL: through the quick read, or the usual way."""
    monkeypatch.setenv("PENPALS_COMMUNITY", "local:quick")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, usual_way: bool = False, url: str = database_url, code: int = 0) -> str:
        chosen = usual(url) if usual_way else url
        result = runner.invoke(app, list(args), env={"PENPALS_DATABASE_URL": chosen})
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke


def test_round_list_reads_the_same_both_ways(organiser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Counts by status, groups (a trio, a split group no longer active) and dates agree."""
    assert organiser("round", "list") == organiser("round", "list", usual_way=True)  # no community
    pool = write_pool(tmp_path / "seven.csv", SEVEN)
    organiser("round", "create", "2027A", "--starts", "2027-03-01")
    organiser("round", "open", "2027A")
    organiser("applications", "import", "2027A", str(pool))
    organiser("applications", "approve", "2027A", "--all")
    organiser("round", "close", "2027A")
    organiser("round", "match", "2027A", "--seed", "1")  # proposed: two pairs and a trio
    organiser("round", "split", "2027A", "1")
    organiser("applications", "decline", "2027A", "q7")
    organiser("round", "create", "2027B")  # a draft without dates
    organiser("community", "configure", "--language", "fr")
    quick = organiser("round", "list")
    assert "2027A" in quick and "2027B" in quick and "1 mars 2027" in quick
    assert quick == organiser("round", "list", usual_way=True)


def test_round_list_imports_no_sqlalchemy(organiser, database_url: str) -> None:  # type: ignore[no-untyped-def]
    """The quick read is what runs: neither SQLAlchemy nor pydantic-settings is imported."""
    organiser("round", "create", "2027A")
    probe = (
        "import sys\n"
        "sys.argv = ['penpals', 'round', 'list']\n"
        "import bots.cli\n"
        "try:\n"
        "    bots.cli.app()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('sqlalchemy', 'aiosqlite', 'pydantic_settings', 'alembic')"
        " if m in sys.modules))\n"
    )
    env = {**os.environ, "PENPALS_DATABASE_URL": database_url}
    env["PENPALS_COMMUNITY"] = "local:quick"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=env,
    )
    assert "2027A" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_quick_read_gives_the_rounds_and_counts_of_the_usual_way(
    organiser: Any, database_url: str, tmp_path: Path
) -> None:
    """Every field of the community and of every RoundStatus, trios and members included."""
    from bots.bootstrap import build
    from bots.cli_quick import quick_read
    from bots.cli_settings import DatabaseSettings
    from core.model import Platform

    organiser("round", "create", "2027A", "--opens", "2027-01-01", "--closes", "2027-02-01")
    organiser("round", "open", "2027A")
    eight = [*SEVEN, ("q8", "Person 8", "AT", "Europe/Vienna", "de;en", "public", "mid", "", "")]
    organiser("applications", "import", "2027A", str(write_pool(tmp_path / "8.csv", eight)))
    organiser("applications", "approve", "2027A", "--all")
    organiser("applications", "waitlist", "2027A", "q8")
    organiser("round", "close", "2027A")
    organiser("round", "match", "2027A", "--seed", "2")
    organiser("round", "create", "2027B", "--starts", "2027-06-01T09:30")
    organiser("community", "configure", "--country-cap", "0.4", "--contact", "@ana")
    organiser("community", "configure", "--hours-per-month", "3", "--guidance", "Être «clair»")

    async def read(s: Any, c: Any) -> tuple[Any, Any]:
        return c, await s.rounds.list(c.id)

    async def both_ways() -> tuple[Any, Any, Any]:
        done, found = await quick_read(database_url, Platform.LOCAL, "quick", read)
        assert done and found is not None
        community, statuses = found
        async with build(DatabaseSettings(database_url=database_url)) as services:
            assert community == await services.communities.get(Platform.LOCAL, "quick")
            return community, statuses, await services.rounds.list(community.id)

    community, read_quick, read_usual = asyncio.run(both_ways())
    assert community.settings.country_cap == 0.4
    assert community.settings.practices.guidance == "Être «clair»"
    assert read_quick == read_usual and len(read_quick) == 2
    assert read_quick[1].trios == 1 and read_quick[1].members_in_groups == 7


def test_a_schema_not_current_is_left_to_the_usual_way(organiser, database_url: str) -> None:  # type: ignore[no-untyped-def]
    """The quick read gives up; the usual way says what to do, the same both ways."""
    from adapters.storage.engine import create_engine

    organiser("round", "create", "2027A")

    async def go_back() -> None:
        engine = create_engine(database_url)
        try:
            async with engine.begin() as connection:
                await connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0008'")
        finally:
            await engine.dispose()

    asyncio.run(go_back())
    said = organiser("round", "list", code=1)
    assert "0008" in said and "penpals db upgrade" in said
    usual_said = organiser("round", "list", usual_way=True, code=1)
    assert said == usual_said.replace(f"?{option(database_url)}", "")  # the URL is named


def test_a_server_that_is_not_there_is_reported_the_usual_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listens on port 1: the quick read gives up and the usual way explains."""
    monkeypatch.chdir(tmp_path)
    url = "postgresql://penpals:secret@127.0.0.1:1/penpals"
    runner = CliRunner()
    said = [
        runner.invoke(app, ["round", "list"], env={"PENPALS_DATABASE_URL": chosen})
        for chosen in (url, usual(url))
    ]
    assert [result.exit_code for result in said] == [1, 1]
    assert "could not be used" in said[0].output and "secret" not in said[0].output
    assert said[0].output == said[1].output
