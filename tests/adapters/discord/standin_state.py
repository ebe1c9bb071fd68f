"""The stand-in's servers as data: guilds with their owners, roles and members, channels,
messages and threads, and what the bot asked of it; no HTTP here.

Users are global, as on Discord; a guild holds its members (user id -> role ids). The
bot is a member of every guild. The first guild is the default one: the names kept from
the single-server stand-in (guild_id, owner, roles, bot_role, home_channel...) are its.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.adapters.discord import payloads as p
from tests.adapters.discord.standin_model import Channel, Fault, Handler, Recorded, Reply, Role

ALL_PERMISSIONS = sum(p.PERMISSIONS.values())


@dataclass
class Guild:
    """One server: its owner, roles (the @everyone role has the guild's id), members."""

    id: int
    name: str
    owner: dict[str, Any]
    roles: dict[int, dict[str, Any]]
    bot_role: int = 0
    members: dict[int, list[int]] = field(default_factory=dict)  # user id -> role ids
    home_channel: int = 0  # where interactions come from unless told otherwise


class State:
    """Discord servers with their channels, members and threads, and the bot's application."""

    def __init__(self, *, guild_name: str = "Librarians Network") -> None:
        self.ids = p.Snowflakes()
        self.application_id = self.ids()
        self.bot = p.user(self.ids(), "penpals", bot=True)
        self.bot_id = int(self.bot["id"])
        self.users: dict[int, dict[str, Any]] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.thread_members: dict[int, set[int]] = {}
        self.commands: list[dict[str, Any]] = []
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.closed_dms: set[int] = set()
        self.max_active_threads = 1000  # per guild, as on Discord
        self.peak_active_threads = 0
        self.replies: dict[int, Reply] = {}
        self.files: dict[int, list[tuple[str, bytes]]] = {}  # by message id: what was attached
        self._tokens: dict[str, int] = {}
        self._changed = asyncio.Condition()
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0
        self.identified = asyncio.Event()
        self.intents = 0  # what the bot declared in IDENTIFY
        self.gateway_frames: list[dict[str, Any]] = []  # what the bot sent over the gateway
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.uploads: dict[str, bytes] = {}  # attachment id -> the file on the CDN
        self._created: dict[int, float] = {}  # interaction id -> when it was sent (monotonic)
        self._where: dict[int, int] = {}  # interaction id -> the channel it came from
        self.guild = self.add_guild(guild_name)

    # -- the default guild, as the single-server stand-in named it ----------------------

    @property
    def guild_id(self) -> int:
        return self.guild.id

    @property
    def guild_name(self) -> str:
        return self.guild.name

    @property
    def owner(self) -> dict[str, Any]:
        return self.guild.owner

    @property
    def roles(self) -> dict[int, dict[str, Any]]:
        return self.guild.roles

    @property
    def bot_role(self) -> int:
        return self.guild.bot_role

    @property
    def member_roles(self) -> dict[int, list[int]]:
        return self.guild.members

    @property
    def home_channel(self) -> int:
        return self.guild.home_channel

    @home_channel.setter
    def home_channel(self, channel_id: int) -> None:
        self.guild.home_channel = channel_id

    # -- building the servers ----------------------------------------------------------

    def add_guild(self, name: str, *, owner: str = "owner") -> Guild:
        """Add a server with its own owner, @everyone and bot roles; the bot joins it."""
        guild_id = self.ids()
        everyone = p.role(guild_id, "@everyone", p.PERMISSIONS["view_channel"], 0)
        made = Guild(guild_id, name, p.user(self.ids(), owner), {guild_id: everyone})
        self.guilds[guild_id] = made
        made.bot_role = self.add_role("penpals", p.BOT_PERMISSIONS, guild=guild_id)
        self._add_member(made.owner, guild=guild_id)
        self._add_member(self.bot, roles=[made.bot_role], guild=guild_id)
        return made

    def _guild(self, guild: int | None) -> Guild:
        return self.guilds[guild] if guild is not None else self.guild

    def guild_of(self, channel_id: int) -> Guild | None:
        """Return the guild a channel or thread is in (None for a DM or an unknown channel)."""
        found = self.channels.get(channel_id) or {}
        return self.guilds.get(int(found.get("guild_id") or 0))

    def add_role(self, name: str, permissions: int = 0, *, guild: int | None = None) -> int:
        g = self._guild(guild)
        role_id = self.ids()
        g.roles[role_id] = p.role(role_id, name, permissions, len(g.roles))
        return role_id

    def role(self, role_id: int) -> dict[str, Any]:
        """Return a role of any guild."""
        return next(g.roles[role_id] for g in self.guilds.values() if role_id in g.roles)

    def _add_member(
        self, data: dict[str, Any], roles: Sequence[int] = (), *, guild: int | None = None
    ) -> int:
        user_id = int(data["id"])
        self.users.setdefault(user_id, data)
        self._guild(guild).members[user_id] = list(roles)
        return user_id

    def add_member(self, name: str, roles: Sequence[int] = (), *, guild: int | None = None) -> int:
        """Add a person to a server (the default one unless told); return their user id."""
        return self._add_member(p.user(self.ids(), name), roles, guild=guild)

    def join(self, user_id: int, guild: int, roles: Sequence[int] = ()) -> None:
        """Let a person already on Discord join another server (same user id, own roles)."""
        self._add_member(self.users[user_id], roles, guild=guild)

    def add_channel(
        self,
        name: str,
        kind: int = p.TEXT,
        *,
        deny_bot: Iterable[str] = (),
        guild: int | None = None,
    ) -> int:
        """Add a channel; *deny_bot* names permissions overwritten off for the bot's role."""
        g = self._guild(guild)
        channel_id = self.ids()
        deny = sum(p.PERMISSIONS[flag] for flag in deny_bot)
        overwrites = [{"id": str(g.bot_role), "type": 0, "allow": "0", "deny": str(deny)}]
        self.channels[channel_id] = p.channel(
            channel_id,
            g.id,
            name,
            kind,
            position=sum(1 for c in self.channels.values() if c.get("guild_id") == str(g.id)),
            overwrites=overwrites if deny else (),
        )
        self.messages[channel_id] = []
        g.home_channel = g.home_channel or channel_id
        return channel_id

    def permissions_of(
        self, user_id: int, channel_id: int | None = None, *, guild: int | None = None
    ) -> int:
        """Return a member's permission bits in the channel's guild (roles, then the channel's
        overwrites for roles); nothing for someone who is not a member of that guild."""
        g = (self.guild_of(channel_id) if channel_id else None) or self._guild(guild)
        if user_id not in g.members:
            return 0
        if user_id == int(g.owner["id"]):
            return ALL_PERMISSIONS
        roles = [g.id, *g.members[user_id]]
        bits = 0
        for r in roles:
            bits |= int(g.roles[r]["permissions"])
        target = self.channels.get(channel_id or 0)
        if target is not None and target.get("parent_id") and target["type"] in (11, 12):
            target = self.channels.get(int(target["parent_id"]))
        for ow in (target or {}).get("permission_overwrites", []):
            if int(ow["id"]) in roles:
                bits = (bits & ~int(ow["deny"])) | int(ow["allow"])
        return bits

    # -- what the bot did --------------------------------------------------------------

    def calls(self, method: str, path: str) -> list[Recorded]:
        """Return the recorded requests matching *method* and the *path* regex (fullmatch)."""
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]

    def threads(self, kind: int | None = None, *, guild: int | None = None) -> list[dict[str, Any]]:
        """Return the threads (of one *guild*, or of all) of *kind*, or of both kinds."""
        return [
            c
            for c in self.channels.values()
            if c["type"] in (p.PUBLIC_THREAD, p.PRIVATE_THREAD)
            and kind in (None, c["type"])
            and guild in (None, int(c["guild_id"]))
        ]

    def active_threads(self, guild: int | None = None) -> int:
        found = self.threads(guild=guild)
        return sum(1 for t in found if not t["thread_metadata"]["archived"])

    def bot_messages(self, channel_id: int) -> list[dict[str, Any]]:
        found = self.messages.get(channel_id, [])
        return [m for m in found if int(m["author"]["id"]) == self.bot_id]

    def idle_day(self) -> int:
        """Archive every active thread, as Discord does after a day without messages."""
        idle = [t for t in self.threads() if not t["thread_metadata"]["archived"]]
        for t in idle:
            t["thread_metadata"]["archived"] = True
        return len(idle)

    def member_thread(
        self, user_id: int, parent: int, name: str, kind: int = p.PRIVATE_THREAD
    ) -> int:
        """Let a member open a thread of their own (as any member with the permission can)."""
        thread_id = self.ids()
        self.channels[thread_id] = p.thread(
            thread_id,
            int(self.channels[parent]["guild_id"]),
            parent,
            user_id,
            name,
            kind,
            auto_archive=4320,
            invitable=True,
        )
        self.messages[thread_id] = []
        self.thread_members[thread_id] = {user_id}
        self._note_active()
        return thread_id

    def member_says(self, channel_id: int, user_id: int, text: str) -> None:
        """Record a member's message in a channel or thread (as if they had typed it)."""
        where = self.channels[channel_id]
        guild = int(where["guild_id"]) if where.get("guild_id") else None
        made = p.message(
            self.ids(), channel_id, self.users[user_id], {"content": text}, guild_id=guild
        )
        self.messages[channel_id].append(made)
        self.channels[channel_id]["last_message_id"] = made["id"]

    @staticmethod
    def channel_option(channel_id: int) -> Channel:
        return Channel(channel_id)

    @staticmethod
    def role_option(role_id: int) -> Role:
        return Role(role_id)

    def _note_active(self, guild: int | None = None) -> None:
        self.peak_active_threads = max(self.peak_active_threads, self.active_threads(guild))
