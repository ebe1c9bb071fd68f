"""The SQLAlchemy repositories of groups, topics and the outbox, the unit of work and bulk
writes, against real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.storage.uow import unit_of_work_factory
from core.delivery.outbox import ActionKind, ActionState, NewAction
from core.errors import Conflict, NotFound
from core.model import (
    ApplicationStatus,
    CommunitySettings,
    MemberRef,
    Platform,
    Topic,
)
from core.ports import NewApplication, NewGroup
from tests.integration.storage_support import (
    PROFILE,
    T0,
    UowFactory,
    make_community,
    make_members,
    make_round,
)

# --- groups --------------------------------------------------------------------


async def test_group_proposal_replace_publish_and_save(uow_factory: UowFactory) -> None:
    """Replace only unpublished groups, publish them, and save members and flags."""
    community_id = await make_community(uow_factory)
    round_id = await make_round(uow_factory, community_id, "Spring")
    a, b, c, d, e = await make_members(uow_factory, community_id, 5)
    async with uow_factory() as uow:
        await uow.groups.replace_proposal(
            round_id, [NewGroup(1, (a, b), 0.5, ("same sector",)), NewGroup(2, (c, d), 0.7, ())]
        )
        await uow.commit()
    async with uow_factory() as uow:
        proposal = await uow.groups.replace_proposal(
            round_id, [NewGroup(1, (b, a), 0.9, ("wish met",)), NewGroup(2, (d, c), 0.8, ())]
        )
        await uow.commit()
    assert [g.member_ids for g in proposal] == [(a, b), (c, d)]

    async with uow_factory() as uow:
        assert await uow.groups.list(round_id) == proposal
        await uow.groups.publish(round_id)
        late = await uow.groups.add(round_id, NewGroup(3, (e, a), 0.1, ("late",)), published=False)
        await uow.commit()

    async with uow_factory() as uow:
        # Published groups survive a new proposal; only the late one is replaced.
        await uow.groups.replace_proposal(round_id, [])
        groups = await uow.groups.list(round_id)
        assert [(g.number, g.published) for g in groups] == [(1, True), (2, True)]
        with pytest.raises(Conflict, match="numbered 2"):
            await uow.groups.add(round_id, NewGroup(2, (e, b), 0.1, ()), published=True)
        await uow.groups.save(replace(groups[1], member_ids=(c, e), active=False, score=0.2))
        await uow.commit()

    async with uow_factory() as uow:
        assert [g.number for g in await uow.groups.list(round_id)] == [1]
        every = await uow.groups.list(round_id, active_only=False)
        assert [(g.member_ids, g.active, g.score) for g in every] == [
            ((a, b), True, 0.9),
            ((c, e), False, 0.2),
        ]
        assert every[0].reasons == ("wish met",)
        with pytest.raises(NotFound):
            await uow.groups.save(replace(late, id=late.id + 1000))


async def test_group_sizes_count_the_active_groups_by_size(uow_factory: UowFactory) -> None:
    """sizes() says what list() would: active groups only, by their number of members."""
    community_id = await make_community(uow_factory)
    round_id = await make_round(uow_factory, community_id, "Spring")
    a, b, c, d, e, f, g = await make_members(uow_factory, community_id, 7)
    async with uow_factory() as uow:
        assert await uow.groups.sizes(round_id) == {}
        made = await uow.groups.replace_proposal(
            round_id,
            [
                NewGroup(1, (a, b), 0.5, ()),
                NewGroup(2, (c, d, e), 0.5, ()),
                NewGroup(3, (f, g), 0.5, ()),
            ],
        )
        await uow.groups.save(replace(made[2], active=False))
        await uow.commit()
    async with uow_factory() as uow:
        listed = await uow.groups.list(round_id)
        assert await uow.groups.sizes(round_id) == {2: 1, 3: 1}
        assert sorted(len(x.member_ids) for x in listed) == [2, 3]


async def test_partner_history_counts_published_groups_of_other_rounds(
    uow_factory: UowFactory,
) -> None:
    """Report partners from published groups (active or not) of other rounds only."""
    community_id = await make_community(uow_factory)
    other_community_id = await make_community(uow_factory, "guild-2")
    spring = await make_round(uow_factory, community_id, "Spring")
    autumn = await make_round(uow_factory, community_id, "Autumn")
    elsewhere = await make_round(uow_factory, other_community_id, "Spring")
    a, b, c, d, e = await make_members(uow_factory, community_id, 5)
    async with uow_factory() as uow:
        await uow.groups.add(spring, NewGroup(1, (a, b, c), 1.0, ()), published=True)
        dropped = await uow.groups.add(spring, NewGroup(2, (d, e), 1.0, ()), published=True)
        await uow.groups.save(replace(dropped, active=False))
        await uow.groups.add(spring, NewGroup(3, (a, e), 1.0, ()), published=False)
        await uow.groups.add(autumn, NewGroup(1, (a, d), 1.0, ()), published=True)
        await uow.groups.add(elsewhere, NewGroup(1, (a, e), 1.0, ()), published=True)
        await uow.commit()

    async with uow_factory() as uow:
        history = await uow.groups.partner_history(
            community_id, [a, d, e, 999], exclude_round_id=autumn
        )
        assert history == {a: {b, c}, d: {e}, e: {d}, 999: set()}
        from_autumn = await uow.groups.partner_history(community_id, [a], exclude_round_id=spring)
        assert from_autumn == {a: {d}}


async def test_published_members_of_a_round(uow_factory: UowFactory) -> None:
    """published_members: the published active groups by number, members sorted."""
    community_id = await make_community(uow_factory)
    round_id = await make_round(uow_factory, community_id, "Spring")
    other = await make_round(uow_factory, community_id, "Autumn")
    a, b, c, d, e = await make_members(uow_factory, community_id, 5)
    async with uow_factory() as uow:
        await uow.groups.replace_proposal(
            round_id, [NewGroup(2, (d, c), 0.5, ()), NewGroup(1, (b, a), 0.5, ())]
        )
        await uow.groups.publish(round_id)
        third = await uow.groups.add(round_id, NewGroup(3, (e, a), 0.1, ()), published=True)
        await uow.groups.add(round_id, NewGroup(4, (e, b), 0.1, ()), published=False)
        await uow.groups.add(other, NewGroup(1, (a, e), 0.1, ()), published=True)
        await uow.groups.save(replace(third, active=False))
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.groups.published_members(round_id)
        groups = await uow.groups.list(round_id)
    assert [(g.number, g.member_ids) for g in found] == [(1, (a, b)), (2, (c, d))]
    assert [g.id for g in found] == [g.id for g in groups if g.published]


# --- topics --------------------------------------------------------------------


async def test_topics_replace_and_list(uow_factory: UowFactory) -> None:
    """Replace a community's topics wholesale and list them by position."""
    community_id = await make_community(uow_factory)
    other_community_id = await make_community(uow_factory, "guild-2")
    first = [
        Topic(2, "Burnout", "How do you rest?", ("What helps?", "Qué te ayuda?")),
        Topic(1, "Café", "Introduce yourselves ☕", ()),
    ]
    async with uow_factory() as uow:
        await uow.topics.replace(community_id, first)
        await uow.topics.replace(other_community_id, [Topic(1, "Other", "", ())])
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.topics.list(community_id) == sorted(first, key=lambda t: t.position)
        await uow.topics.replace(community_id, [Topic(1, "Only", "One left", ("Why?",))])
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.topics.list(community_id) == [Topic(1, "Only", "One left", ("Why?",))]
        assert [t.title for t in await uow.topics.list(other_community_id)] == ["Other"]


