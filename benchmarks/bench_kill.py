"""Benchmark durable delivery under fault injection: SIGKILLed workers, and a 429 storm.

Usage: python benchmarks/bench_kill.py [--kills 100] [--seed 2027] [--postgres URL]
           [--storm 60] [--pairs 581]

The kill loop is tests/durability/test_kill.py's, with more kill points: a topic
date for 581 pairs is delivered by worker processes (one or four deliveries in
flight, in turns) SIGKILLed at random moments and restarted, then one is let
finish; the stand-in's record is checked for missing and duplicate posts.
--storm S then runs tests/durability/test_storm.py's scenario on a fresh round,
with a storm of S seconds (the issue's minute: 60).
--kills 0 skips the kill loop.

The database is a fresh SQLite file, or with --postgres (a URL of any database on
a server where the user may create databases) a fresh PostgreSQL database,
dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.storage.engine import create_engine
from adapters.storage.engine import database_url as parse_database_url
from adapters.storage.migrate import upgrade_async
from adapters.storage.uow import unit_of_work_factory
from tests.conftest import PostgresServer
from tests.durability.standin import StandIn
from tests.durability.test_kill import Outcome, kill_loop, outcome, topic_round
from tests.durability.test_storm import storm_run


@asynccontextmanager
async def fresh_database(postgres: str | None, scratch: Path) -> AsyncIterator[str]:
    """Yield the URL of a new database migrated to head; drop it afterwards (PostgreSQL)."""
    if postgres is None:
        url = f"sqlite+aiosqlite:///{scratch / f'bench-{time.monotonic_ns()}.db'}"
        await upgrade_async(url)
        yield url
        return
    server = PostgresServer(parse_database_url(postgres))
    name = server.new_name("bench")
    try:
        await server.create(name)
        await upgrade_async(server.url(name))
        yield server.url(name)
    finally:
        await server.drop(name)
        await server.close()


def show(result: Outcome) -> str:
    return (
        f"missing {len(result.missing)}, duplicates {len(result.duplicates)}, "
        f"misplaced {len(result.misplaced)}, topic threads {result.threads}, "
        f"pending {result.pending}, failed {result.failed}"
    )


async def kills(args: argparse.Namespace, scratch: Path) -> None:
    async with fresh_database(args.postgres, scratch) as url:
        engine = create_engine(url)
        uow = unit_of_work_factory(engine)
        try:
            async with StandIn("--latency", "0.002", record=scratch / "kill.jsonl") as standin:
                began = time.perf_counter()
                setup = await topic_round(uow, standin, args.pairs)
                ready = time.perf_counter()
                run = await kill_loop(
                    uow, url, standin, args.kills, seed=args.seed, log=scratch / "worker.log"
                )
                result = await outcome(uow, standin, setup)
        finally:
            await engine.dispose()
    print(f"kill loop on {engine.url.get_backend_name()}, {args.pairs} pairs, seed {args.seed}")
    print(f"  set-up {ready - began:.1f}s; {run.kills} kills + a last worker: {run.seconds:.1f}s")
    print(f"  random kill delays after start-up: {min(run.delays):.3f}s to {max(run.delays):.3f}s")
    print(
        f"  kills that left a post on the platform but not done in the outbox: {run.in_doubt}"
        f" ({run.held} of them made while the stand-in held back an answer);"
        f" posts left in doubt: {len(run.doubted)}"
    )
    print(f"  {show(result)}")


async def storm(args: argparse.Namespace, scratch: Path) -> None:
    async with fresh_database(args.postgres, scratch) as url:
        engine = create_engine(url)
        uow = unit_of_work_factory(engine)
        try:
            async with StandIn(record=scratch / "storm.jsonl") as standin:
                setup = await topic_round(uow, standin, args.pairs)
                run = await storm_run(url, standin, args.storm, log=scratch / "worker.log")
                result = await outcome(uow, standin, setup)
        finally:
            await engine.dispose()
    print(f"429 storm of {args.storm:g}s on {engine.url.get_backend_name()}, {args.pairs} pairs")
    print(f"  delivered in {run.seconds:.1f}s; 429s answered {run.refused}; worker: {run.tally}")
    print(f"  {show(result)}")


async def bench(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        if args.kills:
            await kills(args, Path(scratch))
        if args.storm:
            await storm(args, Path(scratch))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--pairs", type=int, default=581)
    parser.add_argument("--storm", type=float, default=0.0, help="seconds of 429s; 0: no storm")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
