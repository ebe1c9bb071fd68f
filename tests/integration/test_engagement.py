"""Keeping pairs alive: counts, nudges at 14 days, rescue at 28, pauses, the standby pool."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Date, DateTime, Integer, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.rehearsal import RehearsalPlatform
from core.delivery.service import DeliveryService
from core.engagement.model import NewPartner
from core.engagement.rules import offer_action_id
from core.engagement.service import EngagementService
from core.errors import Conflict
from core.model import ApplicationStatus as A
from core.model import Community, MemberRef, Platform, Round
from core.platform import Message
from core.ports import UnitOfWorkFactory
from core.rounds.automation import RoundAutomation
from tests.support import FixedClock, Program, profile, program

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


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def p(uow_factory: UnitOfWorkFactory, clock: FixedClock) -> Program:
    return program(uow_factory, clock)


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


# -- nudges ---------------------------------------------------------------------------


async def test_a_silent_pair_is_nudged_once_at_14_days(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Nobody writes: no nudge at 13 days, one at 14, none more when checked again."""
    r = await running_round(p, uow_factory, PAIR)
    await r.day(13)
    assert r.nudges("ana") == []
    await r.day(14)
    assert len(r.nudges("ana")) == 1
    assert "14 days" in r.nudges("ana")[0].body
    again = await r.engagement.check_silence(r.round.id)
    await r.delivery.run_due()
    await r.day(15)
    assert again.nudged == 0
    assert len(r.nudges("ana")) == 1


async def test_a_talking_pair_is_never_nudged(p: Program, uow_factory: UnitOfWorkFactory) -> None:
    """A pair writing every ten days or so goes a whole season without a nudge."""
    r = await running_round(p, uow_factory, PAIR)
    for day in range(1, 71):
        if day % 10 == 3:
            r.say("ana", day - 0.5)
        if day % 10 == 8:
            r.say("bruno", day - 0.5)
        await r.day(day)
    assert r.nudges("ana") == []
    assert r.platform.alerts == [] and r.offers() == []


