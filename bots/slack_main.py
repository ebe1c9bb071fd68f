"""Run penpals in a Slack workspace: Socket Mode with SLACK_APP_TOKEN, HTTP mode without.

`penpals run slack` (and `penpals run all`) await serve(); it returns only when
cancelled. While it runs, a SlackPlatform sharing the app's Web API client (and so
its 429 handling) is registered in services.platforms, where the round engine's
delivery finds it.
"""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import install
from adapters.slack.app import build_app, connected
from adapters.slack.client import make_client
from adapters.slack.http import EVENTS_PATH, http_server
from adapters.slack.pacing import SLACK_INTERVALS, Limits, Pacer
from adapters.slack.platform import SlackPlatform
from adapters.slack.workspaces import WorkspacePlatforms
from bots.bootstrap import Services
from bots.health import Health
from bots.settings import Settings
from core.errors import InvalidValue
from core.model import Platform
from core.platform import ChatPlatform

log = logging.getLogger("penpals.slack")


def slack_client(settings: Settings) -> AsyncWebClient:
    """Return the bot's Web API client (base URL from PENPALS_SLACK_API_URL)."""
    if not settings.slack_bot_token:
        raise InvalidValue("SLACK_BOT_TOKEN is not set: copy the bot token (xoxb-...) of the app")
    return make_client(settings.slack_bot_token, base_url=settings.slack_api_url)


def slack_limits(settings: Settings) -> Limits:
    """Return Slack's published pacing with the intervals the settings shorten or lengthen."""
    return Limits(
        per_method={
            **SLACK_INTERVALS,
            "conversations.create": settings.slack_create_interval,
            "conversations.setPurpose": settings.slack_purpose_interval,
        }
    )


def delivery_platform(app: AsyncApp, client: AsyncWebClient, limits: Limits) -> ChatPlatform:
    """Return the platform delivery uses: one workspace's, or each installed workspace's."""
    store = app.installation_store
    if isinstance(client, install.WorkspaceClient) and store is not None:
        return WorkspacePlatforms(
            client=client,
            tokens=install.WorkspaceTokens(store),  # type: ignore[arg-type]
            pacer=Pacer(limits),
        )
    return slack_platform(client, limits)


def slack_platform(client: AsyncWebClient, limits: Limits | None = None) -> SlackPlatform:
    """Return the delivery side of the adapter, paced at Slack's published limits."""
    return SlackPlatform(client=client, pacer=Pacer(limits))


async def serve(
    settings: Settings,
    services: Services,
    *,
    client: AsyncWebClient | None = None,
    limits: Limits | None = None,
    host: str | None = None,
    health: Health | None = None,
) -> None:
    """Serve the Slack app until cancelled; deliver Slack's outbox actions meanwhile.

    *host* defaults to PENPALS_SLACK_HOST; *limits* to Slack's pacing with the
    PENPALS_SLACK_CREATE_INTERVAL and PENPALS_SLACK_PURPOSE_INTERVAL settings.
    """
    limits = limits or slack_limits(settings)
    health = health or Health(services.engine, ["slack"])
    if settings.slack_distributed:
        if settings.slack_app_token:
            raise InvalidValue(
                "Slack distribution (SLACK_CLIENT_ID) needs HTTP mode: unset SLACK_APP_TOKEN "
                "and set SLACK_SIGNING_SECRET (Slack's OAuth redirect is an HTTP request)"
            )
        client = client or install.workspace_client(settings.slack_api_url)
    else:
        client = client or slack_client(settings)
    app = build_app(settings, services, client=client, limits=limits)
    services.platforms[Platform.SLACK] = delivery_platform(app, client, limits)
    services.wake()  # deliver what waited for Slack while it was not connected
    try:
        async with connected(app):
            await _serve(settings, app, client, host or settings.slack_host, health)
    finally:
        services.platforms.pop(Platform.SLACK, None)
        health.forget("slack")


async def _serve(
    settings: Settings, app: AsyncApp, client: AsyncWebClient, host: str, health: Health
) -> None:
    if settings.slack_app_token:
        handler = AsyncSocketModeHandler(app, settings.slack_app_token, web_client=client)
        try:
            await handler.connect_async()
            health.watch("slack", handler.client.is_connected)
            log.info("penpals is connected to Slack in Socket Mode")
            await asyncio.Event().wait()
        finally:
            await handler.close_async()
        return
    if not settings.slack_signing_secret:
        raise InvalidValue(
            "SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it "
            "(or set SLACK_APP_TOKEN for Socket Mode)"
        )
    async with http_server(app, host=host, port=settings.slack_port, health=health.report) as port:
        health.watch("slack", _listening)
        log.info("penpals listens for Slack on http://%s:%d%s", host, port, EVENTS_PATH)
        await asyncio.Event().wait()


async def _listening() -> bool:
    """HTTP mode is connected while its server listens: Slack calls it."""
    return True
