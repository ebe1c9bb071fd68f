"""A round's CSV files as bytes for chat, and the preview in words, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from core.audit import AuditService
from core.matching.preview_text import preview_text
from core.model import ApplicationStatus as A
from core.model import MemberRef, Platform
from core.rounds import applicants_csv
from core.rounds.applicants_csv import CsvInvalid
from core.rounds.files import RoundFiles
from tests.support import Program, profile

HEADER = "id,name,country,timezone,languages,sector,career_stage\n"
GOOD = HEADER + (
    "a1,Ana,ES,Europe/Madrid,es;en,public,early\n"
    "k2,Kofi,GH,Africa/Accra,en,academic,mid\n"
    "e3,=cmd|' /C calc'!A0,FI,Europe/Helsinki,en,school,senior\n"
)


@pytest.fixture
def files(uow_factory, clock, p: Program) -> RoundFiles:  # type: ignore[no-untyped-def]
    return RoundFiles(uow=uow_factory, clock=clock, applications=p.applications, matches=p.matches)


async def test_an_uploaded_file_is_imported_whole_and_exported_back_guarded(
    p: Program,
    files: RoundFiles,
    uow_factory,  # type: ignore[no-untyped-def]
) -> None:
    """Upload, then download: the same applicants, a formula cell guarded, the import audited."""
    c = await p.communities.ensure(Platform.LOCAL, "files", "Files")
    await p.rounds.create(c.id, "R")
    done = await files.import_applications_csv(
        c, "R", ("\ufeff" + GOOD).encode(), filename="up.csv", actor="ana"
    )
    assert (done.created, done.updated) == (3, 0)
    out = await files.applications_csv(c.id, "R")
    assert out.name == "applications-R.csv" and out.rows == 3
    text = out.data.decode()
    assert "'=cmd" in text
    rows = applicants_csv.read_applicants(text)
    assert [r.id for r in rows] == ["a1", "k2", "e3"] and rows[2].profile.name.startswith("=cmd")
    entries = await AuditService(uow=uow_factory).list(c.id, "R")
    assert any(e.action == "applications.import" and e.actor == "ana" for e in entries)


async def test_a_file_with_a_bad_row_changes_nothing_and_names_line_and_field(
    p: Program, files: RoundFiles
) -> None:
    """One unknown country on line 3: CsvInvalid with that line and field, no application."""
    c = await p.communities.ensure(Platform.LOCAL, "files", "Files")
    await p.rounds.create(c.id, "R")
    bad = GOOD.replace("k2,Kofi,GH", "k2,Kofi,UK")
    with pytest.raises(CsvInvalid) as caught:
        await files.import_applications_csv(c, "R", bad.encode(), filename="up.csv")
    assert len(caught.value.problems) == 1
    assert str(caught.value.problems[0]).startswith("line 3: country")
    assert "nothing was changed" in str(caught.value)
    assert (await files.applications_csv(c.id, "R")).rows == 0
    with pytest.raises(CsvInvalid, match="invalid row"):
        await files.import_applications_csv(c, "R", b"\xff\xfe", filename="up.csv")


async def test_pairs_file_and_preview_lines_name_every_group_the_unplaced_and_the_waitlisted(
    p: Program, files: RoundFiles
) -> None:
    """Pairs CSV has the groups then the unplaced; the preview says why in English and French."""
    c = await p.communities.ensure(Platform.LOCAL, "files", "Files")
    await p.communities.configure(c.id, country_cap=None)
    await p.rounds.create(c.id, "R")
    await p.rounds.open(c.id, "R")
    for ext, country, langs in [
        ("a", "ES", ("en",)),
        ("b", "GH", ("en",)),
        ("c", "FI", ("fi",)),  # nobody else speaks Finnish
        ("d", "BR", ("en",)),
    ]:
        await p.applications.submit(
            c, MemberRef(Platform.LOCAL, ext), profile(ext.upper(), country, languages=langs)
        )
    await p.applications.decide(c.id, "R", A.WAITLISTED, ["d"], note="late")
    await p.applications.decide(c.id, "R", A.APPROVED, all_pending=True)
    await p.rounds.close(c.id, "R")
    report = await p.matches.preview(c, "R")
    pairs = await files.pairs_csv(c, "R")
    read = applicants_csv.read_pairs(pairs.data.decode())
    assert [r.group for r in read] == [1, None] and read[1].members == ("c",)
    en = preview_text(report, lang="en")
    assert en.groups[0].startswith("Group 1: ") and "Why: " in en.groups[0]
    assert en.unplaced[0].startswith("Unplaced: C (Finland, c): nobody from another country")
    assert en.waitlisted == ("Waitlisted: D (Brazil, d): the organisers say: late",)
    fr = preview_text(report, lang="fr")
    assert fr.headline.startswith("Appariement proposé") and "Finlande" in fr.unplaced[0]
    assert len(fr.lines()) == 4
