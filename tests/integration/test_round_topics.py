"""A round's own topics in every language, with fallbacks, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.rehearsal import RehearsalPlatform
from core.audit import AuditService
from core.delivery.service import DeliveryService
from core.errors import Conflict, InvalidValue, NotFound
from core.model import ApplicationStatus as A
from core.model import MemberRef, Platform
from core.rounds.round_topics import RoundTopic, RoundTopicService, TopicText
from core.rounds.schedule_edit import RoundSettingsService
from core.rounds.topics import DEFAULT_TOPICS, localize
from tests.support import Program, profile

# Everyone chose French: both pairs are written to in French.
MEMBERS = [
    ("m0", "FI", "fr"),
    ("m1", "BR", "fr"),
    ("m2", "NG", "fr"),
    ("m3", "JP", "fr"),
]


@pytest.fixture
def topics(uow_factory, clock) -> RoundTopicService:  # type: ignore[no-untyped-def]
    return RoundTopicService(uow=uow_factory, clock=clock)


async def draft(p: Program):  # type: ignore[no-untyped-def]
    c = await p.communities.ensure(Platform.LOCAL, "topics", "Topics")
    await p.communities.configure(c.id, country_cap=None)
    await p.rounds.create(c.id, "R", starts=p.clock.now() + timedelta(days=7))
    return c


async def published(p: Program):  # type: ignore[no-untyped-def]
    c = await draft(p)
    await p.rounds.open(c.id, "R")
    for ext, country, lang in MEMBERS:
        await p.applications.submit(
            c, MemberRef(Platform.LOCAL, ext), profile(ext, country), language=lang
        )
    await p.applications.decide(c.id, "R", A.APPROVED, all_pending=True)
    await p.rounds.close(c.id, "R")
    await p.matches.publish(c, "R")
    return c


def test_each_field_falls_back_to_the_community_language_then_english() -> None:
    """A French title alone: French pairs get it with the English prompt and questions."""
    topic = RoundTopic(
        1,
        {
            "en": TopicText("Spaces", "Buildings matter.", ("Which room?",)),
            "fr": TopicText("Espaces"),
            "es": TopicText("", "Los edificios importan."),
        },
    )
    fr = topic.in_language("fr", "en")
    assert (fr.title, fr.prompt, fr.questions) == ("Espaces", "Buildings matter.", ("Which room?",))
    es = topic.in_language("es", "fr")  # no Spanish title: the community's (French) one
    assert (es.title, es.prompt) == ("Espaces", "Los edificios importan.")
    assert topic.in_language("de", "en").title == "Spaces"
    assert topic.missing() == ("es", "fr")


async def test_a_round_follows_the_library_until_edited_then_keeps_its_own_copy(
    p: Program,
    topics: RoundTopicService,
    uow_factory,  # type: ignore[no-untyped-def]
) -> None:
    """The first edit copies the nine default topics with their catalog translations."""
    c = await draft(p)
    before = await topics.list(c.id, "R")
    assert not before.own and len(before.topics) == 9 and before.posted == 0
    assert set(before.topics[0].texts) == {"en", "fr", "es"}
    await topics.edit(c.id, "R", 2, lang="fr", title="Nos bibliothèques", actor="ana")
    after = await topics.list(c.id, "R")
    assert after.own and len(after.topics) == 9
    assert after.topics[1].texts["fr"].title == "Nos bibliothèques"
    assert after.topics[1].texts["en"].title == "Library spaces"  # untouched
    await p.topics.edit(c.id, 2, title="Changed in the library")  # no effect on the round
    assert (await topics.show(c.id, "R", 2, lang="en")).title == "Library spaces"
    assert (await topics.show(c.id, "R", 2, lang="fr")).title == "Nos bibliothèques"
    entries = await AuditService(uow=uow_factory).list(c.id, "R")
    assert any(e.action == "round.topics.edit" and e.actor == "ana" for e in entries)


async def test_add_and_remove_any_number_of_topics_within_the_round(
    p: Program,
    topics: RoundTopicService,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """Topics are added and removed; one beyond the end needs a later end first."""
    c = await draft(p)
    with pytest.raises(Conflict, match="move the end first"):
        await topics.add(c.id, "R", lang="en", title="Tenth")
    start = clock.now() + timedelta(days=7)
    await RoundSettingsService(uow=uow_factory, clock=clock).reschedule(
        c.id, "R", ends=start + timedelta(days=14 * 11)
    )
    added = await topics.add(c.id, "R", lang="es", title="Décimo", position=1)
    assert added.position == 1
    listed = await topics.list(c.id, "R")
    assert len(listed.topics) == 10 and listed.topics[1].texts["en"].title == (
        "Getting to know each other"
    )
    # Spanish-only topic: English pairs get the Spanish text rather than nothing.
    assert (await topics.show(c.id, "R", 1, lang="en")).title == "Décimo"
    left = await topics.remove(c.id, "R", 3)
    assert [t.position for t in left.topics] == list(range(1, 10))
    with pytest.raises(NotFound):
        await topics.remove(c.id, "R", 42)
    with pytest.raises(InvalidValue, match="does not write in"):
        await topics.edit(c.id, "R", 1, lang="de", title="Zehnte")
    with pytest.raises(InvalidValue, match="at most 5 questions"):
        await topics.edit(c.id, "R", 1, lang="en", questions=["a", "b", "c", "d", "e", "f"])


async def test_pairs_get_the_topic_in_their_language_and_posted_topics_stay(
    p: Program,
    topics: RoundTopicService,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """A French pair gets the French text; once topic 1 went out it cannot change."""
    c = await published(p)
    await topics.edit(
        c.id, "R", 1, lang="fr", title="Faisons connaissance", prompt="Présentez-vous."
    )
    await topics.edit(c.id, "R", 2, lang="fr", title="Espaces (fr)")
    platform = RehearsalPlatform()
    worker = DeliveryService(
        uow=uow_factory, clock=clock, platforms={Platform.LOCAL: platform}, backoff=timedelta(0)
    )
    await p.rounds.start(c.id, "R")  # the start moves to now: topic 1 is due
    assert await worker.enqueue_due_topics() > 0
    await worker.run_due()
    posts = [
        m
        for space in platform.spaces.values()
        for key, m in platform.posts(space.ref.id)
        if key.endswith(":t0")
    ]
    assert len(posts) == 2
    assert all("Faisons connaissance" in m.title and m.body.startswith("Présentez") for m in posts)
    with pytest.raises(Conflict, match="has gone out"):
        await topics.edit(c.id, "R", 1, lang="fr", title="Trop tard")
    with pytest.raises(Conflict, match="has gone out"):
        await topics.remove(c.id, "R", 1)
    with pytest.raises(Conflict, match="position 2 or later"):
        await topics.add(c.id, "R", lang="en", title="Too early", position=1)
    # Topic 2 is still to come: editable, and what goes out a cadence later.
    await topics.edit(c.id, "R", 2, lang="fr", title="Nos espaces")
    clock.advance(days=14)
    await worker.enqueue_due_topics()
    await worker.run_due()
    second = [
        m
        for space in platform.spaces.values()
        for key, m in platform.posts(space.ref.id)
        if key.endswith(":t1")
    ]
    assert second and all("Nos espaces" in m.title for m in second)
    # Its prompt is the catalog's French, copied with the default topic.
    french = localize(DEFAULT_TOPICS[1], "fr").prompt
    assert french != DEFAULT_TOPICS[1].prompt
    assert all(m.body.startswith(french) for m in second)
