"""Fixtures of the Slack tests: the stand-in workspace, the wired services, the real AsyncApp.

Every test gets a fresh SQLite database (tests/conftest.py), a stand-in Slack whose
bot has exactly the scopes of slack-manifest.yaml, and the app served over HTTP on
a loopback port. Pacing is a thousand times Slack's so the tests stay fast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_app
from adapters.slack.client import make_client
from adapters.slack.http import EVENTS_PATH, http_server
from adapters.slack.pacing import Limits, Pacer
from adapters.slack.platform import SlackPlatform
from bots.bootstrap import Services, build
from bots.settings import Settings
from core.model import Community, Platform
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.standin import SlackStandIn
from tests.support import FixedClock

MANIFEST = Path(__file__).resolve().parents[3] / "slack-manifest.yaml"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ADMIN = "UADMIN0001"
ORGANISER = "UORGANISE1"
MEMBER = "UMEMBER001"
ORGANISERS_GROUP = "SORGANISERS"
FAST = Limits().scaled(0.001)


@pytest.fixture(scope="session")
def manifest() -> dict[str, Any]:
    """Return the app manifest."""
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
async def slack(manifest: dict[str, Any]) -> AsyncIterator[SlackStandIn]:
    """Yield a running stand-in workspace with an admin, an organiser and a member."""
    standin = SlackStandIn(scopes=manifest["oauth_config"]["scopes"]["bot"])
    standin.home_tab_enabled = bool(manifest["features"]["app_home"]["home_tab_enabled"])
    standin.add_user(ADMIN, "Ada Admin", admin=True)
    standin.add_user(ORGANISER, "Olu Organiser")
    standin.add_user(MEMBER, "Aino Virtanen")
    standin.add_usergroup(ORGANISERS_GROUP, [ORGANISER])
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def settings(slack: SlackStandIn, sqlite_database_url: str) -> Settings:
    """Return settings pointing penpals at the stand-in, in HTTP mode."""
    return Settings(
        _env_file=None,
        database_url=sqlite_database_url,
        slack_api_url=slack.api_url,
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_APP_TOKEN=None,
    )


@pytest.fixture
async def services(settings: Settings, clock: FixedClock) -> AsyncIterator[Services]:
    """Yield the services wired as in production, on a fresh SQLite database."""
    async with build(settings, clock=clock) as wired:
        yield wired


@pytest.fixture
def client(settings: Settings) -> AsyncWebClient:
    assert settings.slack_bot_token
    return make_client(settings.slack_bot_token, base_url=settings.slack_api_url)


@pytest.fixture
def platform(client: AsyncWebClient, services: Services) -> SlackPlatform:
    """Return the SlackPlatform, registered for delivery as slack_main registers it."""
    made = SlackPlatform(client=client, pacer=Pacer(FAST))
    services.platforms[Platform.SLACK] = made
    return made


@pytest.fixture
async def http(
    settings: Settings, services: Services, client: AsyncWebClient
) -> AsyncIterator[SignedClient]:
    """Yield a client that sends signed requests to the real AsyncApp served over HTTP."""
    app = build_app(settings, services, client=client, limits=FAST)
    async with http_server(app, host="127.0.0.1", port=0) as port:
        yield SignedClient(f"http://127.0.0.1:{port}{EVENTS_PATH}", SECRET)


@pytest.fixture
async def community(services: Services, slack: SlackStandIn) -> Community:
    """Return the stand-in workspace's community, with organisers and channels set."""
    made = await services.communities.ensure(Platform.SLACK, slack.team_id, "Librarians")
    announcements = slack.add_channel("penpals-news", members=[slack.bot_user])
    public = slack.add_channel("penpals-topics", members=[slack.bot_user])
    alerts = slack.add_channel("penpals-organisers", private=True, members=[slack.bot_user, ADMIN])
    await services.communities.configure(
        made.id,
        organiser_roles=(ORGANISERS_GROUP,),
        channels={"announcements": announcements, "community": public, "organiser_alerts": alerts},
    )
    return await services.communities.get(Platform.SLACK, slack.team_id)
