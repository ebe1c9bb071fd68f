"""Small helpers shared by tests: a settable clock, profiles, the wired services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.audit import AuditService
from core.communities.service import CommunityService
from core.matching.service import MatchService
from core.model import Profile, Wishes
from core.ports import UnitOfWorkFactory
from core.rounds.applications import ApplicationService
from core.rounds.service import RoundService
from core.rounds.topic_library import TopicService


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime = datetime(2027, 1, 10, 12, tzinfo=UTC)) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when


def profile(
    name: str,
    country: str,
    *,
    tz: str = "UTC",
    languages: tuple[str, ...] = ("en",),
    sector: str = "public",
    stage: str = "mid",
    interests: tuple[str, ...] = (),
    wishes: Wishes = Wishes(),
) -> Profile:
    return Profile(
        name=name,
        country=country,
        timezone=tz,
        languages=languages,
        sector=sector,
        career_stage=stage,
        interests=interests,
        wishes=wishes,
    )


@dataclass
class Program:
    clock: FixedClock
    communities: CommunityService
    rounds: RoundService
    applications: ApplicationService
    matches: MatchService
    topics: TopicService
    audit: AuditService


def program(uow: UnitOfWorkFactory, clock: FixedClock | None = None) -> Program:
    clock = clock or FixedClock()
    return Program(
        clock=clock,
        communities=CommunityService(uow=uow, clock=clock),
        rounds=RoundService(uow=uow, clock=clock),
        applications=ApplicationService(uow=uow, clock=clock),
        matches=MatchService(uow=uow, clock=clock),
        topics=TopicService(uow=uow, clock=clock),
        audit=AuditService(uow=uow),
    )
