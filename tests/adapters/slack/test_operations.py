"""Operations: PENPALS_SLACK_HOST, the Slack pacing settings, and /healthz (200 or 503)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from adapters.slack.pacing import SLACK_INTERVALS
from adapters.storage.engine import create_engine
from bots import runner
from bots.bootstrap import Services
from bots.health import Health
from bots.settings import Settings
from bots.slack_main import slack_limits
from tests.adapters.slack.serving import free_port, serving


async def _health(url: str) -> tuple[int, dict[str, Any]]:
    """Return /healthz's status and body once the server answers."""
    async with aiohttp.ClientSession() as session:
        for _ in range(250):
            try:
                async with session.get(url) as answer:
                    return answer.status, await answer.json()
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.02)
    raise AssertionError(f"{url} never answered")


async def test_slack_http_server_listens_on_the_host_setting_and_reports_health(
    settings: Settings, services: Services
) -> None:
    """PENPALS_SLACK_HOST chooses the address; /healthz says the database and Slack are up."""
    port = free_port()
    configured = settings.model_copy(update={"slack_host": "127.0.0.1", "slack_port": port})
    async with serving(configured, services):
        status, body = await _health(f"http://127.0.0.1:{port}/healthz")
    assert (status, body) == (200, {"database": "ok", "platforms": {"slack": "connected"}})


async def test_healthz_is_503_when_the_database_is_unreachable(
    settings: Settings, services: Services
) -> None:
    """A database that cannot be reached turns /healthz into a 503 naming it."""
    port = free_port()
    configured = settings.model_copy(update={"slack_host": "127.0.0.1", "slack_port": port})
    nowhere = create_engine(f"postgresql+asyncpg://penpals@127.0.0.1:{free_port()}/penpals")
    try:
        async with serving(configured, services, health=Health(nowhere, ["slack"])):
            status, body = await _health(f"http://127.0.0.1:{port}/healthz")
    finally:
        await nowhere.dispose()
    assert status == 503
    assert body == {"database": "unreachable", "platforms": {"slack": "connected"}}


async def test_health_server_without_slack_http_reports_each_platform(services: Services) -> None:
    """PENPALS_HEALTH_PORT serves /healthz: 503 until Discord is connected, then 200."""
    port = free_port()
    settings = Settings(_env_file=None, health_host="127.0.0.1", health_port=port)
    health = Health(services.engine, ["discord"])
    connected = False

    async def probe() -> bool:
        return connected

    async with runner._health_server(settings, health, {"discord": runner._discord}):
        starting = await _health(f"http://127.0.0.1:{port}/healthz")
        health.watch("discord", probe)
        disconnected = await _health(f"http://127.0.0.1:{port}/healthz")
        connected = True
        ready = await _health(f"http://127.0.0.1:{port}/healthz")
    assert starting == (503, {"database": "ok", "platforms": {"discord": "disconnected"}})
    assert disconnected[0] == 503
    assert ready == (200, {"database": "ok", "platforms": {"discord": "connected"}})


def test_pacing_of_channel_creation_comes_from_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PENPALS_SLACK_CREATE_INTERVAL and _PURPOSE_INTERVAL set the two Tier 2 paces."""
    monkeypatch.setenv("PENPALS_SLACK_CREATE_INTERVAL", "0.05")
    monkeypatch.setenv("PENPALS_SLACK_PURPOSE_INTERVAL", "0")
    monkeypatch.setenv("PENPALS_SLACK_HOST", "::1")
    settings = Settings(_env_file=None)
    limits = slack_limits(settings)
    assert limits.per_method["conversations.create"] == 0.05
    assert limits.per_method["conversations.setPurpose"] == 0
    assert limits.per_method["conversations.invite"] == SLACK_INTERVALS["conversations.invite"]
    assert settings.slack_host == "::1"
    for name in ("HOST", "CREATE_INTERVAL", "PURPOSE_INTERVAL"):
        monkeypatch.delenv(f"PENPALS_SLACK_{name}")
    assert Settings(_env_file=None).slack_host == "0.0.0.0"
    defaults = slack_limits(Settings(_env_file=None))
    assert defaults.per_method["conversations.create"] == SLACK_INTERVALS["conversations.create"]
