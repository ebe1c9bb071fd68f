"""`penpals round list` reads a SQLite file without SQLAlchemy, and says the same thing.

bots/cli_quick.py reads a plain SQLite URL with sqlite3; a URL with options (here
?timeout=5) takes the usual way through SQLAlchemy, so the two are compared on one file.
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


@pytest.fixture
def organiser(sqlite_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run `penpals ARGS` on a SQLite file: through the quick read, or the usual way."""
    monkeypatch.setenv("PENPALS_COMMUNITY", "local:quick")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, usual: bool = False, code: int = 0) -> str:
        url = f"{sqlite_database_url}?timeout=5" if usual else sqlite_database_url
        result = runner.invoke(app, list(args), env={"PENPALS_DATABASE_URL": url})
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke


def test_round_list_reads_the_same_both_ways(organiser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Counts by status, groups (a trio, a split group no longer active) and dates agree."""
    assert organiser("round", "list") == organiser("round", "list", usual=True)  # no community
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
    assert quick == organiser("round", "list", usual=True)


def test_round_list_on_sqlite_imports_no_sqlalchemy(organiser, sqlite_database_url: str) -> None:  # type: ignore[no-untyped-def]
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
    env = {**os.environ, "PENPALS_DATABASE_URL": sqlite_database_url}
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
    organiser, sqlite_database_url: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Every field of every RoundStatus, trios and members in groups included."""
    from adapters.storage.sqlite_read import open_current
    from bots.bootstrap import build
    from bots.cli_quick import ReadServices, sqlite_file
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
    path = sqlite_file(sqlite_database_url)
    assert path is not None

    async def both_ways() -> tuple[Any, Any]:
        db = open_current(path)
        assert db is not None
        try:
            quick = ReadServices(db)
            async with quick.uow(read_only=True) as uow:
                community = await uow.communities.find(Platform.LOCAL, "quick")
            assert community is not None
            read = await quick.rounds.list(community.id)
        finally:
            db.close()
        async with build(DatabaseSettings(database_url=sqlite_database_url)) as services:
            assert community == await services.communities.get(Platform.LOCAL, "quick")
            return read, await services.rounds.list(community.id)

    read, usual = asyncio.run(both_ways())
    assert read == usual and read[0].trios == 1 and read[0].members_in_groups == 7
