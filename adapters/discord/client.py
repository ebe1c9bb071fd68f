"""The discord.py client of penpals: minimal intents, the command tree, endpoints from settings."""

from __future__ import annotations

import logging
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord import commands, texts
from adapters.discord.context import Deps, report_error

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://discord.com/api/v10"


def use_endpoints(api_url: str, gateway_url: str | None = None) -> None:
    """Point discord.py at a REST base URL and, when given, a gateway URL.

    discord.py reads both from class attributes, so this is process-wide; it is
    called at start-up from settings (tests use it to reach their stand-in).
    """
    Route.BASE = api_url.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url or "wss://gateway.discord.gg/")


def intents() -> discord.Intents:
    """Return the gateway intents penpals needs: guilds only (no privileged intent).

    Interactions carry the member's roles and permissions, so neither the members
    nor the message content intent is needed.
    """
    return discord.Intents(guilds=True)


class PenpalsClient(discord.Client):
    """A discord.py client with penpals' application commands."""

    def __init__(self, *, deps: Deps | None = None, **options: Any) -> None:
        # Long rate-limit waits come back as errors so the outbox can reschedule them.
        options.setdefault("max_ratelimit_timeout", 60.0)
        super().__init__(intents=intents(), **options)
        self.deps = deps
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self._on_command_error  # type: ignore[method-assign]
        commands.register(self.tree)

    async def setup_hook(self) -> None:
        """Register the persistent buttons and the commands' translator (runs at login).

        The buttons outlive restarts by their custom ids. The translator must be set
        before tree.sync() (penpals discord sync), which sends the localisations.
        """
        self.add_dynamic_items(*commands.DYNAMIC_ITEMS)
        await self.tree.set_translator(texts.CommandTranslator())

    async def on_ready(self) -> None:
        log.info("connected to Discord as %s in %d servers", self.user, len(self.guilds))

    @staticmethod
    async def _on_command_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)
