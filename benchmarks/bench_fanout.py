"""Benchmark the fan-out of one topic to many pairs against a platform with a fixed rate limit.

Usage: python benchmarks/bench_fanout.py [--pairs 10000] [--rate 50] [--burst 5]
           [--concurrency 4] [--database URL] [--latency 0]

The platform stand-in (tests/durability/standin.py, its own process) answers 429
beyond `rate` requests a second (bursts of 10); RemotePlatform paces itself at the
same rate (bursts of --burst). The round is set up through the services with
empty groups (the posts do not need members) and spaces made directly on the
stand-in; then the topic is enqueued and DeliveryService.run_due() is timed until
the outbox is empty, with --concurrency deliveries in flight at once (1: one after
the other, as bots.bootstrap wires it today). It prints the wall time, the minimum
the rate allows for the requests made (one per post: a first try makes no key
check), their ratio (target: at most 1.05), the 429s seen, and missing and
duplicate posts (both must be 0). With --rate 0 nothing is paced: the ratio is
then meaningless, but the time per action shows how fast the delivery loop itself
is, and where its time goes.

--database defaults to a fresh SQLite file; a PostgreSQL URL must name a database
migrated to head (the benchmark adds its own community each run).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.remote import Pacer, RemotePlatform
from adapters.storage.engine import create_engine
from adapters.storage.migrate import upgrade_async
from adapters.storage.uow import unit_of_work_factory
from core.delivery.outbox import ActionKind, ActionState, topic_post_key
from core.delivery.service import DeliveryService
from core.model import Platform
from core.ports import NewGroup, UnitOfWorkFactory
from tests.durability.standin import StandIn
from tests.support import FixedClock, program

ROUND = "bench"


async def fan_out_round(
    uow: UnitOfWorkFactory, standin: StandIn, pairs: int, clock: FixedClock
) -> tuple[int, int, dict[int, str]]:
    """Publish *pairs* groups, make their spaces, start the round; return ids and spaces."""
    p = program(uow, clock)
    c = await p.communities.ensure(Platform.LOCAL, f"bench-{uuid.uuid4().hex[:8]}", "Bench")
    round_, _ = await p.rounds.create(c.id, ROUND, starts=clock.now() + timedelta(days=7))
    await p.rounds.open(c.id, ROUND)
    await p.rounds.close(c.id, ROUND)
    async with uow() as u:
        await u.groups.replace_proposal(
            round_.id, [NewGroup(n, (), 1.0, ()) for n in range(1, pairs + 1)]
        )
        await u.commit()
    await p.matches.publish(c, ROUND)
    spaces = await make_spaces(uow, standin, c.id, round_.id, clock.now())
    await p.rounds.start(c.id, ROUND)
    return c.id, round_.id, spaces


async def make_spaces(
    uow: UnitOfWorkFactory, standin: StandIn, community_id: int, round_id: int, now: datetime
) -> dict[int, str]:
    """Make the round's pair spaces on the stand-in directly and mark their actions done.

    Set-up only: through the rate limit, 10,000 spaces would take minutes more.
    """
    async with uow() as u:
        actions = await u.outbox.list(
            community_id,
            round_id=round_id,
            kinds=[ActionKind.CREATE_SPACE],
            states=[ActionState.PENDING],
        )
        made = await standin.seed_spaces([{"key": a.key, "name": a.key} for a in actions])
        for action, space in zip(actions, made, strict=True):
            result = {"space_id": space["id"], "name": space["name"], "url": space["url"]}
            await u.outbox.finish(action.id, result, now)
        await u.commit()
    return {a.payload["group"]: s["id"] for a, s in zip(actions, made, strict=True)}


def http_timer() -> tuple[aiohttp.TraceConfig, list[float]]:
    """Return a trace config that adds each request's duration to a one-item list."""
    spent = [0.0]
    trace = aiohttp.TraceConfig()

    async def start(_: aiohttp.ClientSession, context: SimpleNamespace, __: object) -> None:
        context.began = time.perf_counter()

    async def end(_: aiohttp.ClientSession, context: SimpleNamespace, __: object) -> None:
        spent[0] += time.perf_counter() - context.began

    trace.on_request_start.append(start)
    trace.on_request_end.append(end)
    return trace, spent


async def bench(args: argparse.Namespace, database_url: str) -> None:
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    uow = unit_of_work_factory(engine)
    # An hour ago, so that the topic is due at once.
    clock = FixedClock(datetime.now(UTC) - timedelta(hours=1))
    rate = args.rate or None
    server = ["--rate", str(rate), "--burst", "10"] if rate else []
    try:
        async with StandIn(*server, "--latency", str(args.latency)) as standin:
            began = time.perf_counter()
            community_id, round_id, spaces = await fan_out_round(uow, standin, args.pairs, clock)
            trace, http_seconds = http_timer()
            session = aiohttp.ClientSession(trace_configs=[trace])
            remote = RemotePlatform(
                standin.url, pacer=Pacer(rate, burst=args.burst), session=session
            )
            delivery = DeliveryService(
                uow=uow,
                clock=clock,
                platforms={Platform.LOCAL: remote},
                concurrency=args.concurrency,
            )
            await delivery.run_due()  # the announcements
            enqueued = await delivery.enqueue_due_topics(round_id)
            print(f"set-up: {args.pairs} pairs in {time.perf_counter() - began:.1f}s")
            requests_before, http_seconds[0] = remote.requests, 0.0
            started = time.perf_counter()
            report = await delivery.run_due()
            wall = time.perf_counter() - started
            await session.close()
            record = await standin.record()
        async with uow() as u:
            left = await u.outbox.list(community_id, states=[ActionState.PENDING])
    finally:
        await engine.dispose()
    posts = Counter(c["key"] for c in record["calls"] if c["op"] == "post")
    expected = {topic_post_key(round_id, g, 0) for g in spaces}
    requests = remote.requests - requests_before
    print(
        f"database: {engine.url.get_backend_name()}, concurrency: {args.concurrency}, "
        f"actions: {enqueued}, tally: {report}"
    )
    print(f"wall time: {wall:.1f}s for {requests} requests ({enqueued / wall:.1f} actions/s)")
    if rate:
        minimum = requests / rate
        print(f"minimum at {rate:g} requests/s: {minimum:.1f}s, ratio {wall / minimum:.3f}")
    per_action = 1000 * wall / enqueued
    in_http = 1000 * http_seconds[0] / enqueued
    print(f"per action: {per_action:.1f} ms, of which {in_http:.1f} ms in HTTP requests")
    stats = record["stats"]
    print(
        f"429s: {stats.get('rate_429', 0)} (adapter saw {remote.rate_limited}); "
        f"missing: {len(expected - posts.keys())}; "
        f"duplicates: {sum(n - 1 for n in posts.values() if n > 1)}; still pending: {len(left)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0, help="requests/s; 0: unlimited")
    parser.add_argument("--burst", type=int, default=5, help="the adapter's pacer burst")
    parser.add_argument("--concurrency", type=int, default=4, help="deliveries in flight")
    parser.add_argument("--latency", type=float, default=0.0, help="stand-in latency, each side")
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
        asyncio.run(bench(args, url))


if __name__ == "__main__":
    main()
