"""The round engine over time: downtime, daylight saving, a new year, two processes.

Core-level tests move a FixedClock from one due moment to the next, as the engine's
jobs would. Engine tests run the real APScheduler under time-machine: the engine's
clock, its jobs' times and the platform stand-in's records all follow the travel.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.rehearsal import RehearsalPlatform
from adapters.storage.engine import create_engine
from adapters.storage.leader import LOCK_ID, Leadership
from adapters.storage.uow import unit_of_work_factory
from bots.engine import Engine
from core.clock import SystemClock
from core.communities.service import CommunityService
from core.delivery.outbox import space_key, topic_post_key
from core.delivery.service import DeliveryService
from core.matching.service import MatchService
from core.model import ApplicationStatus, Community, MemberRef, Platform, Round, RoundState
from core.ports import Clock, UnitOfWorkFactory
from core.rounds.applications import ApplicationService
from core.rounds.automation import RoundAutomation
from core.rounds.lifecycle import TOPIC_COUNT
from core.rounds.service import RoundService
from tests.support import FixedClock, profile

LOCAL = Platform.LOCAL
CADENCE = timedelta(days=14)
START = datetime(2027, 3, 1, 9, tzinfo=UTC)
COUNTRIES = ["FI", "BR", "NG", "AU", "CA", "JP", "KE", "PH", "DE", "MX"]
SINGLE_PROCESS = (
    "SQLite is single-process by design (one file, one writer): only PostgreSQL has "
    "several processes competing for the lead"
)


@dataclass
class World:
    """A published round, the platform stand-in, and the database they live in."""

    db: AsyncEngine
    clock: Clock
    platform: RehearsalPlatform
    community: Community
    round: Round
    groups: tuple[int, ...]

    @classmethod
    async def published(
        cls, db: AsyncEngine, clock: Clock, *, starts: datetime, people: int = 10
    ) -> World:
        """Create, fill, close and publish a round starting at *starts*."""
        uow = unit_of_work_factory(db)
        communities = CommunityService(uow=uow)
        rounds = RoundService(uow=uow, clock=clock)
        applications = ApplicationService(uow=uow, clock=clock)
        community = await communities.ensure(LOCAL, "engine", "Engine Network")
        await communities.configure(community.id, country_cap=None)
        await rounds.create(community.id, "R1", starts=starts)
        await rounds.open(community.id, "R1")
        for i in range(people):
            who = MemberRef(LOCAL, f"m{i}")
            await applications.submit(community, who, profile(f"M{i}", COUNTRIES[i % 10]))
        await applications.decide(community.id, "R1", ApplicationStatus.APPROVED, all_pending=True)
        await rounds.close(community.id, "R1")
        report = await MatchService(uow=uow, clock=clock).publish(community, "R1")
        groups = tuple(g.number for g in report.groups)
        return cls(db, clock, RehearsalPlatform(LOCAL), community, report.round, groups)

    def services(self, db: AsyncEngine | None = None) -> tuple[RoundAutomation, DeliveryService]:
        """Return the automation and delivery one process would build."""
        uow = unit_of_work_factory(db or self.db)
        delivery = DeliveryService(
            uow=uow, clock=self.clock, platforms={LOCAL: self.platform}, backoff=timedelta(0)
        )
        rounds = RoundService(uow=uow, clock=self.clock)
        automation = RoundAutomation(uow=uow, clock=self.clock, rounds=rounds, delivery=delivery)
        return automation, delivery

    def process(self, db: AsyncEngine | None = None) -> Engine:
        """Return a round engine as a freshly started process would build it."""
        automation, delivery = self.services(db)
        return Engine(
            automation=automation,
            delivery=delivery,
            clock=self.clock,
            leadership=Leadership(db or self.db, retry_seconds=0.05),
            # No periodic resync during a test: only the round's own jobs may do the work.
            resync=timedelta(days=365),
        )

    async def run_once(self) -> None:
        """Start a process, let it catch up, and stop it (the downtime follows)."""
        engine = self.process()
        await engine.start()
        await engine.stop()

    async def state(self) -> RoundState:
        async with unit_of_work_factory(self.db)() as uow:
            return (await uow.rounds.get(self.round.id)).state

    def calls(self, method: str) -> Counter[str]:
        """Return how often the platform was asked to do each key, for one method."""
        return Counter(key for m, key in self.platform.calls if m == method)

    def topic_posts(self, k: int) -> list[int]:
        """Return, for every group, how often topic *k* was posted to it."""
        posted = self.calls("post")
        return [posted[topic_post_key(self.round.id, g, k)] for g in self.groups]

    def each_once(self, k: int) -> bool:
        return self.topic_posts(k) == [1] * len(self.groups)


async def run_calendar(world: World, clock: FixedClock) -> list[datetime]:
    """Visit every due moment of the round as the engine would; return the moments visited."""
    automation, delivery = world.services()
    visited: list[datetime] = []
    while True:
        await automation.advance(world.round.id)
        await delivery.run_due()
        upcoming = [await automation.next_due(world.round.id), await delivery.next_due()]
        due = [t for t in upcoming if t is not None]
        if not due:
            return visited
        clock.set(min(due))
        visited.append(clock.now())


def calendar(starts: datetime) -> list[datetime]:
    """Return the round's topic dates and its end: start + k x cadence in UTC."""
    return [starts + k * CADENCE for k in range(TOPIC_COUNT + 1)]


