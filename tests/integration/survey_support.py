"""A running round for the survey tests: five pairs in ten countries, published and
started, with the survey service, the round engine and a rehearsal platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from adapters.rehearsal.platform import RehearsalPlatform
from core.delivery.service import DeliveryService
from core.model import ApplicationStatus, Community, MemberRef, Platform, Round
from core.ports import UnitOfWorkFactory
from core.rounds.automation import RoundAutomation
from core.surveys.model import SurveyKind
from core.surveys.rules import parse_survey_action, window
from core.surveys.service import SurveyService
from tests.support import Program, profile

LOCAL = Platform.LOCAL
A_APPROVED = ApplicationStatus.APPROVED
MID, END = SurveyKind.MID, SurveyKind.END
# Ten people in ten countries, all speaking English: five pairs.
PEOPLE = [
    ("m0", "FI"),
    ("m1", "BR"),
    ("m2", "NG"),
    ("m3", "AU"),
    ("m4", "CA"),
    ("m5", "JP"),
    ("m6", "MX"),
    ("m7", "IN"),
    ("m8", "KE"),
    ("m9", "NZ"),
]


def who(ext: str) -> MemberRef:
    return MemberRef(LOCAL, ext)


@dataclass
class Running:
    p: Program
    community: Community
    round: Round
    surveys: SurveyService
    automation: RoundAutomation
    delivery: DeliveryService
    platform: RehearsalPlatform

    async def advance(self) -> tuple[str, ...]:
        steps = (await self.automation.advance(self.round.id)).steps
        await self.delivery.run_due()
        return steps

    async def survey_id(self, uow: UnitOfWorkFactory, kind: SurveyKind) -> int:
        async with uow() as u:
            return (await u.surveys.ensure(self.round.id, kind)).id


async def running(
    p: Program, uow: UnitOfWorkFactory, languages: dict[str, str] | None = None
) -> Running:
    """Publish and start a round of five pairs; *languages* are members' choices."""
    c = await p.communities.ensure(LOCAL, "surveys", "Survey Library Network")
    await p.communities.configure(c.id, country_cap=None)
    await p.rounds.create(c.id, "2027A", starts=p.clock.now() + timedelta(days=7))
    await p.rounds.open(c.id, "2027A")
    for ext, country in PEOPLE:
        await p.applications.submit(
            c, who(ext), profile(ext, country), language=(languages or {}).get(ext)
        )
    await p.applications.decide(c.id, "2027A", A_APPROVED, all_pending=True)
    await p.rounds.close(c.id, "2027A")
    await p.matches.publish(c, "2027A", seed=1)
    platform = RehearsalPlatform()
    delivery = DeliveryService(uow=uow, clock=p.clock, platforms={LOCAL: platform})
    surveys = SurveyService(uow=uow, clock=p.clock)
    automation = RoundAutomation(
        uow=uow, clock=p.clock, rounds=p.rounds, delivery=delivery, surveys=surveys
    )
    p.clock.advance(days=7)
    r = await p.rounds.start(c.id, "2027A")
    run = Running(p, c, r, surveys, automation, delivery, platform)
    await run.advance()
    return run


async def open_mid(run: Running) -> None:
    """Move the clock to the mid-round check-in and let the engine send it."""
    w = window(run.round, await run.surveys.show(run.community.id, "2027A", MID))
    assert w is not None
    run.p.clock.set(w.opens)
    await run.advance()


def survey_posts(platform: RehearsalPlatform) -> list[tuple[str, str]]:
    """Return (space or member, action id) of every survey button the platform got."""
    sent = [(sid, m) for sid, space in platform.spaces.items() for _, m in space.messages]
    sent += [(f"dm:{member}", m) for member, m in platform.direct]
    return [
        (where, b.action_id)
        for where, message in sent
        for b in message.buttons
        if parse_survey_action(b.action_id) is not None
    ]
