"""Several stand-in workspaces behind one Web API address, and installing penpals in them.

`Workspaces` routes each call by its bot token (and oauth.v2.access by the code's
workspace), as slack.com does; `install` goes through penpals' /slack/install and
Slack's redirect as an installer's browser does (tests of issue 14).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web

from adapters.slack.install import manifest_scopes
from bots.settings import Settings
from tests.adapters.slack.conftest import SECRET
from tests.adapters.slack.standin import SlackStandIn

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


def workspace(team_id: str, domain: str, admin: str) -> SlackStandIn:
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


@asynccontextmanager
async def two_workspaces() -> AsyncIterator[tuple[SlackStandIn, SlackStandIn, Workspaces]]:
    """Run workspaces A and B behind one Web API address; yield A, B and that address."""
    a = workspace("TAAAAAAAA", "alexandria", ADMIN_A)
    b = workspace("TBBBBBBBB", "bodleian", ADMIN_B)
    front = Workspaces(a, b)
    for started in (a, b, front):
        await started.start()
    yield a, b, front
    for stopped in (front, a, b):
        await stopped.stop()


def distributed_settings(front: Workspaces, database_url: str) -> Settings:
    """Return settings of a distributed Slack app (client id and secret, no bot token)."""
    return Settings(
        _env_file=None,
        database_url=database_url,
        slack_api_url=front.api_url,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_BOT_TOKEN=None,
        SLACK_APP_TOKEN=None,
    )


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
