"""The stand-in's server as data: its guild, roles, members, channels, messages and threads,
what the bot asked of it, and the faults a test sets up; no HTTP here."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from typing import Any

from aiohttp import web

from tests.adapters.discord import payloads as p
from tests.adapters.discord.standin_model import Channel, Fault, Handler, Recorded, Reply, Role


class State:
    """One Discord server with its channels, members and threads, and the bot's application."""

    def __init__(self, *, guild_name: str = "Librarians Network") -> None:
        self.ids = p.Snowflakes()
        self.application_id = self.ids()
        self.bot = p.user(self.ids(), "penpals", bot=True)
        self.bot_id = int(self.bot["id"])
        self.guild_id = self.ids()
        self.guild_name = guild_name
        self.owner = p.user(self.ids(), "owner")
        self.roles: dict[int, dict[str, Any]] = {
            self.guild_id: p.role(self.guild_id, "@everyone", p.PERMISSIONS["view_channel"], 0),
        }
        self.bot_role = self.add_role("penpals", p.BOT_PERMISSIONS)
        self.users: dict[int, dict[str, Any]] = {}
        self.member_roles: dict[int, list[int]] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.home_channel = 0  # where interactions come from unless told otherwise
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.thread_members: dict[int, set[int]] = {}
        self.commands: list[dict[str, Any]] = []
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.closed_dms: set[int] = set()
        self.max_active_threads = 1000
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
        self._add_member(self.owner)
        self._add_member(self.bot, roles=[self.bot_role])

    # -- building the server -----------------------------------------------------------

    def add_role(self, name: str, permissions: int = 0) -> int:
        role_id = self.ids()
        self.roles[role_id] = p.role(role_id, name, permissions, len(self.roles))
        return role_id

    def _add_member(self, data: dict[str, Any], roles: Sequence[int] = ()) -> int:
        user_id = int(data["id"])
        self.users[user_id] = data
        self.member_roles[user_id] = list(roles)
        return user_id

    def add_member(self, name: str, roles: Sequence[int] = ()) -> int:
        """Add a person to the server; return their user id."""
        return self._add_member(p.user(self.ids(), name), roles)

    def add_channel(self, name: str, kind: int = p.TEXT, *, deny_bot: Iterable[str] = ()) -> int:
        """Add a channel; *deny_bot* names permissions overwritten off for the bot's role."""
        channel_id = self.ids()
        deny = sum(p.PERMISSIONS[flag] for flag in deny_bot)
        overwrites = [{"id": str(self.bot_role), "type": 0, "allow": "0", "deny": str(deny)}]
        self.channels[channel_id] = p.channel(
            channel_id,
            self.guild_id,
            name,
            kind,
            position=len(self.channels),
            overwrites=overwrites if deny else (),
        )
        self.messages[channel_id] = []
        self.home_channel = self.home_channel or channel_id
        return channel_id

    def permissions_of(self, user_id: int, channel_id: int | None = None) -> int:
        """Return a member's permission bits (roles, then the channel's overwrites for roles)."""
        if user_id == int(self.owner["id"]):
            return sum(p.PERMISSIONS.values())
        roles = [self.guild_id, *self.member_roles.get(user_id, [])]
        bits = 0
        for r in roles:
            bits |= int(self.roles[r]["permissions"])
        target = self.channels.get(channel_id or 0)
        if target is not None and target.get("parent_id") and target["type"] in (11, 12):
            target = self.channels.get(int(target["parent_id"]))
        for ow in (target or {}).get("permission_overwrites", []):
            if int(ow["id"]) in roles:
                bits = (bits & ~int(ow["deny"])) | int(ow["allow"])
        return bits

    # -- faults ------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        path: str,
        *,
        status: int,
        code: int,
        text: str = "refused",
        times: int = 1,
        retry_after: float = 0.0,
    ) -> None:
        """Answer the next *times* requests matching *method* and *path* (a regex) with an error."""
        self.faults.append(Fault(method, re.compile(path), status, code, text, times, retry_after))

    def fail_after(self, method: str, path: str, *, status: int = 502, times: int = 1) -> None:
        """Carry out the next matching requests, then answer *status* as if the proxy failed."""
        self.faults.append(
            Fault(method, re.compile(path), status, 0, "Bad Gateway", times, when="after")
        )

    def drop_after(self, method: str, path: str, *, times: int = 1) -> None:
        """Carry out the next matching requests, then close the connection without an answer."""
        self.faults.append(Fault(method, re.compile(path), 0, 0, "", times, when="drop"))

    def rate_limit(self, method: str, path: str, *, retry_after: float, times: int = 1) -> None:
        """Answer the next matching requests with 429 and *retry_after* seconds."""
        self.fail(
            method,
            path,
            status=429,
            code=0,
            text="You are being rate limited.",
            times=times,
            retry_after=retry_after,
        )

    # -- what the bot did --------------------------------------------------------------

    def calls(self, method: str, path: str) -> list[Recorded]:
        """Return the recorded requests matching *method* and the *path* regex (fullmatch)."""
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]

    def threads(self, kind: int | None = None) -> list[dict[str, Any]]:
        return [
            c
            for c in self.channels.values()
            if c["type"] in (p.PUBLIC_THREAD, p.PRIVATE_THREAD) and kind in (None, c["type"])
        ]

    def active_threads(self) -> int:
        return sum(1 for t in self.threads() if not t["thread_metadata"]["archived"])

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
            self.guild_id,
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
        made = p.message(
            self.ids(), channel_id, self.users[user_id], {"content": text}, guild_id=self.guild_id
        )
        self.messages[channel_id].append(made)
        self.channels[channel_id]["last_message_id"] = made["id"]

    @staticmethod
    def channel_option(channel_id: int) -> Channel:
        return Channel(channel_id)

    @staticmethod
    def role_option(role_id: int) -> Role:
        return Role(role_id)

    def _note_active(self) -> None:
        self.peak_active_threads = max(self.peak_active_threads, self.active_threads())
