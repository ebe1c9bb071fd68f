"""Events API callbacks a stand-in workspace sends when penpals is removed from it.

The payloads are those of Slack's reference pages (api.slack.com/events/app_uninstalled
and /events/tokens_revoked): the event wrapper with team_id, api_app_id, event_id and
event_time; tokens_revoked lists the user ids whose tokens went, never the tokens.
Slack sends both when an app is removed, in no guaranteed order; `uninstall` revokes
the stand-in's bot token first, as Slack has by the time the events arrive.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from typing import Any

from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.standin import SlackStandIn

Json = dict[str, Any]


def wrapper(slack: SlackStandIn, event: Json) -> Json:
    """Return the Events API envelope around *event* (an event_callback)."""
    body: Json = {
        "token": "legacy-verification-token",
        "team_id": slack.team_id,
        "api_app_id": "APENPALS",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
    }
    if slack.enterprise_id:
        body["enterprise_id"] = slack.enterprise_id
    return body


def app_uninstalled(slack: SlackStandIn) -> Json:
    """Return app_uninstalled as Slack sends it: the event carries only its type."""
    return wrapper(slack, {"type": "app_uninstalled"})


def tokens_revoked(
    slack: SlackStandIn, *, bot: Sequence[str] | None = None, oauth: Sequence[str] = ()
) -> Json:
    """Return tokens_revoked: user ids of the revoked tokens, keyed by kind."""
    tokens: Json = {"bot": list(bot if bot is not None else [slack.bot_user])}
    if oauth:
        tokens["oauth"] = list(oauth)
    return wrapper(slack, {"type": "tokens_revoked", "tokens": tokens})


async def send(events: SignedClient, payload: Json) -> int:
    """POST *payload* signed, as JSON (the Events API's content type); return the status."""
    body = json.dumps(payload)
    status, _ = await events.send(
        body, {**events.headers(body), "Content-Type": "application/json"}
    )
    return status


async def uninstall(
    slack: SlackStandIn, events: SignedClient, *, order: str = "revoked"
) -> list[int]:
    """Remove penpals from *slack*: revoke its token, then send both events to the app."""
    slack.revoked = True
    both = [tokens_revoked(slack), app_uninstalled(slack)]
    if order != "revoked":
        both.reverse()
    return [await send(events, payload) for payload in both]
