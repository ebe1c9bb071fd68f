"""Run the chat adapters (Discord, Slack or both) in one process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from adapters.storage.leader import Leadership
from bots.bootstrap import Services, build
from bots.engine import Engine
from bots.health import Health, health_server
from bots.settings import Settings
from core.errors import PenpalsError

log = logging.getLogger(__name__)

Serve = Callable[..., Awaitable[None]]  # (settings, services, *, health=...)


def _discord() -> Serve:
    from bots.discord_main import serve

    return serve


def _slack() -> Serve:
    from bots.slack_main import serve

    return serve


def configured(settings: Settings) -> dict[str, Callable[[], Serve]]:
    """Return the adapters whose credentials are set."""
    found: dict[str, Callable[[], Serve]] = {}
    if settings.discord_token:
        found["discord"] = _discord
    if settings.slack_bot_token or settings.slack_distributed:
        found["slack"] = _slack
    return found


def missing(settings: Settings, which: str) -> str | None:
    """Return what configuration *which* ('discord', 'slack', 'all') lacks, if anything."""
    if which == "discord" and not settings.discord_token:
        return "set DISCORD_TOKEN to the bot token of your Discord application"
    if which == "slack":
        if settings.slack_distributed:
            if not settings.slack_signing_secret:
                return "set SLACK_SIGNING_SECRET: Slack distribution runs in HTTP mode"
            return None
        if not settings.slack_bot_token:
            return (
                "set SLACK_BOT_TOKEN to the bot token (xoxb-...) of your Slack app, or "
                "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install it in many workspaces"
            )
        if not settings.slack_app_token and not settings.slack_signing_secret:
            return (
                "set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode) "
                "for your Slack app"
            )
    if which == "all" and not configured(settings):
        return "set DISCORD_TOKEN and/or SLACK_BOT_TOKEN: no platform is configured"
    return None


async def run(settings: Settings, which: str) -> None:
    """Serve the chosen adapters until interrupted."""
    problem = missing(settings, which)
    if problem:
        raise PenpalsError(problem)
    chosen = configured(settings) if which == "all" else {which: configured(settings)[which]}
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    async with build(settings) as services:
        health = Health(services.engine, chosen)
        engine = start_engine(services)
        log.info("starting %s", ", ".join(chosen))
        try:
            async with _health_server(settings, health, chosen):
                await asyncio.gather(
                    engine.start(),
                    *(
                        _serve(name, load, settings, services, health)
                        for name, load in chosen.items()
                    ),
                )
        finally:
            await engine.stop()


@asynccontextmanager
async def _health_server(
    settings: Settings, health: Health, chosen: dict[str, Callable[[], Serve]]
) -> AsyncIterator[None]:
    """Serve /healthz on PENPALS_HEALTH_PORT, unless the Slack HTTP server carries it."""
    slack_http = "slack" in chosen and not settings.slack_app_token
    if settings.health_port is None or slack_http:
        yield
        return
    async with health_server(health, host=settings.health_host, port=settings.health_port) as port:
        log.info("health: http://%s:%d/healthz", settings.health_host, port)
        yield


_NAMES = {
    "discord": ("Discord", "PENPALS_DISCORD_API_URL"),
    "slack": ("Slack", "PENPALS_SLACK_API_URL"),
}


async def _serve(
    name: str, load: Callable[[], Serve], settings: Settings, services: Services, health: Health
) -> None:
    """Serve one platform; a platform that cannot be reached or refuses us is named."""
    serve = load()
    label, url_setting = _NAMES[name]
    try:
        await serve(settings, services, health=health)
    except (aiohttp.ClientError, TimeoutError) as exc:
        # aiohttp's connection errors are OSErrors too: without this they would read as
        # a database failure.
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PenpalsError(
            f"could not reach {label} ({detail}): check the network, the firewall or proxy, "
            f"and {url_setting} if you set it"
        ) from None
    except Exception as exc:
        if type(exc).__name__ == "LoginFailure":  # discord.LoginFailure: a token Discord refused
            raise PenpalsError(
                f"Discord refused the bot token ({exc}): set DISCORD_TOKEN to the token of "
                "your application's bot (Developer Portal, Bot, Reset Token)"
            ) from None
        raise


def start_engine(services: Services, *, retry_seconds: float = 5.0) -> Engine:
    """Build the round engine on the services and hook it to their wake-ups.

    On PostgreSQL several processes may run: the leader runs the engine; a follower
    still answers requests, and the wake-ups its decisions raise go to the leader
    (Leadership.wake: a NOTIFY the leader LISTENs to) instead of its own engine.
    """
    leadership = Leadership(services.engine, retry_seconds=retry_seconds)
    engine = Engine(
        automation=services.automation,
        delivery=services.delivery,
        clock=services.clock,
        leadership=leadership,
    )

    pending: set[asyncio.Task[None]] = set()  # keep tasks referenced until done

    def later(work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        pending.add(task)
        task.add_done_callback(pending.discard)

    def woken(round_id: int | None) -> None:
        if not leadership.leading:
            later(leadership.wake(round_id))  # the leader's engine does it
            return
        if round_id is None:
            engine.kick()
            return
        # Advancing the round also kicks delivery.
        later(engine.advance(round_id))

    services.wake.listen(woken)
    leadership.on_wake(woken)  # wake-ups from the followers, while this process leads
    return engine
