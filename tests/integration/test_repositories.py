"""The SQLAlchemy repositories of communities, members, rounds and applications against
real SQLite and PostgreSQL (groups, topics, the outbox and the unit of work:
test_repositories_groups.py)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.errors import Conflict, NotFound
from core.model import (
    ApplicationStatus,
    CommunitySettings,
    MemberRef,
    PairingRule,
    Platform,
    RoundState,
    Wishes,
)
from core.ports import NewApplication, NewRound
from tests.integration.storage_support import (
    HELSINKI,
    PROFILE,
    T0,
    UowFactory,
    is_utc,
    make_community,
    make_members,
    make_round,
)

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
    await make_community(uow_factory, "guild-1")
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
    community_id = await make_community(uow_factory)
    other_community_id = await make_community(uow_factory, "guild-2")
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
    community_id = await make_community(uow_factory)
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
    community_id = await make_community(uow_factory)
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
    assert added.applications_open_at == opens and is_utc(added.applications_open_at)

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
            is_utc(moment)
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
    community_id = await make_community(uow_factory)
    await make_round(uow_factory, community_id, "Spring")
    autumn_id = await make_round(uow_factory, community_id, "Autumn")
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
    community_id = await make_community(uow_factory)
    round_id = await make_round(uow_factory, community_id, "Spring")
    [member_id] = await make_members(uow_factory, community_id, 1)
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
    assert added.updated_at == submitted and is_utc(added.updated_at)
    async with uow_factory() as uow:
        found = await uow.applications.find(round_id, member_id)
    assert found == added
    assert found.profile == PROFILE
    assert is_utc(found.submitted_at) and is_utc(found.updated_at)
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
    community_id = await make_community(uow_factory)
    round_id = await make_round(uow_factory, community_id, "Spring")
    [member_id] = await make_members(uow_factory, community_id, 1)
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
    community_id = await make_community(uow_factory)
    round_id = await make_round(uow_factory, community_id, "Spring")
    other_round_id = await make_round(uow_factory, community_id, "Autumn")
    members = await make_members(uow_factory, community_id, 4)
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
