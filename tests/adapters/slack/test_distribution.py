"""Slack distribution: penpals installed in two workspaces through the OAuth flow.

Two stand-in workspaces sit behind one Web API address (`Workspaces` routes each
call by its bot token, and oauth.v2.access by the code's workspace), as slack.com
does. penpals runs the real slack-bolt OAuth flow, stores each workspace's token in
its own database, serves each workspace's requests with that workspace's token,
honours app_uninstalled, and keeps one workspace's rounds out of the other's reach.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp

from adapters.slack.app import build_app
from adapters.slack.http import EVENTS_PATH, http_server
from adapters.slack.install import WorkspaceTokens, manifest_scopes
from bots.bootstrap import Services, build
from bots.settings import Settings
from bots.slack_main import delivery_platform
from core.model import ApplicationStatus, Platform
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import FAST, SECRET
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import closed_round
from tests.adapters.slack.standin import SlackStandIn, wait_until
from tests.support import FixedClock

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "c0ffee0123456789abcdef0123456789"
ADMIN_A, ADMIN_B = "UADMINAAAA", "UADMINBBBB"


class Workspaces:
    """One Web API address in front of several stand-in workspaces, as slack.com is."""

    def __init__(self, *workspaces: SlackStandIn) -> None:
        self.workspaces = {w.team_id: w for w in workspaces}
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def _owner(self, token: str, args: dict[str, Any]) -> SlackStandIn | None:
        for workspace in self.workspaces.values():
            if token and token == workspace.bot_token:
                return workspace
        team = str(args.get("code", "")).partition(".")[0]
        return self.workspaces.get(team)

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/x-www-form-urlencoded":
            args.update(await request.post())
        elif body and request.content_type == "application/json":
            args.update(json.loads(body))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        owner = self._owner(token or str(args.get("token", "")), args)
        if owner is None:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        url = owner.api_url.rstrip("/") + "/" + request.match_info["method"]
        if request.query_string:
            url += "?" + request.query_string
        async with (
            aiohttp.ClientSession() as session,
            session.request(request.method, url, data=body, headers=headers) as answer,
        ):
            return web.Response(
                body=await answer.read(),
                status=answer.status,
                content_type="application/json",
                headers={k: v for k, v in answer.headers.items() if k == "Retry-After"},
            )

    async def start(self) -> None:
        server = web.Application()
        server.router.add_route("*", "/api/{method}", self._forward)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def _workspace(team_id: str, domain: str, admin: str) -> SlackStandIn:
    letter = team_id[-1]
    standin = SlackStandIn(
        scopes=manifest_scopes(),
        team_id=team_id,
        team_domain=domain,
        bot_user=f"UBOT{letter * 6}",
        bot_token=f"xoxb-{team_id.lower()}-secret-token",
    )
    standin.oauth_apps[CLIENT_ID] = CLIENT_SECRET
    standin.add_user(admin, f"Admin {letter}", admin=True)
    return standin


@pytest.fixture
async def two() -> AsyncIterator[tuple[SlackStandIn, SlackStandIn, Workspaces]]:
    """Yield workspaces A and B behind one Web API address."""
    a = _workspace("TAAAAAAAA", "alexandria", ADMIN_A)
    b = _workspace("TBBBBBBBB", "bodleian", ADMIN_B)
    front = Workspaces(a, b)
    for started in (a, b, front):
        await started.start()
    yield a, b, front
    for stopped in (front, a, b):
        await stopped.stop()


@pytest.fixture
def distributed(
    two: tuple[SlackStandIn, SlackStandIn, Workspaces], sqlite_database_url: str
) -> Settings:
    """Return settings of a distributed Slack app (client id and secret, no bot token)."""
    return Settings(
        _env_file=None,
        database_url=sqlite_database_url,
        slack_api_url=two[2].api_url,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_BOT_TOKEN=None,
        SLACK_APP_TOKEN=None,
    )


@pytest.fixture
async def wired(distributed: Settings) -> AsyncIterator[Services]:
    async with build(distributed, clock=FixedClock()) as services:
        yield services


@pytest.fixture
async def served(distributed: Settings, wired: Services) -> AsyncIterator[tuple[AsyncApp, str]]:
    """Yield the distributed app and the base URL it is served at."""
    app = build_app(distributed, wired, limits=FAST)
    async with http_server(app, host="127.0.0.1", port=0) as port:
        yield app, f"http://127.0.0.1:{port}"


async def install(base: str, workspace: SlackStandIn, installer: str) -> tuple[int, str]:
    """Go through /slack/install and Slack's redirect as an installer's browser does."""
    async with aiohttp.ClientSession() as browser:
        async with browser.get(f"{base}/slack/install") as page:
            html = await page.text()
            assert page.status == 200
            # bolt's state cookie is Secure (https in production): send it back by hand.
            cookie = page.headers["Set-Cookie"].split(";")[0]
        authorize = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', html)
        assert authorize is not None, html
        state = re.search(r"state=([\w-]+)", authorize.group(1).replace("&amp;", "&"))
        assert state is not None
        code = workspace.issue_code(installer)
        async with browser.get(
            f"{base}/slack/oauth_redirect",
            params={"code": code, "state": state.group(1)},
            headers={"Cookie": cookie},
        ) as done:
            return done.status, await done.text()


async def test_two_workspaces_install_through_the_oauth_flow(
    two: tuple[SlackStandIn, SlackStandIn, Workspaces],
    served: tuple[AsyncApp, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each workspace's install stores its own token; its commands are served with it."""
    a, b, _ = two
    app, base = served
    caplog.set_level(logging.DEBUG)

    installed = [await install(base, a, ADMIN_A), await install(base, b, ADMIN_B)]

    assert [status for status, _ in installed] == [200, 200]
    tokens = WorkspaceTokens(app.installation_store)  # type: ignore[arg-type]
    assert await tokens.token(a.team_id) == a.bot_token
    assert await tokens.token(b.team_id) == b.bot_token
    assert sorted(await tokens.teams()) == [a.team_id, b.team_id]
    exchange = a.calls_to("oauth.v2.access", ok=True)
    assert len(exchange) == 1 and exchange[0].args["client_id"] == CLIENT_ID
    # Each workspace's command is answered, its users.info asked with its own token.
    events = SignedClient(f"{base}{EVENTS_PATH}", SECRET)
    for workspace, admin in ((a, ADMIN_A), (b, ADMIN_B)):
        status, answer = await events.command(payloads.command(workspace, admin, "review"))
        assert status == 200 and "round" in answer["text"].lower(), answer
        assert workspace.calls_to("users.info", ok=True)
        assert not [c for c in workspace.calls if c.error == "invalid_auth"]
    for token in (a.bot_token, b.bot_token, CLIENT_SECRET):
        assert token not in caplog.text


