"""A running round for the engagement tests: a pair (or more) published and started, its
rehearsal platform, and the days of the round moved through one daily check at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from adapters.rehearsal import RehearsalPlatform
from core.delivery.service import DeliveryService
from core.engagement.model import NewPartner
from core.engagement.service import EngagementService
from core.model import ApplicationStatus as A
from core.model import Community, MemberRef, Platform, Round
from core.platform import Message
from core.ports import UnitOfWorkFactory
from tests.support import Program, profile

LOCAL = Platform.LOCAL
NUDGE = "Checking in"


@dataclass(frozen=True)
class Applicant:
    external_id: str
    country: str
    languages: tuple[str, ...] = ("en",)
    status: A = A.APPROVED


@dataclass
class Round_:
    """A running round of one community, its stand-in platform and the services under test."""

    p: Program
    community: Community
    round: Round
    platform: RehearsalPlatform
    delivery: DeliveryService
    engagement: EngagementService

    @property
    def start(self) -> datetime:
        assert self.round.starts_at is not None
        return self.round.starts_at

    def at(self, day: float) -> datetime:
        """Return the moment *day* days after the round started."""
        return self.start + timedelta(days=day)

    async def day(self, day: float) -> str | None:
        """Move to *day* days after the start, run the daily check and deliver."""
        self.p.clock.set(self.at(day))
        done = await self.engagement.daily(self.round.id)
        await self.delivery.run_due()
        return done

    def say(self, external_id: str, day: float) -> None:
        """Have a member write in their pair space on *day*."""
        self.platform.say(self.space_of(external_id), external_id, self.at(day))

    def space_of(self, external_id: str) -> str:
        """Return the latest pair space the member is in."""
        ids = [i for i, s in self.platform.spaces.items() if external_id in s.members]
        return ids[-1]

    def partner_of(self, external_id: str) -> str:
        (partner,) = set(self.platform.spaces[self.space_of(external_id)].members) - {external_id}
        return partner

    def nudges(self, external_id: str) -> list[Message]:
        posted = self.platform.spaces[self.space_of(external_id)].messages
        return [m for _, m in posted if m.title == NUDGE]

    def offers(self) -> list[tuple[str, Message]]:
        return [(who, m) for who, m in self.platform.direct if m.buttons]

    async def accept(self, external_id: str) -> NewPartner:
        return await self.engagement.accept(self.community, MemberRef(LOCAL, external_id))


async def running_round(
    p: Program,
    uow: UnitOfWorkFactory,
    applicants: Sequence[Applicant],
    *,
    earlier: Sequence[Applicant] = (),
) -> Round_:
    """Publish and start a round; *earlier* applied to a previous round only."""
    c = await p.communities.ensure(LOCAL, "engagement", "Engagement Network")
    await p.communities.configure(c.id, country_cap=None)
    if earlier:
        await _apply(p, c, "2026B", earlier)
        await p.rounds.close(c.id, "2026B")
    await _apply(p, c, "2027A", applicants, starts=p.clock.now() + timedelta(days=7))
    for status in (A.APPROVED, A.WAITLISTED):
        chosen = [a.external_id for a in applicants if a.status is status]
        if chosen:
            await p.applications.decide(c.id, "2027A", status, chosen)
    await p.rounds.close(c.id, "2027A")
    await p.matches.publish(c, "2027A")
    platform = RehearsalPlatform()
    platforms = {LOCAL: platform}
    delivery = DeliveryService(uow=uow, clock=p.clock, platforms=platforms)
    await delivery.run_due()  # the pair spaces are made at publishing
    p.clock.advance(days=7)
    started = await p.rounds.start(c.id, "2027A")
    engagement = EngagementService(uow=uow, clock=p.clock, platforms=platforms)
    return Round_(p, c, started, platform, delivery, engagement)


async def _apply(
    p: Program,
    c: Community,
    name: str,
    applicants: Sequence[Applicant],
    starts: datetime | None = None,
) -> None:
    await p.rounds.create(c.id, name, starts=starts)
    await p.rounds.open(c.id, name)
    for a in applicants:
        member = MemberRef(LOCAL, a.external_id)
        await p.applications.submit(
            c, member, profile(a.external_id, a.country, languages=a.languages)
        )


PAIR = [Applicant("ana", "FI"), Applicant("bruno", "BR")]
