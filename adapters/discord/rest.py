"""discord.py's REST client, with Discord's refusals turned into DeliveryFailed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import discord
from discord.http import Route

from adapters.discord import failures
from adapters.discord.permissions import missing


class Rest:
    """Make REST calls through the bot's client (its session, rate limiting and cache)."""

    def __init__(self, client: Callable[[], discord.Client]) -> None:
        self._client = client

    async def __call__(
        self,
        route: Route,
        *,
        doing: str,
        needed: Sequence[str] = (),
        channel_id: int | None = None,
        passthrough: Sequence[int] = (),
        **kwargs: Any,
    ) -> Any:
        """Make one call; *doing* and *needed* say what failed and which permissions it takes.

        Error codes in *passthrough* come back as discord.HTTPException for the
        caller to handle (e.g. 50007, DMs closed).
        """
        try:
            return await self._client().http.request(route, **kwargs)
        except discord.RateLimited as exc:
            raise failures.rate_limited(exc, doing) from exc
        except discord.HTTPException as exc:
            if exc.code in passthrough:
                raise
            if exc.code == failures.MISSING_PERMISSIONS:
                needed = self.missing(channel_id, needed) or needed
            raise failures.failure(exc, doing, needed) from exc

    def missing(self, channel_id: int | None, needed: Sequence[str]) -> list[str]:
        """Return which of *needed* the bot lacks in the channel, per the gateway cache."""
        if channel_id is None:
            return []
        channel = self._client().get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel) or channel.guild.me is None:
            return []
        return missing(channel.permissions_for(channel.guild.me), needed)

    def channel_type(self, channel_id: int) -> int | None:
        """Return a channel's type from the gateway cache, if it is there."""
        cached = self._client().get_channel(channel_id)
        kind = getattr(cached, "type", None)
        return int(kind.value) if kind is not None else None

    def me(self) -> int | None:
        user = self._client().user
        return user.id if user else None
