"""Fixtures: a Discord stand-in with one server, and the real bot (bots.discord_main.serve) on it.

The bot runs with the real services of bots.bootstrap on a fresh migrated SQLite
database (tests/conftest.py), a settable clock, and a DiscordPlatform whose REST
calls go to the stand-in. Nothing of penpals is replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.discord.platform import DiscordPlatform
from bots.bootstrap import Services, build
from bots.discord_main import serve
from bots.settings import Settings
from core.delivery.service import DeliveryReport
from core.matching.synthetic import generate_pool
from core.model import Community, Platform
from tests.adapters.discord import payloads as p
from tests.adapters.discord.standin import DiscordStandIn


class SettableClock:
    """A clock the test moves by hand (topic dates, application windows)."""

    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


class WallClock:
    """Real Unix time plus whatever the test skips (the platform's view of Discord's timers)."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.time() + self.skipped


@dataclass
class Server:
    """The stand-in's server as the scenarios use it."""

    standin: DiscordStandIn
    pairs: int
    forum: int
    announcements: int
    alerts: int
    organiser_role: int
    organiser: int
    member: int
    people: list[int] = field(default_factory=list)


@dataclass
class Bot:
    server: Server
    services: Services
    platform: DiscordPlatform
    clock: SettableClock
    settings: Settings
    wall: WallClock

    @property
    def standin(self) -> DiscordStandIn:
        return self.server.standin

    async def deliver(self) -> DeliveryReport:
        """Do what the round engine would now: advance live rounds, deliver what is due."""
        for round_ in await self.services.automation.live_rounds():
            await self.services.automation.advance(round_.id)
        return await self.services.delivery.run_due()

    def restarted(self, **options: Any) -> DiscordPlatform:
        """Return a platform as a freshly started process has it: same client and database."""
        return DiscordPlatform(self.platform.client, records=self.platform.records, **options)

    async def community(self) -> Community:
        return await self.services.communities.ensure(
            Platform.DISCORD, str(self.standin.guild_id), self.standin.guild_name
        )

    async def configure(self) -> Community:
        """Configure the community's channels and organiser role as /setup would."""
        c = await self.community()
        s = self.server
        await self.services.communities.configure(
            c.id,
            organiser_roles=(str(s.organiser_role),),
            channels={
                "pairs": str(s.pairs),
                "forum": str(s.forum),
                "announcements": str(s.announcements),
                "organiser_alerts": str(s.alerts),
            },
        )
        return await self.community()

    def add_people(self, n: int) -> list[int]:
        """Add *n* members to the stand-in server."""
        ids = [self.standin.add_member(f"member{i}") for i in range(n)]
        self.server.people += ids
        return ids

    async def import_applicants(self, round_name: str, ids: list[int], *, seed: int = 1) -> None:
        """Give each of *ids* a synthetic, realistic pending application."""
        rows = [
            replace(row, id=str(user), previous_partners=())
            for row, user in zip(generate_pool(len(ids), seed=seed), ids, strict=True)
        ]
        await self.services.applications.import_rows(await self.community(), round_name, rows)


@pytest.fixture
async def standin() -> AsyncIterator[DiscordStandIn]:
    """Yield a running Discord stand-in on a random loopback port."""
    server = DiscordStandIn()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def server(standin: DiscordStandIn) -> Server:
    """Lay out the stand-in's server: channels, an organiser role, an organiser and a member."""
    pairs = standin.add_channel("pairs")
    forum = standin.add_channel("community-forum", p.FORUM)
    announcements = standin.add_channel("announcements")
    alerts = standin.add_channel("organisers")
    role = standin.add_role("organisers")
    organiser = standin.add_member("olivia-organiser", roles=[role])
    member = standin.add_member("mika-member")
    return Server(standin, pairs, forum, announcements, alerts, role, organiser, member)


@pytest.fixture
async def bot(server: Server, sqlite_database_url: str) -> AsyncIterator[Bot]:
    """Run the real bot against the stand-in until the test ends."""
    standin = server.standin
    settings = Settings(
        _env_file=None,
        DISCORD_TOKEN="standin-token",
        database_url=sqlite_database_url,
        discord_api_url=standin.api_url,
        discord_gateway_url=standin.gateway_url,
    )
    clock = SettableClock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    async with build(settings, clock=clock) as services:
        wall = WallClock()
        platform = DiscordPlatform(wall_clock=wall)
        task = asyncio.create_task(
            serve(
                settings,
                services,
                platform=platform,
                client_options={"guild_ready_timeout": 0.01},
            )
        )
        try:
            await asyncio.wait_for(standin.identified.wait(), 10)
            yield Bot(server, services, platform, clock, settings, wall)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            # Let the events discord.py dispatched while closing run (not die unstarted).
            await asyncio.sleep(0.01)
