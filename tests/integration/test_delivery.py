"""Publishing and the topic calendar reach the platform exactly once, through the outbox."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from adapters.rehearsal import RehearsalPlatform
from core.delivery.outbox import ActionKind, ActionState
from core.delivery.service import DeliveryService
from core.model import ApplicationStatus as A
from core.model import MemberRef, Platform
from core.platform import DeliveryFailed
from tests.support import Program, profile

COUNTRIES = ["FI", "BR", "NG", "AU", "CA", "JP", "KE", "PH", "DE", "MX"]


async def published_round(p: Program, n: int = 20):  # type: ignore[no-untyped-def]
    c = await p.communities.ensure(Platform.LOCAL, "delivery", "Delivery Network")
    await p.communities.configure(c.id, country_cap=None)
    start = p.clock.now() + timedelta(days=7)
    await p.rounds.create(c.id, "2027A", starts=start)
    await p.rounds.open(c.id, "2027A")
    for i in range(n):
        await p.applications.submit(
            c,
            MemberRef(Platform.LOCAL, f"m{i}"),
            profile(f"Member {i}", COUNTRIES[i % 10], tz="Europe/Helsinki", interests=("spaces",)),
        )
    await p.applications.decide(c.id, "2027A", A.APPROVED, all_pending=True)
    await p.rounds.close(c.id, "2027A")
    report = await p.matches.publish(c, "2027A")
    return c, report


def delivery(uow_factory, clock, platform: RehearsalPlatform) -> DeliveryService:  # type: ignore[no-untyped-def]
    return DeliveryService(
        uow=uow_factory, clock=clock, platforms={Platform.LOCAL: platform}, backoff=timedelta(0)
    )


async def test_publishing_makes_one_private_space_per_group_with_its_members(
    p: Program,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """Each group gets exactly one space holding exactly its members and an introduction."""
    _, report = await published_round(p)
    platform = RehearsalPlatform()
    worker = delivery(uow_factory, clock, platform)
    first = await worker.run_due()
    # The spaces, two announcements, and each of the 20 approved applicants told so.
    assert first.done == len(report.groups) + 2 + 20
    assert len(platform.spaces) == len(report.groups)
    expected = {frozenset(m.external_id for m in g.members) for g in report.groups}
    assert {frozenset(s.members) for s in platform.spaces.values()} == expected
    intro = next(iter(platform.spaces.values())).messages[0][1].plain()
    for needle in ("Local time now", "twice a month", "goals", "Contact", "Why you were matched"):
        assert needle in intro
    assert [m.title for m in platform.announcements] == [
        "Applications for round 2027A are open",
        "Round 2027A: pairs are published",
    ]
    again = await worker.run_due()
    assert again.done == 0 and len(platform.spaces) == len(report.groups)


async def test_topic_dates_post_once_to_every_pair_with_a_public_thread(
    p: Program,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """Topic 1 goes out at the start, topic 2 a cadence later; repeats never post twice."""
    c, report = await published_round(p)
    platform = RehearsalPlatform()
    worker = delivery(uow_factory, clock, platform)
    await worker.run_due()
    clock.advance(days=7)
    await p.rounds.start(c.id, "2027A")
    assert await worker.enqueue_due_topics() == len(report.groups) + 1
    assert await worker.enqueue_due_topics() == 0
    await worker.run_due()
    clock.advance(days=14)
    await worker.enqueue_due_topics()
    await worker.run_due()
    await worker.enqueue_due_topics()
    await worker.run_due()
    assert len(platform.threads) == 2
    for space in platform.spaces.values():
        titles = [m.title for _, m in space.messages[1:]]
        assert titles == [
            "Topic 1 of 9: Getting to know each other",
            "Topic 2 of 9: Library spaces",
        ]
        assert space.messages[1][1].link.startswith("local://thread/")
    posted = Counter(key for method, key in platform.calls if method == "post")
    assert set(posted.values()) == {1}


async def test_rate_limits_delay_and_permanent_errors_do_not_block_other_pairs(
    p: Program,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """A 429 is retried later, a permanent refusal is recorded and alerted, others go on."""
    c, report = await published_round(p, n=10)
    limited = {"r1:g1:space": 2}

    def refuse(method: str, key: str) -> DeliveryFailed | None:
        if limited.get(key):
            limited[key] -= 1
            return DeliveryFailed("rate limited", permanent=False, retry_after=30)
        if key == "r1:g2:space":
            return DeliveryFailed("missing permission: Create Private Threads")
        return None

    platform = RehearsalPlatform(refuse=refuse)
    worker = delivery(uow_factory, clock, platform)
    tally = await worker.run_due()
    assert tally.failed == 1 and tally.retried == 1
    assert len(platform.spaces) == len(report.groups) - 2
    for _ in range(2):
        clock.advance(seconds=31)
        await worker.run_due()
    assert len(platform.spaces) == len(report.groups) - 1
    assert any("Create Private Threads" in a.body for a in platform.alerts)
    async with uow_factory() as uow:
        failed = await uow.outbox.list(c.id, states=[ActionState.FAILED])
    assert [a.key for a in failed] == ["r1:g2:space"]


async def test_a_leaver_s_partner_is_told_in_their_space_and_organisers_alerted(
    p: Program,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """Withdrawing after publish posts a kind note to the pair and an organiser alert."""
    c, report = await published_round(p, n=4)
    platform = RehearsalPlatform()
    worker = delivery(uow_factory, clock, platform)
    await worker.run_due()
    leaver = report.groups[0].members[0].external_id
    space = next(s for s in platform.spaces.values() if leaver in s.members)
    await p.applications.withdraw(c, MemberRef(Platform.LOCAL, leaver))
    await worker.run_due()
    assert space.messages[-1][1].title == "Your partner has left the round"
    assert "rematch" in platform.alerts[-1].body
    assert leaver not in space.members


async def test_finishing_a_round_archives_every_space_after_a_goodbye(
    p: Program,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """At the end each pair gets a keep-in-touch goodbye and its space is archived."""
    c, _ = await published_round(p, n=6)
    platform = RehearsalPlatform()
    worker = delivery(uow_factory, clock, platform)
    await worker.run_due()
    await p.rounds.start(c.id, "2027A")
    await p.rounds.finish(c.id, "2027A")
    await worker.run_due()
    assert all(s.archived for s in platform.spaces.values())
    assert all("keep in touch" in s.messages[-1][1].body for s in platform.spaces.values())
    async with uow_factory() as uow:
        archived = await uow.outbox.list(c.id, kinds=[ActionKind.ARCHIVE_SPACE])
    assert len(archived) == len(platform.spaces)


async def test_a_pair_formed_mid_round_starts_with_the_latest_topic(
    p: Program,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """A rematched pair gets the most recent topic, not every earlier one at once."""
    c, report = await published_round(p, n=6)
    platform = RehearsalPlatform()
    worker = delivery(uow_factory, clock, platform)
    clock.advance(days=7)
    await p.rounds.start(c.id, "2027A")
    clock.advance(days=15)  # topics 1 and 2 are due
    await worker.enqueue_due_topics()
    await worker.run_due()
    first, second = report.groups[0], report.groups[1]
    await p.applications.withdraw(c, MemberRef(Platform.LOCAL, first.members[0].external_id))
    await p.applications.withdraw(c, MemberRef(Platform.LOCAL, second.members[0].external_id))
    rematch = await p.matches.rematch(c, "2027A")
    newest = max(rematch.groups, key=lambda g: g.number)
    await worker.enqueue_due_topics()
    await worker.run_due()
    clock.advance(seconds=6)  # the topic waited for its new space to exist
    await worker.run_due()
    space = next(s for s in platform.spaces.values() if s.ref.name == f"2027A pair {newest.number}")
    assert [m.title for _, m in space.messages[1:]] == ["Topic 2 of 9: Library spaces"]
    clock.advance(days=14)
    await worker.enqueue_due_topics()
    await worker.run_due()
    assert space.messages[-1][1].title.startswith("Topic 3 of 9")


async def test_a_french_community_hears_the_bot_in_french(
    p: Program,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """Announcements and introductions use the community's default language."""
    c = await p.communities.ensure(Platform.LOCAL, "delivery", "Réseau")
    await p.communities.configure(c.id, default_language="fr")
    await published_round(p, n=4)
    platform = RehearsalPlatform()
    await delivery(uow_factory, clock, platform).run_due()
    assert [m.title for m in platform.announcements] == [
        "Les inscriptions à la session 2027A sont ouvertes",
        "Session 2027A : les binômes sont publiés",
    ]
    intro = next(iter(platform.spaces.values())).messages[0][1]
    assert "Finlande" in intro.plain() or "Brésil" in intro.plain()
