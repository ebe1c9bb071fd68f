"""Round reports on SQLite and PostgreSQL: the figures, the files the CLI writes, privacy."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from core.delivery.outbox import ActionKind, NewAction, topic_post_key
from core.model import ApplicationStatus as A
from core.model import Community, MemberRef, Platform
from core.ports import UnitOfWorkFactory, WeekCount
from core.reports.model import OTHER
from core.reports.rules import fold_small
from core.reports.service import ReportService
from tests.integration.test_cli import write_pool
from tests.support import Program, profile

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


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


async def three_weeks(p: Program, uow_factory: UnitOfWorkFactory, c: Community) -> list[date]:
    """Record 2027B's three pairs: week 1 all write, week 2 one, week 3 two; return the weeks."""
    weeks = [date(2027, 3, 1), date(2027, 3, 8), date(2027, 3, 15)]
    writers = [(0, 1, 2), (0,), (0, 1)]
    async with uow_factory() as uow:
        round_ = await uow.rounds.find(c.id, "2027B")
        assert round_ is not None
        groups = await uow.groups.list(round_.id)
        await uow.engagement.record(
            [
                WeekCount(g.id, g.member_ids[0], week, 3 if i in who else 0)
                for week, who in zip(weeks, writers, strict=True)
                for i, g in enumerate(groups)
            ],
            at=p.clock.now(),
        )
        await uow.commit()
    return weeks


async def test_active_pairs_count_pairs_that_wrote_in_a_week_and_name_the_weeks(
    p: Program, uow_factory
) -> None:  # type: ignore[no-untyped-def]
    """The figure is the pairs that wrote in a typical week (median), the weeks named with it."""
    from core.reports.rules import activity_headline

    c = await two_rounds(p)
    weeks = await three_weeks(p, uow_factory, c)
    f = (await ReportService(uow=uow_factory).round_report(c.id, "2027B")).rounds[0]
    assert [w.active_pairs for w in f.activity] == [3, 1, 2]
    # Not the 3 pairs that wrote at some point: 2 wrote in a typical week.
    assert (f.active_pairs, f.pairs_that_wrote, f.groups) == (2, 3, 3)
    assert f.activity_weeks == (weeks[0], weeks[-1])
    headline = activity_headline(f)
    assert headline == (
        "2 of 3 pairs wrote in a typical week (the median of 3 weeks counted, weeks of "
        "2027-03-01 to 2027-03-15); 3 wrote at least once"
    )
    assert (
        activity_headline(
            (await ReportService(uow=uow_factory).round_report(c.id, "2027A")).rounds[0]
        )
        == "no activity counted yet"
    )


async def test_activity_chart_ticks_fall_on_the_weeks_and_groups_are_a_reference_line(
    p: Program, uow_factory
) -> None:  # type: ignore[no-untyped-def]
    """One tick per counted week under its bar, labelled with its Monday; a dashed groups line."""
    import matplotlib.pyplot as plt

    from bots.reporting import activity_figure

    c = await two_rounds(p)
    await three_weeks(p, uow_factory, c)
    report = await ReportService(uow=uow_factory).round_report(c.id, "2027B")
    fig = activity_figure(report)
    try:
        ax = fig.axes[0]
        centres = [bar.get_x() + bar.get_width() / 2 for bar in ax.patches]
        assert list(ax.get_xticks()) == centres == [0, 1, 2]
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert labels == ["01 Mar 2027", "08 Mar 2027", "15 Mar 2027"]
        dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
        assert [tuple(line.get_ydata()) for line in dashed] == [(3, 3)]
        assert any("3 groups" in t.get_text() for t in ax.texts)
        assert any("typical week" in t.get_text() for t in fig.texts)
    finally:
        plt.close(fig)
    everything = await ReportService(uow=uow_factory).all_rounds(c.id)
    fig = activity_figure(everything)  # 2027A recorded nothing: one series still
    plt.close(fig)


async def test_new_countries_say_why_small_ones_are_not_named(p: Program, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """'new countries' says how many are new, names the big ones and why the others are not."""
    from core.reports.rules import new_countries_note

    c = await p.communities.ensure(Platform.LOCAL, "fold2", "Fold Network")
    await p.communities.configure(c.id, country_cap=None)
    others = ["BR", "NG", "AU", "CA", "JP"]
    people = [(f"f{i}", "FI", ("en",)) for i in range(5)] + [
        (f"o{i}", country, ("en",)) for i, country in enumerate(others)
    ]
    await run_round(p, c, "2028A", people)
    f = (await ReportService(uow=uow_factory).round_report(c.id)).rounds[0]
    note = new_countries_note(f)
    assert note.startswith("6 new to the community: Finland and 5 countries with fewer than 5")
    assert "'other'" in note


async def test_one_round_by_round_chart_shows_its_countries(p: Program, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """With one round the chart is its participants by country, totals in the title."""
    import matplotlib.pyplot as plt

    from bots.reporting import by_round_figure

    c = await two_rounds(p)
    first = await ReportService(uow=uow_factory).round_report(c.id, "2027A")
    fig = by_round_figure(first)
    try:
        ax = fig.axes[0]
        assert "7 participants from 5 countries (5 new)" in ax.get_title()
        assert [t.get_text() for t in ax.get_yticklabels()] == ["other (each < 5 people)"]
        assert [bar.get_width() for bar in ax.patches] == [7]
    finally:
        plt.close(fig)
    both = await ReportService(uow=uow_factory).round_report(c.id, "2027B")
    fig = by_round_figure(both)  # two rounds: bars and a line, by round
    try:
        assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2027A", "2027B"]
    finally:
        plt.close(fig)
