"""A local stand-in of the Slack Web API (and Socket Mode), served on 127.0.0.1.

It keeps a small workspace in memory (users, user groups, channels with members
and messages, opened views), answers the methods penpals calls with Slack-shaped
bodies ({"ok": true, ...} / {"ok": false, "error": "name_taken"}), checks the
bot's scopes per method and per kind of channel, enforces configurable rate limits
with 429 + Retry-After, can be told to fail the next call of a method, and
records every call. Tests point the real AsyncWebClient at `api_url`.

Socket Mode: apps.connections.open hands out a ws:// URL on the same server; a
test sends an envelope with `socket_request` and gets the app's acknowledgement.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

Json = dict[str, Any]
_NAME = re.compile(r"^[a-z0-9_-]{1,80}$")
RESPONSE_URL_USES = 5  # messages a response_url takes (Slack: five within 30 minutes)
TRIGGER_TTL = 3.0  # seconds a trigger_id can open a modal (Slack's docs: 3 seconds)


class Refusal(Exception):
    """Answer the current call with {"ok": false, "error": code}."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra


@dataclass
class Call:
    method: str
    args: Json
    at: float
    error: str | None = None
    status: int = 200


@dataclass
class Channel:
    id: str
    name: str
    creator: str
    is_private: bool = False
    is_mpim: bool = False
    is_im: bool = False
    is_archived: bool = False
    members: list[str] = field(default_factory=list)
    purpose: str = ""
    messages: list[Json] = field(default_factory=list)
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def kind(self) -> str:
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "groups" if self.is_private else "channels"

    def as_json(self, viewer: str) -> Json:
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not (self.is_private or self.is_im or self.is_mpim),
            "is_group": self.is_private and not self.is_mpim,
            "is_im": self.is_im,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_member": viewer in self.members,
            "created": self.created,
            "creator": self.creator,
            "purpose": {"value": self.purpose, "creator": self.creator if self.purpose else ""},
            "topic": {"value": "", "creator": ""},
        }


# Scopes a bot needs per method; "{kind}" is the channel's kind (channels, groups, mpim, im).
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "apps.connections.open": (),
    "conversations.create": ("{kind}:manage",),
    "conversations.invite": ("{kind}:manage",),
    "conversations.kick": ("{kind}:manage",),
    "conversations.setPurpose": ("{kind}:manage",),
    "conversations.archive": ("{kind}:manage",),
    "conversations.unarchive": ("{kind}:manage",),
    "conversations.close": ("{kind}:manage",),
    "conversations.list": ("{kind}:read",),
    "conversations.info": ("{kind}:read",),
    "conversations.members": ("{kind}:read",),
    "conversations.history": ("{kind}:history",),
    "conversations.open": ("{kind}:write",),
    "conversations.join": ("channels:join",),
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.getPermalink": (),
    "users.info": ("users:read",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "usergroups.users.list": ("usergroups:read",),
    "views.open": (),
    "views.update": (),
    "views.push": (),
    "oauth.v2.access": (),  # no token: the app's client id and secret
}
# Slack names the write scope of private channels groups:write, not groups:manage.
SCOPE_ALIASES = {
    "groups:manage": "groups:write",
    "im:manage": "im:write",
    "mpim:manage": "mpim:write",
}


