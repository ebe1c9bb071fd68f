"""The SQLAlchemy repositories and unit of work against real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.storage.uow import SqlUnitOfWork, unit_of_work_factory
from core.delivery.outbox import ActionKind, ActionState, NewAction
from core.errors import Conflict, NotFound
from core.model import (
    ApplicationStatus,
    CommunitySettings,
    MemberRef,
    PairingRule,
    Platform,
    Profile,
    RoundState,
    Topic,
    Wishes,
)
from core.ports import NewApplication, NewGroup, NewRound

UowFactory = Callable[[], SqlUnitOfWork]

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
HELSINKI = ZoneInfo("Europe/Helsinki")

PROFILE = Profile(
    name="Åsa Þórsdóttir-Nguyễn 李小龍",
    country="FI",
    timezone="Europe/Helsinki",
    languages=("fi", "sv", "en"),
    sector="academic",
    career_stage="early",
    interests=("open access", "bibliometrics"),
    introduction="Kirjastonhoitaja Turusta.\nI like 📚 and ☕.",
    wishes=Wishes(
        sectors=("public", "school"),
        career_stages=("senior",),
        interests=("data curation",),
        countries=("BR", "JP"),
    ),
    institution="Åbo Akademi",
    region="Varsinais-Suomi",
)


def _is_utc(moment: datetime | None) -> bool:
    return moment is not None and moment.tzinfo is UTC


async def _community(uow_factory: UowFactory, external_id: str = "guild-1") -> int:
    async with uow_factory() as uow:
        community = await uow.communities.add(
            Platform.DISCORD, external_id, "Librarians", CommunitySettings()
        )
        await uow.commit()
    return community.id


async def _members(uow_factory: UowFactory, community_id: int, count: int) -> list[int]:
    async with uow_factory() as uow:
        ids = [
            await uow.members.ensure(
                community_id, MemberRef(Platform.DISCORD, f"user-{n}"), f"User {n}"
            )
            for n in range(count)
        ]
        await uow.commit()
    return ids


async def _round(uow_factory: UowFactory, community_id: int, name: str) -> int:
    async with uow_factory() as uow:
        round_ = await uow.rounds.add(
            NewRound(community_id, name, None, None, None, None, 14, created_at=T0)
        )
        await uow.commit()
    return round_.id


# --- communities ---------------------------------------------------------------


async def test_community_round_trip(uow_factory: UowFactory) -> None:
    """Store a community with its settings, find it, and change the settings."""
    settings = CommunitySettings(
        organiser_roles=("Organisers", "Mentors"),
        default_language="fi",
        pairing_rule=PairingRule.INSTITUTION,
        country_cap=None,
        channels={"pairs": "1234", "announcements": "5678"},
    )
    async with uow_factory() as uow:
        added = await uow.communities.add(Platform.SLACK, "T0001", "Kirjastot ry", settings)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.communities.find(Platform.SLACK, "T0001") == added
        assert await uow.communities.find(Platform.DISCORD, "T0001") is None
        assert (await uow.communities.get(added.id)).settings == settings
        await uow.communities.update_settings(added.id, replace(settings, country_cap=0.25))
        await uow.commit()

    async with uow_factory() as uow:
        assert (await uow.communities.get(added.id)).settings.country_cap == 0.25
        with pytest.raises(NotFound):
            await uow.communities.get(added.id + 1000)


async def test_community_registered_twice_conflicts(uow_factory: UowFactory) -> None:
    """Refuse a second registration and keep the unit of work usable afterwards."""
    await _community(uow_factory, "guild-1")
    async with uow_factory() as uow:
        with pytest.raises(Conflict, match="already registered"):
            await uow.communities.add(Platform.DISCORD, "guild-1", "Again", CommunitySettings())
        await uow.communities.add(Platform.DISCORD, "guild-2", "Other", CommunitySettings())
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.communities.find(Platform.DISCORD, "guild-2") is not None


# --- members -------------------------------------------------------------------


async def test_member_ensure_is_idempotent_and_renames(
    uow_factory: UowFactory, engine: AsyncEngine
) -> None:
    """Return the same id for the same person, updating the display name."""
    community_id = await _community(uow_factory)
    other_community_id = await _community(uow_factory, "guild-2")
    ref = MemberRef(Platform.DISCORD, "42")
    async with uow_factory() as uow:
        first = await uow.members.ensure(community_id, ref, "Ana")
        assert await uow.members.ensure(community_id, ref, "Ana") == first
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.members.ensure(community_id, ref, "Ana Lúcia") == first
        elsewhere = await uow.members.ensure(other_community_id, ref, "Ana")
        await uow.commit()

    assert elsewhere != first
    async with uow_factory() as uow:
        assert await uow.members.find(community_id, ref) == first
        assert await uow.members.find(community_id, MemberRef(Platform.SLACK, "42")) is None
        assert await uow.members.refs([first, elsewhere, 999_999]) == {
            first: ref,
            elsewhere: ref,
        }
    async with engine.connect() as connection:
        names = await connection.execute(
            text("SELECT display_name FROM members WHERE id = :id"), {"id": first}
        )
        assert names.scalar_one() == "Ana Lúcia"


async def test_concurrent_ensure_creates_one_member(uow_factory: UowFactory) -> None:
    """Give two units of work adding the same person at once the same member id."""
    community_id = await _community(uow_factory)
    ref = MemberRef(Platform.SLACK, "U123")

    async def ensure_and_commit() -> int:
        async with uow_factory() as uow:
            member_id = await uow.members.ensure(community_id, ref, "Ana")
            await uow.commit()
        return member_id

    async with uow_factory() as first:
        first_id = await first.members.ensure(community_id, ref, "Ana")
        second = asyncio.create_task(ensure_and_commit())
        # Let the second one reach the database and wait on the first's insert (or
        # lock); the outcome must be the same if it only gets there after the commit.
        await asyncio.sleep(0.2)
        await first.commit()
    assert await second == first_id


# --- rounds --------------------------------------------------------------------


async def test_round_round_trip(uow_factory: UowFactory) -> None:
    """Create a draft round, save every field, and list rounds oldest first."""
    community_id = await _community(uow_factory)
    opens = datetime(2025, 4, 1, 9, 0, tzinfo=HELSINKI)
    async with uow_factory() as uow:
        added = await uow.rounds.add(
            NewRound(community_id, "Spring 2025", opens, None, None, None, 14, created_at=T0)
        )
        later = await uow.rounds.add(
            NewRound(community_id, "Autumn 2025", None, None, None, None, 7, T0 + timedelta(days=1))
        )
        await uow.commit()
    assert added.state is RoundState.DRAFT
    assert added.applications_open_at == opens and _is_utc(added.applications_open_at)

    changed = replace(
        added,
        state=RoundState.OPEN,
        applications_close_at=opens + timedelta(days=14),
        starts_at=opens + timedelta(days=21),
        ends_at=opens + timedelta(days=90),
        topic_cadence_days=10,
    )
    async with uow_factory() as uow:
        await uow.rounds.save(changed)
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.rounds.get(added.id)
        assert stored == changed
        assert all(
            _is_utc(moment)
            for moment in (
                stored.applications_open_at,
                stored.applications_close_at,
                stored.starts_at,
                stored.ends_at,
                stored.created_at,
            )
        )
        assert await uow.rounds.find(community_id, "Spring 2025") == stored
        assert await uow.rounds.find(community_id, "Winter") is None
        assert [r.id for r in await uow.rounds.list(community_id)] == [added.id, later.id]


async def test_round_names_are_unique_per_community(uow_factory: UowFactory) -> None:
    """Refuse a second round of the same name, on add and on rename."""
    community_id = await _community(uow_factory)
    await _round(uow_factory, community_id, "Spring")
    autumn_id = await _round(uow_factory, community_id, "Autumn")
    async with uow_factory() as uow:
        with pytest.raises(Conflict, match="Spring"):
            await uow.rounds.add(NewRound(community_id, "Spring", None, None, None, None, 14, T0))
        autumn = await uow.rounds.get(autumn_id)
        with pytest.raises(Conflict, match="Spring"):
            await uow.rounds.save(replace(autumn, name="Spring"))
        with pytest.raises(NotFound):
            await uow.rounds.save(replace(autumn, id=autumn_id + 1000))


# --- applications --------------------------------------------------------------


async def test_application_round_trip(uow_factory: UowFactory) -> None:
    """Store a full Unicode profile and read it back unchanged, with aware UTC times."""
    community_id = await _community(uow_factory)
    round_id = await _round(uow_factory, community_id, "Spring")
    [member_id] = await _members(uow_factory, community_id, 1)
    submitted = datetime(2025, 4, 2, 10, 30, 15, 123456, tzinfo=HELSINKI)
    async with uow_factory() as uow:
        added = await uow.applications.add(
            NewApplication(
                round_id,
                member_id,
                PROFILE,
                ApplicationStatus.PENDING,
                submitted,
                declared_previous_partners=("user-7", "user-9"),
                note="late",
            )
        )
        await uow.commit()

    assert added.member == MemberRef(Platform.DISCORD, "user-0")
    assert added.updated_at == submitted and _is_utc(added.updated_at)
    async with uow_factory() as uow:
        found = await uow.applications.find(round_id, member_id)
    assert found == added
    assert found.profile == PROFILE
    assert _is_utc(found.submitted_at) and _is_utc(found.updated_at)
    assert found.submitted_at == submitted

    edited = replace(
        found,
        profile=replace(PROFILE, wishes=Wishes(countries=("NZ",)), interests=()),
        status=ApplicationStatus.APPROVED,
        note="",
        updated_at=submitted + timedelta(hours=1),
    )
    async with uow_factory() as uow:
        await uow.applications.save(edited)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.applications.find(round_id, member_id) == edited
        assert await uow.applications.find(round_id, member_id + 1000) is None
        with pytest.raises(NotFound):
            await uow.applications.save(replace(edited, id=edited.id + 1000))


async def test_application_twice_conflicts(uow_factory: UowFactory) -> None:
    """Refuse a second application of the same member to the same round."""
    community_id = await _community(uow_factory)
    round_id = await _round(uow_factory, community_id, "Spring")
    [member_id] = await _members(uow_factory, community_id, 1)
    new = NewApplication(round_id, member_id, PROFILE, ApplicationStatus.PENDING, T0)
    async with uow_factory() as uow:
        await uow.applications.add(new)
        with pytest.raises(Conflict, match="already applied"):
            await uow.applications.add(new)
        await uow.commit()
    async with uow_factory() as uow:
        assert len(await uow.applications.list(round_id)) == 1


async def test_applications_list_set_status_and_counts(uow_factory: UowFactory) -> None:
    """List by submission time then id, filter by status, and count each status."""
    community_id = await _community(uow_factory)
    round_id = await _round(uow_factory, community_id, "Spring")
    other_round_id = await _round(uow_factory, community_id, "Autumn")
    members = await _members(uow_factory, community_id, 4)
    times = [T0 + timedelta(minutes=5), T0, T0 + timedelta(minutes=5), T0 - timedelta(days=1)]
    async with uow_factory() as uow:
        added = [
            await uow.applications.add(
                NewApplication(round_id, member, PROFILE, ApplicationStatus.PENDING, at)
            )
            for member, at in zip(members, times, strict=True)
        ]
        await uow.applications.add(
            NewApplication(other_round_id, members[0], PROFILE, ApplicationStatus.PENDING, T0)
        )
        await uow.commit()

    later = T0 + timedelta(days=2)
    async with uow_factory() as uow:
        listed = await uow.applications.list(round_id)
        assert [a.id for a in listed] == [added[3].id, added[1].id, added[0].id, added[2].id]
        await uow.applications.set_status(
            [added[0].id, added[2].id], ApplicationStatus.WAITLISTED, "country cap", later
        )
        await uow.commit()

    async with uow_factory() as uow:
        waitlisted = await uow.applications.list(round_id, [ApplicationStatus.WAITLISTED])
        assert [a.id for a in waitlisted] == [added[0].id, added[2].id]
        assert all(a.note == "country cap" and a.updated_at == later for a in waitlisted)
        assert await uow.applications.list(round_id, []) == []
        assert await uow.applications.counts(round_id) == {
            ApplicationStatus.PENDING: 2,
            ApplicationStatus.WAITLISTED: 2,
        }
        with pytest.raises(NotFound):
            await uow.applications.set_status(
                [added[0].id, 999_999], ApplicationStatus.DECLINED, "", later
            )


# --- groups --------------------------------------------------------------------


async def test_group_proposal_replace_publish_and_save(uow_factory: UowFactory) -> None:
    """Replace only unpublished groups, publish them, and save members and flags."""
    community_id = await _community(uow_factory)
    round_id = await _round(uow_factory, community_id, "Spring")
    a, b, c, d, e = await _members(uow_factory, community_id, 5)
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


async def test_partner_history_counts_published_groups_of_other_rounds(
    uow_factory: UowFactory,
) -> None:
    """Report partners from published groups (active or not) of other rounds only."""
    community_id = await _community(uow_factory)
    other_community_id = await _community(uow_factory, "guild-2")
    spring = await _round(uow_factory, community_id, "Spring")
    autumn = await _round(uow_factory, community_id, "Autumn")
    elsewhere = await _round(uow_factory, other_community_id, "Spring")
    a, b, c, d, e = await _members(uow_factory, community_id, 5)
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


# --- topics --------------------------------------------------------------------


async def test_topics_replace_and_list(uow_factory: UowFactory) -> None:
    """Replace a community's topics wholesale and list them by position."""
    community_id = await _community(uow_factory)
    other_community_id = await _community(uow_factory, "guild-2")
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
    community_id = await _community(uow_factory)
    round_id = await _round(uow_factory, community_id, "2025A")
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
    community_id = await _community(uow_factory)
    round_id = await _round(uow_factory, community_id, "2025A")
    members = await _members(uow_factory, community_id, 6)
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
    community_id = await _community(uow_factory)
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
    community_id = await _community(uow_factory)
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
