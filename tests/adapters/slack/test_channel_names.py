"""Pair channels under names members may have taken, archived, or among many channels.

A member can compute a pair's channel names from the round and the group number
and create them first; an admin can archive a channel penpals was making; a
workspace can hold thousands of channels. Each time the pair still gets its own
private channel made by the bot, and nobody else's channel is used.
"""

from __future__ import annotations

import asyncio

import pytest
from slack_sdk.errors import SlackApiError

from adapters.slack import names
from adapters.slack.pacing import Pacer
from adapters.slack.platform import SlackPlatform
from bots.bootstrap import Services
from core.delivery.outbox import space_key
from core.model import Community, Platform, Round
from core.platform import Message
from tests.adapters.slack.conftest import FAST, MEMBER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import group_members, published_round
from tests.adapters.slack.standin import SlackStandIn


async def _published(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> Round:
    return await published_round(slack, http, services, community, size=8)


async def _crash_after_creating_the_first_channel(
    slack: SlackStandIn, services: Services, platform: SlackPlatform
) -> None:
    """Let the first conversations.create happen, then kill delivery; start a fresh adapter."""
    slack.stall_after("conversations.create", 1)
    delivering = asyncio.create_task(services.delivery.run_due())
    await asyncio.wait_for(slack.stalled.wait(), 10)
    delivering.cancel()
    with pytest.raises(asyncio.CancelledError):
        await delivering
    slack.release()
    services.platforms[Platform.SLACK] = SlackPlatform(client=platform._client, pacer=Pacer(FAST))


async def test_member_who_takes_both_usual_names_does_not_block_the_pair_space(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """Pair 1's first two names, taken by a member, lead to a further name made by the bot."""
    round_ = await _published(slack, http, services, community)
    first, second, third, *_ = names.candidates("2027A pair 1", space_key(round_.id, 1))
    squatted = [
        slack.add_channel(first, private=True, members=[MEMBER], creator=MEMBER),
        slack.add_channel(second, members=[MEMBER], creator=MEMBER),  # public: the bot sees it
    ]

    report = await services.delivery.run_due()

    assert report.failed == 0
    groups = await group_members(services, community)
    made = {c.name: c for c in slack.pair_channels()}
    assert len(made) == len(groups)
    assert set(made[third].members) == {*groups[0], slack.bot_user}
    assert len(slack.posts(made[third].id)) == 1
    for channel in squatted:  # the member's channels got nobody and nothing
        assert slack.channels[channel].members == [MEMBER]
        assert slack.channels[channel].messages == []

    # A later retry of the same pair (after a crash) finds the same channel again.
    services.platforms[Platform.SLACK] = SlackPlatform(client=platform._client, pacer=Pacer(FAST))
    again = await services.platforms[Platform.SLACK].create_pair_space(
        community,
        "2027A pair 1",
        [],
        Message(title="", body="hello"),
        key=space_key(round_.id, 1),
        retry=True,
    )
    assert again.id == made[third].id
    assert len(slack.pair_channels()) == len(groups)


async def test_channel_archived_by_an_admin_is_not_unarchived(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """A bot token cannot unarchive: the pair's space is made again under the next name."""
    await _published(slack, http, services, community)
    await _crash_after_creating_the_first_channel(slack, services, platform)
    [interrupted] = slack.pair_channels()
    interrupted.is_archived = True  # an admin archived it meanwhile

    report = await services.delivery.run_due()

    assert report.failed == 0
    assert slack.calls_to("conversations.unarchive") == []
    groups = await group_members(services, community)
    live = [c for c in slack.pair_channels() if not c.is_archived]
    assert len(live) == len(groups)
    assert sorted(sorted(c.members) for c in live) == sorted(
        sorted({*g, slack.bot_user}) for g in groups
    )
    assert all(len(slack.posts(c.id)) == 1 for c in live)


async def test_channel_lookups_page_200_at_a_time(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """Among 450 channels, an interrupted pair's channel is found by cursor paging, limit 200."""
    for n in range(450):
        slack.add_channel(f"chatter-{n}")
    await _published(slack, http, services, community)
    await _crash_after_creating_the_first_channel(slack, services, platform)

    report = await services.delivery.run_due()

    assert report.failed == 0
    groups = await group_members(services, community)
    assert len(slack.pair_channels()) == len(groups)
    listed = slack.calls_to("conversations.list")
    assert len(listed) >= 3  # 450 channels, then the pair's: three pages at least
    paged = listed + slack.calls_to("conversations.members")
    assert all(int(c.args["limit"]) <= 200 for c in paged)
    assert all(c.error is None for c in paged)


async def test_standin_refuses_what_slack_refuses(
    slack: SlackStandIn, platform: SlackPlatform, community: Community
) -> None:
    """The stand-in refuses unarchive for a bot token and a limit of 1000 or more."""

    channel = slack.add_channel("old", members=[slack.bot_user])
    slack.channels[channel].is_archived = True
    client = platform._client
    with pytest.raises(SlackApiError) as refused:
        await client.conversations_unarchive(channel=channel)
    assert refused.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as too_many:
        await client.conversations_list(limit=1000)
    assert too_many.value.response["error"] == "invalid_limit"
