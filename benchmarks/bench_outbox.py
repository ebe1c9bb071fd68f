"""Benchmark outbox delivery with an instant platform: how many actions a second.

Usage: python benchmarks/bench_outbox.py [--pairs 2000] [--database URL]

A round of --pairs groups of two (imported, approved applicants) is published
through the services, which enqueues one space creation per pair and the messages
that tell members the outcome (approval, pairing); then the round
starts and its first topic is enqueued, one post per pair. Both are delivered by
DeliveryService.run_due() to adapters.rehearsal's in-process platform, which
answers at once, so the figures are the cost of the delivery loop and the
database: the publication's actions a second, topic posts a second, and missing and
duplicate posts (both must be 0). Targets: 2,000 actions/s on SQLite, 1,000 on
PostgreSQL.

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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.rehearsal import RehearsalPlatform
from adapters.storage.engine import create_engine
from adapters.storage.migrate import upgrade_async
from adapters.storage.uow import unit_of_work_factory
from core.delivery.outbox import ActionState, topic_post_key
from core.delivery.service import DeliveryService
from core.matching.synthetic import generate_pool
from core.model import ApplicationStatus, Platform
from core.ports import NewGroup
from tests.support import FixedClock, program

ROUND = "bench"


async def bench(pairs: int, database_url: str) -> None:
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    uow = unit_of_work_factory(engine)
    # A week ago, so that the round can start and its first topic is due at once.
    clock = FixedClock(datetime.now(UTC) - timedelta(days=8))
    platform = RehearsalPlatform(Platform.LOCAL)
    delivery = DeliveryService(uow=uow, clock=clock, platforms={Platform.LOCAL: platform})
    p = program(uow, clock)
    try:
        began = time.perf_counter()
        c = await p.communities.ensure(Platform.LOCAL, f"bench-{uuid.uuid4().hex[:8]}", "Bench")
        round_, _ = await p.rounds.create(c.id, ROUND, starts=clock.now() + timedelta(days=1))
        await p.rounds.open(c.id, ROUND)
        await p.applications.import_rows(c, ROUND, generate_pool(2 * pairs, seed=7))
        await p.applications.decide(c.id, ROUND, ApplicationStatus.APPROVED, all_pending=True)
        await p.rounds.close(c.id, ROUND)
        async with uow() as u:
            ids = [a.member_id for a in await u.applications.list(round_.id)]
            await u.groups.replace_proposal(
                round_.id,
                [NewGroup(n + 1, (ids[2 * n], ids[2 * n + 1]), 1.0, ()) for n in range(pairs)],
            )
            await u.commit()
        await p.matches.publish(c, ROUND)
        print(f"set-up: {pairs} pairs in {time.perf_counter() - began:.1f}s")

        started = time.perf_counter()
        spaces = await delivery.run_due()
        space_wall = time.perf_counter() - started

        clock.advance(days=2)
        await p.rounds.start(c.id, ROUND)
        enqueued = await delivery.enqueue_due_topics(round_.id)
        started = time.perf_counter()
        posts = await delivery.run_due()
        post_wall = time.perf_counter() - started
        async with uow() as u:
            left = await u.outbox.list(c.id, states=[ActionState.PENDING])
    finally:
        await engine.dispose()
    posted = Counter(key for method, key in platform.calls if method == "post")
    expected = {topic_post_key(round_.id, g, 0) for g in range(1, pairs + 1)}
    print(f"database: {engine.url.get_backend_name()}")
    print(
        f"publication (pair spaces, members told): {spaces.done} in {space_wall:.2f}s "
        f"({spaces.done / space_wall:,.0f} actions/s)"
    )
    print(
        f"topic posts and thread: {posts.done} of {enqueued} in {post_wall:.2f}s "
        f"({posts.done / post_wall:,.0f} actions/s)"
    )
    print(
        f"missing: {len(expected - posted.keys())}; "
        f"duplicates: {sum(n - 1 for n in posted.values() if n > 1)}; "
        f"failed or retried: {spaces.failed + posts.failed}/{spaces.retried + posts.retried}; "
        f"still pending: {len(left)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2_000)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
        asyncio.run(bench(args.pairs, url))


if __name__ == "__main__":
    main()
