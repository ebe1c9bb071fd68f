"""Reviewing applications at scale on SQLite and PostgreSQL: filters, search, pages, bulk."""

from __future__ import annotations

import pytest

from core.errors import Conflict, InvalidValue
from core.model import ApplicationStatus as A
from core.model import MemberRef, Platform
from core.rounds.review import ReviewFilter
from tests.support import Program, profile

PEOPLE = [
    # (id, name, country, sector, stage)
    ("m0", "José Núñez", "ES", "public", "early"),
    ("m1", "Jose Martin", "FI", "academic", "mid"),
    ("m2", "Åsa Lind", "SE", "academic", "early"),
    ("m3", "Kenji Sato", "JP", "school", "senior"),
    ("m4", "Ngozi Okafor", "NG", "public", "mid"),
]


async def filled(p: Program, extra: int = 0):  # type: ignore[no-untyped-def]
    c = await p.communities.ensure(Platform.LOCAL, "review", "Review")
    await p.rounds.create(c.id, "R")
    await p.rounds.open(c.id, "R")
    rows = PEOPLE + [(f"x{i}", f"Extra {i}", "BR", "public", "mid") for i in range(extra)]
    for ext, name, country, sector, stage in rows:
        await p.applications.submit(
            c, MemberRef(Platform.LOCAL, ext), profile(name, country, sector=sector, stage=stage)
        )
        p.clock.advance(minutes=1)
    return c


async def test_filters_and_name_search_ignore_case_and_accents(p: Program) -> None:
    """Each filter narrows the set; 'jose' finds José and Jose; ids are searched too."""
    c = await filled(p)

    async def ids(matching: ReviewFilter) -> list[str]:
        page = await p.applications.review(c.id, "R", matching)
        return [a.member.external_id for a in page.items]

    assert await ids(ReviewFilter(name="JOSE")) == ["m0", "m1"]
    assert await ids(ReviewFilter(name="nunez")) == ["m0"]
    assert await ids(ReviewFilter(name="m3")) == ["m3"]
    assert await ids(ReviewFilter(countries=("fi", "se"))) == ["m1", "m2"]
    assert await ids(ReviewFilter(sectors=("academic",), career_stages=("early",))) == ["m2"]
    await p.applications.decide(c.id, "R", A.APPROVED, ["m4"])
    assert await ids(ReviewFilter(statuses=(A.PENDING,), sectors=("public",))) == ["m0"]
    assert await ids(ReviewFilter(statuses=(A.APPROVED,))) == ["m4"]


async def test_pages_of_ten_with_a_total(p: Program) -> None:
    """25 applications: pages of 10, 10 and 5, each saying the total and what is next."""
    c = await filled(p, extra=20)
    first = await p.applications.review(c.id, "R")
    assert (len(first.items), first.total, first.pages, first.page) == (10, 25, 3, 1)
    assert first.has_next and not first.has_previous
    last = await p.applications.review(c.id, "R", offset=20)
    assert (len(last.items), last.page, last.has_next, last.has_previous) == (5, 3, False, True)
    seen = [a.member.external_id for a in first.items]
    assert seen[:5] == [x[0] for x in PEOPLE]  # oldest submission first
    with pytest.raises(InvalidValue):
        await p.applications.review(c.id, "R", limit=0)


async def test_bulk_decision_on_a_filtered_set_counts_and_checks_the_confirmed_size(
    p: Program,
) -> None:
    """Decide every match at once; a set that changed since the confirmation is refused."""
    c = await filled(p, extra=12)
    brazil = ReviewFilter(statuses=(A.PENDING,), countries=("BR",))
    assert (await p.applications.review(c.id, "R", brazil)).total == 12
    await p.applications.decide(c.id, "R", A.DECLINED, ["x0"])  # changes the set
    with pytest.raises(Conflict, match="11 to decide now, not the 12 confirmed"):
        await p.applications.decide(
            c.id, "R", A.WAITLISTED, matching=brazil, expected=12, actor="ana"
        )
    assert (await p.applications.review(c.id, "R", brazil)).total == 11
    done = await p.applications.decide(
        c.id, "R", A.WAITLISTED, matching=brazil, expected=11, note="next round", actor="ana"
    )
    assert len(done.changed) == 11
    assert (await p.applications.review(c.id, "R", brazil)).total == 0
    waitlisted = await p.applications.review(c.id, "R", ReviewFilter(statuses=(A.WAITLISTED,)))
    assert waitlisted.total == 11
    entry = (await p.audit.list(c.id, "R"))[-1]
    assert entry.action == "applications.waitlist" and entry.actor == "ana"
    assert entry.detail == "next round; filter: status pending; country BR"
