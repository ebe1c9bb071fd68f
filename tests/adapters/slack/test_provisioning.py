"""Publishing a round makes one private channel per group, once, through the outbox.

The organiser works through signed requests to the real AsyncApp; the round
engine's delivery (core.delivery.service) drives the real SlackPlatform against the
stand-in, as `penpals run slack` does.
"""

from __future__ import annotations

import asyncio

import pytest

from adapters.slack.pacing import Pacer
from adapters.slack.platform import SlackPlatform
from bots.bootstrap import Services
from core.delivery.outbox import ActionKind, space_key
from core.model import Community, Platform
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN, FAST
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import group_members, published_round
from tests.adapters.slack.standin import SlackStandIn
from tests.support import FixedClock


def _expected_groups(slack: SlackStandIn, report_groups: list[list[str]]) -> dict[str, set[str]]:
    return {
        f"penpals-2027a-pair-{n}": {*members, slack.bot_user}
        for n, members in enumerate(report_groups, 1)
    }


async def test_publish_a_round_of_60(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """Each group gets one private channel with exactly its members and one introduction."""
    round_ = await published_round(slack, http, services, community, size=60)

    report = await services.delivery.run_due()

    groups = await group_members(services, community)
    # The spaces, the announcement of its pairs, and who is told at publication by DM
    # (unplaced, in the trio, over the country cap).
    async with services.uow(read_only=True) as uow:
        dms = await uow.outbox.list(
            community.id, round_id=round_.id, kinds=[ActionKind.DIRECT_MESSAGE]
        )
    told = [a for a in dms if not a.key.endswith(":outcome:approved")]
    assert (report.done, report.retried, report.failed) == (len(groups) + 1 + len(told), 0, 0)
    channels = {c.name: c for c in slack.pair_channels()}
    assert {n: set(c.members) for n, c in channels.items()} == _expected_groups(slack, groups)
    assert all(c.is_private for c in channels.values())
    assert len(slack.calls_to("conversations.create")) == len(groups)
    assert all(len(slack.posts(c.id)) == 1 for c in channels.values())
    keys = {slack.posts(c.id)[0]["metadata"]["event_payload"]["key"] for c in channels.values()}
    assert keys == {space_key(round_.id, n) for n in range(1, len(groups) + 1)}
    news = community.settings.channels["announcements"]
    assert len(slack.posts(news, f"r{round_.id}:announce:published")) == 1

    _, status = await http.command(payloads.command(slack, ADMIN, "round status 2027A"))
    assert f"Pair spaces: {len(groups)} of {len(groups)} made" in status["text"]


@pytest.mark.parametrize(
    "crash_in", ["conversations.create", "conversations.invite", "chat.postMessage"]
)
async def test_restart_in_the_middle_of_provisioning_creates_no_duplicate(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
    crash_in: str,
) -> None:
    """A process that dies right after Slack made group 5's call leaves no duplicate behind."""
    await published_round(slack, http, services, community, size=24)
    # The 5th call of the provisioning (approval DMs were sent before publication).
    slack.stall_after(crash_in, len(slack.calls_to(crash_in, ok=True)) + 5)

    delivering = asyncio.create_task(services.delivery.run_due())
    await asyncio.wait_for(slack.stalled.wait(), 10)
    delivering.cancel()  # the process dies while Slack's answer is on its way
    with pytest.raises(asyncio.CancelledError):
        await delivering
    slack.release()
    # A new process: a fresh adapter with no memory of the first one.
    services.platforms[Platform.SLACK] = SlackPlatform(client=platform._client, pacer=Pacer(FAST))
    report = await services.delivery.run_due()

    groups = await group_members(services, community)
    assert report.failed == 0
    channels = slack.pair_channels()
    assert len(channels) == len(groups)
    assert {c.name: set(c.members) for c in channels} == _expected_groups(slack, groups)
    assert all(len(slack.posts(c.id)) == 1 for c in channels)
    taken = [c for c in slack.calls_to("conversations.create") if c.error == "name_taken"]
    # The interrupted group's channel (and those of groups done in the same batch, whose
    # outcomes the dying process never recorded) were adopted under their first names.
    assert 1 <= len(taken) <= 5


async def test_topic_dates_post_once_per_pair_space(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
    clock: FixedClock,
) -> None:
    """Each topic date posts once per pair and opens one public thread the pairs link to."""
    round_ = await published_round(slack, http, services, community, size=20)
    await services.delivery.run_due()
    _, started = await http.command(payloads.command(slack, ADMIN, "round start 2027A"))
    assert "running" in started["text"]
    public = community.settings.channels["community"]

    for _ in range(2):  # a second pass (a restart, a resync) adds nothing
        await services.delivery.enqueue_due_topics()
        await services.delivery.run_due()
    clock.advance(days=14)
    await services.delivery.enqueue_due_topics()
    await services.delivery.run_due()

    threads = slack.posts(public, f"r{round_.id}:t")
    assert [m["metadata"]["event_payload"]["key"] for m in threads] == [
        f"r{round_.id}:t0:thread",
        f"r{round_.id}:t1:thread",
    ]
    for channel in slack.pair_channels():
        topics = [
            m for m in slack.posts(channel.id) if ":t" in m["metadata"]["event_payload"]["key"]
        ]
        assert len(topics) == 2
        assert f"/archives/{public}/p" in str(topics[0]["blocks"])  # links to the public thread


async def test_round_end_says_goodbye_and_archives(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """Finishing a round posts one goodbye per pair channel, then archives it."""
    await published_round(slack, http, services, community, size=12)
    await services.delivery.run_due()
    await http.command(payloads.command(slack, ADMIN, "round start 2027A"))
    await http.command(payloads.command(slack, ADMIN, "round finish 2027A"))

    await services.delivery.run_due()
    await services.delivery.run_due()

    for channel in slack.pair_channels():
        assert channel.is_archived
        goodbyes = [
            m
            for m in slack.posts(channel.id)
            if m["metadata"]["event_payload"]["key"].endswith(":archive")
        ]
        assert len(goodbyes) == 1
        assert "keep in touch" in str(goodbyes[0]["blocks"]).lower()


async def test_withdrawing_after_publish_kicks_the_leaver_from_the_pair_channel(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """A member who withdraws after publication is removed from their private pair channel."""
    await published_round(slack, http, services, community, size=12)
    await services.delivery.run_due()
    leaver, *partners = (await group_members(services, community))[0]
    channel = next(c for c in slack.pair_channels() if leaver in c.members)

    _, gone = await http.command(payloads.command(slack, leaver, "withdraw"))
    assert "withdrawn" in gone["text"], gone["text"]
    await services.delivery.run_due()

    kicks = slack.calls_to("conversations.kick")
    assert [(k.args["channel"], k.args["user"]) for k in kicks] == [(channel.id, leaver)]
    assert leaver not in channel.members
    assert set(partners) <= set(channel.members)


async def test_group_dm_mode(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """With pair-mode group-dm, each group gets one group DM with its introduction."""
    _, saved = await http.command(payloads.command(slack, ADMIN, "setup pair-mode group-dm"))
    assert "group DMs" in saved["text"]
    await published_round(slack, http, services, community, size=12)

    await services.delivery.run_due()

    groups = await group_members(services, community)
    dms = [c for c in slack.channels.values() if c.is_mpim]
    assert sorted(sorted(c.members) for c in dms) == sorted(
        sorted({*g, slack.bot_user}) for g in groups
    )
    assert all(len(slack.posts(c.id)) == 1 for c in dms)
    assert slack.calls_to("conversations.create") == []
