"""The stand-in's gateway: HELLO, IDENTIFY, READY, GUILD_CREATE, heartbeats, and the
events a test dispatches to the connected bot."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import WSMsgType, web

from tests.adapters.discord import payloads as p
from tests.adapters.discord.standin_state import Guild, State


class Gateway(State):
    """The gateway of one bot session: READY names every guild the bot is in, then a
    GUILD_CREATE for each, with its own roles, channels and owner."""

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            frame = json.loads(msg.data)
            self.gateway_frames.append(frame)
            if frame["op"] == 1:
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif frame["op"] == 2:
                self.intents = int(frame["d"].get("intents") or 0)
                await self._dispatch_event("READY", self._ready())
                for guild in self._bot_guilds():
                    await self._dispatch_event("GUILD_CREATE", self._guild_create(guild))
                self.identified.set()
        return ws

    async def _dispatch_event(self, name: str, data: Any) -> None:
        assert self._ws is not None, "the bot is not connected"
        self._seq += 1
        await self._ws.send_json({"op": 0, "t": name, "s": self._seq, "d": data})

    def _ready(self) -> dict[str, Any]:
        return {
            "v": 10,
            "user": self.bot,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self._bot_guilds()],
            "session_id": "standin-session",
            "resume_gateway_url": self.gateway_url,
            "shard": [0, 1],
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
        }

    def _bot_guilds(self) -> list[Guild]:
        return [g for g in self.guilds.values() if self.bot_id in g.members]

    def _guild_create(self, guild: Guild) -> dict[str, Any]:
        plain = [
            c
            for c in self.channels.values()
            if c["type"] in (p.TEXT, p.FORUM) and c.get("guild_id") == str(guild.id)
        ]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": guild.owner["id"],
            "unavailable": False,
            "member_count": len(guild.members),
            "large": False,
            "joined_at": p.iso(),
            "roles": list(guild.roles.values()),
            "channels": plain,
            "threads": [],
            "members": [self._member(self.bot_id, guild=guild.id)],
            "emojis": [],
            "stickers": [],
            "features": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "afk_timeout": 300,
            "system_channel_flags": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }

    def _member(
        self, user_id: int, channel_id: int | None = None, *, guild: int | None = None
    ) -> dict[str, Any]:
        """Return the guild member object of *user_id* in the channel's guild (or *guild*)."""
        g = (self.guild_of(channel_id) if channel_id else None) or self._guild(guild)
        return p.member(
            self.users[user_id],
            g.members[user_id],
            permissions=self.permissions_of(user_id, channel_id, guild=g.id),
        )

    async def dispatch_channel_create(self, channel_id: int) -> None:
        """Tell the connected bot about a channel added after it connected."""
        await self._dispatch_event("CHANNEL_CREATE", self.channels[channel_id])

    async def dispatch_channel_update(self, channel_id: int) -> None:
        """Tell the connected bot a channel changed (its permission overwrites, say)."""
        await self._dispatch_event("CHANNEL_UPDATE", self.channels[channel_id])
