"""Round reports on SQLite and PostgreSQL: the figures, the files the CLI writes, privacy."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from core.model import ApplicationStatus as A
from core.model import Community, MemberRef, Platform
from core.outbox import ActionKind, NewAction, topic_post_key
from core.ports import UnitOfWorkFactory, WeekCount
from core.reports import OTHER, ReportService, fold_small
from tests.integration.test_cli import write_pool
from tests.support import Program, profile, program

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def p(uow_factory) -> Program:  # type: ignore[no-untyped-def]
    return program(uow_factory)


async def run_round(
    p: Program,
    c: Community,
    name: str,
    people: list[tuple[str, str, tuple[str, ...]]],
    *,
    waitlist: tuple[str, ...] = (),
) -> None:
    """Create, fill, decide on, close and publish a round of (id, country, languages)."""
    await p.rounds.create(
        c.id, name, starts=p.clock.now() + timedelta(days=30), carry_waitlist=False
    )
    await p.rounds.open(c.id, name)
    for ext, country, languages in people:
        await p.applications.submit(
            c, MemberRef(Platform.LOCAL, ext), profile(ext, country, languages=languages)
        )
        p.clock.advance(minutes=1)
    if waitlist:
        await p.applications.decide(c.id, name, A.WAITLISTED, waitlist)
    await p.applications.decide(c.id, name, A.APPROVED, all_pending=True)
    await p.rounds.close(c.id, name)
    await p.matches.publish(c, name, seed=3)
    p.clock.advance(days=1)


async def two_rounds(p: Program) -> Community:
    """Run 2027A (a trio, one unplaced, one waitlisted) and 2027B (two new countries)."""
    c = await p.communities.ensure(Platform.LOCAL, "reports", "Report Library Network")
    await p.communities.configure(c.id, country_cap=None)
    en = ("en",)
    await run_round(
        p,
        c,
        "2027A",
        [
            ("a1", "FI", en),
            ("a2", "BR", en),
            ("a3", "NG", en),
            ("a4", "AU", en),
            ("a5", "CA", en),
            ("a6", "FI", en),
            ("a7", "BR", en),
            ("a8", "DE", ("eu",)),  # shares no language with anyone: unplaced
            ("a9", "MX", en),
        ],
        waitlist=("a9",),
    )
    await run_round(
        p,
        c,
        "2027B",
        [
            ("b1", "FI", en),
            ("b2", "JP", en),
            ("b3", "KE", en),
            ("b4", "BR", en),
            ("b5", "JP", en),
            ("b6", "KE", en),
        ],
    )
    return c


async def record_activity(p: Program, uow_factory: UnitOfWorkFactory, c: Community) -> date:
    """Store one pair's messages and one delivered topic post for 2027B; return the week."""
    week = date(2027, 3, 1)
    async with uow_factory() as uow:
        round_ = await uow.rounds.find(c.id, "2027B")
        assert round_ is not None
        groups = await uow.groups.list(round_.id)
        first, second = groups[0], groups[1]
        await uow.engagement.record(
            [
                WeekCount(first.id, first.member_ids[0], week, 4),
                WeekCount(second.id, second.member_ids[0], week, 0),
            ],
            at=p.clock.now(),
        )
        keys = [topic_post_key(round_.id, g.number, 0) for g in (first, second)]
        await uow.outbox.enqueue(
            [
                NewAction(
                    key, c.id, c.platform, ActionKind.POST_TOPIC, {"k": 0}, p.clock.now(), round_.id
                )
                for key in keys
            ]
        )
        done = (await uow.outbox.by_keys(keys[:1]))[keys[0]]
        await uow.outbox.finish(done.id, {}, p.clock.now())
        await uow.commit()
    return week


