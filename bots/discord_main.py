"""Run penpals in Discord servers (`penpals run discord`) and sync its commands.

`penpals run discord` (and `penpals run all`) await serve(); it returns only when
cancelled. While it runs, a DiscordPlatform sharing the bot's HTTP client (and so
its 429 handling) and recording what it makes in the database is registered in
services.platforms, where the round engine's
delivery finds it. Commands are synced only on request (`penpals discord sync`):
Discord allows 200 command creations a day.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from adapters.discord.client import PenpalsClient, use_endpoints
from adapters.discord.context import Deps
from adapters.discord.platform import DiscordPlatform
from adapters.storage.platform_records import SqlPlatformRecords
from bots.bootstrap import Services
from bots.health import Health
from bots.settings import Settings
from core.errors import InvalidValue
from core.model import Platform

log = logging.getLogger("penpals.discord")


def _token(settings: Settings) -> str:
    if not settings.discord_token:
        raise InvalidValue(
            "DISCORD_TOKEN is not set: copy the bot token from the Discord developer portal "
            "(see docs/discord.md)"
        )
    return settings.discord_token


async def serve(
    settings: Settings,
    services: Services,
    *,
    platform: DiscordPlatform | None = None,
    client_options: Mapping[str, Any] | None = None,
    health: Health | None = None,
) -> None:
    """Serve the Discord bot until cancelled; deliver Discord's outbox actions meanwhile."""
    token = _token(settings)
    use_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    platform = platform or DiscordPlatform()
    client = PenpalsClient(deps=Deps(services), **dict(client_options or {}))
    # The platform records pair threads and its thread budget in the database.
    platform.bind(client, SqlPlatformRecords.over(services.engine))
    try:
        # Logged in, the REST client works: delivery may start before the gateway is up.
        await client.login(token)
        services.platforms[Platform.DISCORD] = platform
        services.wake()  # deliver what waited for Discord while it was not connected
        if health is not None:

            async def connected() -> bool:
                return client.is_ready() and not client.is_closed()

            health.watch("discord", connected)
        await client.connect()
    finally:
        services.platforms.pop(Platform.DISCORD, None)
        if health is not None:
            health.forget("discord")
        if not client.is_closed():
            await client.close()


async def sync_commands(settings: Settings) -> int:
    """Register penpals' application commands with Discord; return how many were synced."""
    token = _token(settings)
    use_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    client = PenpalsClient()
    try:
        await client.login(token)  # setup_hook sets the translator of the localisations
        synced = await client.tree.sync()
        log.info("synced %d application commands", len(synced))
        return len(synced)
    finally:
        await client.close()
