"""A local stand-in of the parts of Discord that penpals uses: REST API and gateway.

Served by aiohttp on 127.0.0.1; the real discord.py client connects to it (HELLO,
IDENTIFY, READY, GUILD_CREATE, heartbeats) and makes its REST calls to it. Tests
inject interactions (slash commands, autocomplete, modal submits, button presses)
as INTERACTION_CREATE dispatches and read back what the bot answered and every
request it made. It answers like Discord, including 429 with retry_after and the
JSON error codes penpals handles (50007, 50013, 50035, 50083, 160004, 160006...). Messages and
interaction answers with files come as multipart/form-data (payload_json plus
files[n]), as discord.py sends them; the files are kept with the request.

Several servers can be served at once (add_guild): each has its own owner, roles,
members and channels; the gateway sends a GUILD_CREATE for each, and permissions,
thread members, thread caps and interactions are those of the channel's own server.

The parts: standin_model (requests, faults, replies, limits), standin_state (the
server as data), standin_gateway, standin_interactions, standin_channels (REST for
channels, threads and messages) and standin_http (the server, routes, recording).
"""

from __future__ import annotations

from tests.adapters.discord.standin_channels import Channels
from tests.adapters.discord.standin_gateway import Gateway
from tests.adapters.discord.standin_http import Http
from tests.adapters.discord.standin_interactions import Interactions
from tests.adapters.discord.standin_model import (
    API,
    CONTENT_MAX,
    EPHEMERAL,
    GUILD_MEMBERS_INTENT,
    Channel,
    Fault,
    Recorded,
    Refused,
    Reply,
    Request,
    Role,
    Upload,
)

__all__ = [
    "API",
    "CONTENT_MAX",
    "EPHEMERAL",
    "GUILD_MEMBERS_INTENT",
    "Channel",
    "DiscordStandIn",
    "Fault",
    "Recorded",
    "Refused",
    "Reply",
    "Request",
    "Role",
    "Upload",
]


class DiscordStandIn(Http, Gateway, Interactions, Channels):
    """Discord servers (one to start with; add_guild for more) with their channels, members
    and threads, the bot a member of each, and the bot's application."""

    def __init__(self, *, guild_name: str = "Librarians Network") -> None:
        super().__init__(guild_name=guild_name)
        self._add_routes()
