"""The `penpals` command line, run as an organiser would, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots.cli import app

HEADER = "id,name,country,timezone,languages,sector,career_stage,interests,wish_sectors\n"
POOL = [
    ("a1", "Åsa Lindqvist", "SE", "Europe/Stockholm", "sv;en", "academic", "early", "spaces", ""),
    ("a2", "Oluwaseun Adeyemi", "NG", "Africa/Lagos", "en;yo", "public", "mid", "", "academic"),
    ("a3", "Núñez, José María", "ES", "Europe/Madrid", "es;en", "school", "senior", "", ""),
    ("a4", "Nguyễn Thị Lan", "VN", "Asia/Ho_Chi_Minh", "vi;en", "national", "student", "", ""),
    ("a5", "Renée Taylor", "US", "America/Chicago", "en", "public", "mid", "spaces", ""),
    ("a6", "Kenji Sato", "JP", "Asia/Tokyo", "ja;en", "special", "early", "", ""),
]


def write_pool(path: Path, rows=POOL, *, bom: bool = False, crlf: bool = False) -> Path:  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(HEADER.strip().split(","))
    writer.writerows(rows)
    path.write_text(("\ufeff" if bom else "") + buf.getvalue(), encoding="utf-8", newline="")
    return path


def read_pairs(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_round_runs_from_creation_to_publication(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Create, open, import, approve, close, preview, publish and show a round."""
    pool = write_pool(tmp_path / "applicants.csv", bom=True, crlf=True)
    cli("round", "create", "2027A", "--starts", "2027-03-01")
    cli("round", "open", "2027A")
    assert "6 new" in cli("applications", "import", "2027A", str(pool)).output
    cli("applications", "approve", "2027A", "--all")
    cli("round", "close", "2027A")
    preview = cli("round", "match", "2027A", "--preview", "--seed", "4").output
    assert "Proposed matching" in preview and "6 placed" in preview
    cli("round", "match", "2027A", "--publish", "--seed", "4", "--out", "pairs.csv")
    rows = read_pairs(tmp_path / "pairs.csv")
    assert sorted(m for r in rows for m in r["members"].split(";")) == [p[0] for p in POOL]
    show = cli("round", "show", "2027A").output
    assert "matched" in show and "Mar 15, 2027" in show  # Babel's date, not ISO
    assert "2027A" in cli("round", "list").output
    refused = cli("round", "match", "2027A", "--preview", code=1)
    assert "rematch" in refused.output


def test_decisions_by_id_and_export_with_history(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Approve, decline and waitlist by id; export writes the spec's applicants.csv."""
    pool = write_pool(tmp_path / "applicants.csv")
    cli("round", "create", "2027A")
    cli("applications", "import", "2027A", str(pool))
    cli("applications", "approve", "2027A", "a1", "a2")
    cli("applications", "decline", "2027A", "a3")
    cli("applications", "waitlist", "2027A", "a4")
    unknown = cli("applications", "approve", "2027A", "a5", "zz", code=1)
    assert "zz" in unknown.output and "nothing was changed" in unknown.output
    listing = cli("applications", "list", "2027A").output
    assert "declined" in listing and "waitlisted" in listing
    cli("applications", "export", "2027A", "out.csv", "--status", "approved")
    exported = read_pairs(tmp_path / "out.csv")
    assert [r["id"] for r in exported] == ["a1", "a2"]
    assert exported[1]["wish_sectors"] == "academic"


def test_organiser_mistakes_get_one_sentence(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Unknown rounds, wrong states, bad dates and bad files: one line, no traceback."""
    assert "round list" in cli("round", "open", "nope", code=1).output
    cli("round", "create", "2027A")
    assert "round open" in cli("round", "close", "2027A", code=1).output
    assert "not a date" in cli("round", "create", "2027B", "--starts", "March", code=2).output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "x1,Ana,UK,Europe/London,en,public,mid,,\n", encoding="utf-8")
    result = cli("applications", "import", "2027A", str(bad), code=2)
    assert "line 2" in result.output and "'UK'" in result.output


def test_hand_edits_from_the_command_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Split a proposed group and pair its members again by hand."""
    pool = write_pool(tmp_path / "applicants.csv", rows=POOL[:4])
    cli("round", "create", "2027A")
    cli("round", "open", "2027A")
    cli("applications", "import", "2027A", str(pool), "--approve")
    cli("round", "close", "2027A")
    cli("round", "match", "2027A")
    cli("round", "groups", "2027A", "--out", "before.csv")
    first = read_pairs(tmp_path / "before.csv")[0]["members"].split(";")
    assert "2 unplaced" in cli("round", "split", "2027A", "1").output
    cli("round", "pair", "2027A", *first)
    cli("round", "groups", "2027A", "--out", "after.csv")
    assert sorted(r["members"] for r in read_pairs(tmp_path / "after.csv") if r["group"]) == sorted(
        r["members"] for r in read_pairs(tmp_path / "before.csv") if r["group"]
    )


def test_commands_refuse_an_out_of_date_schema(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command on an unmigrated database says to run `penpals db upgrade`, which fixes it."""
    monkeypatch.setenv("PENPALS_DATABASE_URL", empty_database_url)
    runner = CliRunner()
    refused = runner.invoke(app, ["round", "list"])
    assert refused.exit_code == 1 and "penpals db upgrade" in refused.output
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["round", "list"]).exit_code == 0


# -- penpals match: the file interface, through the installed console script ---------------


def penpals(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PENPALS_")}
    return subprocess.run(
        [sys.executable, "-m", "bots.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("variant", ["plain", "bom-crlf"])
def test_match_reads_the_spec_and_writes_pairs(tmp_path: Path, variant: str) -> None:
    """`penpals match` accepts BOM, CRLF, quoted commas and Unicode, and writes pairs.csv."""
    pool = write_pool(tmp_path / "in.csv", bom=variant != "plain", crlf=variant != "plain")
    done = penpals(
        "match", "--applicants", str(pool), "--out", "out.csv", "--seed", "7", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    rows = read_pairs(tmp_path / "out.csv")
    assert list(rows[0]) == ["group", "members", "score", "reasons"]
    assert sorted(m for r in rows for m in r["members"].split(";")) == sorted(p[0] for p in POOL)
    again = penpals(
        "match", "--applicants", str(pool), "--out", "again.csv", "--seed", "7", cwd=tmp_path
    )
    assert again.returncode == 0
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "out.csv").read_bytes()


def test_match_with_bad_rows_writes_nothing_and_exits_2(tmp_path: Path) -> None:
    """Every bad row is printed with its line number; no output file appears."""
    rows = [*POOL[:2], ("b1", "Bad", "XX", "Europe/Paris", "fr", "public", "mid", "", "")]
    rows.append(("b2", "Worse", "FR", "Mars/Base", "fr", "museum", "mid", "", ""))
    pool = write_pool(tmp_path / "in.csv", rows=rows)
    done = penpals("match", "--applicants", str(pool), "--out", "out.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert "line 4" in done.stderr and "line 5" in done.stderr
    assert "Mars/Base" in done.stderr and "museum" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out.csv").exists()