async def test_round_figures_count_new_countries_trios_unplaced_and_waitlisted(
    p: Program, uow_factory
) -> None:  # type: ignore[no-untyped-def]
    """Two rounds give the expected counts, with round 2's new countries."""
    c = await two_rounds(p)
    week = await record_activity(p, uow_factory, c)
    service = ReportService(uow=uow_factory)

    first = (await service.round_report(c.id, "2027A")).rounds[0]
    assert (first.participants, first.countries, first.new_countries) == (7, 5, 5)
    assert (first.groups, first.trios, first.unplaced, first.waitlisted) == (3, 1, 1, 1)
    assert first.active_pairs == 0 and first.activity == () and first.topics == ()
    assert first.by_country == ((OTHER, 7),)  # no country reaches five people
    assert first.survey_response_rate is None and first.satisfaction is None

    latest = await service.round_report(c.id)
    second = latest.rounds[0]
    assert latest.title == "2027B"
    assert (second.participants, second.countries, second.new_countries) == (6, 4, 2)
    assert (second.groups, second.trios, second.unplaced, second.waitlisted) == (3, 0, 0, 0)
    assert second.new_country_names == ()  # Japan and Kenya have two people each
    assert second.active_pairs == 1
    assert [(w.week, w.active_pairs) for w in second.activity] == [(week, 1)]
    assert [(t.number, t.delivered) for t in second.topics] == [(1, 1)]
    assert [(b.round, b.participants, b.countries) for b in latest.by_round] == [
        ("2027A", 7, 5),
        ("2027B", 6, 4),
    ]
    everything = await service.all_rounds(c.id)
    assert [f.round for f in everything.rounds] == ["2027A", "2027B"]


async def test_countries_below_five_people_fold_into_other(p: Program, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """A country with five participants is named; the rest only appear as "other"."""
    assert fold_small(Counter({"Finland": 5, "Brazil": 4, "Japan": 1})) == (
        ("Finland", 5),
        (OTHER, 5),
    )
    assert fold_small(Counter()) == ()
    c = await p.communities.ensure(Platform.LOCAL, "fold", "Fold Network")
    await p.communities.configure(c.id, country_cap=None)
    others = ["BR", "NG", "AU", "CA", "JP"]
    people = [(f"f{i}", "FI", ("en",)) for i in range(5)] + [
        (f"o{i}", country, ("en",)) for i, country in enumerate(others)
    ]
    await run_round(p, c, "2028A", people)
    figures = (await ReportService(uow=uow_factory).round_report(c.id)).rounds[0]
    assert figures.by_country == (("Finland", 5), (OTHER, 5))
    assert figures.new_country_names == ("Finland",)
    assert figures.new_countries == 6


def csv_figures(path: Path) -> dict[tuple[str, str, str, str], str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {
            (r["section"], r["round"], r["figure"], r["detail"]): r["value"]
            for r in csv.DictReader(fh)
        }


def test_cli_writes_csv_json_and_png_that_agree(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`penpals report --out DIR` writes a CSV, the same figures as JSON, and a PNG chart."""
    pool = write_pool(tmp_path / "applicants.csv")
    cli("community", "configure", "--country-cap", "1")
    cli("round", "create", "2027A", "--starts", "2027-03-01")
    cli("round", "open", "2027A")
    cli("applications", "import", "2027A", str(pool), "--approve")
    cli("round", "close", "2027A")
    cli("round", "match", "2027A", "--publish", "--seed", "4")
    (tmp_path / "out").mkdir()
    said = cli("report", "2027A", "--out", "out").output
    assert "6 participants from 6 countries" in said

    out = tmp_path / "out"
    chart = (out / "report-2027A-by-round.png").read_bytes()
    assert chart.startswith(PNG_MAGIC)
    assert not (out / "report-2027A-activity.png").exists()  # no activity recorded
    table = csv_figures(out / "report-2027A.csv")
    data = json.loads((out / "report-2027A.json").read_text(encoding="utf-8"))
    (figures,) = data["rounds"]
    for name in ("participants", "countries", "new_countries", "groups", "trios", "unplaced"):
        assert table[("round", "2027A", name, "")] == str(figures[name])
    assert table[("round", "2027A", "satisfaction", "")] == "" and figures["satisfaction"] is None
    for country, n in figures["by_country"].items():
        assert table[("round", "2027A", "country", country)] == str(n)
    assert data["by_round"] == [
        {"round": "2027A", "participants": 6, "countries": 6, "new_countries": 6}
    ]
    assert table[("by_round", "2027A", "participants", "")] == "6"

    cli("report", "--all")
    assert (tmp_path / "reports" / "report-all.json").exists()
    assert (tmp_path / "reports" / "report-all-by-round.png").read_bytes().startswith(PNG_MAGIC)


def test_cli_report_refusals_are_one_sentence(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """No rounds, an unknown round, a missing folder and ROUND with --all are refused."""
    assert "no rounds yet" in cli("report", code=1).output
    cli("round", "create", "2027A")
    assert "round list" in cli("report", "2099Z", code=1).output
    assert "no such folder" in cli("report", "--out", "missing", code=2).output
    assert "not both" in cli("report", "2027A", "--all", code=2).output
    assert not (tmp_path / "reports").exists()
