"""What the repository tests share: a profile with every field, and rows made quickly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from adapters.storage.uow import SqlUnitOfWork
from core.model import (
    CommunitySettings,
    MemberRef,
    Platform,
    Profile,
    Wishes,
)
from core.ports import NewRound

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


def is_utc(moment: datetime | None) -> bool:
    return moment is not None and moment.tzinfo is UTC


async def make_community(uow_factory: UowFactory, external_id: str = "guild-1") -> int:
    async with uow_factory() as uow:
        community = await uow.communities.add(
            Platform.DISCORD, external_id, "Librarians", CommunitySettings()
        )
        await uow.commit()
    return community.id


async def make_members(uow_factory: UowFactory, community_id: int, count: int) -> list[int]:
    async with uow_factory() as uow:
        ids = [
            await uow.members.ensure(
                community_id, MemberRef(Platform.DISCORD, f"user-{n}"), f"User {n}"
            )
            for n in range(count)
        ]
        await uow.commit()
    return ids


async def make_round(uow_factory: UowFactory, community_id: int, name: str) -> int:
    async with uow_factory() as uow:
        round_ = await uow.rounds.add(
            NewRound(community_id, name, None, None, None, None, 14, created_at=T0)
        )
        await uow.commit()
    return round_.id
