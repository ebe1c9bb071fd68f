"""Fault injection: a topic date reaches 581 pairs exactly once while its worker is SIGKILLed.

The round is set up in the test process; delivery runs in a worker process
(tests/durability/worker.py) that is killed at random moments and restarted, against
a platform stand-in in a third process that records what it was sent. Kill delays
come from a seeded generator, scaled so that the kills spread over the delivery:
they land between actions, in the middle of an HTTP call, or after the platform
recorded a post but before the outbox marked it done ("in doubt"), the case the
adapter's key check exists for. Chance alone may rarely land there, so every
fourth kill waits for a post whose answer the stand-in holds back, and lands in
that window for sure.

PENPALS_KILL_POINTS sets the number of kills (20 by default; the benchmark runs 100).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.remote import RemotePlatform
from core.delivery.outbox import ActionKind, ActionState, topic_post_key, topic_thread_key
from core.delivery.service import DeliveryService
from core.matching.synthetic import generate_pool
from core.model import ApplicationStatus, Community, CommunitySettings, MemberRef, Platform
from core.platform import Message
from core.ports import NewGroup, UnitOfWorkFactory
from tests.durability.standin import StandIn
from tests.durability.worker import Worker
from tests.support import FixedClock, program

PAIRS = 581  # 1,162 applicants
KILL_POINTS = int(os.environ.get("PENPALS_KILL_POINTS", "20"))
ROUND = "2027A"
# The workers' pacer: fast, but even, so that the kill delays can be scaled to it.
WORKER_RATE = 100.0  # requests a second; a post is one (two on a retry: the key check first)
HELD_EVERY = 4  # every fourth kill lands while the answer to a recorded post is held back
# Workers take turns delivering one action at a time (as bots.bootstrap wires it) and
# several at once (DeliveryService's concurrency): a kill then cuts several calls short.
CONCURRENCY = (1, 4)


@dataclass(frozen=True)
class TopicRound:
    community_id: int
    round_id: int
    spaces: dict[int, str]  # group number -> the stand-in's space id


@dataclass
class KillRun:
    kills: int = 0
    in_doubt: int = 0  # kills after the platform had a post that the outbox had not marked done
    held: int = 0  # of which kills made while the stand-in held back the answer to a post
    doubted: set[str] = field(default_factory=set)  # the actions left in doubt, over all kills
    delays: list[float] = field(default_factory=list)  # of the random kills
    seconds: float = 0.0


@dataclass(frozen=True)
class Outcome:
    missing: list[str]
    duplicates: dict[str, int]  # key -> times posted, for keys posted more than once
    misplaced: list[str]  # posts that reached another pair's space
    threads: int
    pending: int
    failed: int


async def topic_round(uow: UnitOfWorkFactory, standin: StandIn, pairs: int) -> TopicRound:
    """Publish a round of 2 x *pairs* applicants, make its spaces, start it, enqueue topic 1."""
    # An hour ago, so that everything is due for the workers, which use the real clock.
    clock = FixedClock(datetime.now(UTC) - timedelta(hours=1))
    p = program(uow, clock)
    c = await p.communities.ensure(Platform.LOCAL, "durability", "Durability Network")
    await p.communities.configure(c.id, country_cap=None)
    round_, _ = await p.rounds.create(c.id, ROUND, starts=clock.now() + timedelta(days=7))
    await p.rounds.open(c.id, ROUND)
    await p.applications.import_rows(c, ROUND, generate_pool(2 * pairs, seed=7), approve=True)
    await p.rounds.close(c.id, ROUND)
    # Paired by hand, in submission order: the matcher is not what this evidence is about.
    async with uow() as u:
        apps = await u.applications.list(round_.id, [ApplicationStatus.APPROVED])
        twos = zip(apps[::2], apps[1::2], strict=True)
        groups = [
            NewGroup(n, (a.member_id, b.member_id), 1.0, ()) for n, (a, b) in enumerate(twos, 1)
        ]
        await u.groups.replace_proposal(round_.id, groups)
        await u.commit()
    await p.matches.publish(c, ROUND)
    async with RemotePlatform(standin.url) as remote:
        delivery = DeliveryService(uow=uow, clock=clock, platforms={Platform.LOCAL: remote})
        await delivery.run_due()  # the pair spaces and the announcements
        await p.rounds.start(c.id, ROUND)
        await delivery.run_due()  # the start announcement
        assert await delivery.enqueue_due_topics(round_.id) == pairs + 1
    async with uow() as u:
        made = await u.outbox.list(c.id, round_id=round_.id, kinds=[ActionKind.CREATE_SPACE])
    spaces = {a.payload["group"]: a.result["space_id"] for a in made}
    assert len(spaces) == pairs
    return TopicRound(c.id, round_.id, spaces)


async def kill_loop(
    uow: UnitOfWorkFactory,
    database_url: str,
    standin: StandIn,
    kills: int,
    *,
    seed: int,
    log: Path,
) -> KillRun:
    """Start a worker and SIGKILL it after a random delay, *kills* times; then let one finish."""
    rng = random.Random(seed)
    run = KillRun()
    pending = await _pending_keys(uow)
    pace = ("--rate", str(WORKER_RATE))
    started = time.perf_counter()
    while run.kills < kills:
        # The mean delay gives each killed worker about an equal share of what is left, at
        # full pace (a first try is one request); at most 1.5 shares, so none can finish.
        share = len(pending) / (kills - run.kills + 1)
        delay = rng.uniform(0, 1.5 * share / WORKER_RATE)
        held = run.kills % HELD_EVERY == HELD_EVERY - 1
        if held:
            seen = len((await standin.record())["calls"])
            target = seen + rng.randint(1, max(1, int(share)))
            await standin.control(hold_after_calls=target)
        concurrency = str(CONCURRENCY[run.kills % len(CONCURRENCY)])
        worker_args = (*pace, "--concurrency", concurrency)
        async with Worker(database_url, standin.url, *worker_args, log=log) as worker:
            await worker.ready()
            if held:
                await standin.wait_for_call(target)
            else:
                await asyncio.sleep(delay)
            killed = await worker.kill()
        pending = await _pending_keys(uow)
        if not killed:
            raise AssertionError(f"the worker finished before its kill after {delay:.3f}s")
        run.kills += 1
        run.held += held
        if not held:
            run.delays.append(delay)
        recorded = {c["key"] for c in (await standin.record())["calls"]}
        fresh_doubt = (recorded & pending) - run.doubted
        run.in_doubt += bool(fresh_doubt)
        run.doubted |= fresh_doubt
    async with Worker(database_url, standin.url, *pace, log=log) as worker:
        await worker.ready()
        await worker.finish(within=120)
    run.seconds = time.perf_counter() - started
    return run


async def outcome(uow: UnitOfWorkFactory, standin: StandIn, setup: TopicRound) -> Outcome:
    """Compare what the stand-in recorded with what the round should have received."""
    calls = (await standin.record())["calls"]
    posts = Counter(c["key"] for c in calls if c["op"] == "post")
    where = {(c["key"], c["space"]) for c in calls if c["op"] == "post"}
    expected = {topic_post_key(setup.round_id, g, 0): s for g, s in setup.spaces.items()}
    threads = [c for c in calls if c["op"] == "open_thread"]
    async with uow() as u:
        actions = await u.outbox.list(setup.community_id)
    states = Counter(a.state for a in actions)
    return Outcome(
        missing=sorted(k for k in expected if k not in posts),
        duplicates={k: n for k, n in posts.items() if n > 1},
        misplaced=sorted(k for k, s in where if expected.get(k) != s),
        threads=sum(c["key"] == topic_thread_key(setup.round_id, 0) for c in threads),
        pending=states[ActionState.PENDING],
        failed=states[ActionState.FAILED],
    )


async def _pending_keys(uow: UnitOfWorkFactory) -> set[str]:
    async with uow() as u:
        community = await u.communities.find(Platform.LOCAL, "durability")
        assert community is not None
        actions = await u.outbox.list(community.id, states=[ActionState.PENDING])
    return {a.key for a in actions}


async def test_a_topic_reaches_every_pair_once_however_often_the_worker_is_killed(
    database_url: str, uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    """SIGKILLed and restarted at random points, workers post to each of 581 pairs exactly once."""
    started = time.perf_counter()
    async with StandIn("--latency", "0.002", record=tmp_path / "calls.jsonl") as standin:
        setup = await topic_round(uow_factory, standin, PAIRS)
        run = await kill_loop(
            uow_factory, database_url, standin, KILL_POINTS, seed=2027, log=tmp_path / "worker.log"
        )
        result = await outcome(uow_factory, standin, setup)
    print(
        f"\n{KILL_POINTS} kill points on {database_url.split(':')[0]}: "
        f"missing {len(result.missing)}, duplicates {len(result.duplicates)}, "
        f"kills leaving posts in doubt {run.in_doubt} ({run.held} held; "
        f"{len(run.doubted)} posts in doubt), "
        f"delivery with kills {run.seconds:.1f}s, "
        f"test {time.perf_counter() - started:.1f}s"
    )
    assert run.kills == KILL_POINTS
    assert result.missing == []
    assert result.duplicates == {}
    assert result.misplaced == []
    assert result.threads == 1
    assert (result.pending, result.failed) == (0, 0)
    # The kills did hit the window the key check is for.
    assert run.in_doubt >= run.held == KILL_POINTS // HELD_EVERY


async def test_the_remote_adapter_checks_for_an_earlier_try_only_on_a_retry(
    tmp_path: Path,
) -> None:
    """Repeated as retries, RemotePlatform's calls find what the first tries made."""
    community = Community(1, Platform.LOCAL, "c1", "Durability", CommunitySettings())
    members = [MemberRef(Platform.LOCAL, "m1"), MemberRef(Platform.LOCAL, "m2")]
    hello = Message("Hello", "Two of you.")
    async with StandIn() as standin, RemotePlatform(standin.url) as remote:
        for retry in (False, True):
            space = await remote.create_pair_space(
                community, "pair 1", members, hello, key="s", retry=retry
            )
            await remote.post(space, hello, key="p", retry=retry)
            await remote.open_topic_thread(community, "Topic 1", hello, key="t", retry=retry)
            assert await remote.direct_message(community, members[0], hello, key="d", retry=retry)
            await remote.announce(community, hello, key="a", retry=retry)
            await remote.alert_organisers(community, hello, key="o", retry=retry)
            await remote.archive_space(space, hello, key="g", retry=retry)
            if not retry:
                first_tries = remote.requests
        activity = await remote.activity(space)
        calls = (await standin.record())["calls"]
    ops = Counter(c["op"] for c in calls)
    assert ops == {
        "create_space": 1,
        "post": 2,  # the topic and the goodbye
        "open_thread": 1,
        "direct_message": 1,
        "announce": 1,
        "alert": 1,
        "archive": 1,
    }
    # A first try spends no request on a check; a retry spends one per call.
    assert first_tries == 8  # seven calls, and archiving is a second request
    assert remote.requests - first_tries == 8 + 1  # the checks, the archive and activity
    assert activity.total == 0
