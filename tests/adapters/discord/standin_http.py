"""The stand-in's HTTP side: the aiohttp server, the route table, request recording and
faults, and the application's own endpoints (user, application, gateway, commands)."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import MultipartReader, web

from tests.adapters.discord import payloads as p
from tests.adapters.discord.standin_model import (
    API,
    Fault,
    Handler,
    Recorded,
    Refused,
    Request,
    json_response,
)
from tests.adapters.discord.standin_state import State


class Http(State):
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
                    return json_response(p.error(exc.code, exc.text), status=exc.status)
                if late is not None and late.when == "drop":
                    # Done, but the answer never reaches the bot.
                    record.status = -1
                    assert raw.transport is not None
                    raw.transport.abort()
                    raise ConnectionResetError("the stand-in dropped the connection")
                if late is not None:
                    record.status = late.status
                    return json_response(p.error(late.code, late.text), status=late.status)
                record.status = 204 if result is None else 200
                if result is None:
                    return web.Response(status=204)
                return json_response(result)
        record.status = 404
        return json_response(p.error(0, f"404: Not Found ({raw.method} {path})"), status=404)

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
            return json_response(body, status=429, headers=headers)
        return json_response(p.error(fault.code, fault.text), status=fault.status)

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
