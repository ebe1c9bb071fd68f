"""HTTP mode: an aiohttp server that hands every signed Slack request to the AsyncApp.

The slash command, interactivity and options-load URLs of the manifest all point
at one path; bolt verifies each request's signature and age, and ReplayGuard
refuses one seen before. Before bolt sees a request, envelope.py refuses one
that Slack would not send (a timestamp that is not a number: 401; a payload that
is not JSON, or lacks the user, team, actions or state penpals reads: 400), so
no hostile body reaches a listener or ends in a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from adapters.slack import envelope

EVENTS_PATH = "/slack/events"
log = logging.getLogger("penpals.slack")
# Returns /healthz's HTTP status and JSON body (bots/health.py).
HealthCheck = Callable[[], Awaitable[tuple[int, dict[str, Any]]]]


def web_app(
    app: AsyncApp, *, path: str = EVENTS_PATH, health: HealthCheck | None = None
) -> web.Application:
    """Return the aiohttp application serving *app* at *path* (and /healthz)."""

    async def dispatch(request: web.Request) -> web.Response:
        if not envelope.timestamp_ok(request.headers.get("X-Slack-Request-Timestamp")):
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            # bolt parses the body once here; a body it cannot read is malformed.
            bolt_request = await to_bolt_request(request)
            envelope.check(bolt_request.body)
        except Exception as exc:  # any failure to read the body is the sender's
            log.info("malformed Slack request refused: %s", str(exc)[:200])
            return web.json_response({"error": "malformed request"}, status=400)
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    async def healthz(request: web.Request) -> web.Response:
        if health is None:
            return web.json_response({"status": "ok"})
        status, body = await health()
        return web.json_response(body, status=status)

    server = web.Application()
    server.router.add_post(path, dispatch)
    flow = app.oauth_flow
    if flow is not None:  # Slack distribution: the install page and Slack's redirect

        async def installing(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_installation(await to_bolt_request(request))
            )

        async def redirected(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_callback(await to_bolt_request(request))
            )

        server.router.add_get(flow.install_path, installing)
        server.router.add_get(flow.redirect_uri_path, redirected)
    server.router.add_get("/healthz", healthz)
    return server


@asynccontextmanager
async def http_server(
    app: AsyncApp,
    *,
    host: str,
    port: int,
    path: str = EVENTS_PATH,
    health: HealthCheck | None = None,
) -> AsyncIterator[int]:
    """Serve *app* over HTTP while the context is open; yield the port it listens on."""
    runner = web.AppRunner(web_app(app, path=path, health=health), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        yield int(bound)
    finally:
        await runner.cleanup()
