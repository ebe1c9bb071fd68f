"""The Slack stand-in's workspace as data (users, user groups, channels, views, files,
recorded calls and arranged faults), what tests arrange and read, and the lookups and
checks every Web API method shares."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from tests.adapters.slack.standin_model import (
    METHOD_SCOPES,
    SCOPE_ALIASES,
    Call,
    Channel,
    Json,
    Refusal,
)


class Workspace:
    """A Slack workspace in memory: the state every part of the stand-in reads and changes."""

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

    # --- the workspace ------------------------------------------------------------

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

    def file_data(self, file_id: str) -> bytes:
        """Return the bytes the app uploaded as *file_id*."""
        return bytes(self.uploads[file_id]["data"])

    def issue_code(self, installer: str, *, redirect_uri: str = "") -> str:
        """Return the code Slack appends to the redirect once *installer* approves the app."""
        code = f"{self.team_id}.{uuid.uuid4().hex}"
        self._codes[code] = {"installer": installer, "redirect_uri": redirect_uri}
        return code

    def issue_trigger(self) -> str:
        """Return a trigger_id that expires TRIGGER_TTL seconds from now, as Slack's do."""
        trigger = f"{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:12]}"
        self._triggers[trigger] = time.monotonic()
        return trigger

    # --- what tests arrange and read ----------------------------------------------

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

    # --- shared by the methods ----------------------------------------------------

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
