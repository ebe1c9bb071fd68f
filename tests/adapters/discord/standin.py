"""A local stand-in of the parts of Discord that penpals uses: REST API and gateway.

Served by aiohttp on 127.0.0.1; the real discord.py client connects to it (HELLO,
IDENTIFY, READY, GUILD_CREATE, heartbeats) and makes its REST calls to it. Tests
inject interactions (slash commands, autocomplete, modal submits, button presses)
as INTERACTION_CREATE dispatches and read back what the bot answered and every
request it made. It answers like Discord, including 429 with retry_after and the
JSON error codes penpals handles (50007, 50013, 50035, 50083, 160004, 160006...). Messages and
interaction answers with files come as multipart/form-data (payload_json plus
files[n]), as discord.py sends them; the files are kept with the request.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import MultipartReader, WSMsgType, web

from tests.adapters.discord import payloads as p

API = "/api/v10"
EPHEMERAL = 64
GUILD_MEMBERS_INTENT = 1 << 1  # privileged: Server Members
CONTENT_MAX = 2000  # characters of a message's content

Handler = Callable[["Request"], Awaitable[Any]]


@dataclass
class Recorded:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any
    status: int = 0
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (filename, content)


@dataclass
class Fault:
    """An error the stand-in answers instead of doing the request."""

    method: str
    pattern: re.Pattern[str]
    status: int
    code: int
    text: str
    times: int = 1
    retry_after: float = 0.0
    # "before": refuse without doing the request; "after": do it, then answer the error;
    # "drop": do it, then close the connection without answering.
    when: str = "before"


@dataclass
class Request:
    raw: web.Request
    params: dict[str, str]
    body: Any
    query: Mapping[str, str]
    files: list[tuple[str, bytes]] = field(default_factory=list)

    def id(self, name: str) -> int:
        return int(self.params[name])


class Refused(Exception):
    """Answer the request with a Discord error."""

    def __init__(self, status: int, code: int, text: str) -> None:
        super().__init__(text)
        self.status, self.code, self.text = status, code, text


@dataclass
class Reply:
    """What the bot answered to one interaction: the callback, then follow-ups and edits."""

    responses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def type(self) -> int:
        return int(self.responses[0]["type"])

    @property
    def data(self) -> dict[str, Any]:
        """Return the message (or modal, or choices) the member finally sees."""
        last = self.responses[-1]
        return dict(last.get("data") or {})

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.responses[0].get("data", {}).get("flags") or 0) & EPHEMERAL)

    @property
    def text(self) -> str:
        """Return the content and embed text of the final message, for assertions."""
        data = self.data
        parts = [data.get("content") or ""]
        for e in data.get("embeds") or []:
            parts += [e.get("title") or "", e.get("description") or ""]
            parts += [f"{f['name']}: {f['value']}" for f in e.get("fields", [])]
            parts.append((e.get("footer") or {}).get("text") or "")
        return "\n".join(x for x in parts if x)

    @property
    def files(self) -> list[tuple[str, bytes]]:
        """Return the files attached to the answer and its follow-ups, as (name, content)."""
        return [f for r in self.responses for f in r.get("files", [])]

    @property
    def choices(self) -> list[dict[str, Any]]:
        return list(self.data.get("choices") or [])

    def custom_ids(self) -> list[str]:
        return [
            c["custom_id"]
            for row in self.data.get("components") or []
            for c in row.get("components", [])
            if "custom_id" in c
        ]

    def final(self) -> bool:
        if not self.responses:
            return False
        kind = self.type
        return kind in (4, 7, 8, 9) or (kind in (5, 6) and len(self.responses) > 1)


class DiscordStandIn:
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
        self._add_routes()
        self._add_member(self.owner)
        self._add_member(self.bot, roles=[self.bot_role])

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", API + "/{tail:.*}", self._dispatch)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/cdn/{aid}/{name}", self._cdn)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

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

    # -- the gateway -------------------------------------------------------------------

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
                await self._dispatch_event("GUILD_CREATE", self._guild_create())
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
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": "standin-session",
            "resume_gateway_url": self.gateway_url,
            "shard": [0, 1],
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
        }

    def _guild_create(self) -> dict[str, Any]:
        plain = [c for c in self.channels.values() if c["type"] in (p.TEXT, p.FORUM)]
        return {
            "id": str(self.guild_id),
            "name": self.guild_name,
            "icon": None,
            "owner_id": self.owner["id"],
            "unavailable": False,
            "member_count": len(self.users),
            "large": False,
            "joined_at": p.iso(),
            "roles": list(self.roles.values()),
            "channels": plain,
            "threads": [],
            "members": [self._member(int(self.bot["id"]))],
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

    def _member(self, user_id: int, channel_id: int | None = None) -> dict[str, Any]:
        return p.member(
            self.users[user_id],
            self.member_roles[user_id],
            permissions=self.permissions_of(user_id, channel_id),
        )

    async def dispatch_channel_create(self, channel_id: int) -> None:
        """Tell the connected bot about a channel added after it connected."""
        await self._dispatch_event("CHANNEL_CREATE", self.channels[channel_id])

    async def dispatch_channel_update(self, channel_id: int) -> None:
        """Tell the connected bot a channel changed (its permission overwrites, say)."""
        await self._dispatch_event("CHANNEL_UPDATE", self.channels[channel_id])

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

    # -- interactions ------------------------------------------------------------------

    def _interaction(
        self,
        kind: int,
        user_id: int,
        data: dict[str, Any],
        *,
        channel_id: int | None = None,
        locale: str = "en-US",
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        interaction_id = self.ids()
        token = f"token-{interaction_id}"
        self._tokens[token] = interaction_id
        self._created[interaction_id] = time.monotonic()
        self.replies[interaction_id] = Reply()
        where = channel_id or self.home_channel
        out: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(self.guild_id),
            "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
            "channel_id": str(where),
            "channel": self.channels[where],
            "member": self._member(user_id, where),
            "token": token,
            "version": 1,
            "app_permissions": str(self.permissions_of(self.bot_id, where)),
            "locale": locale,
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            out["message"] = message
        return out

    async def _send_interaction(self, payload: dict[str, Any], wait: float) -> Reply:
        await self._dispatch_event("INTERACTION_CREATE", payload)
        interaction_id = int(payload["id"])
        reply = self.replies[interaction_id]
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(reply.final), wait)
        return reply

    def _command_data(
        self, name: str, options: Mapping[str, Any], sub: str | None, focused: str | None
    ) -> dict[str, Any]:
        opts = []
        resolved: dict[str, dict[str, Any]] = {}
        for key, value in options.items():
            opt: dict[str, Any] = {"name": key}
            if isinstance(value, bool):
                opt |= {"type": 5, "value": value}
            elif isinstance(value, int):
                opt |= {"type": 4, "value": value}
            elif isinstance(value, Channel):
                opt |= {"type": 7, "value": str(value.id)}
                resolved.setdefault("channels", {})[str(value.id)] = {
                    k: self.channels[value.id][k] for k in ("id", "name", "type")
                } | {"permissions": str(p.BOT_PERMISSIONS)}
            elif isinstance(value, Upload):
                # An attachment option: the file is on the CDN, the command names it (type 11).
                aid = str(self.ids())
                self.uploads[aid] = value.content
                opt |= {"type": 11, "value": aid}
                resolved.setdefault("attachments", {})[aid] = {
                    "id": aid,
                    "filename": value.filename,
                    "size": len(value.content),
                    "content_type": "text/csv; charset=utf-8",
                    "url": f"http://127.0.0.1:{self.port}/cdn/{aid}/{value.filename}",
                    "proxy_url": f"http://127.0.0.1:{self.port}/cdn/{aid}/{value.filename}",
                }
            elif isinstance(value, Role):
                opt |= {"type": 8, "value": str(value.id)}
                resolved.setdefault("roles", {})[str(value.id)] = self.roles[value.id]
            else:
                opt |= {"type": 3, "value": value}
            if key == focused:
                opt["focused"] = True
            opts.append(opt)
        command_id = next((c["id"] for c in self.commands if c["name"] == name), str(self.ids()))
        data: dict[str, Any] = {"id": command_id, "name": name, "type": 1}
        data["options"] = [{"type": 1, "name": sub, "options": opts}] if sub else opts
        if resolved:
            data["resolved"] = resolved
        return data

    async def slash(
        self,
        user_id: int,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        sub: str | None = None,
        locale: str = "en-US",
        wait: float = 10.0,
    ) -> Reply:
        """Run a slash command as *user_id*; return once the bot has answered."""
        data = self._command_data(name, options or {}, sub, None)
        return await self._send_interaction(
            self._interaction(2, user_id, data, locale=locale), wait
        )

    async def autocomplete(
        self,
        user_id: int,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        sub: str | None = None,
        locale: str = "en-US",
    ) -> list[dict[str, Any]]:
        """Type into an autocompleted option; return the bot's suggestions."""
        data = self._command_data(name, options, sub, focused)
        reply = await self._send_interaction(self._interaction(4, user_id, data, locale=locale), 5)
        assert reply.type == 8, reply.responses
        return reply.choices

    async def submit_modal(
        self,
        user_id: int,
        modal: Reply,
        values: Mapping[str, str | Sequence[str]],
        *,
        locale: str = "en-US",
    ) -> Reply:
        """Fill in the modal the bot opened (by component custom id) and submit it."""
        assert modal.type == 9, f"expected a modal, got {modal.responses}"
        components = []
        for top in modal.data["components"]:
            inner = top["component"] if top["type"] == 18 else top["components"][0]
            value = values.get(inner["custom_id"], [] if inner["type"] == 3 else "")
            if inner["type"] == 3:
                filled = {"type": 3, "custom_id": inner["custom_id"], "values": list(value)}
            else:
                filled = {"type": 4, "custom_id": inner["custom_id"], "value": value}
            components.append({"type": 18, "id": top.get("id", 0), "component": filled})
        data = {"custom_id": modal.data["custom_id"], "components": components}
        return await self._send_interaction(self._interaction(5, user_id, data, locale=locale), 10)

    async def press_on(
        self, user_id: int, message: Mapping[str, Any], custom_id: str, *, locale: str = "en-US"
    ) -> Reply:
        """Press a button on a message the bot posted in a server channel or thread."""
        ids = [c.get("custom_id") for row in message["components"] for c in row["components"]]
        assert custom_id in ids, f"{custom_id} not in {ids}"
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(
            3,
            user_id,
            data,
            channel_id=int(message["channel_id"]),
            locale=locale,
            message=dict(message),
        )
        return await self._send_interaction(payload, 10)

    async def press(
        self, user_id: int, reply: Reply, custom_id: str, *, locale: str = "en-US"
    ) -> Reply:
        """Press the button *custom_id* on the message the bot answered with."""
        assert custom_id in reply.custom_ids(), f"{custom_id} not in {reply.custom_ids()}"
        message = p.message(
            self.ids(),
            self.home_channel,
            self.bot,
            reply.data,
            guild_id=self.guild_id,
            flags=EPHEMERAL,
        )
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(3, user_id, data, message=message, locale=locale)
        return await self._send_interaction(payload, 10)

    async def choose(
        self,
        user_id: int,
        reply: Reply,
        custom_id: str,
        values: Sequence[str],
        *,
        locale: str = "en-US",
    ) -> Reply:
        """Pick *values* in the select menu *custom_id* of the message the bot answered with."""
        menus = {
            c["custom_id"]: c
            for row in reply.data.get("components") or []
            for c in row.get("components", [])
            if c.get("type") == 3
        }
        assert custom_id in menus, f"{custom_id} not in {list(menus)}"
        offered = {o["value"] for o in menus[custom_id]["options"]}
        assert set(values) <= offered, f"{values} not among {offered}"
        message = p.message(
            self.ids(),
            self.home_channel,
            self.bot,
            reply.data,
            guild_id=self.guild_id,
            flags=EPHEMERAL,
        )
        data = {"custom_id": custom_id, "component_type": 3, "values": list(values)}
        payload = self._interaction(3, user_id, data, message=message, locale=locale)
        return await self._send_interaction(payload, 10)

    async def _record_reply(self, token: str, response: dict[str, Any]) -> None:
        interaction_id = self._tokens[token]
        async with self._changed:
            self.replies[interaction_id].responses.append(response)
            self._changed.notify_all()

    # -- REST --------------------------------------------------------------------------

    def _add_routes(self) -> None:
        routes: list[tuple[str, str, Handler]] = [
            ("GET", r"/users/@me", self._me),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("GET", r"/gateway(/bot)?", self._gateway_info),
            ("PUT", r"/applications/(?P<app>\d+)/commands", self._put_commands),
            ("GET", r"/applications/(?P<app>\d+)/commands", self._get_commands),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)", self._followup),
            (
                "PATCH",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>[^/]+)",
                self._edit_original,
            ),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("GET", r"/guilds/(?P<gid>\d+)/threads/active", self._active_threads),
            (
                "GET",
                r"/channels/(?P<cid>\d+)/users/@me/threads/archived/private",
                self._my_archived_private,
            ),
            ("GET", r"/channels/(?P<cid>\d+)/threads/archived/public", self._archived_public),
            ("POST", r"/channels/(?P<cid>\d+)/threads", self._create_thread),
            (
                "POST",
                r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)/threads",
                self._thread_from_message,
            ),
            ("PUT", r"/channels/(?P<cid>\d+)/thread-members/(?P<uid>\d+)", self._add_to_thread),
            (
                "DELETE",
                r"/channels/(?P<cid>\d+)/thread-members/(?P<uid>\d+)",
                self._remove_from_thread,
            ),
            ("GET", r"/channels/(?P<cid>\d+)/thread-members", self._list_thread_members),
            ("POST", r"/channels/(?P<cid>\d+)/messages", self._post_message),
            ("GET", r"/channels/(?P<cid>\d+)/messages", self._list_messages),
            ("GET", r"/channels/(?P<cid>\d+)", self._get_channel),
            ("PATCH", r"/channels/(?P<cid>\d+)", self._patch_channel),
        ]
        self._routes = [(m, re.compile(path), h) for m, path, h in routes]

    async def _cdn(self, raw: web.Request) -> web.StreamResponse:
        """Serve an uploaded attachment, as Discord's CDN does (no authorisation header)."""
        content = self.uploads.get(raw.match_info["aid"])
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="text/csv")

    async def _dispatch(self, raw: web.Request) -> web.StreamResponse:
        path = "/" + raw.match_info["tail"]
        files: list[tuple[str, bytes]] = []
        if raw.content_type == "multipart/form-data":
            body = None
            async for part in await raw.multipart():
                assert not isinstance(part, MultipartReader), "nested multipart"
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    files.append((part.filename or "", bytes(await part.read())))
        else:
            text = await raw.text()
            body = json.loads(text) if text and raw.content_type == "application/json" else None
        record = Recorded(raw.method, path, dict(raw.query), body, files=files)
        self.requests.append(record)
        late: Fault | None = None
        for fault in self.faults:
            if fault.times > 0 and fault.method == raw.method and fault.pattern.fullmatch(path):
                fault.times -= 1
                if fault.when != "before":
                    late = fault
                    break
                record.status = fault.status
                return self._fault_response(fault)
        for method, pattern, handler in self._routes:
            found = pattern.fullmatch(path)
            if found and method == raw.method:
                try:
                    result = await handler(Request(raw, found.groupdict(), body, raw.query, files))
                except Refused as exc:
                    record.status = exc.status
                    return _json(p.error(exc.code, exc.text), status=exc.status)
                if late is not None and late.when == "drop":
                    # Done, but the answer never reaches the bot.
                    record.status = -1
                    assert raw.transport is not None
                    raw.transport.abort()
                    raise ConnectionResetError("the stand-in dropped the connection")
                if late is not None:
                    record.status = late.status
                    return _json(p.error(late.code, late.text), status=late.status)
                record.status = 204 if result is None else 200
                if result is None:
                    return web.Response(status=204)
                return _json(result)
        record.status = 404
        return _json(p.error(0, f"404: Not Found ({raw.method} {path})"), status=404)

    @staticmethod
    def _fault_response(fault: Fault) -> web.Response:
        if fault.status == 429:
            headers = {
                # discord.py treats a 429 without Via as a Cloudflare ban.
                "Via": "1.1 google",
                "Retry-After": f"{fault.retry_after}",
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": f"{fault.retry_after}",
                "X-RateLimit-Bucket": "standin-bucket",
                "X-RateLimit-Scope": "user",
            }
            body = {"message": fault.text, "retry_after": fault.retry_after, "global": False}
            return _json(body, status=429, headers=headers)
        return _json(p.error(fault.code, fault.text), status=fault.status)

    async def _me(self, r: Request) -> Any:
        return self.bot

    async def _application(self, r: Request) -> Any:
        return {
            "id": str(self.application_id),
            "name": "penpals",
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner,
            "summary": "",
            "verify_key": "0" * 64,
            "team": None,
            "flags": 0,
            "interactions_endpoint_url": None,
        }

    async def _gateway_info(self, r: Request) -> Any:
        limits = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return {"url": self.gateway_url, "shards": 1, "session_start_limit": limits}

    async def _put_commands(self, r: Request) -> Any:
        # Discord's limits: 100 global chat commands; 25 options (subcommands) per level.
        if len(r.body) > 100:
            raise Refused(400, 30032, "Maximum number of application commands reached (100)")
        for c in r.body:
            levels = [c.get("options") or []]
            levels += [
                o.get("options") or [] for o in c.get("options") or [] if o["type"] in (1, 2)
            ]
            if any(len(level) > 25 for level in levels):
                raise Refused(400, 50035, f"Invalid Form Body ({c['name']}.options: 25 or fewer)")
        self.commands = [
            {
                **c,
                "id": str(self.ids()),
                "application_id": str(self.application_id),
                "version": str(self.ids()),
            }
            for c in r.body
        ]
        return self.commands

    async def _get_commands(self, r: Request) -> Any:
        return self.commands

    @staticmethod
    def _check_content(data: Mapping[str, Any] | None) -> None:
        """Refuse a message longer than Discord allows, as Discord does (50035)."""
        content = (data or {}).get("content") or ""
        if len(content) > CONTENT_MAX:
            raise Refused(
                400,
                50035,
                f"Invalid Form Body (content: Must be {CONTENT_MAX} or fewer in length.)",
            )
        problem = _layout_problem(data or {})
        if problem:
            raise Refused(400, 50035, f"Invalid Form Body ({problem})")

    async def _callback(self, r: Request) -> Any:
        interaction_id = r.id("iid")
        self._check_content(r.body.get("data"))
        sent = self._created.get(interaction_id)
        if sent is not None and time.monotonic() - sent > ACK_SECONDS:
            # An interaction not answered (or deferred) within 3 s is gone for good.
            raise Refused(404, 10062, "Unknown interaction")
        if r.body.get("type") == 9:
            modal = r.body.get("data") or {}
            if len(modal.get("components") or []) > MODAL_INPUTS_MAX:
                raise Refused(400, 50035, "Invalid Form Body (components: 5 or fewer)")
            if len(modal.get("title") or "") > MODAL_TITLE_MAX:
                raise Refused(400, 50035, "Invalid Form Body (title: 45 or fewer)")
        done = self.replies[interaction_id].responses if interaction_id in self.replies else []
        if any(isinstance(x.get("type"), int) for x in done):
            # One callback per interaction; a second (a replayed event) is refused.
            raise Refused(400, 40060, "Interaction has already been acknowledged.")
        await self._record_reply(r.params["token"], {**r.body, "files": r.files})
        kind = r.body["type"]
        out: dict[str, Any] = {
            "interaction": {
                "id": str(interaction_id),
                "type": kind,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(
                    int((r.body.get("data") or {}).get("flags") or 0) & EPHEMERAL
                ),
            }
        }
        return out

    async def _followup(self, r: Request) -> Any:
        self._check_content(r.body)
        await self._record_reply(
            r.params["token"], {"type": "followup", "data": r.body, "files": r.files}
        )
        channel_id = self.home_channel
        return p.message(self.ids(), channel_id, self.bot, r.body, guild_id=self.guild_id) | {
            "webhook_id": str(self.application_id)
        }

    async def _edit_original(self, r: Request) -> Any:
        self._check_content(r.body)
        await self._record_reply(
            r.params["token"], {"type": "edit", "data": r.body, "files": r.files}
        )
        channel_id = self.home_channel
        return p.message(self.ids(), channel_id, self.bot, r.body, guild_id=self.guild_id)

    # -- channels, threads, messages ---------------------------------------------------

    def _channel(self, channel_id: int) -> dict[str, Any]:
        found = self.channels.get(channel_id)
        if found is None:
            raise Refused(404, 10003, "Unknown Channel")
        return found

    def _require(self, channel_id: int, *flags: str) -> None:
        bits = self.permissions_of(self.bot_id, channel_id)
        if any(not bits & p.PERMISSIONS[f] for f in flags):
            raise Refused(403, 50013, "Missing Permissions")

    def _wake(self, thread: dict[str, Any]) -> None:
        """Unarchive a thread, refusing past the active-thread cap as Discord does."""
        meta = thread["thread_metadata"]
        if not meta["archived"]:
            return
        if self.active_threads() >= self.max_active_threads:
            raise Refused(400, 160006, "Maximum number of active threads reached")
        meta["archived"] = False
        self._note_active()

    def _note_active(self) -> None:
        self.peak_active_threads = max(self.peak_active_threads, self.active_threads())

    async def _get_channel(self, r: Request) -> Any:
        return self._channel(r.id("cid"))

    async def _patch_channel(self, r: Request) -> Any:
        found = self._channel(r.id("cid"))
        if "thread_metadata" in found and "archived" in (r.body or {}):
            self._require(int(found["parent_id"]), "manage_threads")
            if r.body["archived"]:
                found["thread_metadata"]["archived"] = True
                found["thread_metadata"]["archive_timestamp"] = p.iso()
            else:
                self._wake(found)
        return found

    async def _new_thread(
        self,
        parent: dict[str, Any],
        name: str,
        kind: int,
        auto_archive: int,
        invitable: bool,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        if self.active_threads() >= self.max_active_threads:
            raise Refused(400, 160006, "Maximum number of active threads reached")
        thread_id = thread_id or self.ids()
        made = p.thread(
            thread_id,
            self.guild_id,
            int(parent["id"]),
            self.bot_id,
            name,
            kind,
            auto_archive=auto_archive,
            invitable=invitable,
        )
        self.channels[thread_id] = made
        self.messages[thread_id] = []
        self.thread_members[thread_id] = {self.bot_id}
        self._note_active()
        return made

    async def _create_thread(self, r: Request) -> Any:
        parent = self._channel(r.id("cid"))
        body = r.body or {}
        name = body["name"]
        if not 1 <= len(name) <= 100:
            raise Refused(400, 50035, "Invalid Form Body (name)")
        if parent["type"] == p.FORUM:
            self._require(int(parent["id"]), "view_channel", "send_messages")
            made = await self._new_thread(
                parent, name, p.PUBLIC_THREAD, body.get("auto_archive_duration", 4320), True
            )
            first = self._store_message(made, body["message"])
            return made | {"message": first}
        kind = body.get("type", p.PRIVATE_THREAD)
        flag = "create_private_threads" if kind == p.PRIVATE_THREAD else "create_public_threads"
        self._require(int(parent["id"]), "view_channel", flag)
        return await self._new_thread(
            parent,
            name,
            kind,
            body.get("auto_archive_duration", 4320),
            body.get("invitable", True),
        )

    async def _thread_from_message(self, r: Request) -> Any:
        parent = self._channel(r.id("cid"))
        self._require(int(parent["id"]), "create_public_threads")
        if r.id("mid") in self.channels:
            raise Refused(400, 160004, "A thread has already been created for this message")
        # A thread started from a message has the message's id, as on Discord.
        return await self._new_thread(
            parent,
            r.body["name"],
            p.PUBLIC_THREAD,
            r.body.get("auto_archive_duration", 4320),
            True,
            thread_id=r.id("mid"),
        )

    async def _add_to_thread(self, r: Request) -> Any:
        found = self._channel(r.id("cid"))
        user_id = r.id("uid")
        if user_id not in self.users:
            raise Refused(404, 10007, "Unknown Member")
        if found["thread_metadata"]["archived"]:
            raise Refused(400, 50083, "Thread is archived")
        self.thread_members[int(found["id"])].add(user_id)
        return None

    async def _remove_from_thread(self, r: Request) -> Any:
        found = self._channel(r.id("cid"))
        members = self.thread_members[int(found["id"])]
        if found["thread_metadata"]["archived"]:
            raise Refused(400, 50083, "Thread is archived")
        if r.id("uid") not in members:
            raise Refused(404, 10007, "Unknown Member")
        members.discard(r.id("uid"))
        return None

    async def _list_thread_members(self, r: Request) -> Any:
        thread_id = r.id("cid")
        self._channel(thread_id)
        # Discord: "restricted according to whether the GUILD_MEMBERS Privileged Intent
        # is enabled for your application".
        if not self.intents & GUILD_MEMBERS_INTENT:
            raise Refused(403, 50001, "Missing Access")
        return [
            {"id": str(thread_id), "user_id": str(u), "join_timestamp": p.iso(), "flags": 0}
            for u in sorted(self.thread_members.get(thread_id, ()))
        ]

    def _store_message(self, where: dict[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
        channel_id = int(where["id"])
        guild = self.guild_id if where["type"] != p.DM else None
        made = p.message(self.ids(), channel_id, self.bot, body, guild_id=guild)
        self.messages[channel_id].append(made)
        where["last_message_id"] = made["id"]
        return made

    async def _post_message(self, r: Request) -> Any:
        where = self._channel(r.id("cid"))
        body = r.body or {}
        self._check_content(body)
        if where["type"] == p.DM:
            recipient = int(where["recipients"][0]["id"])
            if recipient in self.closed_dms:
                raise Refused(403, 50007, "Cannot send messages to this user")
        elif "thread_metadata" in where:
            self._require(int(where["parent_id"]), "send_messages_in_threads")
        else:
            self._require(int(where["id"]), "send_messages")
        if r.files and where["type"] != p.DM:
            parent = where.get("parent_id") if "thread_metadata" in where else where["id"]
            self._require(int(parent), "attach_files")
        if body.get("enforce_nonce") and body.get("nonce"):
            for m in self.bot_messages(int(where["id"])):
                if m.get("nonce") == body["nonce"]:
                    return m
        if "thread_metadata" in where:
            self._wake(where)
        made = self._store_message(where, body)
        made["attachments"] = [
            {
                "id": str(self.ids()),
                "filename": name,
                "size": len(content),
                "url": f"{self.api_url}/attachments/{name}",
                "proxy_url": f"{self.api_url}/attachments/{name}",
            }
            for name, content in r.files
        ]
        self.files[int(made["id"])] = list(r.files)
        return made

    async def _list_messages(self, r: Request) -> Any:
        channel_id = r.id("cid")
        self._channel(channel_id)
        limit = min(int(r.query.get("limit", 50)), 100)
        found = list(self.messages.get(channel_id, []))
        if "after" in r.query:
            after = int(r.query["after"])
            found = [m for m in found if int(m["id"]) > after][:limit]
        elif "before" in r.query:
            before = int(r.query["before"])
            found = [m for m in found if int(m["id"]) < before][-limit:]
        else:
            found = found[-limit:]
        return list(reversed(found))

    async def _open_dm(self, r: Request) -> Any:
        recipient = int(r.body["recipient_id"])
        if recipient not in self.users:
            raise Refused(400, 50033, "Invalid Recipient(s)")
        for c in self.channels.values():
            if c["type"] == p.DM and int(c["recipients"][0]["id"]) == recipient:
                return c
        channel_id = self.ids()
        self.channels[channel_id] = {
            "id": str(channel_id),
            "type": p.DM,
            "last_message_id": None,
            "flags": 0,
            "recipients": [self.users[recipient]],
        }
        self.messages[channel_id] = []
        return self.channels[channel_id]

    async def _active_threads(self, r: Request) -> Any:
        # Every active thread of the server, public and private, whoever made it.
        active = [t for t in self.threads() if not t["thread_metadata"]["archived"]]
        return {"threads": active, "members": []}

    def _archived_page(
        self, parent: int, kind: int, before: str | None, limit: int, *, mine: bool
    ) -> dict[str, Any]:
        found = [
            t
            for t in self.threads(kind)
            if int(t["parent_id"]) == parent
            and t["thread_metadata"]["archived"]
            and (not mine or self.bot_id in self.thread_members.get(int(t["id"]), ()))
        ]
        if mine:
            found.sort(key=lambda t: -int(t["id"]))
            if before:
                found = [t for t in found if int(t["id"]) < int(before)]
        else:
            found.sort(key=lambda t: t["thread_metadata"]["archive_timestamp"], reverse=True)
            if before:
                found = [t for t in found if t["thread_metadata"]["archive_timestamp"] < before]
        return {"threads": found[:limit], "members": [], "has_more": len(found) > limit}

    async def _my_archived_private(self, r: Request) -> Any:
        self._channel(r.id("cid"))
        limit = min(int(r.query.get("limit", 50)), 100)
        return self._archived_page(
            r.id("cid"), p.PRIVATE_THREAD, r.query.get("before"), limit, mine=True
        )

    async def _archived_public(self, r: Request) -> Any:
        self._channel(r.id("cid"))
        limit = min(int(r.query.get("limit", 50)), 100)
        return self._archived_page(
            r.id("cid"), p.PUBLIC_THREAD, r.query.get("before"), limit, mine=False
        )


def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """Return JSON with Discord's exact content type (discord.py compares it verbatim)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


@dataclass(frozen=True)
class Channel:
    """A channel passed as a slash-command option."""

    id: int


@dataclass(frozen=True)
class Upload:
    """A file passed as an attachment option of a slash command."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class Role:
    """A role passed as a slash-command option."""

    id: int


EMBEDS_MAX = 10  # embeds in one message
ACK_SECONDS = 3.0  # an interaction must be answered or deferred within 3 seconds
MODAL_INPUTS_MAX = 5  # components of a modal
MODAL_TITLE_MAX = 45
EMBED_DESCRIPTION_MAX = 4096
EMBED_TOTAL_MAX = 6000  # characters over all of a message's embeds
ROWS_MAX = 5  # action rows in a message
ROW_BUTTONS_MAX = 5  # buttons in one action row (or a single select menu)
SELECT_OPTIONS_MAX = 25
CUSTOM_ID_MAX = 100


def _layout_problem(data: Mapping[str, Any]) -> str:
    """Name the first limit of Discord's message reference the message breaks, if any."""
    embeds = data.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        return f"embeds: Must be {EMBEDS_MAX} or fewer in length."
    total = 0
    for e in embeds:
        description = e.get("description") or ""
        if len(description) > EMBED_DESCRIPTION_MAX:
            return f"embeds.description: Must be {EMBED_DESCRIPTION_MAX} or fewer in length."
        total += len(description) + len(e.get("title") or "")
        total += len((e.get("footer") or {}).get("text") or "")
        total += sum(len(f["name"]) + len(f["value"]) for f in e.get("fields") or [])
    if total > EMBED_TOTAL_MAX:
        return f"embeds: Embed size exceeds maximum size of {EMBED_TOTAL_MAX}"
    rows = [c for c in data.get("components") or [] if c.get("type") == 1]
    if len(rows) > ROWS_MAX:
        return f"components: Must be {ROWS_MAX} or fewer in length."
    for row in rows:
        inner = row.get("components") or []
        selects = [c for c in inner if c.get("type") in (3, 5, 6, 7, 8)]
        if len(inner) > ROW_BUTTONS_MAX or (selects and len(inner) > 1):
            return "components: an action row holds up to 5 buttons or one select menu"
        for c in inner:
            if len(c.get("custom_id") or "") > CUSTOM_ID_MAX:
                return f"custom_id: Must be {CUSTOM_ID_MAX} or fewer in length."
            if c.get("type") == 3 and len(c.get("options") or []) > SELECT_OPTIONS_MAX:
                return f"options: Must be {SELECT_OPTIONS_MAX} or fewer in length."
    return ""
