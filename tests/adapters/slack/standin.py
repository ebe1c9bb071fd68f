"""A local stand-in of the Slack Web API (and Socket Mode), served on 127.0.0.1.

It keeps a small workspace in memory (users, user groups, channels with members
and messages, opened views), answers the methods penpals calls with Slack-shaped
bodies ({"ok": true, ...} / {"ok": false, "error": "name_taken"}), checks the
bot's scopes per method and per kind of channel, enforces configurable rate limits
with 429 + Retry-After, can be told to fail the next call of a method, and
records every call. Tests point the real AsyncWebClient at `api_url`.

Socket Mode: apps.connections.open hands out a ws:// URL on the same server; a
test sends an envelope with `socket_request` and gets the app's acknowledgement.

The parts: standin_model (refusals, calls, channels, scopes, block checks),
standin_state (the workspace as data and what tests arrange), standin_http (the
server, tokens, rate limits, faults, Socket Mode), standin_conversations
(conversations.*), standin_methods (auth, OAuth, chat, users, files, user
groups, views) and standin_home (views.publish, app_home_opened, Home presses).
"""

from __future__ import annotations

from tests.adapters.slack.standin_conversations import Conversations
from tests.adapters.slack.standin_home import Home
from tests.adapters.slack.standin_http import Http
from tests.adapters.slack.standin_methods import Methods
from tests.adapters.slack.standin_model import (
    METHOD_SCOPES,
    RESPONSE_URL_USES,
    SCOPE_ALIASES,
    TRIGGER_TTL,
    Call,
    Channel,
    Json,
    Refusal,
    check_blocks,
    wait_until,
)

__all__ = [
    "METHOD_SCOPES",
    "RESPONSE_URL_USES",
    "SCOPE_ALIASES",
    "TRIGGER_TTL",
    "Call",
    "Channel",
    "Json",
    "Refusal",
    "SlackStandIn",
    "check_blocks",
    "wait_until",
]


class SlackStandIn(Http, Conversations, Methods, Home):
    """A Slack workspace in memory behind the Web API's HTTP interface."""