async def eventually(condition: Callable[[], bool], seconds: float = 10) -> None:
    """Wait until *condition* holds (scheduler jobs run as tasks of the event loop)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never held")


# -- downtime ---------------------------------------------------------------------------


async def test_a_topic_due_while_the_engine_was_down_is_posted_once_on_restart(
    engine: AsyncEngine,
) -> None:
    """Down across topic 2's date: the restart posts it once per pair; another adds nothing."""
    with time_machine.travel(START - timedelta(days=7), tick=False) as traveller:
        world = await World.published(engine, SystemClock(), starts=START)
        traveller.move_to(START + timedelta(hours=1))
        await world.run_once()
        assert world.each_once(0) and world.topic_posts(1) == [0] * len(world.groups)

        traveller.move_to(START + CADENCE + timedelta(hours=5))
        await world.run_once()
        assert world.each_once(1)

        before = list(world.platform.calls)
        traveller.move_to(START + CADENCE + timedelta(hours=6))
        await world.run_once()
        assert world.platform.calls == before


async def test_a_restart_after_months_down_catches_up_every_topic_once_and_finishes(
    engine: AsyncEngine,
) -> None:
    """Down from the start to past the end: one restart posts all nine topics and archives."""
    with time_machine.travel(START - timedelta(days=7), tick=False) as traveller:
        world = await World.published(engine, SystemClock(), starts=START)
        traveller.move_to(START + TOPIC_COUNT * CADENCE + timedelta(days=3))
        await world.run_once()
        assert all(world.each_once(k) for k in range(TOPIC_COUNT))
        assert await world.state() is RoundState.FINISHED
        assert all(space.archived for space in world.platform.spaces.values())


# -- daylight saving and the new year ---------------------------------------------------

# Spring: the US (14 March) and Europe (28 March, at 01:00 UTC) move their clocks
# between topics, and topic 1 falls where 02:30 does not exist in Berlin that night.
# Autumn: topic 2 falls on 31 October at 00:30 UTC, 02:30 in Berlin, an hour that
# happens twice that night.
DST_STARTS = [
    pytest.param(datetime(2027, 3, 14, 1, 30, tzinfo=UTC), id="spring-forward"),
    pytest.param(datetime(2027, 10, 3, 0, 30, tzinfo=UTC), id="fall-back"),
]


@pytest.mark.parametrize("starts", DST_STARTS)
async def test_topic_dates_stay_in_utc_across_a_daylight_saving_change(
    engine: AsyncEngine, starts: datetime
) -> None:
    """Topics go out at start + k x 14 days in UTC: none skipped, none doubled by the change."""
    clock = FixedClock(starts - timedelta(days=7))
    world = await World.published(engine, clock, starts=starts)
    berlin = [t.astimezone(ZoneInfo("Europe/Berlin")).utcoffset() for t in calendar(starts)]
    assert len(set(berlin)) == 2, "the calendar should straddle a daylight saving change"
    visited = await run_calendar(world, clock)
    assert visited == calendar(starts)
    assert all(world.each_once(k) for k in range(TOPIC_COUNT))


async def test_a_round_across_the_new_year_posts_every_topic_once_and_ends_in_the_next_year(
    engine: AsyncEngine, uow_factory: UnitOfWorkFactory
) -> None:
    """Started 15 November 2027: topics run through 31 December into 2028, where it ends."""
    starts = datetime(2027, 11, 15, 9, tzinfo=UTC)
    clock = FixedClock(starts - timedelta(days=7))
    world = await World.published(engine, clock, starts=starts)
    visited = await run_calendar(world, clock)
    assert visited == calendar(starts)
    assert [t.year for t in visited] == [2027] * 4 + [2028] * 6
    assert all(world.each_once(k) for k in range(TOPIC_COUNT))
    async with uow_factory() as uow:
        finished = await uow.rounds.get(world.round.id)
    assert finished.state is RoundState.FINISHED
    assert finished.ends_at == datetime(2028, 3, 20, 9, tzinfo=UTC)
    assert world.calls("archive_space") == Counter(
        {f"r{world.round.id}:g{g}:archive": 1 for g in world.groups}
    )


# -- the APScheduler engine --------------------------------------------------------------