async def test_a_second_visit_to_the_redirect_with_a_used_state_is_refused(
    two: tuple[SlackStandIn, SlackStandIn, Workspaces], served: tuple[AsyncApp, str]
) -> None:
    """A redirect without the state /slack/install handed out stores nothing."""
    a, _, _ = two
    app, base = served
    code = a.issue_code(ADMIN_A)
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(
            f"{base}/slack/oauth_redirect", params={"code": code, "state": "forged"}
        ) as refused,
    ):
        assert refused.status == 400
    assert await WorkspaceTokens(app.installation_store).token(a.team_id) is None  # type: ignore[arg-type]
    assert not a.calls_to("oauth.v2.access")


def _event(workspace: SlackStandIn, event: dict[str, Any]) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": workspace.team_id,
        "api_app_id": "APENPALS",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{int(time.time() * 1000)}",
        "event_time": int(time.time()),
    }


async def test_uninstall_stops_work_in_that_workspace_and_keeps_its_data(
    two: tuple[SlackStandIn, SlackStandIn, Workspaces],
    served: tuple[AsyncApp, str],
    wired: Services,
) -> None:
    """app_uninstalled deletes A's token: A's requests and deliveries stop, A's rounds stay."""
    a, b, _ = two
    app, base = served
    await install(base, a, ADMIN_A)
    await install(base, b, ADMIN_B)
    community = await wired.communities.ensure(Platform.SLACK, a.team_id, "Alexandria")
    await wired.rounds.create(community.id, "2027A")
    events = SignedClient(f"{base}{EVENTS_PATH}", SECRET)
    body = json.dumps(_event(a, {"type": "app_uninstalled"}))
    headers = {**events.headers(body), "Content-Type": "application/json"}

    status, _ = await events.send(body, headers)

    assert status == 200
    tokens = WorkspaceTokens(app.installation_store)  # type: ignore[arg-type]
    await wait_until_async(lambda: tokens.token(a.team_id), None)
    assert await tokens.token(b.team_id) == b.bot_token
    calls_before = len(a.calls)
    ignored, _ = await events.command(payloads.command(a, ADMIN_A, "review"))
    assert ignored == 200 and len(a.calls) == calls_before  # nothing asked of A any more
    still, _ = await events.command(payloads.command(b, ADMIN_B, "review"))
    assert still == 200
    assert [r.round.name for r in await wired.rounds.list(community.id)] == ["2027A"]
    platform = delivery_platform(app, app.client, FAST)
    from core.platform import DeliveryFailed, Message

    with pytest.raises(DeliveryFailed, match="not installed"):
        await platform.announce(community, Message("Hello", "hello"), key="k1")


async def wait_until_async(read: Any, expected: Any) -> None:
    """Wait (up to 5 s) until the coroutine function *read* returns *expected*."""
    import asyncio

    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        if await read() == expected:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"still {await read()!r}, not {expected!r}")


async def test_workspace_a_cannot_touch_workspace_b_rounds(
    two: tuple[SlackStandIn, SlackStandIn, Workspaces],
    served: tuple[AsyncApp, str],
    wired: Services,
) -> None:
    """A's admin pressing a review button that names B's round changes nothing in B."""
    a, b, _ = two
    _, base = served
    await install(base, a, ADMIN_A)
    await install(base, b, ADMIN_B)
    home = await wired.communities.ensure(Platform.SLACK, a.team_id, "Alexandria")
    other = await wired.communities.ensure(Platform.SLACK, b.team_id, "Bodleian")
    await closed_round(wired, other, b, size=4, name="Bodleian27")
    await wired.rounds.create(home.id, "Alexandria27")
    events = SignedClient(f"{base}{EVENTS_PATH}", SECRET)

    await events.interact(payloads.button(a, ADMIN_A, "review:approve_all", "Bodleian27"))
    _, listed = await events.command(payloads.command(a, ADMIN_A, "review Bodleian27"))

    await wait_until(lambda: bool(a.responses))
    refusal = "There is no round named 'Bodleian27'"
    assert a.responses[-1]["text"].startswith(refusal)
    assert a.responses[-1]["replace_original"] is False
    assert listed["text"].startswith(refusal)
    apps = await wired.applications.list(other.id, "Bodleian27")
    assert {x.status for x in apps} == {ApplicationStatus.PENDING}
    assert not b.responses
