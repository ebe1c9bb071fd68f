"""Keeping pairs alive: counts, nudges at 14 days, rescue at 28, pauses, the daily check
(a new partner from the standby pool: test_engagement_standby)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, DateTime, Integer, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from core.engagement.rules import offer_action_id
from core.model import MemberRef
from core.ports import UnitOfWorkFactory
from core.rounds.automation import RoundAutomation
from tests.integration.engagement_support import LOCAL, PAIR, running_round
from tests.support import Program

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
