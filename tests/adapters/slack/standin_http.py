"""The Slack stand-in's server: the Web API route (tokens, rate limits, arranged faults,
stalls and dropped connections), response_url, file upload and download URLs, and
Socket Mode."""

from __future__ import annotations

import asyncio
import json
import math
import time
import uuid

from aiohttp import WSMsgType, web

from tests.adapters.slack.standin_model import RESPONSE_URL_USES, Call, Json, Refusal, check_blocks
from tests.adapters.slack.standin_state import Workspace


class Http(Workspace):
    """Serve the workspace on a loopback port, as slack.com/api and wss:// do."""

    # --- lifecycle ----------------------------------------------------------------

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

    # --- HTTP ---------------------------------------------------------------------

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
            client_credentials(request.headers.get("Authorization", ""), args)
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

    # --- Socket Mode --------------------------------------------------------------

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


def client_credentials(authorization: str, args: Json) -> None:
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
