"""The health of a running penpals: is the database reachable, are the platforms connected.

`GET /healthz` answers 200 with {"database": "ok", "platforms": {"slack": "connected"}}
when all is well and 503 with the same shape otherwise, for a process manager or a
load balancer. The Slack HTTP server serves it on its own port; without one (Discord
only, or Slack in Socket Mode) PENPALS_HEALTH_PORT starts a small server for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("penpals.health")

Probe = Callable[[], Awaitable[bool]]
DATABASE_TIMEOUT = 2.0  # seconds; a load balancer's own check usually waits 5


class Health:
    """What /healthz reports: the database, and each platform this process serves."""

    def __init__(self, engine: AsyncEngine, platforms: Iterable[str] = ()) -> None:
        self._engine = engine
        self._probes: dict[str, Probe | None] = dict.fromkeys(platforms)

    def watch(self, platform: str, probe: Probe) -> None:
        """Report *platform* connected while *probe* says so."""
        self._probes[platform] = probe

    def forget(self, platform: str) -> None:
        """Report *platform* disconnected (its adapter stopped)."""
        if platform in self._probes:
            self._probes[platform] = None

    async def report(self) -> tuple[int, dict[str, Any]]:
        """Return the HTTP status (200 or 503) and the JSON body of /healthz."""
        database = await self._database()
        platforms = {name: await _state(probe) for name, probe in self._probes.items()}
        well = database == "ok" and all(s == "connected" for s in platforms.values())
        return (200 if well else 503), {"database": database, "platforms": platforms}

    async def _database(self) -> str:
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT):
                async with self._engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except Exception as exc:  # any failure is "unreachable"; the log says which
            log.warning("health: the database is unreachable (%s)", type(exc).__name__)
            return "unreachable"
        return "ok"


async def _state(probe: Probe | None) -> str:
    if probe is None:
        return "disconnected"
    try:
        return "connected" if await probe() else "disconnected"
    except Exception:
        return "disconnected"


async def respond(health: Health) -> web.Response:
    """Return /healthz's response for *health*."""
    status, body = await health.report()
    return web.json_response(body, status=status)


@asynccontextmanager
async def health_server(health: Health, *, host: str, port: int) -> AsyncIterator[int]:
    """Serve GET /healthz while the context is open; yield the port it listens on."""

    async def handle(request: web.Request) -> web.Response:
        return await respond(health)

    server = web.Application()
    server.router.add_get("/healthz", handle)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        yield int(bound)
    finally:
        await runner.cleanup()
