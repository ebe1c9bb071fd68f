"""A 429 storm in the middle of a fan-out: delivery waits it out, drops nothing, repeats nothing.

The stand-in answers every request with 429 and a Retry-After of 1-2 s for a few
seconds (a minute in benchmarks/bench_kill.py --storm 60), starting after the
worker's first ten posts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.remote import RemotePlatform
from core.model import Community, CommunitySettings, Platform
from core.platform import DeliveryFailed, Message, SpaceRef
from core.ports import UnitOfWorkFactory
from tests.durability.standin import StandIn
from tests.durability.test_kill import outcome, topic_round
from tests.durability.worker import Worker

PAIRS = 100
STORM_SECONDS = 6.0
EARLY_CALLS = 10  # the topic thread and nine posts go through before the storm


@dataclass(frozen=True)
class StormRun:
    seconds: float  # from the worker's start to its exit
    refused: int  # 429s the stand-in answered during the storm
    tally: dict[str, Any]  # the worker's
    calls: list[dict[str, Any]]  # what the stand-in recorded after the set-up


async def storm_run(
    database_url: str, standin: StandIn, storm_seconds: float, *, log: Path
) -> StormRun:
    """Run a worker through a storm of 429s that starts after its first few posts."""
    before = len((await standin.record())["calls"])
    await standin.control(storm_seconds=storm_seconds, storm_after_calls=before + EARLY_CALLS)
    async with Worker(database_url, standin.url, log=log) as worker:
        await worker.ready()
        started = time.perf_counter()
        tally = await worker.finish(within=storm_seconds + 120)
        took = time.perf_counter() - started
    record = await standin.record()
    return StormRun(took, record["stats"].get("storm_429", 0), tally, record["calls"][before:])


async def test_a_429_storm_delays_the_fan_out_but_loses_and_repeats_nothing(
    database_url: str, uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    """After a storm of 429s every pair has its topic once, and nothing is marked failed."""
    async with StandIn(record=tmp_path / "calls.jsonl") as standin:
        setup = await topic_round(uow_factory, standin, PAIRS)
        run = await storm_run(database_url, standin, STORM_SECONDS, log=tmp_path / "worker.log")
        result = await outcome(uow_factory, standin, setup)
    print(f"\nstorm of {STORM_SECONDS:g}s: {run.refused} 429s, delivered in {run.seconds:.1f}s")
    assert result.missing == []
    assert result.duplicates == {}
    assert result.misplaced == []
    assert result.threads == 1
    assert (result.pending, result.failed, run.tally["failed"]) == (0, 0, 0)
    # The worker met the storm, and paused for each Retry-After rather than hammering.
    assert run.tally["rate_limited"] == run.refused >= 1
    assert run.refused <= STORM_SECONDS + 1
    storm_began = run.calls[EARLY_CALLS - 1]["at"]
    during = [c for c in run.calls[EARLY_CALLS:] if c["at"] < storm_began + STORM_SECONDS - 0.05]
    assert during == []
    assert run.seconds >= STORM_SECONDS


async def test_the_remote_adapter_pauses_for_429s_and_gives_up_on_403_and_404() -> None:
    """429 is temporary with its Retry-After and holds the next call back; 403, 404 are final."""
    community = Community(1, Platform.LOCAL, "c1", "Durability", CommunitySettings())
    hello = Message("Hello", "Two of you.")
    async with StandIn() as standin, RemotePlatform(standin.url) as remote:
        space = await remote.create_pair_space(community, "pair 1", [], hello, key="s")
        await standin.control(storm_seconds=0.5, retry_after=[1, 1])
        with pytest.raises(DeliveryFailed) as limited:
            await remote.post(space, hello, key="p")
        started = time.perf_counter()
        await remote.post(space, hello, key="p")
        waited = time.perf_counter() - started
        await remote.archive_space(space, hello, key="g")
        with pytest.raises(DeliveryFailed) as archived:
            await remote.post(space, hello, key="late")
        with pytest.raises(DeliveryFailed) as unknown:
            await remote.post(SpaceRef(Platform.LOCAL, "s404"), hello, key="lost")
    assert (limited.value.permanent, limited.value.retry_after) == (False, 1.0)
    assert waited >= 0.9
    assert archived.value.permanent and "403" in str(archived.value)
    assert unknown.value.permanent and "404" in str(unknown.value)
