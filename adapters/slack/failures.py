"""Translate Slack Web API errors into the port's DeliveryFailed.

A refusal that waiting cures (rate limit, Slack having a bad moment) is temporary
and carries how long to wait; anything an organiser has to fix is permanent and
says what to fix.
"""

from __future__ import annotations

import asyncio

import aiohttp
from slack_sdk.errors import SlackApiError

from core.platform import DeliveryFailed

TEMPORARY_WAIT = 30.0  # seconds, when Slack gives no Retry-After
_TEMPORARY = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
_FIXES = {
    "missing_scope": "the Slack app lacks the {needed} scope: add it to the app (see "
    "slack-manifest.yaml) and reinstall it in the workspace",
    "not_in_channel": "the bot is not a member of channel {channel}: invite it there with "
    "/invite @penpals",
    "channel_not_found": "channel {channel} does not exist or the bot cannot see it: "
    "choose another with /penpals setup",
    "is_archived": "channel {channel} is archived: unarchive it or choose another with "
    "/penpals setup",
    "user_not_found": "a member of this group is no longer in the workspace: rematch the group",
    "user_disabled": "a member of this group has been deactivated: rematch the group",
    "cant_invite": "Slack would not let the bot invite a member of this group (a guest "
    "account?): invite them by hand",
    "restricted_action": "the workspace's settings forbid the bot from doing this: let apps "
    "create and manage channels in the workspace settings",
    "invalid_auth": "Slack rejected the bot token: check SLACK_BOT_TOKEN",
    "not_authed": "Slack received no bot token: set SLACK_BOT_TOKEN",
    "token_revoked": "the bot token was revoked: reinstall the app and update SLACK_BOT_TOKEN",
    "account_inactive": "the bot's account is inactive: reinstall the app",
    "invalid_name": "Slack refused the channel name {name}",
    "msg_too_long": "the message is too long for Slack",
    "invalid_blocks": "Slack refused the message layout (invalid_blocks)",
}


def error_code(exc: SlackApiError) -> str:
    """Return Slack's error code of a failed call ("name_taken", "ratelimited"...)."""
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    return str(data.get("error", "unknown_error"))


def retry_after(exc: SlackApiError) -> float | None:
    """Return the Retry-After of a 429, in seconds, if Slack sent one."""
    headers = exc.response.headers or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
    return None


def delivery_failed(exc: BaseException, **context: str) -> DeliveryFailed:
    """Return the DeliveryFailed that *exc* means, its message saying what to fix."""
    if isinstance(exc, SlackApiError):
        code = error_code(exc)
        if code in _TEMPORARY or exc.response.status_code in (429, 500, 502, 503, 504):
            wait = retry_after(exc) if code == "ratelimited" else None
            return DeliveryFailed(
                f"Slack answered {code}: trying again later",
                permanent=False,
                retry_after=wait if wait is not None else TEMPORARY_WAIT,
            )
        data = exc.response.data if isinstance(exc.response.data, dict) else {}
        values = {"needed": str(data.get("needed", "a needed")), "channel": "?", "name": "?"}
        values.update({k: v for k, v in context.items() if v})
        fix = _FIXES.get(code)
        message = fix.format(**values) if fix else f"Slack refused the call ({code})"
        return DeliveryFailed(message, permanent=True)
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError):
        return DeliveryFailed(
            f"could not reach Slack ({type(exc).__name__}): trying again later",
            permanent=False,
            retry_after=TEMPORARY_WAIT,
        )
    return DeliveryFailed(f"unexpected failure talking to Slack: {exc}", permanent=True)
