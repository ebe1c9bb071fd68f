"""The audit log on SQLite and PostgreSQL: who decided, edited or published what, and when."""

from __future__ import annotations

import csv
import getpass
from datetime import timedelta
from pathlib import Path

import pytest

from core.audit import UNKNOWN
from core.errors import NotFound
from core.model import ApplicationStatus as A
from core.model import MemberRef, Platform
from core.surveys.model import SurveyKind
from core.surveys.service import SurveyService
from tests.integration.test_cli import write_pool
from tests.support import Program, profile

COUNTRIES = ["FI", "BR", "NG", "AU", "CA", "JP", "KE", "PH", "DE", "MX"]


async def test_every_decision_edit_and_publication_is_logged_with_its_actor(
    p: Program, uow_factory
) -> None:  # type: ignore[no-untyped-def]
    """A round from creation to rematch leaves one entry per change, each with who and when."""
    c = await p.communities.ensure(Platform.LOCAL, "audit", "Audit")
    await p.communities.configure(c.id, country_cap=None, actor="ana")
    await p.rounds.create(c.id, "R1", starts=p.clock.now() + timedelta(days=30), actor="ana")
    await p.rounds.open(c.id, "R1", actor="ana")
    for i in range(8):
        await p.applications.submit(
            c, MemberRef(Platform.LOCAL, f"m{i}"), profile(f"M {i}", COUNTRIES[i])
        )
    await p.applications.decide(
        c.id, "R1", A.APPROVED, ["m0", "m1", "m2", "m3", "m4", "m5"], actor="ben"
    )
    await p.applications.decide(c.id, "R1", A.DECLINED, ["m6"], note="duplicate", actor="ben")
    await p.applications.decide(c.id, "R1", A.WAITLISTED, ["m7"], actor="ben")
    await p.rounds.close(c.id, "R1", actor="ana")
    preview = await p.matches.preview(c, "R1", actor="ana")
    g1, g2 = preview.groups[0], preview.groups[1]
    await p.matches.swap(c, "R1", g1.members[0].external_id, g2.members[0].external_id, actor="ana")
    await p.matches.split(c, "R1", 1, actor="ana")
    split = [m.external_id for m, _ in (await p.matches.show(c, "R1")).unplaced]
    await p.matches.pair(c, "R1", split, actor="ana")
    await p.matches.publish(c, "R1", actor="cho")
    await p.topics.edit(c.id, 1, title="Our libraries", actor="ana")
    surveys = SurveyService(uow=uow_factory, clock=p.clock)
    await surveys.edit(
        c.id, "R1", SurveyKind.MID, "satisfaction", label="How is it going?", actor="dee"
    )
    entries = await p.audit.list(c.id, "R1")
    assert [e.action for e in entries] == [
        "round.create",
        "round.open",
        "applications.approve",
        "applications.decline",
        "applications.waitlist",
        "round.close",
        "match.preview",
        "match.swap",
        "match.split",
        "match.pair",
        "match.publish",
        "survey.edit",
    ]
    assert {e.actor for e in entries} == {"ana", "ben", "cho", "dee"}
    assert all(e.at == p.clock.now() and e.round_name == "R1" for e in entries)
    approve = entries[2]
    assert approve.subject.startswith("6 members: m0, m1") and approve.actor == "ben"
    assert entries[3].detail == "duplicate"
    assert "draft -> open" in entries[1].detail
    # Community-wide entries (settings, topics) belong to no round.
    everything = await p.audit.list(c.id)
    outside = [e for e in everything if e.round_id is None]
    assert [(e.action, e.actor) for e in outside] == [
        ("community.configure", "ana"),
        ("topics.edit", "ana"),
    ]
    assert "country_cap: 0.2 -> None" in outside[0].detail


async def test_a_refused_change_leaves_no_entry_and_the_actor_defaults(p: Program) -> None:
    """The entry is in the change's transaction: a refusal writes nothing; no actor is said."""
    c = await p.communities.ensure(Platform.LOCAL, "audit2", "Audit 2")
    await p.rounds.create(c.id, "R1")
    await p.rounds.open(c.id, "R1")
    await p.applications.submit(c, MemberRef(Platform.LOCAL, "m0"), profile("M", "FI"))
    with pytest.raises(NotFound):
        await p.applications.decide(c.id, "R1", A.APPROVED, ["m0", "zz"], actor="ben")
    # Deciding what is already decided changes nothing, and logs nothing.
    await p.applications.decide(c.id, "R1", A.APPROVED, ["m0"], actor="ben")
    await p.applications.decide(c.id, "R1", A.APPROVED, ["m0"], actor="ben")
    entries = await p.audit.list(c.id, "R1")
    assert [(e.action, e.actor) for e in entries] == [
        ("round.create", UNKNOWN),
        ("round.open", UNKNOWN),
        ("applications.approve", "ben"),
    ]


def test_cli_records_the_os_user_or_actor_and_shows_and_exports_the_log(
    cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """`--actor` or the OS user; `round show` lists the log, `round audit --out` writes CSV."""
    pool = write_pool(tmp_path / "applicants.csv")
    cli("round", "create", "2027A", "--actor", '=HYPERLINK("x")')
    cli("round", "open", "2027A")
    cli("applications", "import", "2027A", str(pool))
    cli("applications", "approve", "2027A", "a1", "a2", "--actor", "[bold]ana[/bold]")
    show = cli("round", "show", "2027A").output
    assert "Audit log (3 entries" in show and "[bold]ana[/" in show
    assert "applications." in cli("round", "audit", "2027A").output
    cli("round", "audit", "2027A", "--out", "audit.csv")
    with (tmp_path / "audit.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["action"] for r in rows] == ["round.create", "round.open", "applications.approve"]
    assert rows[0]["actor"] == '\'=HYPERLINK("x")'  # the safe writer's guard
    assert rows[1]["actor"] == getpass.getuser()
    assert rows[2]["subject"] == "2 members: a1, a2" and rows[2]["round"] == "2027A"