async def test_the_engine_starts_an_overdue_round_and_runs_its_next_topic_when_due(
    engine: AsyncEngine,
) -> None:
    """Started after the round's start: topic 1 at once, a job at topic 2's date, run once."""
    with time_machine.travel(START - timedelta(days=7), tick=False) as traveller:
        world = await World.published(engine, SystemClock(), starts=START)
        traveller.move_to(START + timedelta(hours=2))
        scheduler = world.process()
        await scheduler.start()
        try:
            assert await world.state() is RoundState.RUNNING
            assert world.each_once(0)
            assert world.calls("create_pair_space") == Counter(
                {space_key(world.round.id, g): 1 for g in world.groups}
            )
            job = f"round:{world.round.id}"
            assert scheduler.next_run(job) == START + CADENCE

            # Hours late (the laptop slept): the job still runs, no misfire window skips it.
            traveller.move_to(START + CADENCE + timedelta(hours=3))
            scheduler.kick()  # any scheduler activity makes APScheduler look at the time
            await eventually(lambda: world.each_once(1))
            await scheduler.rebuild()
            assert world.each_once(1)
            assert scheduler.next_run(job) == START + 2 * CADENCE
        finally:
            await scheduler.stop()


async def test_the_engine_schedules_the_topic_after_a_clock_change_at_the_same_utc_time(
    engine: AsyncEngine,
) -> None:
    """Europe moves its clocks on 28 March 2027: the next job is still start + 14 days UTC."""
    starts = datetime(2027, 3, 22, 8, tzinfo=UTC)
    with time_machine.travel(starts - timedelta(days=7), tick=False) as traveller:
        world = await World.published(engine, SystemClock(), starts=starts)
        traveller.move_to(starts + timedelta(minutes=5))
        scheduler = world.process()
        await scheduler.start()
        try:
            next_topic = scheduler.next_run(f"round:{world.round.id}")
            assert next_topic == starts + CADENCE
            local = [t.astimezone(ZoneInfo("Europe/Paris")).hour for t in (starts, next_topic)]
            assert local == [9, 10]  # members see the local hour move; UTC does not
        finally:
            await scheduler.stop()


# -- several processes on PostgreSQL ------------------------------------------------------


async def _kill_lock_holder(db: AsyncEngine) -> None:
    """Terminate the connection holding the leader lock in this database (a dead process)."""
    async with db.connect() as connection:
        killed = await connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                "WHERE locktype = 'advisory' AND objid = :id AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            {"id": LOCK_ID},
        )
    assert killed == 1


@asynccontextmanager
async def two_processes(
    database_url: str,
) -> AsyncIterator[tuple[Leadership, Leadership, AsyncEngine]]:
    """Yield two processes' leaderships, each on its own engine, and the second's engine.

    Both are released on the way out (a session killed meanwhile must not make that
    fail either) and both engines disposed.
    """
    first, second = create_engine(database_url), create_engine(database_url)
    a, b = Leadership(first), Leadership(second)
    try:
        yield a, b, second
    finally:
        await a.release()
        await b.release()
        await first.dispose()
        await second.dispose()


async def test_only_one_process_leads_until_it_lets_go(database_url: str) -> None:
    """Two processes: one takes the lead, the other waits and takes over on release."""
    if database_url.startswith("sqlite"):
        pytest.skip(SINGLE_PROCESS)
    async with two_processes(database_url) as (a, b, _):
        assert await a.try_acquire()
        assert not await b.try_acquire()
        assert await a.try_acquire(), "the leader keeps the lead"
        await a.release()
        assert await b.try_acquire()
        assert not await a.try_acquire()


async def test_a_follower_takes_over_when_the_leader_s_connection_dies(database_url: str) -> None:
    """The leader's session ends (crash, network): PostgreSQL frees the lock for the other."""
    if database_url.startswith("sqlite"):
        pytest.skip(SINGLE_PROCESS)
    async with two_processes(database_url) as (a, b, second):
        assert await a.try_acquire()
        assert not await b.try_acquire()
        await _kill_lock_holder(second)
        await asyncio.wait_for(b.acquire(), timeout=10)


async def test_two_engines_racing_on_one_round_deliver_each_action_once(
    database_url: str, engine: AsyncEngine
) -> None:
    """Two processes start at once, one takes over later: each key reaches the platform once."""
    if database_url.startswith("sqlite"):
        pytest.skip(SINGLE_PROCESS)
    clock = FixedClock(START - timedelta(days=7))
    world = await World.published(engine, clock, starts=START, people=20)
    clock.set(START + timedelta(hours=1))
    other = create_engine(database_url)
    processes = [world.process(), world.process(other)]
    racing = [asyncio.create_task(p.start()) for p in processes]
    try:
        done, _ = await asyncio.wait(racing, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        assert len(done) == 1, "exactly one process leads"
        leader = racing.index(done.pop())
        follower = 1 - leader
        assert world.each_once(0)
        assert not racing[follower].done()

        clock.set(START + CADENCE + timedelta(hours=1))  # topic 1 falls due at the hand-over
        await processes[leader].stop()
        await asyncio.wait_for(racing[follower], timeout=10)
        assert world.each_once(1)
        assert set(Counter(world.platform.calls).values()) == {1}
    finally:
        for p in processes:
            await p.stop()
        for task in racing:
            task.cancel()
        await other.dispose()
