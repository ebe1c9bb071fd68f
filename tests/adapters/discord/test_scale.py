"""A whole round's fan-out in one server, at the sizes Discord's thread cap is about.

Opt-in (slow): PENPALS_DISCORD_SCALE=2000 python -m pytest -s tests/adapters/discord/test_scale.py
provisions that many pair threads with the default settings against a stand-in that
enforces the 1,000 active-thread cap, one day's budget of new threads at a time (the
test moves the platform's wall clock; the stand-in archives idle threads as Discord
would), then posts a topic to every thread the same way. The second test runs a
round of 2 x PENPALS_DISCORD_SCALE applicants through the commands and the outbox.
docs/discord.md quotes the numbers these print.
"""

from __future__ import annotations

import os
import time

import pytest

from core.model import MemberRef, Platform
from core.platform import DeliveryFailed, Message, SpaceRef
from tests.adapters.discord import payloads as p
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.rounds import publish_round

PAIRS = int(os.environ.get("PENPALS_DISCORD_SCALE", "0"))
DAY = 86_400.0

pytestmark = pytest.mark.skipif(not PAIRS, reason="set PENPALS_DISCORD_SCALE=2000 to run")


async def test_a_round_of_many_pairs_never_reaches_the_thread_cap(bot: Bot) -> None:
    """Every pair gets its thread and a topic, spread over days; never 1,000 active threads."""
    community = await bot.configure()
    s = bot.standin
    s.max_active_threads = 1000
    clock = bot.wall
    platform = bot.platform
    people = bot.add_people(2 * PAIRS)
    hello = Message("Meet your partner", "Say hello.")
    topic = Message("Topic 1 of 9: Getting to know each other", "Agree on goals.")
    spaces: list[SpaceRef] = []
    days: dict[str, float] = {}

    async def each_day(what: str, todo: int, step) -> float:
        started, n, skipped = time.monotonic(), 0, clock.skipped
        while n < todo:
            try:
                await step(n)
                n += 1
            except DeliveryFailed as wait:
                assert not wait.permanent and wait.retry_after
                clock.skipped += wait.retry_after
                s.idle_day()  # nobody talked: Discord archived the day's threads
        days[what] = (clock.skipped - skipped) / DAY
        return time.monotonic() - started

    async def make(n: int) -> None:
        members = [MemberRef(Platform.DISCORD, str(u)) for u in people[2 * n : 2 * n + 2]]
        spaces.append(
            await platform.create_pair_space(
                community, f"2027A pair {n + 1}", members, hello, key=f"r1:g{n + 1}:space"
            )
        )

    async def post(n: int) -> None:
        await platform.post(spaces[n], topic, key=f"r1:g{n + 1}:t0")

    provisioned = await each_day("threads", PAIRS, make)
    s.idle_day()
    clock.skipped += DAY
    posted = await each_day("topic", PAIRS, post)
    print(
        f"\n{PAIRS} pairs: threads in {provisioned:.1f} s spread over {days['threads']:.2f} days, "
        f"topic to all in {posted:.1f} s spread over {days['topic']:.2f} days, "
        f"{len(s.requests)} requests, peak {s.peak_active_threads} active threads"
    )
    assert len(s.threads(p.PRIVATE_THREAD)) == PAIRS
    assert s.peak_active_threads < 1000
    assert not [r for r in s.requests if r.status >= 400]


async def test_a_whole_round_through_the_commands_and_the_outbox(bot: Bot) -> None:
    """Publish 2 x PENPALS_DISCORD_SCALE applicants via /round publish; deliver day by day."""
    started = time.monotonic()
    groups = await publish_round(bot, 2 * PAIRS)
    published = time.monotonic() - started
    s = bot.standin
    started, days = time.monotonic(), 0
    while len(s.threads(p.PRIVATE_THREAD)) < len(groups):
        report = await bot.deliver()
        assert report.failed == 0
        if report.retried:  # the day's budget is spent: the rest follows tomorrow
            days += 1
            bot.clock.advance(days=1)
            bot.wall.skipped += DAY
            s.idle_day()
    delivered = time.monotonic() - started
    print(
        f"\n{2 * PAIRS} applicants -> {len(groups)} groups: published in {published:.1f} s, "
        f"every pair thread delivered in {delivered:.1f} s over {days + 1} days, "
        f"{len(s.requests)} requests, peak {s.peak_active_threads} active"
    )
    assert s.peak_active_threads < 1000
    assert not [r for r in s.requests if r.status >= 400]
