"""discord.py's REST client, with Discord's refusals turned into DeliveryFailed.

discord.py repeats a request by itself after a 500, 502, 504 or 524 answer (and, on
some systems, after a connection reset). That is harmless for reads and for messages
(Discord drops a repeated nonce), but a repeated thread creation makes a second
thread. Calls made with `once=True` go out at most once: an aiohttp middleware turns
a server error or a lost connection into MaybeDone before discord.py can repeat
the request, and the caller looks for what Discord may have made before trying again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
import discord
from discord.http import Route

from adapters.discord import failures
from adapters.discord.permissions import missing
from core.platform import DeliveryFailed


class MaybeDone(DeliveryFailed):
    """A call made at most once got no clear answer: Discord may have carried it out."""

    def __init__(self, doing: str, why: str) -> None:
        super().__init__(
            f"Discord gave no clear answer ({why}) to {doing}: checking before trying again",
            permanent=False,
            retry_after=failures.SERVER_ERROR_WAIT,
        )


class _NoAnswer(Exception):
    """Raised inside discord.py's request loop; not an OSError, so it is never repeated."""


async def _at_most_once(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    try:
        response = await handler(request)
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise _NoAnswer(type(exc).__name__) from exc
    if response.status >= 500:
        response.release()
        raise _NoAnswer(f"HTTP {response.status}")
    return response


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
        once: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Make one call; *doing* and *needed* say what failed and which permissions it takes.

        Error codes in *passthrough* come back as discord.HTTPException for the
        caller to handle (e.g. 50007, DMs closed). With *once*, a call that gets no
        clear answer raises MaybeDone instead of being repeated (a 429 is still
        waited out and repeated: Discord did nothing).
        """
        if once:
            kwargs["middlewares"] = (_at_most_once,)
        try:
            return await self._client().http.request(route, **kwargs)
        except _NoAnswer as exc:
            raise MaybeDone(doing, str(exc)) from exc
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
