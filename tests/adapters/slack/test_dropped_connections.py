"""A connection that drops after Slack did the work: nothing is done twice.

slack_sdk's connection-error retry handler re-sends a request whose connection
broke; for a post that already went through, that is a duplicate. penpals' client
re-sends only reads; the platform's own check (conversations.history by key, or
the bot's channel by name) decides whether to post or create again.
"""

from __future__ import annotations

import pytest
from aiohttp import ServerDisconnectedError

from adapters.slack.platform import SlackPlatform
from bots.bootstrap import Services
from core.model import Community
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import group_members, published_round
from tests.adapters.slack.standin import SlackStandIn
from tests.support import FixedClock


async def _deliver_until_done(services: Services, clock: FixedClock) -> None:
    for _ in range(10):
        report = await services.delivery.run_due()
        if not report.retried and not report.failed and not report.done:
            return
        clock.advance(minutes=30)


@pytest.mark.parametrize("method", ["chat.postMessage", "conversations.create"])
async def test_three_dropped_connections_make_no_duplicate(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
    clock: FixedClock,
    method: str,
) -> None:
    """Three drops after Slack posted (or created): one introduction, one channel per pair."""
    await published_round(slack, http, services, community, size=8)
    slack.drop_after(method, times=3)

    await _deliver_until_done(services, clock)

    groups = await group_members(services, community)
    channels = slack.pair_channels()
    assert len(channels) == len(groups)
    assert sorted(sorted(c.members) for c in channels) == sorted(
        sorted({*g, slack.bot_user}) for g in groups
    )
    for channel in channels:
        assert len(slack.posts(channel.id)) == 1, channel.name
    news = community.settings.channels["announcements"]
    keys = [m["metadata"]["event_payload"]["key"] for m in slack.posts(news)]
    assert len(keys) == len(set(keys))


async def test_reads_are_retried_after_a_drop(slack: SlackStandIn, platform: SlackPlatform) -> None:
    """A read whose connection dropped is sent again by the client; a post is not."""
    client = platform._client
    slack.drop_after("auth.test")
    assert (await client.auth_test())["user_id"] == slack.bot_user
    assert len(slack.calls_to("auth.test")) == 2

    channel = slack.add_channel("general", members=[slack.bot_user])
    slack.drop_after("chat.postMessage")
    with pytest.raises(ServerDisconnectedError):
        await client.chat_postMessage(channel=channel, text="hello")
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(slack.channels[channel].messages) == 1
