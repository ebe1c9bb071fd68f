"""The program on a real database: rounds, applications, matching and its history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Conflict, NotFound
from core.model import ApplicationStatus as A
from core.model import MemberRef, Platform, RoundState, Wishes
from tests.support import Program, profile

COUNTRIES = ["FI", "BR", "NG", "AU", "CA", "JP", "KE", "PH", "DE", "MX"]


def ref(i: object) -> MemberRef:
    return MemberRef(Platform.LOCAL, str(i))


async def community(p: Program):  # type: ignore[no-untyped-def]
    return await p.communities.ensure(Platform.LOCAL, "test", "Test Library Network")


async def open_round(p: Program, name: str = "2027A"):  # type: ignore[no-untyped-def]
    c = await community(p)
    start = p.clock.now() + timedelta(days=30)
    await p.rounds.create(c.id, name, starts=start)
    await p.rounds.open(c.id, name)
    return c


async def apply_many(p: Program, c, n: int, countries=COUNTRIES) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        await p.applications.submit(
            c, ref(f"m{i}"), profile(f"Member {i}", countries[i % len(countries)])
        )
        p.clock.advance(minutes=1)


async def test_round_moves_through_its_states_and_refuses_skips(p: Program) -> None:
    """A round goes draft -> open -> closed; jumping ahead is refused with the reason."""
    c = await community(p)
    r, _ = await p.rounds.create(c.id, "2027A")
    assert r.state is RoundState.DRAFT
    with pytest.raises(Conflict, match="draft"):
        await p.rounds.close(c.id, "2027A")
    assert (await p.rounds.open(c.id, "2027A")).state is RoundState.OPEN
    closed = await p.rounds.close(c.id, "2027A")
    assert closed.state is RoundState.CLOSED and closed.applications_close_at == p.clock.now()
    with pytest.raises(Conflict, match="already exists"):
        await p.rounds.create(c.id, "2027A")
    with pytest.raises(NotFound, match="round list"):
        await p.rounds.open(c.id, "2099Z")


async def test_member_applies_edits_and_withdraws(p: Program) -> None:
    """One application per member per round: applying again edits it; withdrawing leaves."""
    c = await open_round(p)
    first = await p.applications.submit(c, ref(1), profile("Ana", "BR"))
    again = await p.applications.submit(c, ref(1), profile("Ana Souza", "BR", sector="academic"))
    assert first.created and not again.created
    assert again.application.id == first.application.id
    mine = await p.applications.mine(c, ref(1))
    assert (mine.profile.name, mine.profile.sector) == ("Ana Souza", "academic")
    gone = await p.applications.withdraw(c, ref(1))
    assert gone.application.status is A.WITHDRAWN and gone.group is None


async def test_applying_outside_the_window_gets_a_clear_answer(p: Program) -> None:
    """No open round, or a closed window, is refused with what to do."""
    c = await community(p)
    with pytest.raises(Conflict, match="no round is taking applications"):
        await p.applications.submit(c, ref(1), profile("Ana", "BR"))
    await p.rounds.create(c.id, "2027A")
    await p.rounds.open(c.id, "2027A")
    await p.rounds.close(c.id, "2027A")
    with pytest.raises(Conflict, match="closed"):
        await p.applications.submit(c, ref(1), profile("Ana", "BR"))


async def test_decisions_one_by_one_in_bulk_and_unknown_ids(p: Program) -> None:
    """Organisers approve, decline and waitlist; an unknown id changes nothing."""
    c = await open_round(p)
    await apply_many(p, c, 6)
    with pytest.raises(NotFound, match="nobody"):
        await p.applications.decide(c.id, "2027A", A.APPROVED, ["m0", "nobody"])
    assert all(a.status is A.PENDING for a in await p.applications.list(c.id, "2027A"))
    await p.applications.decide(c.id, "2027A", A.DECLINED, ["m0"])
    await p.applications.decide(c.id, "2027A", A.WAITLISTED, ["m1"])
    bulk = await p.applications.decide(c.id, "2027A", A.APPROVED, all_pending=True)
    assert sorted(bulk.changed) == ["m2", "m3", "m4", "m5"]
    statuses = {a.member.external_id: a.status for a in await p.applications.list(c.id, "2027A")}
    assert statuses["m0"] is A.DECLINED and statuses["m1"] is A.WAITLISTED
    with pytest.raises(Conflict, match="declined"):
        await p.applications.submit(c, ref("m0"), profile("Member 0", "FI"))


async def approve_and_close(p: Program, c, name: str = "2027A") -> None:  # type: ignore[no-untyped-def]
    await p.applications.decide(c.id, name, A.APPROVED, all_pending=True)
    await p.rounds.close(c.id, name)


async def test_preview_then_publish_pairs_everyone_across_countries(p: Program) -> None:
    """Twenty applicants from ten countries: ten cross-country pairs, published."""
    c = await open_round(p)
    await apply_many(p, c, 20)
    await approve_and_close(p, c)
    preview = await p.matches.preview(c, "2027A", seed=3)
    assert not preview.published and preview.placed == 20 and not preview.unplaced
    for g in preview.groups:
        assert len({m.country for m in g.members}) == len(g.members)
    published = await p.matches.publish(c, "2027A", seed=3)
    assert published.published
    assert [g.number for g in published.groups] == list(range(1, 11))
    assert {frozenset(m.external_id for m in g.members) for g in published.groups} == {
        frozenset(m.external_id for m in g.members) for g in preview.groups
    }
    assert (await p.rounds.get(c.id, "2027A")).state is RoundState.MATCHED
    with pytest.raises(Conflict, match="rematch"):
        await p.matches.preview(c, "2027A")


async def test_odd_pool_makes_one_trio(p: Program) -> None:
    """With an odd number of applicants the odd one out joins a group of three."""
    c = await open_round(p)
    await apply_many(p, c, 7)
    await approve_and_close(p, c)
    report = await p.matches.preview(c, "2027A")
    assert sorted(len(g.members) for g in report.groups) == [2, 2, 3]


async def test_country_cap_waitlists_the_latest_applicants_on_publish(p: Program) -> None:
    """At most 20% of the matched from one country: the rest are waitlisted, carried over."""
    c = await open_round(p)
    # 10 from FI, 10 from ten other countries: with L from FI, L <= 0.2 * (L + 10), so L = 2
    # (the old cap, 20% of the approved, let 4 in: 4 of 14 matched, 28.6%).
    await apply_many(p, c, 10, countries=["FI"])
    await apply_many_named(p, c, ["BR", "NG", "AU", "CA", "JP", "KE", "PH", "DE", "MX", "IN"])
    await approve_and_close(p, c)
    preview = await p.matches.preview(c, "2027A")
    assert len(preview.over_cap) == 8
    assert {person.external_id for person, _ in preview.over_cap} == {f"m{i}" for i in range(2, 10)}
    assert "20%" in preview.over_cap[0][1]
    assert "8 waitlisted" in preview.cap_note and "2 of 12" in preview.cap_note
    placed = [m.country for g in preview.groups for m in g.members]
    assert placed.count("FI") / len(placed) <= 0.2
    await p.matches.publish(c, "2027A")
    waitlisted = await p.applications.list(c.id, "2027A", [A.WAITLISTED])
    assert len(waitlisted) == 8
    _, carried = await p.rounds.create(c.id, "2027B")
    assert carried == 8
    pending = await p.applications.list(c.id, "2027B", [A.PENDING])
    assert {a.member.external_id for a in pending} == {f"m{i}" for i in range(2, 10)}


async def apply_many_named(p: Program, c, countries) -> None:  # type: ignore[no-untyped-def]
    for i, country in enumerate(countries):
        await p.applications.submit(c, ref(f"x{i}"), profile(f"Other {i}", country))
        p.clock.advance(minutes=1)


async def test_partners_never_meet_again_in_a_later_round(p: Program) -> None:
    """History across two rounds: nobody is paired with a previous partner."""
    c = await p.communities.ensure(Platform.LOCAL, "history", "History")
    await p.communities.configure(c.id, country_cap=None)
    members = [("a", "FI"), ("b", "BR"), ("c", "FI"), ("d", "BR")]
    first_pairs: set[frozenset[str]] = set()
    for name in ("2027A", "2027B"):
        await p.rounds.create(c.id, name, carry_waitlist=False)
        await p.rounds.open(c.id, name)
        for ext, country in members:
            await p.applications.submit(c, ref(ext), profile(ext, country))
        await approve_and_close(p, c, name)
        report = await p.matches.publish(c, name)
        pairs = {frozenset(m.external_id for m in g.members) for g in report.groups}
        assert len(pairs) == 2
        if name == "2027A":
            first_pairs = pairs
        else:
            assert not pairs & first_pairs
        r = await p.rounds.start(c.id, name)
        await p.rounds.finish(c.id, r.name)
    exported = await p.applications.export_rows(c.id, "2027B")
    a_row = next(r for r in exported if r.id == "a")
    first_partner_of_a = next(iter(next(pair for pair in first_pairs if "a" in pair) - {"a"}))
    assert a_row.previous_partners == (first_partner_of_a,)


async def test_hand_edits_keep_the_hard_rules(p: Program) -> None:
    """Swap, split and pair by hand; a swap that breaks a rule is refused and changes nothing."""
    c = await open_round(p)
    await p.communities.configure(c.id, country_cap=None)
    people = [("f1", "FI"), ("b1", "BR"), ("f2", "FI"), ("b2", "BR")]
    for ext, country in people:
        await p.applications.submit(c, ref(ext), profile(ext, country))
    await approve_and_close(p, c)
    report = await p.matches.preview(c, "2027A")
    groups = {g.number: {m.external_id for m in g.members} for g in report.groups}
    g1 = next(n for n, ms in groups.items() if "f1" in ms)
    partner_of_f1 = next(iter(groups[g1] - {"f1"}))
    with pytest.raises(Conflict, match="both from Finland"):
        await p.matches.swap(c, "2027A", partner_of_f1, "f2")  # f1 would meet f2 from Finland
    swapped = await p.matches.swap(c, "2027A", "f1", "f2")
    assert {frozenset(m.external_id for m in g.members) for g in swapped.groups} != {
        frozenset(ms) for ms in groups.values()
    }
    split = await p.matches.split(c, "2027A", 1)
    assert len(split.groups) == 1 and len(split.unplaced) == 2
    loose = [person.external_id for person, _ in split.unplaced]
    paired = await p.matches.pair(c, "2027A", loose)
    assert len(paired.groups) == 2 and not paired.unplaced
    published = await p.matches.publish(c, "2027A")
    assert [g.number for g in published.groups] == [1, 2]


async def test_withdrawing_after_publish_leaves_partner_for_rematch(p: Program) -> None:
    """After matching, a leaver's partner is reported and a rematch pairs the orphans."""
    c = await open_round(p)
    await p.communities.configure(c.id, country_cap=None)
    for ext, country in [("a", "FI"), ("b", "BR"), ("c", "NG"), ("d", "JP")]:
        await p.applications.submit(c, ref(ext), profile(ext, country))
    await approve_and_close(p, c)
    report = await p.matches.publish(c, "2027A")
    pair_of_a = next(g for g in report.groups if "a" in {m.external_id for m in g.members})
    partner = next(m.external_id for m in pair_of_a.members if m.external_id != "a")
    other = next(g for g in report.groups if g is not pair_of_a)
    leaver = other.members[0].external_id
    left = await p.applications.withdraw(c, ref("a"))
    assert [r.external_id for r in left.partners] == [partner]
    await p.applications.withdraw(c, ref(leaver))
    rematch = await p.matches.rematch(c, "2027A")
    new_group = max(rematch.groups, key=lambda g: g.number)
    assert new_group.number == 3
    assert {m.external_id for m in new_group.members} == {
        partner,
        next(m.external_id for m in other.members if m.external_id != leaver),
    }