class SlackStandIn:
    """A Slack workspace in memory behind the Web API's HTTP interface."""

    def __init__(
        self,
        *,
        scopes: Iterable[str],
        team_id: str = "T0PENPALS",
        team_domain: str = "librarians",
        bot_user: str = "UPENPALSBOT",
        bot_token: str = "xoxb-test-token",
        app_token: str = "xapp-test-token",
    ) -> None:
        self.scopes = set(scopes)
        self.team_id = team_id
        self.team_domain = team_domain
        self.bot_user = bot_user
        self.bot_token = bot_token
        self.app_token = app_token
        self.users: dict[str, Json] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.channels: dict[str, Channel] = {}
        self.views: dict[str, Json] = {}
        self.calls: list[Call] = []
        self.responses: list[Json] = []  # what the app posted to response_url
        self.uploads: dict[str, Json] = {}  # file id -> {"filename", "length", "data"...}
        self.shared_files: dict[str, bytes] = {}  # files members shared (url_private)
        self.downloads: list[str] = []  # file ids asked for at url_private
        self._response_uses: dict[str, int] = defaultdict(int)
        self.limits: dict[str, tuple[int, float]] = {}  # method -> (calls, per seconds)
        self.channel_limits: dict[str, tuple[int, float]] = {}  # per (method, channel)
        self.retry_after_floor = 1  # Slack's Retry-After is whole seconds
        self.page_size = 200  # at most this many items in a page of a cursor-paged method
        self._history: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._forced: dict[str, deque[tuple[str, int, int | None]]] = defaultdict(deque)
        self._ids = 0
        self._ts = 0
        self._sockets: list[web.WebSocketResponse] = []
        self._acks: dict[str, asyncio.Future[Json]] = {}
        self._connected = asyncio.Event()
        self._stall: tuple[str, int] | None = None
        self._drops: dict[str, int] = defaultdict(int)
        self._triggers: dict[str, float] = {}  # trigger_id -> when it was issued
        self.stalled = asyncio.Event()  # set when a stalled call has been carried out
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.add_user(bot_user, "penpals", is_bot=True)
        # OAuth (oauth.v2.access): the app's client id -> secret, and codes handed out.
        self.oauth_apps: dict[str, str] = {}
        self._codes: dict[str, Json] = {}
        self.enterprise_id: str | None = None  # the Enterprise Grid org, if any
        self.revoked = False  # the bot token was revoked (uninstall): calls get token_revoked

    # --- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free loopback port."""
        server = web.Application()
        server.router.add_post("/api/{method}", self._api)
        server.router.add_get("/api/{method}", self._api)
        server.router.add_post("/response/{token}", self._response_url)
        server.router.add_post("/upload/{file_id}", self._upload)
        server.router.add_get("/files-pri/{file_id}/{name}", self._download)
        server.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close the sockets and stop listening."""
        self.release()
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self) -> str:
        """Return a fresh response_url for a command or a button press."""
        return f"http://127.0.0.1:{self.port}/response/{uuid.uuid4().hex}"

    # --- the workspace ----------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        admin: bool = False,
        is_bot: bool = False,
        locale: str = "en-US",
    ) -> None:
        self.users[user_id] = {
            "locale": locale,
            "id": user_id,
            "team_id": self.team_id,
            "name": name.lower().replace(" ", "."),
            "real_name": name,
            "is_admin": admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_bot": is_bot,
            "deleted": False,
            "profile": {"real_name": name, "display_name": name.split()[0]},
        }

    def add_usergroup(self, group_id: str, members: Iterable[str]) -> None:
        self.usergroups[group_id] = list(members)

    def add_channel(
        self,
        name: str,
        *,
        private: bool = False,
        members: Iterable[str] = (),
        creator: str = "UHUMAN",
    ) -> str:
        channel = Channel(
            self._new_id("C"), name, creator, is_private=private, members=list(members)
        )
        self.channels[channel.id] = channel
        return channel.id

    def say(self, channel: str, user: str, text: str) -> str:
        """Post a member's message in *channel* (what people do in their pair space)."""
        ts = self._new_ts()
        self.channels[channel].messages.append(
            {"type": "message", "ts": ts, "user": user, "text": text}
        )
        return ts

    def fail_next(
        self,
        method: str,
        error: str = "ratelimited",
        *,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next *times* calls of *method* with *error* (and Retry-After if given)."""
        for _ in range(times):
            self._forced[method].append((error, status, retry_after))

    def stall_after(self, method: str, count: int) -> None:
        """Carry out the *count*-th successful call of *method*, then hold its answer back.

        The caller sees a request that never returns, as when a process dies after
        Slack did the work: the test cancels it and starts again.
        """
        self._stall = (method, count)

    def drop_after(self, method: str, *, times: int = 1) -> None:
        """Carry out the next *times* calls of *method*, then drop each connection unanswered.

        The client sees a broken connection (ServerDisconnectedError) although the
        work was done, as when a network path fails between Slack and the bot.
        """
        self._drops[method] += times

    def release(self) -> None:
        """Let a stalled answer go (to a caller that has long gone)."""
        self._release.set()

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[Call]:
        return [
            c for c in self.calls if c.method == method and (ok is None or (c.error is None) == ok)
        ]

    def channel_named(self, name: str) -> Channel | None:
        return next((c for c in self.channels.values() if c.name == name), None)

    def pair_channels(self) -> list[Channel]:
        """Return the channels the bot created."""
        return [c for c in self.channels.values() if c.creator == self.bot_user and not c.is_im]

    def posts(self, channel: str, key_prefix: str = "") -> list[Json]:
        return [
            m
            for m in self.channels[channel].messages
            if ((m.get("metadata") or {}).get("event_payload") or {})
            .get("key", "")
            .startswith(key_prefix)
        ]

    # --- HTTP -------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: Json = dict(request.query)
        if request.body_exists:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or args.pop(
            "token", ""
        )
        call = Call(method, args, time.monotonic())
        self.calls.append(call)
        limited = self._rate_limited(method, str(args.get("channel", "")))
        forced = self._forced[method].popleft() if self._forced[method] else None
        if forced is not None and limited is None:
            error, status, retry = forced
            limited = (error, status, retry)
        if limited is not None:
            error, status, retry = limited
            call.error, call.status = error, status
            headers = {"Retry-After": str(retry)} if retry is not None else {}
            return web.json_response({"ok": False, "error": error}, status=status, headers=headers)
        if method == "oauth.v2.access":
            _client_credentials(request.headers.get("Authorization", ""), args)
        try:
            self._authorise(method, token)
            handler = getattr(self, "_m_" + method.replace(".", "_"), None)
            if handler is None:
                raise Refusal("unknown_method")
            body = handler(args)
        except Refusal as exc:
            call.error = exc.code
            return web.json_response({"ok": False, "error": exc.code, **exc.extra})
        if self._stall == (method, len(self.calls_to(method, ok=True))):
            self.stalled.set()
            await self._release.wait()
        if self._drops[method] > 0:
            self._drops[method] -= 1
            call.status = 0  # done, never answered
            if request.transport is not None:
                request.transport.abort()
            raise web.HTTPServiceUnavailable  # nobody reads it: the connection is gone
        return web.json_response({"ok": True, **body})

    async def _response_url(self, request: web.Request) -> web.Response:
        # Slack: a response_url takes up to five messages within 30 minutes of the request.
        token = request.match_info["token"]
        self._response_uses[token] += 1
        if self._response_uses[token] > RESPONSE_URL_USES:
            return web.Response(status=404, text="used_url")
        body = await request.json()
        try:
            check_blocks(body.get("blocks"), limit=50)
        except Refusal as exc:
            return web.Response(status=400, text=exc.code)
        self.responses.append(body)
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """Take a file's bytes at the URL files.getUploadURLExternal handed out."""
        upload = self.uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="unknown upload")
        data = await request.read()
        if len(data) != upload["length"]:
            return web.Response(status=400, text="length differs from the announced one")
        upload["data"] = data
        return web.Response(text=f"OK - {len(data)}")

    def add_file(self, user: str, name: str, data: bytes) -> Json:
        """Share a file as *user* would; return Slack's file object (with url_private)."""
        file_id = self._new_id("F")
        self.shared_files[file_id] = data
        return {
            "id": file_id,
            "name": name,
            "title": name,
            "filetype": name.rsplit(".", 1)[-1],
            "user": user,
            "size": len(data),
            "url_private": f"http://127.0.0.1:{self.port}/files-pri/{file_id}/{name}",
        }

    async def _download(self, request: web.Request) -> web.Response:
        """Hand over a shared file to a bearer of the bot token with files:read (url_private)."""
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        data = self.shared_files.get(request.match_info["file_id"])
        self.downloads.append(request.match_info["file_id"])
        if token != self.bot_token or "files:read" not in self.scopes:
            # Slack answers a browser's login page rather than the file.
            return web.Response(status=302, headers={"Location": "https://slack.com/signin"})
        if data is None:
            return web.Response(status=404, text="file_not_found")
        return web.Response(body=data, content_type="text/csv")

    def _authorise(self, method: str, token: str) -> None:
        if method == "oauth.v2.access":
            return  # authenticated by client_id and client_secret instead
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if not token:
            raise Refusal("not_authed")
        if token != wanted:
            raise Refusal("invalid_auth")
        if self.revoked:
            raise Refusal("token_revoked")

    def _rate_limited(self, method: str, channel: str) -> tuple[str, int, int] | None:
        now = time.monotonic()
        checks = [((method, ""), self.limits.get(method))]
        if channel:
            checks.append(((method, channel), self.channel_limits.get(method)))
        for key, limit in checks:
            if limit is None:
                continue
            calls, per = limit
            seen = self._history[key]
            while seen and seen[0] <= now - per:
                seen.popleft()
            if len(seen) >= calls:
                wait = max(self.retry_after_floor, math.ceil(seen[0] + per - now))
                return ("ratelimited", 429, wait)
        for key, limit in checks:
            if limit is not None:
                self._history[key].append(now)
        return None

    def _need(self, method: str, channel: Channel | None = None, kind: str = "") -> None:
        for template in METHOD_SCOPES.get(method, ()):
            scope = template.format(kind=kind or (channel.kind if channel else "channels"))
            scope = SCOPE_ALIASES.get(scope, scope)
            if scope not in self.scopes:
                raise Refusal("missing_scope", needed=scope, provided=",".join(sorted(self.scopes)))

    def _page(self, items: list[Any], args: Json) -> tuple[list[Any], str]:
        """Return one page of *items* and the next cursor, as Slack's cursor paging does.

        Slack: limit "must be an integer under 1000", and fewer than asked may come
        back even before the end: a page here holds at most page_size items.
        """
        try:
            limit = int(args.get("limit") or 100)
            start = int(args.get("cursor") or 0)
        except ValueError:
            raise Refusal("invalid_cursor") from None
        if not 0 < limit < 1000:
            raise Refusal("invalid_limit")
        size = min(limit, self.page_size)
        page = items[start : start + size]
        return page, str(start + size) if start + size < len(items) else ""

    def _new_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}{self._ids:08X}"

    def _new_ts(self) -> str:
        # Slack's ts is the time in microseconds, unique and increasing in a channel.
        self._ts = max(self._ts + 1, int(time.time() * 1_000_000))
        return f"{self._ts // 1_000_000}.{self._ts % 1_000_000:06d}"

    def _visible(self, channel_id: str) -> Channel:
        """Return a channel the bot can see: public ones, or private ones it is in."""
        channel = self.channels.get(str(channel_id))
        if channel is None or (channel.kind != "channels" and self.bot_user not in channel.members):
            raise Refusal("channel_not_found")
        return channel

    def _member_of(self, channel_id: str) -> Channel:
        channel = self._visible(channel_id)
        if self.bot_user not in channel.members:
            raise Refusal("not_in_channel")
        return channel

    # --- methods ----------------------------------------------------------------------

    def _m_auth_test(self, args: Json) -> Json:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": "Librarians",
            "user": "penpals",
            "team_id": self.team_id,
            "user_id": self.bot_user,
            "bot_id": "BPENPALS",
            "enterprise_id": self.enterprise_id,
            "is_enterprise_install": False,
        }

    def issue_code(self, installer: str, *, redirect_uri: str = "") -> str:
        """Return the code Slack appends to the redirect once *installer* approves the app."""
        code = f"{self.team_id}.{uuid.uuid4().hex}"
        self._codes[code] = {"installer": installer, "redirect_uri": redirect_uri}
        return code

    def _m_oauth_v2_access(self, args: Json) -> Json:
        """Exchange a code for the workspace's bot token (docs: oauth.v2.access)."""
        client_id = str(args.get("client_id", ""))
        if client_id not in self.oauth_apps:
            raise Refusal("invalid_client_id")
        if self.oauth_apps[client_id] != args.get("client_secret"):
            raise Refusal("bad_client_secret")
        grant = self._codes.pop(str(args.get("code", "")), None)  # a code is used once
        self.revoked = False  # installing again issues a working token
        if grant is None:
            raise Refusal("invalid_code")
        if grant["redirect_uri"] and grant["redirect_uri"] != args.get("redirect_uri"):
            raise Refusal("bad_redirect_uri")
        return {
            "access_token": self.bot_token,
            "token_type": "bot",
            "scope": ",".join(sorted(self.scopes)),
            "bot_user_id": self.bot_user,
            "app_id": "APENPALS",
            "team": {"name": self.team_domain.title(), "id": self.team_id},
            "enterprise": (
                {"id": self.enterprise_id, "name": "Grid"} if self.enterprise_id else None
            ),
            "authed_user": {"id": grant["installer"]},
            "is_enterprise_install": False,
        }

    def _m_apps_connections_open(self, args: Json) -> Json:
        return {"url": f"ws://127.0.0.1:{self.port}/socket?ticket={uuid.uuid4().hex}"}

    def _m_conversations_create(self, args: Json) -> Json:
        private = _truthy(args.get("is_private"))
        self._need("conversations.create", kind="groups" if private else "channels")
        name = str(args.get("name", ""))
        if not _NAME.match(name):
            raise Refusal("invalid_name_specials" if len(name) <= 80 else "invalid_name_maxlength")
        if self.channel_named(name) is not None:
            raise Refusal("name_taken")
        channel = Channel(
            self._new_id("C"), name, self.bot_user, is_private=private, members=[self.bot_user]
        )
        self.channels[channel.id] = channel
        return {"channel": channel.as_json(self.bot_user)}

    def _m_conversations_setPurpose(self, args: Json) -> Json:
        channel = self._member_of(args.get("channel", ""))
        self._need("conversations.setPurpose", channel)
        channel.purpose = str(args.get("purpose", ""))
        return {"purpose": channel.purpose}

    def _m_conversations_invite(self, args: Json) -> Json:
        channel = self._member_of(args.get("channel", ""))
        self._need("conversations.invite", channel)
        if channel.is_archived:
            raise Refusal("is_archived")
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users:
            raise Refusal("no_user")
        if self.bot_user in users:
            raise Refusal("cant_invite_self")
        for user in users:
            if user not in self.users or self.users[user]["deleted"]:
                raise Refusal("user_not_found")
        new = [u for u in users if u not in channel.members]
        if not new:
            raise Refusal("already_in_channel")
        channel.members.extend(new)
        return {"channel": channel.as_json(self.bot_user)}

    def _m_conversations_kick(self, args: Json) -> Json:
        channel = self._member_of(args.get("channel", ""))
        self._need("conversations.kick", channel)
        if channel.is_im or channel.is_mpim:
            raise Refusal("method_not_supported_for_channel_type")
        user = str(args.get("user", ""))
        if user == self.bot_user:
            raise Refusal("cant_kick_self")
        if user not in self.users:
            raise Refusal("user_not_found")
        if user not in channel.members:
            raise Refusal("not_in_channel")
        channel.members.remove(user)
        return {}

    def _m_conversations_list(self, args: Json) -> Json:
        kinds = {
            "public_channel": "channels",
            "private_channel": "groups",
            "mpim": "mpim",
            "im": "im",
        }
        wanted = {
            kinds[t] for t in str(args.get("types", "public_channel")).split(",") if t in kinds
        }
        for kind in wanted:
            self._need("conversations.list", kind=kind)
        skip_archived = _truthy(args.get("exclude_archived"))
        found = [
            c
            for c in self.channels.values()
            if c.kind in wanted
            and (c.kind == "channels" or self.bot_user in c.members)
            and not (skip_archived and c.is_archived)
        ]
        page, cursor = self._page(found, args)
        return {
            "channels": [c.as_json(self.bot_user) for c in page],
            "response_metadata": {"next_cursor": cursor},
        }

    def _m_conversations_info(self, args: Json) -> Json:
        channel = self._visible(args.get("channel", ""))
        self._need("conversations.info", channel)
        return {"channel": channel.as_json(self.bot_user)}

    def _m_conversations_members(self, args: Json) -> Json:
        channel = self._visible(args.get("channel", ""))
        self._need("conversations.members", channel)
        page, cursor = self._page(list(channel.members), args)
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _m_conversations_history(self, args: Json) -> Json:
        channel = self._member_of(args.get("channel", ""))
        self._need("conversations.history", channel)
        oldest = float(args.get("oldest") or 0)
        with_meta = _truthy(args.get("include_all_metadata"))
        newest_first = [m for m in reversed(channel.messages) if float(m["ts"]) > oldest]
        start = int(args.get("cursor") or 0)
        limit = min(int(args.get("limit") or 100), 999)
        page = newest_first[start : start + limit]
        cursor = str(start + limit) if start + limit < len(newest_first) else ""
        shown = [m if with_meta else {k: v for k, v in m.items() if k != "metadata"} for m in page]
        return {
            "messages": shown,
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _m_conversations_archive(self, args: Json) -> Json:
        channel = self._member_of(args.get("channel", ""))
        self._need("conversations.archive", channel)
        if channel.is_im or channel.is_mpim:
            raise Refusal("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise Refusal("already_archived")
        channel.is_archived = True
        return {}

    def _m_conversations_unarchive(self, args: Json) -> Json:
        # Slack's method page: "Bot tokens (xoxb-...) cannot currently be used to
        # unarchive conversations." Every token this stand-in accepts is a bot's.
        raise Refusal("not_allowed_token_type")

    def _m_conversations_close(self, args: Json) -> Json:
        channel = self._member_of(args.get("channel", ""))
        self._need("conversations.close", channel)
        if not (channel.is_im or channel.is_mpim):
            raise Refusal("method_not_supported_for_channel_type")
        return {"no_op": False, "already_closed": False}

    def _m_conversations_join(self, args: Json) -> Json:
        channel = self._visible(args.get("channel", ""))
        self._need("conversations.join", channel)
        if channel.kind != "channels":
            raise Refusal("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise Refusal("is_archived")
        if self.bot_user not in channel.members:
            channel.members.append(self.bot_user)
        return {"channel": channel.as_json(self.bot_user)}

    def _m_conversations_open(self, args: Json) -> Json:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users or len(users) > 8:
            raise Refusal("not_enough_users" if not users else "too_many_users")
        for user in users:
            if user not in self.users:
                raise Refusal("user_not_found")
        mpim = len(users) > 1
        self._need("conversations.open", kind="mpim" if mpim else "im")
        members = sorted({*users, self.bot_user})
        for channel in self.channels.values():
            if (channel.is_mpim or channel.is_im) and sorted(channel.members) == members:
                return {"channel": channel.as_json(self.bot_user), "already_open": True}
        channel = Channel(
            self._new_id("G" if mpim else "D"),
            "mpdm-" + "--".join(self.users[u]["name"] for u in users) + "-1" if mpim else users[0],
            self.bot_user,
            is_private=True,
            is_mpim=mpim,
            is_im=not mpim,
            members=members,
        )
        self.channels[channel.id] = channel
        return {"channel": channel.as_json(self.bot_user), "already_open": False}

    def _m_chat_postMessage(self, args: Json) -> Json:
        channel = self._visible(args.get("channel", ""))
        self._need("chat.postMessage", channel)
        if channel.is_archived:
            raise Refusal("is_archived")
        if self.bot_user not in channel.members and "chat:write.public" not in self.scopes:
            raise Refusal("not_in_channel")
        blocks = check_blocks(args.get("blocks"), limit=50)
        if not args.get("text") and not blocks:
            raise Refusal("no_text")
        message: Json = {
            "type": "message",
            "ts": self._new_ts(),
            "user": self.bot_user,
            "bot_id": "BPENPALS",
            "text": args.get("text", ""),
            "blocks": blocks,
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if metadata:
            message["metadata"] = metadata
        channel.messages.append(message)
        return {"channel": channel.id, "ts": message["ts"], "message": message}

    def _m_chat_postEphemeral(self, args: Json) -> Json:
        channel = self._visible(args.get("channel", ""))
        self._need("chat.postEphemeral", channel)
        return {"message_ts": self._new_ts()}

    def _m_chat_getPermalink(self, args: Json) -> Json:
        channel = self._visible(args.get("channel", ""))
        ts = str(args.get("message_ts", ""))
        if not any(m["ts"] == ts for m in channel.messages):
            raise Refusal("message_not_found")
        link = f"https://{self.team_domain}.slack.com/archives/{channel.id}/p{ts.replace('.', '')}"
        return {"channel": channel.id, "permalink": link}

    def _m_users_info(self, args: Json) -> Json:
        self._need("users.info")
        user = self.users.get(str(args.get("user", "")))
        if user is None:
            raise Refusal("user_not_found")
        if not _truthy(args.get("include_locale")):
            user = {k: v for k, v in user.items() if k != "locale"}
        return {"user": user}

    def _m_files_getUploadURLExternal(self, args: Json) -> Json:
        self._need("files.getUploadURLExternal")
        filename, length = str(args.get("filename") or ""), str(args.get("length") or "")
        if not filename or not length.isdigit():
            raise Refusal("invalid_arguments")
        file_id = self._new_id("F")
        self.uploads[file_id] = {"id": file_id, "filename": filename, "length": int(length)}
        return {"upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, args: Json) -> Json:
        self._need("files.completeUploadExternal")
        raw = args.get("files")
        listed = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(listed, list) or not listed:
            raise Refusal("invalid_arguments")
        files = []
        for item in listed:
            upload = self.uploads.get(str(item.get("id", "")))
            if upload is None or "data" not in upload:
                raise Refusal("file_not_found")
            upload["title"] = item.get("title") or upload["filename"]
            files.append({k: v for k, v in upload.items() if k != "data"})
        channel_id = str(args.get("channel_id") or "")
        if channel_id:
            channel = self._member_of(channel_id)
            if channel.is_archived:
                raise Refusal("is_archived")
            message: Json = {
                "type": "message",
                "ts": self._new_ts(),
                "user": self.bot_user,
                "bot_id": "BPENPALS",
                "text": str(args.get("initial_comment") or ""),
                "files": files,
            }
            if args.get("thread_ts"):
                message["thread_ts"] = str(args["thread_ts"])
            channel.messages.append(message)
            for upload in files:
                self.uploads[upload["id"]]["channel"] = channel.id
        return {"files": files}

    def file_data(self, file_id: str) -> bytes:
        """Return the bytes the app uploaded as *file_id*."""
        return bytes(self.uploads[file_id]["data"])

    def _m_usergroups_users_list(self, args: Json) -> Json:
        self._need("usergroups.users.list")
        group = self.usergroups.get(str(args.get("usergroup", "")))
        if group is None:
            raise Refusal("no_such_subteam")
        return {"users": list(group)}

    def issue_trigger(self) -> str:
        """Return a trigger_id that expires TRIGGER_TTL seconds from now, as Slack's do."""
        trigger = f"{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:12]}"
        self._triggers[trigger] = time.monotonic()
        return trigger

    def _m_views_open(self, args: Json) -> Json:
        trigger = str(args.get("trigger_id", ""))
        if not trigger:
            raise Refusal("invalid_arguments")
        issued = self._triggers.pop(trigger, None)
        late = issued is not None and time.monotonic() - issued > TRIGGER_TTL
        if trigger.startswith("expired") or late:
            raise Refusal("expired_trigger_id")
        return {"view": self._store_view(args.get("view"))}

    def _m_views_update(self, args: Json) -> Json:
        view_id = str(args.get("view_id", ""))
        if view_id not in self.views:
            raise Refusal("not_found")
        if args.get("hash") and args["hash"] != self.views[view_id]["hash"]:
            raise Refusal("hash_conflict")  # the view changed since that hash was read
        return {"view": self._store_view(args.get("view"), view_id=view_id)}

    def _m_views_push(self, args: Json) -> Json:
        return self._m_views_open(args)

    def _store_view(self, raw: Any, *, view_id: str = "") -> Json:
        view = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(view, dict) or view.get("type") != "modal":
            raise Refusal("invalid_arguments")
        if len(view.get("title", {}).get("text", "")) > 24:
            raise Refusal("invalid_arguments", response_metadata={"messages": ["title too long"]})
        check_blocks(view.get("blocks"), limit=100)
        stored = {
            **view,
            "id": view_id or self._new_id("V"),
            "hash": uuid.uuid4().hex,
            "team_id": self.team_id,
            "state": {"values": {}},
        }
        self.views[stored["id"]] = stored
        return stored

    # --- Socket Mode ------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}
        )
        self._connected.set()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                future = self._acks.pop(str(data.get("envelope_id", "")), None)
                if future is not None and not future.done():
                    future.set_result(data)
        finally:
            self._sockets.remove(ws)
        return ws

    async def socket_request(self, kind: str, payload: Json, *, wait: float = 5.0) -> Json:
        """Send an envelope over the app's Socket Mode connection; return its acknowledgement."""
        await asyncio.wait_for(self._connected.wait(), wait)
        envelope_id = str(uuid.uuid4())
        future: asyncio.Future[Json] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = future
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return await asyncio.wait_for(future, wait)


def _client_credentials(authorization: str, args: Json) -> None:
    """Read client_id and client_secret from HTTP Basic auth, as Slack prefers them sent."""
    import base64

    if not authorization.startswith("Basic "):
        return
    try:
        decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode("utf-8")
    except ValueError:
        return
    client_id, _, secret = decoded.partition(":")
    args.setdefault("client_id", client_id)
    args.setdefault("client_secret", secret)


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


def check_blocks(raw: Any, *, limit: int) -> list[Json]:
    """Refuse layouts Slack refuses: too many blocks, long texts, repeated ids."""
    blocks = json.loads(raw) if isinstance(raw, str) else (raw or [])
    if len(blocks) > limit:
        raise Refusal("invalid_blocks", errors=[f"more than {limit} blocks"])
    action_ids: set[str] = set()
    block_ids: set[str] = set()
    for block in blocks:
        kind = block.get("type")
        if block.get("block_id"):
            if block["block_id"] in block_ids:
                raise Refusal("invalid_blocks", errors=["repeated block_id"])
            block_ids.add(block["block_id"])
        text = (block.get("text") or {}).get("text", "")
        if kind == "header" and (len(text) > 150 or block["text"].get("type") != "plain_text"):
            raise Refusal("invalid_blocks", errors=["header text"])
        if kind == "section" and (len(text) > 3000 or len(block.get("fields", [])) > 10):
            raise Refusal("invalid_blocks", errors=["section too long"])
        if kind == "section" and not text and not block.get("fields"):
            raise Refusal("invalid_blocks", errors=["empty section"])
        elements = block.get("elements", []) if kind == "actions" else []
        if kind == "input":
            elements = [block.get("element", {})]
            if not block.get("label"):
                raise Refusal("invalid_blocks", errors=["input without label"])
        if kind == "actions" and not 0 < len(elements) <= 25:
            raise Refusal("invalid_blocks", errors=["actions elements"])
        for element in elements:
            action_id = element.get("action_id")
            if action_id in action_ids:
                raise Refusal("invalid_blocks", errors=[f"repeated action_id {action_id}"])
            if action_id:
                action_ids.add(action_id)
            if element.get("type") == "button" and len(element["text"]["text"]) > 75:
                raise Refusal("invalid_blocks", errors=["button text"])
            options = element.get("options") or []
            if len(options) > 100:
                raise Refusal("invalid_blocks", errors=["more than 100 options"])
            if element.get("type") == "checkboxes" and len(options) > 10:
                raise Refusal("invalid_blocks", errors=["more than 10 checkboxes"])
            if any(len(o["text"]["text"]) > 75 for o in options):
                raise Refusal("invalid_blocks", errors=["option text longer than 75"])
            values = {o["value"] for o in options}
            chosen = element.get("initial_options") or (
                [element["initial_option"]] if element.get("initial_option") else []
            )
            if options and any(o not in options or o["value"] not in values for o in chosen):
                raise Refusal("invalid_blocks", errors=["initial option not among the options"])
    return blocks


def wait_until(predicate: Callable[[], bool], *, timeout: float = 5.0) -> Any:
    """Return a coroutine that waits (briefly polling) until *predicate* holds."""

    async def waiting() -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for the stand-in")
            await asyncio.sleep(0.01)

    return waiting()