# --- unit of work --------------------------------------------------------------


async def test_leaving_without_commit_rolls_back(uow_factory: UowFactory) -> None:
    """Discard what a unit of work did not commit, on exit and on rollback()."""
    async with uow_factory() as uow:
        await uow.communities.add(Platform.DISCORD, "kept", "Kept", CommunitySettings())
        await uow.commit()
        await uow.communities.add(Platform.DISCORD, "undone", "Undone", CommunitySettings())
        await uow.rollback()
        await uow.communities.add(Platform.DISCORD, "dropped", "Dropped", CommunitySettings())
    async with uow_factory() as uow:
        assert await uow.communities.find(Platform.DISCORD, "kept") is not None
        assert await uow.communities.find(Platform.DISCORD, "undone") is None
        assert await uow.communities.find(Platform.DISCORD, "dropped") is None


async def test_units_of_work_can_join_an_outer_transaction(engine: AsyncEngine) -> None:
    """Let a test roll back commits made on a connection it holds (savepoint mode)."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        joined = unit_of_work_factory(connection)
        async with joined() as uow:
            await uow.communities.add(Platform.LOCAL, "rehearsal", "Rehearsal", CommunitySettings())
            await uow.commit()
        async with joined() as uow:
            assert await uow.communities.find(Platform.LOCAL, "rehearsal") is not None
        await outer.rollback()
    async with unit_of_work_factory(engine)() as uow:
        assert await uow.communities.find(Platform.LOCAL, "rehearsal") is None


# --- bulk operations and read-only units of work ------------------------------------


async def test_bulk_member_and_application_writes_match_the_single_ones(
    uow_factory: UowFactory,
) -> None:
    """ensure_many, add_many, save_many and find_many store what ensure, add and save do."""
    community_id = await make_community(uow_factory)
    round_id = await make_round(uow_factory, community_id, "2025A")
    known = MemberRef(Platform.DISCORD, "known")
    async with uow_factory() as uow:
        known_id = await uow.members.ensure(community_id, known, "Old name")
        await uow.commit()
    refs = [known, *(MemberRef(Platform.DISCORD, f"new-{n}") for n in range(3))]
    async with uow_factory() as uow:
        ids = await uow.members.ensure_many(
            community_id, [(r, f"Name {r.external_id}") for r in refs]
        )
        assert ids[known] == known_id
        assert await uow.members.find_many(community_id, refs) == ids
        await uow.applications.add_many(
            [NewApplication(round_id, ids[r], PROFILE, ApplicationStatus.PENDING, T0) for r in refs]
        )
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.applications.find_many(round_id, ids.values())
        assert {a.member for a in found.values()} == set(refs)
        assert found[known_id].profile == PROFILE
        changed = replace(
            found[known_id],
            profile=replace(PROFILE, name="New name"),
            status=ApplicationStatus.APPROVED,
            updated_at=T0 + timedelta(days=1),
        )
        await uow.applications.save_many([changed])
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.applications.find(round_id, known_id) == changed
        with pytest.raises(Conflict):
            await uow.applications.add_many(
                [NewApplication(round_id, known_id, PROFILE, ApplicationStatus.PENDING, T0)]
            )


async def test_bulk_group_replace_and_find_many(uow_factory: UowFactory) -> None:
    """A proposal replaced in bulk reads back by number, members sorted, old groups gone."""
    community_id = await make_community(uow_factory)
    round_id = await make_round(uow_factory, community_id, "2025A")
    members = await make_members(uow_factory, community_id, 6)
    async with uow_factory() as uow:
        await uow.groups.replace_proposal(
            round_id, [NewGroup(1, (members[0], members[1]), 1.0, ("first",))]
        )
        made = await uow.groups.replace_proposal(
            round_id,
            [
                NewGroup(1, (members[3], members[2]), 2.0, ("a",)),
                NewGroup(2, (members[4], members[5]), 3.0, ()),
            ],
        )
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.groups.find_many(round_id, [1, 2, 3])
        assert sorted(found) == [1, 2]
        assert found[1].member_ids == (members[2], members[3])
        assert found[1] == made[0] and found[2] == made[1]
        assert await uow.groups.list(round_id) == made
        with pytest.raises(Conflict):
            await uow.groups.replace_proposal(
                round_id,
                [NewGroup(7, (members[0],), 0.0, ()), NewGroup(7, (members[1],), 0.0, ())],
            )


async def test_a_read_only_unit_of_work_reads_while_a_writer_holds_the_lock(
    uow_factory: UowFactory,
) -> None:
    """A read-only unit of work reads during another's write transaction, and cannot commit."""
    community_id = await make_community(uow_factory)
    async with uow_factory() as writer:
        await writer.members.ensure(community_id, MemberRef(Platform.DISCORD, "w"), "Writer")
        # The writer holds its transaction open: a reader must not wait for it.
        async with uow_factory(read_only=True) as reader:  # type: ignore[call-arg]
            found = await asyncio.wait_for(reader.communities.get(community_id), 2)
            assert found.id == community_id
            with pytest.raises(RuntimeError):
                await reader.commit()
        await writer.commit()