async def test_new_community_gets_an_editable_topic_library(p: Program) -> None:
    """Nine default topics, editable per community without touching another community."""
    c = await community(p)
    other = await p.communities.ensure(Platform.LOCAL, "other")
    assert len(await p.topics.list(c.id)) == 9
    edited = await p.topics.edit(c.id, 2, title="Library buildings", questions=("Q1?", "Q2?"))
    assert edited.title == "Library buildings"
    assert (await p.topics.list(c.id))[1].questions == ("Q1?", "Q2?")
    assert (await p.topics.list(other.id))[1].title == "Library spaces"


async def test_wishes_are_met_when_possible(p: Program) -> None:
    """A wish for a sector is honoured when a partner in that sector is available."""
    c = await open_round(p)
    await p.communities.configure(c.id, country_cap=None)
    await p.applications.submit(
        c, ref("w"), profile("Wisher", "FI", wishes=Wishes(sectors=("health",)))
    )
    await p.applications.submit(c, ref("x"), profile("Public", "BR", sector="public"))
    await p.applications.submit(c, ref("y"), profile("Health", "NG", sector="health"))
    await p.applications.submit(c, ref("z"), profile("School", "JP", sector="school"))
    await approve_and_close(p, c)
    report = await p.matches.preview(c, "2027A")
    group = next(g for g in report.groups if "w" in {m.external_id for m in g.members})
    assert {m.external_id for m in group.members} == {"w", "y"}
    assert any("wish" in r for r in group.reasons)
