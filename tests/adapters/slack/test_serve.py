"""bots.slack_main.serve: Socket Mode with an app token, HTTP mode with a signing secret."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import aiohttp
import pytest

from bots.bootstrap import Services
from bots.settings import Settings
from bots.slack_main import serve
from core.errors import InvalidValue
from core.model import Community, Platform
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import MEMBER, SECRET
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.serving import free_port, serving
from tests.adapters.slack.standin import SlackStandIn


async def test_socket_mode_reaches_the_same_handlers(
    slack: SlackStandIn, settings: Settings, services: Services, community: Community
) -> None:
    """Over a real Socket Mode connection (no signing secret needed) the same handlers answer."""
    await services.rounds.create(community.id, "2027A")
    await services.rounds.open(community.id, "2027A")
    socket_mode = settings.model_copy(
        update={"slack_app_token": slack.app_token, "slack_signing_secret": None}
    )

    async with serving(socket_mode, services):
        helped = await slack.socket_request("slash_commands", payloads.command(slack, MEMBER, ""))
        assert "/penpals signup" in helped["payload"]["text"]
        assert Platform.SLACK in services.platforms

        await slack.socket_request("slash_commands", payloads.command(slack, MEMBER, "signup"))
        view = await payloads.signup_form(slack)
        found = await slack.socket_request(
            "interactive", payloads.options(slack, MEMBER, view, "languages", "portug")
        )
        assert [o["value"] for o in found["payload"]["options"]] == ["pt"]
        bad = payloads.signup_values(timezone="Mars/Olympus_Mons")
        refused = await slack.socket_request(
            "interactive", payloads.view_submission(slack, MEMBER, view, bad)
        )
        assert set(refused["payload"]["errors"]) == {"timezone"}
        saved = await slack.socket_request(
            "interactive", payloads.view_submission(slack, MEMBER, view, payloads.signup_values())
        )
        assert saved["payload"]["response_action"] == "update"
        await payloads.outcome(slack, view)

    assert Platform.SLACK not in services.platforms
    assert len(await services.applications.list(community.id, "2027A")) == 1
    assert slack.calls_to("apps.connections.open", ok=True)


async def test_http_mode_verifies_every_request(
    slack: SlackStandIn, settings: Settings, services: Services
) -> None:
    """HTTP mode on PENPALS_SLACK_PORT answers a signed request and refuses an unsigned one."""
    port = free_port()
    http_mode = settings.model_copy(update={"slack_port": port})
    url = f"http://127.0.0.1:{port}/slack/events"

    async with serving(http_mode, services, host="127.0.0.1"):
        async with aiohttp.ClientSession() as session:
            for _ in range(200):  # until the server listens
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as health:
                        if health.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.02)
        signed = SignedClient(url, SECRET)
        status, answer = await signed.command(payloads.command(slack, MEMBER, "help"))
        body = urlencode(payloads.command(slack, MEMBER, "help"))
        unsigned, _ = await signed.send(body, {"Content-Type": "application/x-www-form-urlencoded"})

    assert (status, unsigned) == (200, 401)
    assert "/penpals signup" in answer["text"]


async def test_http_mode_needs_the_signing_secret(settings: Settings, services: Services) -> None:
    """Without SLACK_SIGNING_SECRET (and no app token) serve() refuses to start."""
    bare = settings.model_copy(update={"slack_signing_secret": None})
    with pytest.raises(InvalidValue, match="SLACK_SIGNING_SECRET"):
        await serve(bare, services)
