"""Announcements and broadcasts reach everyone once, through the outbox, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.rehearsal import RehearsalPlatform
from core.audit import AuditService
from core.delivery.broadcast import Audience, BroadcastService
from core.delivery.outbox import ActionKind
from core.delivery.service import DeliveryService
from core.errors import Conflict, InvalidValue
from core.model import ApplicationStatus as A
from core.model import MemberRef, Platform
from tests.support import Program, profile

PEOPLE = [("m0", "FI", "fr"), ("m1", "BR", "fr"), ("m2", "NG", None), ("m3", "JP", "es")]


@pytest.fixture
def say(uow_factory, clock) -> BroadcastService:  # type: ignore[no-untyped-def]
    return BroadcastService(uow=uow_factory, clock=clock)


def worker(uow_factory, clock, platform: RehearsalPlatform) -> DeliveryService:  # type: ignore[no-untyped-def]
    return DeliveryService(
        uow=uow_factory, clock=clock, platforms={Platform.LOCAL: platform}, backoff=timedelta(0)
    )


async def round_with_applicants(p: Program, *, publish: bool):  # type: ignore[no-untyped-def]
    c = await p.communities.ensure(Platform.LOCAL, "say", "Say")
    await p.communities.configure(c.id, country_cap=None)
    await p.rounds.create(c.id, "R", starts=p.clock.now() + timedelta(days=7))
    await p.rounds.open(c.id, "R")
    for ext, country, lang in PEOPLE:
        await p.applications.submit(
            c, MemberRef(Platform.LOCAL, ext), profile(ext, country), language=lang
        )
    await p.applications.withdraw(c, MemberRef(Platform.LOCAL, "m3"))
    await p.applications.decide(c.id, "R", A.APPROVED, all_pending=True)
    if publish:
        await p.rounds.close(c.id, "R")
        await p.matches.publish(c, "R")
    return await p.communities.get(Platform.LOCAL, "say")


async def test_an_announcement_repeated_with_the_same_request_is_posted_once(
    p: Program,
    say: BroadcastService,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """The same interaction twice queues one announcement; a new request posts again."""
    c = await p.communities.ensure(Platform.LOCAL, "say", "Say")
    first = await say.announce(c, "Meet-up on Friday!", request_id="int-1", actor="ana")
    again = await say.announce(c, "Meet-up on Friday!", request_id="int-1", actor="ana")
    assert (first.queued, first.repeated, again.queued, again.repeated) == (1, False, 0, True)
    platform = RehearsalPlatform()
    await worker(uow_factory, clock, platform).run_due()
    await worker(uow_factory, clock, platform).run_due()
    assert [m.body for m in platform.announcements] == ["Meet-up on Friday!"]
    assert platform.announcements[0].title == "A message from the organisers"
    await say.announce(c, "Meet-up on Friday!", request_id="int-2")
    await worker(uow_factory, clock, platform).run_due()
    assert len(platform.announcements) == 2
    entries = await AuditService(uow=uow_factory).list(c.id)
    assert [e.actor for e in entries if e.action == "community.announce"] == ["ana", "(not given)"]


async def test_a_broadcast_to_pairs_posts_once_in_each_space_in_the_pairs_language(
    p: Program,
    say: BroadcastService,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """Every pair space gets the text once, titled in the pair's language, after its space."""
    c = await round_with_applicants(p, publish=True)
    sent = await say.broadcast(c, "R", "Topic 3 is early!", audience="pairs", request_id="i9")
    assert sent.queued == 1  # m0, m1, m2: one group of three
    assert (await say.broadcast(c, "R", "Topic 3 is early!", audience="pairs", request_id="i9")
            ).repeated  # fmt: skip
    platform = RehearsalPlatform()
    await worker(uow_factory, clock, platform).run_due()
    (space,) = platform.spaces.values()
    said = [m for key, m in platform.posts(space.ref.id) if ":say:i9:" in key]
    assert len(said) == 1 and said[0].body == "Topic 3 is early!"
    # m2 chose no language: the community's (English) title.
    assert said[0].title == "A message from the organisers"


async def test_a_broadcast_to_applicants_dms_each_once_in_their_language_without_the_withdrawn(
    p: Program,
    say: BroadcastService,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """One DM per applicant (not those who withdrew), in bulk, each in their language."""
    c = await round_with_applicants(p, publish=False)
    sent = await say.broadcast(c, "R", "Decisions on Monday.", audience=Audience.APPLICANTS)
    assert sent.queued == 3
    again = await say.broadcast(c, "R", "Decisions on Monday.", audience=Audience.APPLICANTS)
    assert again.repeated and again.request_id == sent.request_id  # no id: the text's digest
    async with uow_factory() as uow:
        actions = await uow.outbox.list(c.id, kinds=[ActionKind.DIRECT_MESSAGE])
    assert len([a for a in actions if ":say:" in a.key]) == 3
    platform = RehearsalPlatform()
    await worker(uow_factory, clock, platform).run_due()
    got = {who: m for who, m in platform.direct if m.body == "Decisions on Monday."}
    assert set(got) == {"m0", "m1", "m2"}
    assert got["m0"].title != got["m2"].title  # French, English
    entries = await AuditService(uow=uow_factory).list(c.id, "R")
    assert [e.action for e in entries].count("round.broadcast.applicants") == 1


async def test_broadcasts_refuse_what_cannot_be_sent(
    p: Program,
    say: BroadcastService,  # type: ignore[no-untyped-def]
) -> None:
    """Empty or long texts, pairs before publishing and unknown audiences are refused."""
    c = await round_with_applicants(p, publish=False)
    with pytest.raises(InvalidValue, match="empty"):
        await say.announce(c, "   ")
    with pytest.raises(InvalidValue, match="at most 2000"):
        await say.announce(c, "x" * 2001)
    with pytest.raises(Conflict, match="once it is published"):
        await say.broadcast(c, "R", "Hi", audience="pairs")
    with pytest.raises(InvalidValue, match="unknown audience"):
        await say.broadcast(c, "R", "Hi", audience="everyone")
    with pytest.raises(InvalidValue, match="request id"):
        await say.announce(c, "Hi", request_id="a:b")