async def test_at_28_days_organisers_get_the_list_and_the_active_partner_an_offer(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Ana says hello, Bruno never answers: nudge at 14 days, list and offer at 28, once."""
    r = await running_round(p, uow_factory, PAIR)
    r.say("ana", 0.5)
    await r.day(14)
    assert r.nudges("ana") == []  # silent only since her hello, 13.5 days ago
    await r.day(15)
    assert len(r.nudges("ana")) == 1
    await r.day(28)
    assert r.platform.alerts == []
    await r.day(29)
    (alert,) = r.platform.alerts
    assert "Pair 1 (ana and bruno): silent 28 days" in alert.body
    assert "ana wrote last and was offered a new partner" in alert.body
    ((who, offer),) = r.offers()
    assert who == "ana"
    assert offer.buttons[0].action_id == offer_action_id(r.round.id, 1)
    await r.day(30)
    await r.day(45)
    assert len(r.platform.alerts) == 1 and len(r.offers()) == 1
    assert len(r.nudges("ana")) == 1


async def test_an_organiser_looking_in_neither_ends_nor_restarts_the_silence(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Only members' messages count: the pair is nudged once, 14 days after Ana wrote."""
    r = await running_round(p, uow_factory, PAIR)
    r.say("ana", 0.5)
    await r.day(1)
    r.platform.say(r.space_of("ana"), "organiser", r.at(8))
    for day in (9, 14, 15):
        await r.day(day)
    assert len(r.nudges("ana")) == 1
    for day in (22, 23):
        await r.day(day)
    assert len(r.nudges("ana")) == 1


async def test_a_pair_that_both_went_quiet_is_listed_without_an_offer(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """When both wrote in their last week, nobody is waiting: organisers decide."""
    r = await running_round(p, uow_factory, PAIR)
    r.say("ana", 0.5)
    r.say("bruno", 0.6)
    await r.day(29)
    (alert,) = r.platform.alerts
    assert "nobody wrote last on their own" in alert.body
    assert r.offers() == []


# -- pauses ---------------------------------------------------------------------------


async def test_a_paused_member_s_pair_is_not_nudged_during_the_pause(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Paused from day 5 to day 30: no nudge meanwhile; silence counts again from day 30."""
    r = await running_round(p, uow_factory, PAIR)
    await r.day(5)
    await r.engagement.pause(r.community, MemberRef(LOCAL, "bruno"), until=r.at(30))
    for day in (14, 20, 29, 43):
        await r.day(day)
        assert r.nudges("ana") == [], day
    await r.day(44)
    assert len(r.nudges("ana")) == 1
    assert r.platform.alerts == []


async def test_resuming_ends_the_pause_now(p: Program, uow_factory: UnitOfWorkFactory) -> None:
    """Back early at day 10 from a pause meant to last to day 60: nudged at day 24."""
    r = await running_round(p, uow_factory, PAIR)
    await r.day(1)
    await r.engagement.pause(r.community, MemberRef(LOCAL, "ana"), until=r.at(60))
    await r.day(10)
    assert await r.engagement.resume(r.community, MemberRef(LOCAL, "ana"))
    assert not await r.engagement.resume(r.community, MemberRef(LOCAL, "ana"))
    await r.day(23)
    assert r.nudges("ana") == []
    await r.day(24)
    assert len(r.nudges("ana")) == 1


# -- a new partner from the standby pool ------------------------------------------------


STANDBY = {
    # The odd one out: a second applicant from Brazil cannot join the pair as a third.
    "odd one out": ([*PAIR, Applicant("beatriz", "BR")], []),
    "waitlisted": ([*PAIR, Applicant("wakana", "JP", status=A.WAITLISTED)], []),
    "volunteer": (PAIR, [Applicant("victor", "KE")]),
}


@pytest.mark.parametrize("source", list(STANDBY))
async def test_accepting_the_offer_pairs_the_active_partner_from_the_standby_pool(
    p: Program, uow_factory: UnitOfWorkFactory, source: str
) -> None:
    """The partner who wrote last gets a new pair space with someone from the pool."""
    applicants, earlier = STANDBY[source]
    r = await running_round(p, uow_factory, applicants, earlier=earlier)
    active = "ana"
    silent = r.partner_of(active)
    if earlier:
        assert await r.engagement.volunteer(r.community, MemberRef(LOCAL, "victor"))
    r.say(active, 0.5)
    await r.day(29)
    accepted = await r.accept(active)
    await r.delivery.run_due()
    assert accepted.source == source and accepted.number == 2
    newcomer = r.partner_of(active)
    assert newcomer not in (active, silent)
    assert accepted.partner == newcomer
    assert r.platform.spaces[r.space_of(active)].messages[0][1].title == "Meet your partner"
    assert "took up the offer" in r.platform.alerts[-1].body
    async with uow_factory() as uow:
        groups = {g.number: g for g in await uow.groups.list(r.round.id, active_only=False)}
        newcomer_id = await uow.members.find(r.community.id, MemberRef(LOCAL, newcomer))
        app = await uow.applications.find(r.round.id, newcomer_id or 0)
    assert not groups[1].active and groups[2].active
    assert app is not None and app.status is A.APPROVED


async def test_the_new_partner_respects_the_hard_rules(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Same country and no shared language rule the first in line out: a volunteer fits."""
    applicants = [
        *PAIR,
        Applicant("aino", "FI"),  # an odd one out from the active partner's country
        Applicant("wakana", "JP", languages=("ja",), status=A.WAITLISTED),
    ]
    r = await running_round(p, uow_factory, applicants, earlier=[Applicant("victor", "KE")])
    await r.engagement.volunteer(r.community, MemberRef(LOCAL, "victor"))
    (space,) = r.platform.spaces.values()
    active = next(m for m in space.members if m in ("ana", "aino"))
    r.say(active, 0.5)
    await r.day(29)
    accepted = await r.accept(active)
    assert (accepted.partner, accepted.source) == ("victor", "volunteer")


async def test_when_nobody_fits_the_organisers_are_told(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """An empty pool leaves the pair as it is and asks the organisers to step in."""
    r = await running_round(p, uow_factory, PAIR)
    r.say("ana", 0.5)
    await r.day(29)
    accepted = await r.accept("ana")
    await r.delivery.run_due()
    assert accepted.number is None
    assert "nobody in the standby pool fits" in r.platform.alerts[-1].body
    assert len(r.platform.spaces) == 1


async def test_the_offer_lapses_when_the_partner_writes_again(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Bruno answers after the offer went out: the pair continues."""
    r = await running_round(p, uow_factory, [*PAIR, Applicant("wakana", "JP", status=A.WAITLISTED)])
    r.say("ana", 0.5)
    await r.day(29)
    r.say("bruno", 29.5)
    p.clock.set(r.at(30))
    with pytest.raises(Conflict, match="active again"):
        await r.accept("ana")


# -- what is stored -------------------------------------------------------------------


async def test_activity_is_stored_as_weekly_counts_per_member(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Three weeks unread are filled in exactly: counts per member per week, nothing more."""
    r = await running_round(p, uow_factory, PAIR)
    monday = date(2027, 1, 11)  # the week the round starts in (Sunday 17 January)
    for day in (12, 13, 14):
        r.platform.say(r.space_of("ana"), "ana", datetime(2027, 1, day, 9, tzinfo=UTC))
    r.platform.say(r.space_of("bruno"), "bruno", datetime(2027, 1, 19, 9, tzinfo=UTC))
    p.clock.set(datetime(2027, 2, 2, 12, tzinfo=UTC))
    assert await r.engagement.record_activity(r.round.id) == {1}
    async with uow_factory() as uow:
        groups = await uow.groups.list(r.round.id)
        weeks = await uow.engagement.weeks(g.id for g in groups)
        names = await uow.members.refs({c.member_id for c in weeks})
    counted = {(c.week, names[c.member_id].external_id): c.messages for c in weeks}
    assert {k: n for k, n in counted.items() if n} == {
        (monday, "ana"): 3,
        (monday + timedelta(days=7), "bruno"): 1,
    }
    assert sorted({w for w, _ in counted}) == [monday + timedelta(days=7 * i) for i in range(-1, 4)]
    latest = max(c.last_message_at for c in weeks if c.last_message_at)
    assert latest == datetime(2027, 1, 19, 9, tzinfo=UTC)


async def test_the_engagement_tables_hold_numbers_and_times_only(engine: AsyncEngine) -> None:
    """No column of the activity, pause or standby tables can hold a message's text."""

    def column_types(connection):  # type: ignore[no-untyped-def]
        inspector = inspect(connection)
        return {
            (table, c["name"]): c["type"]
            for table in ("pair_activity", "pauses", "standby")
            for c in inspector.get_columns(table)
        }

    async with engine.connect() as connection:
        types = await connection.run_sync(column_types)
    assert types
    for where, type_ in types.items():
        assert isinstance(type_, Integer | Date | DateTime), where


# -- the daily moment -----------------------------------------------------------------


async def test_the_round_engine_checks_engagement_once_a_day(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """advance counts and checks on its first call of a UTC day, not on the second."""
    r = await running_round(p, uow_factory, PAIR)
    automation = RoundAutomation(
        uow=uow_factory,
        clock=p.clock,
        rounds=p.rounds,
        delivery=r.delivery,
        engagement=r.engagement,
    )
    first = await automation.advance(r.round.id)
    assert any(step.startswith("activity: 1 spaces") for step in first.steps)
    again = await automation.advance(r.round.id)
    assert not any(step.startswith("activity") for step in again.steps)


async def test_the_next_check_is_the_first_midnight_a_pair_may_reach_14_days(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """No daily polling: a check is due when some pair could next cross a threshold."""
    r = await running_round(p, uow_factory, PAIR)

    def midnight_after(day: float) -> datetime:
        return datetime.combine(r.at(day).date() + timedelta(days=1), time(), UTC)

    assert await r.engagement.next_check(r.round.id) == midnight_after(14)
    r.say("bruno", 9.25)
    await r.day(10)
    assert await r.engagement.next_check(r.round.id) == midnight_after(23.25)
    await r.day(24)
    assert await r.engagement.next_check(r.round.id) == midnight_after(37.25)
