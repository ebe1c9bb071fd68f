"""Isolation of communities in one deployment: two Slack workspaces installed through OAuth.

penpals is installed in workspaces A and B through the real OAuth flow against the
stand-ins; a round is published and delivered in each at once, by one delivery
pass. Each workspace gets only its own pair channels, with only its own members;
A's organiser sees only A's rounds; a goals button pressed in A that carries B's
round id is refused and opens nothing. (The CLI: see
tests/integration/test_cli_communities.py; two Discord servers at once:
tests/adapters/discord/test_two_servers.py.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_bolt.async_app import AsyncApp

from adapters.slack.app import build_app
from adapters.slack.http import EVENTS_PATH, http_server
from bots.bootstrap import Services, build
from bots.slack_main import delivery_platform
from core.model import Platform
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import FAST, SECRET
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import approved_round
from tests.adapters.slack.standin import SlackStandIn, wait_until
from tests.adapters.slack.workspaces import (
    ADMIN_A,
    ADMIN_B,
    Workspaces,
    distributed_settings,
    install,
    two_workspaces,
)
from tests.support import FixedClock


@pytest.fixture
async def two() -> AsyncIterator[tuple[SlackStandIn, SlackStandIn, Workspaces]]:
    async with two_workspaces() as started:
        yield started


@pytest.fixture
async def deployment(
    two: tuple[SlackStandIn, SlackStandIn, Workspaces], sqlite_database_url: str
) -> AsyncIterator[tuple[Services, AsyncApp, str]]:
    """Yield the services, the distributed app and its URL, with A and B installed."""
    settings = distributed_settings(two[2], sqlite_database_url)
    async with build(settings, clock=FixedClock()) as services:
        app = build_app(settings, services, limits=FAST)
        services.platforms[Platform.SLACK] = delivery_platform(app, app.client, FAST)
        async with http_server(app, host="127.0.0.1", port=0) as port:
            base = f"http://127.0.0.1:{port}"
            await install(base, two[0], ADMIN_A)
            await install(base, two[1], ADMIN_B)
            yield services, app, base


async def test_two_workspaces_run_rounds_at_once_and_see_only_their_own(
    two: tuple[SlackStandIn, SlackStandIn, Workspaces],
    deployment: tuple[Services, AsyncApp, str],
) -> None:
    """One delivery pass makes each workspace's pair channels there, with its members only."""
    a, b, _ = two
    services, _, base = deployment
    home = await services.communities.ensure(Platform.SLACK, a.team_id, "Alexandria")
    other = await services.communities.ensure(Platform.SLACK, b.team_id, "Bodleian")
    await approved_round(services, home, a, size=4, name="Alexandria27")
    await approved_round(services, other, b, size=6, name="Bodleian27")
    await services.matches.publish(home, "Alexandria27")
    await services.matches.publish(other, "Bodleian27")

    report = await services.delivery.run_due()

    assert report.done >= 5  # pair channels and introductions (no announcement channel set)
    assert {c.name.split("-")[1] for c in a.pair_channels()} == {"alexandria27"}
    assert {c.name.split("-")[1] for c in b.pair_channels()} == {"bodleian27"}
    for place in (a, b):
        for channel in place.pair_channels():
            assert set(channel.members) <= set(place.users), "a member of the other workspace"
    events = SignedClient(f"{base}{EVENTS_PATH}", SECRET)
    _, listed = await events.command(payloads.command(a, ADMIN_A, "round list"))
    assert "Alexandria27" in listed["text"] and "Bodleian27" not in listed["text"]
    _, shown = await events.command(payloads.command(a, ADMIN_A, "round status Bodleian27"))
    assert "Bodleian27" in shown["text"] and "no round" in shown["text"].lower()


async def test_a_goals_button_from_a_carrying_b_s_round_is_refused(
    two: tuple[SlackStandIn, SlackStandIn, Workspaces],
    deployment: tuple[Services, AsyncApp, str],
) -> None:
    """A member of B's pair pressing, in A, a goals button naming B's round opens nothing."""
    a, b, _ = two
    services, _, base = deployment
    other = await services.communities.ensure(Platform.SLACK, b.team_id, "Bodleian")
    await approved_round(services, other, b, size=4, name="Bodleian27")
    report = await services.matches.publish(other, "Bodleian27")
    member = next(u for u in b.users if u.startswith("UA"))
    a.add_user(member, "Same id in A")  # the same id, seen from workspace A
    events = SignedClient(f"{base}{EVENTS_PATH}", SECRET)

    await events.interact(payloads.button(a, member, f"goals:open:{report.round.id}:1", ""))

    await wait_until(lambda: bool(a.responses))
    assert "only the members of this pair" in a.responses[-1]["text"].lower()
    assert not a.calls_to("views.open") and not b.calls_to("views.open")
