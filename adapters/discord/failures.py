"""Translate Discord's refusals into core.platform.DeliveryFailed, saying what to do."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from adapters.discord.permissions import names
from core.platform import DeliveryFailed

# Discord JSON error codes penpals reacts to.
UNKNOWN_CHANNEL = 10003
UNKNOWN_MEMBER = 10007
UNKNOWN_MESSAGE = 10008
UNKNOWN_USER = 10013
MISSING_ACCESS = 50001
CANNOT_DM = 50007
MISSING_PERMISSIONS = 50013
THREAD_ARCHIVED = 50083
THREAD_ALREADY_CREATED = 160004  # a message can start one thread only
MAX_ACTIVE_THREADS = 160006

# How long to wait before trying again after a refusal with no better hint.
SERVER_ERROR_WAIT = 30.0
THREAD_CAP_WAIT = 15 * 60.0
RELIEVED_WAIT = 5.0  # after archiving quiet threads to make room


class ThreadCapReached(DeliveryFailed):
    """Discord refused because the server has reached its active-thread cap (160006)."""


def retry_after(exc: discord.HTTPException, default: float = 5.0) -> float:
    """Return how long Discord asked us to wait (429), from its headers."""
    header = exc.response.headers.get("Retry-After") if exc.response is not None else None
    try:
        return max(float(header), 0.1) if header else default
    except ValueError:
        return default


def rate_limited(exc: discord.RateLimited, doing: str) -> DeliveryFailed:
    """Return the temporary failure for a rate limit longer than the client waits by itself."""
    return DeliveryFailed(
        f"Discord asked to wait {exc.retry_after:.0f} s before trying to {doing} again",
        permanent=False,
        retry_after=exc.retry_after,
    )


def failure(exc: discord.HTTPException, doing: str, needed: Sequence[str] = ()) -> DeliveryFailed:
    """Return the DeliveryFailed for Discord refusing to do *doing*."""
    code = exc.code
    if exc.status == 429:
        wait = retry_after(exc)
        return DeliveryFailed(
            f"Discord is rate limiting the bot ({doing}): trying again in {wait:.0f} s",
            permanent=False,
            retry_after=wait,
        )
    if code == MISSING_PERMISSIONS:
        what = names(needed) if needed else "a permission"
        return DeliveryFailed(
            f"the bot is missing {what} to {doing}: grant it to the bot's role "
            "in that channel (Edit Channel → Permissions)"
        )
    if code == MISSING_ACCESS:
        return DeliveryFailed(
            f"the bot cannot see the channel to {doing}: give its role View Channels there"
        )
    if code == UNKNOWN_CHANNEL:
        return DeliveryFailed(
            f"the channel no longer exists ({doing}): choose another one with /setup"
        )
    if code in (UNKNOWN_MEMBER, UNKNOWN_USER):
        return DeliveryFailed(f"the member has left the server ({doing})")
    if code == MAX_ACTIVE_THREADS:
        return ThreadCapReached(
            f"the server is at Discord's limit of active threads ({doing}): "
            "trying again when some have gone quiet",
            permanent=False,
            retry_after=THREAD_CAP_WAIT,
        )
    if exc.status >= 500:
        return DeliveryFailed(
            f"Discord had a server error ({doing}): trying again shortly",
            permanent=False,
            retry_after=SERVER_ERROR_WAIT,
        )
    return DeliveryFailed(f"Discord refused to {doing}: {exc.text or exc.status} (code {code})")
