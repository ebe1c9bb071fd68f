"""Slack's rate limits: paced under them, 429s waited out, figures for a full-size round."""

from __future__ import annotations

import asyncio
import time

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.pacing import Limits, Pacer
from adapters.slack.platform import SlackPlatform
from bots.bootstrap import Services
from core.delivery.outbox import ActionState
from core.model import Community, MemberRef, Platform
from core.platform import DeliveryFailed, Message
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import approved_round
from tests.adapters.slack.standin import SlackStandIn
from tests.support import FixedClock

INTRO = Message("Welcome to penpals", "Say hello to your partner.")
PAIRS = 581  # the largest International Librarians Network round


def _pair(n: int) -> list[MemberRef]:
    return [
        MemberRef(Platform.SLACK, f"UP{2 * n:05d}"),
        MemberRef(Platform.SLACK, f"UP{2 * n + 1:05d}"),
    ]


async def test_a_429_is_waited_out(
    slack: SlackStandIn, platform: SlackPlatform, community: Community
) -> None:
    """A 429 with Retry-After: 1 is retried by slack_sdk's handler after a second, once."""
    slack.add_user("UP00000", "Ana")
    slack.add_user("UP00001", "Ben")
    slack.fail_next("conversations.create", status=429, retry_after=1)

    started = time.monotonic()
    space = await platform.create_pair_space(community, "2027A pair 1", _pair(0), INTRO, key="k1")

    assert time.monotonic() - started >= 1.0
    assert [c.status for c in slack.calls_to("conversations.create")] == [429, 200]
    assert slack.channels[space.id].name == "penpals-2027a-pair-1"


async def test_repeated_429s_put_the_action_back_and_lose_nothing(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
    clock: FixedClock,
) -> None:
    """When the retries run out, the outbox waits Retry-After and then makes the space once."""
    await approved_round(services, community, slack, size=4)
    await http.command(payloads.command(slack, ADMIN, "round publish 2027A"))
    slack.fail_next("conversations.create", status=429, retry_after=1, times=3)

    first = await services.delivery.run_due()
    clock.advance(seconds=2)
    second = await services.delivery.run_due()

    assert (first.retried, first.failed, second.failed) == (1, 0, 0)
    report = await services.matches.show(community, "2027A")
    assert len(slack.pair_channels()) == len(report.groups)
    assert len(slack.calls_to("conversations.create", ok=True)) == len(report.groups)


async def test_the_retry_handler_gives_up_with_retry_after(
    slack: SlackStandIn, platform: SlackPlatform, community: Community
) -> None:
    """Three 429s in a row become a temporary DeliveryFailed carrying Retry-After."""
    slack.fail_next("conversations.create", status=429, retry_after=1, times=3)
    with pytest.raises(DeliveryFailed) as failed:
        await platform.create_pair_space(community, "2027A pair 1", _pair(0), INTRO, key="k1")
    assert (failed.value.permanent, failed.value.retry_after) == (False, 1.0)


async def test_a_missing_scope_fails_for_good_and_alerts_the_organisers(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """Without groups:write no space is made; each failure says which scope to add."""
    await approved_round(services, community, slack, size=4)
    await http.command(payloads.command(slack, ADMIN, "round publish 2027A"))
    slack.scopes.discard("groups:write")

    report = await services.delivery.run_due()

    groups = len((await services.matches.show(community, "2027A")).groups)
    assert report.failed == groups
    alerts = slack.channels[community.settings.channels["organiser_alerts"]].messages
    assert len(alerts) == groups
    assert all("groups:write" in m["text"] for m in alerts)
    async with services.uow() as uow:
        actions = await uow.outbox.list(community.id, states=[ActionState.FAILED])
    assert len(actions) == groups


async def test_581_pairs_stay_under_the_rate_limit(
    slack: SlackStandIn, client: AsyncWebClient, community: Community
) -> None:
    """581 pair channels at 1/333 of Slack's limits, four workers at once: no 429 at all."""
    scale = 0.003
    slack.limits = {
        "conversations.create": (20, 60 * scale),
        "conversations.setPurpose": (20, 60 * scale),
        "conversations.invite": (50, 60 * scale),
    }
    slack.channel_limits = {"chat.postMessage": (1, 1 * scale)}
    for n in range(PAIRS):
        for member in _pair(n):
            slack.add_user(member.external_id, member.external_id)
    # A quarter slower than the stand-in allows: at this speed a few milliseconds of
    # arrival jitter are a big share of an interval (at Slack's pace they are nothing).
    pace = Limits().scaled(scale * 1.25)
    platform = SlackPlatform(client=client, pacer=Pacer(pace))
    todo = list(range(PAIRS))

    async def worker() -> None:
        while todo:
            n = todo.pop(0)
            key = f"r1:g{n + 1}:space"
            await platform.create_pair_space(
                community, f"2027A pair {n + 1}", _pair(n), INTRO, key=key
            )

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(4)))
    wall = time.monotonic() - started

    assert [c for c in slack.calls if c.status == 429] == []
    assert len(slack.pair_channels()) == PAIRS
    paced = pace.seconds_for("conversations.create", PAIRS)
    assert wall >= paced
    real = Limits().seconds_for("conversations.create", PAIRS)
    assert 28 * 60 <= real <= 30 * 60  # "581 pairs take about 30 minutes"
    print(f"\n581 pairs: {wall:.1f} s at 1/333 of Slack's limits; {real / 60:.1f} min at Slack's")
