"""Slack distribution: penpals installed in two workspaces through the OAuth flow.

Two stand-in workspaces sit behind one Web API address (`Workspaces` routes each
call by its bot token, and oauth.v2.access by the code's workspace), as slack.com
does. penpals runs the real slack-bolt OAuth flow, stores each workspace's token in
its own database, serves each workspace's requests with that workspace's token,
honours app_uninstalled, and keeps one workspace's rounds out of the other's reach.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp

from adapters.slack.app import build_app
from adapters.slack.http import EVENTS_PATH, http_server
from adapters.slack.install import UNINSTALLED, WorkspaceTokens
from adapters.slack.workspaces import HOLD
from bots.bootstrap import Services, build
from bots.settings import Settings
from bots.slack_main import delivery_platform
from core.delivery.outbox import ActionKind, NewAction
from core.model import ApplicationStatus, Platform
from core.platform import DeliveryFailed, Message
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import FAST, SECRET
from tests.adapters.slack.events import uninstall
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import closed_round
from tests.adapters.slack.standin import SlackStandIn, wait_until
from tests.adapters.slack.workspaces import (
    ADMIN_A,
    ADMIN_B,
    CLIENT_ID,
    CLIENT_SECRET,
    Workspaces,
    distributed_settings,
    install,
    two_workspaces,
)
from tests.support import FixedClock


@pytest.fixture
async def two() -> AsyncIterator[tuple[SlackStandIn, SlackStandIn, Workspaces]]:
    """Yield workspaces A and B behind one Web API address."""
    async with two_workspaces() as started:
        yield started


@pytest.fixture
def distributed(
    two: tuple[SlackStandIn, SlackStandIn, Workspaces], sqlite_database_url: str
) -> Settings:
    """Return settings of a distributed Slack app (client id and secret, no bot token)."""
    return distributed_settings(two[2], sqlite_database_url)


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
    for place, admin in ((a, ADMIN_A), (b, ADMIN_B)):
        status, answer = await events.command(payloads.command(place, admin, "review"))
        assert status == 200 and "round" in answer["text"].lower(), answer
        assert place.calls_to("users.info", ok=True)
        assert not [c for c in place.calls if c.error == "invalid_auth"]
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


async def test_uninstall_stops_work_in_that_workspace_and_keeps_its_data(
    two: tuple[SlackStandIn, SlackStandIn, Workspaces],
    served: tuple[AsyncApp, str],
    wired: Services,
) -> None:
    """tokens_revoked and app_uninstalled: A's commands get a clear answer, its actions wait."""
    a, b, _ = two
    app, base = served
    await install(base, a, ADMIN_A)
    await install(base, b, ADMIN_B)
    community = await wired.communities.ensure(Platform.SLACK, a.team_id, "Alexandria")
    await wired.rounds.create(community.id, "2027A")
    events = SignedClient(f"{base}{EVENTS_PATH}", SECRET)

    assert await uninstall(a, events) == [200, 200]

    tokens = WorkspaceTokens(app.installation_store)  # type: ignore[arg-type]
    await wait_until_async(lambda: tokens.token(a.team_id), None)
    assert await tokens.token(b.team_id) == b.bot_token
    calls_before = len(a.calls)
    answered, _ = await events.command(payloads.command(a, ADMIN_A, "review"))
    assert answered == 200 and len(a.calls) == calls_before  # nothing asked of A any more
    await wait_until(lambda: bool(a.responses))
    assert a.responses[-1]["text"] == UNINSTALLED
    still, _ = await events.command(payloads.command(b, ADMIN_B, "review"))
    assert still == 200
    assert [r.round.name for r in await wired.rounds.list(community.id)] == ["2027A"]
    # Delivery holds A's actions (not an attempt, not a failure) instead of sending them.
    platform = delivery_platform(app, app.client, FAST)
    with pytest.raises(DeliveryFailed, match="not installed") as held:
        await platform.announce(community, Message("Hello", "hello"), key="k1")
    assert held.value.permanent is False and held.value.retry_after == HOLD
    assert len(a.calls) == calls_before


async def test_an_outbox_action_of_an_uninstalled_workspace_waits_and_resumes_on_reinstall(
    two: tuple[SlackStandIn, SlackStandIn, Workspaces],
    served: tuple[AsyncApp, str],
    wired: Services,
) -> None:
    """A's announcement is held while A has no token, and goes out once A installs again."""
    a, _, _ = two
    app, base = served
    await install(base, a, ADMIN_A)
    channel = a.add_channel("news", members=[a.bot_user])
    community = await wired.communities.ensure(Platform.SLACK, a.team_id, "Alexandria")
    await wired.communities.configure(community.id, channels={"announcements": channel})
    community = await wired.communities.get(Platform.SLACK, a.team_id)
    await uninstall(a, SignedClient(f"{base}{EVENTS_PATH}", SECRET), order="uninstalled")
    wired.platforms[Platform.SLACK] = delivery_platform(app, app.client, FAST)
    async with wired.uow() as uow:
        await uow.outbox.enqueue(
            [
                NewAction(
                    "announce:held",
                    community.id,
                    Platform.SLACK,
                    ActionKind.ANNOUNCE,
                    {"message": {"title": "Hello", "body": "hello"}},
                    wired.clock.now(),
                )
            ]
        )
        await uow.commit()

    report = await wired.delivery.run_due()

    assert (report.done, report.failed, report.retried) == (0, 0, 1)
    assert not a.posts(channel)
    await install(base, a, ADMIN_A)
    wired.clock.advance(seconds=HOLD + 1)  # type: ignore[attr-defined]
    report = await wired.delivery.run_due()
    assert (report.done, report.failed) == (1, 0)
    assert len(a.posts(channel, "announce:held")) == 1


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


async def test_a_workspace_of_an_enterprise_grid_org_keeps_its_token_by_team(
    two: tuple[SlackStandIn, SlackStandIn, Workspaces], served: tuple[AsyncApp, str]
) -> None:
    """A grid workspace's install is stored with its org's id; delivery still finds its token."""
    a, _, _ = two
    a.enterprise_id = "EGRID0001"
    app, base = served

    status, _ = await install(base, a, ADMIN_A)

    assert status == 200
    tokens = WorkspaceTokens(app.installation_store)  # type: ignore[arg-type]
    assert await tokens.token(a.team_id) == a.bot_token
    assert await tokens.enterprise(a.team_id) == "EGRID0001"