async def test_outbox_claims_and_finishes_in_bulk(uow_factory: UowFactory) -> None:
    """mark_tried_many and finish_many record a try and each action's own result."""
    community_id = await make_community(uow_factory)
    actions = [
        NewAction(f"k{n}", community_id, Platform.DISCORD, ActionKind.POST, {}, T0)
        for n in range(3)
    ]
    async with uow_factory() as uow:
        await uow.outbox.enqueue(actions)
        due = await uow.outbox.due(T0, platforms=[Platform.DISCORD], limit=10)
        await uow.outbox.mark_tried_many([a.id for a in due], T0)
        await uow.outbox.finish_many([(a.id, {"message_id": a.key}) for a in due[:2]], T0)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.outbox.by_keys(["k0", "k1", "k2"])
    assert all(a.tried_at == T0 for a in stored.values())
    assert stored["k0"].result == {"message_id": "k0"} and stored["k0"].state is ActionState.DONE
    assert stored["k2"].state is ActionState.PENDING


async def test_outbox_keys_of_a_round_by_kind(uow_factory: UowFactory) -> None:
    """keys_of names the round's stored actions of the kinds asked, whatever their state."""
    community_id = await make_community(uow_factory)
    spring = await make_round(uow_factory, community_id, "Spring")
    autumn = await make_round(uow_factory, community_id, "Autumn")
    d, post, thread = Platform.DISCORD, ActionKind.POST_TOPIC, ActionKind.OPEN_TOPIC_THREAD
    async with uow_factory() as uow:
        await uow.outbox.enqueue(
            [
                NewAction("r:t0", community_id, d, thread, {}, T0, spring),
                NewAction("r:g1:t0", community_id, d, post, {}, T0, spring),
                NewAction("r:g1:nudge", community_id, d, ActionKind.POST, {}, T0, spring),
                NewAction("a:g1:t0", community_id, d, post, {}, T0, autumn),
            ]
        )
        [done] = await uow.outbox.due(T0, platforms=[d], limit=1)
        await uow.outbox.finish(done.id, {}, T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.keys_of(spring, (thread, post)) == {"r:t0", "r:g1:t0"}
        assert await uow.outbox.keys_of(autumn, (thread,)) == set()


async def test_outbox_made_spaces_of_a_round(uow_factory: UowFactory) -> None:
    """made_spaces gives the round's done space creations: their replies and when done."""
    community_id = await make_community(uow_factory)
    spring = await make_round(uow_factory, community_id, "Spring")
    autumn = await make_round(uow_factory, community_id, "Autumn")
    d, space = Platform.DISCORD, ActionKind.CREATE_SPACE
    done_at = T0 + timedelta(hours=1)
    async with uow_factory() as uow:
        await uow.outbox.enqueue(
            [
                NewAction("s:g1:space", community_id, d, space, {"group": 1}, T0, spring),
                NewAction("s:g2:space", community_id, d, space, {"group": 2}, T0, spring),
                NewAction("s:g1:t0", community_id, d, ActionKind.POST_TOPIC, {}, T0, spring),
                NewAction("a:g1:space", community_id, d, space, {"group": 1}, T0, autumn),
            ]
        )
        stored = await uow.outbox.by_keys(["s:g1:space", "s:g1:t0", "a:g1:space"])
        reply = {"space_id": "C1", "name": "pair-1", "url": "https://chat/C1"}
        await uow.outbox.finish(stored["s:g1:space"].id, reply, done_at)
        await uow.outbox.finish(stored["s:g1:t0"].id, {"message_id": "M1"}, done_at)
        await uow.outbox.finish(stored["a:g1:space"].id, {"space_id": "C9"}, done_at)
        await uow.commit()
    async with uow_factory() as uow:
        made = await uow.outbox.made_spaces(spring)
    assert list(made) == ["s:g1:space"]  # not pending, not a post, not another round's
    assert made["s:g1:space"].platform is Platform.DISCORD
    assert made["s:g1:space"].result == reply
    assert made["s:g1:space"].at == done_at
