"""SlackPlatform calls the core makes outside provisioning: DMs, activity, alerts."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.slack.platform import SlackPlatform
from core.model import Community, CommunitySettings, MemberRef, Platform
from core.platform import Message
from tests.adapters.slack.conftest import MEMBER
from tests.adapters.slack.standin import SlackStandIn

HELLO = Message("Hello", "A note from penpals.")


async def test_direct_message_once_per_key(
    slack: SlackStandIn, platform: SlackPlatform, community: Community
) -> None:
    """A DM goes to the member's IM channel; the same key again with retry posts nothing."""
    member = MemberRef(Platform.SLACK, MEMBER)
    assert await platform.direct_message(community, member, HELLO, key="dm:1") is True
    assert await platform.direct_message(community, member, HELLO, key="dm:1", retry=True) is True
    [im] = [c for c in slack.channels.values() if c.is_im]
    assert len(slack.posts(im.id, "dm:1")) == 1


async def test_direct_message_falls_back_to_a_mention(
    slack: SlackStandIn, platform: SlackPlatform, community: Community
) -> None:
    """When Slack will not open a DM, the member is mentioned in the announcements channel."""
    slack.fail_next("conversations.open", "cannot_dm_bot")
    sent = await platform.direct_message(
        community, MemberRef(Platform.SLACK, MEMBER), HELLO, key="dm:2"
    )
    assert sent is False
    [post] = slack.posts(community.settings.channels["announcements"], "dm:2")
    assert post["text"].startswith(f"<@{MEMBER}>")


async def test_activity_counts_members_messages_not_the_bots(
    slack: SlackStandIn, platform: SlackPlatform, community: Community
) -> None:
    """Activity counts each member's messages since a time, never the bot's or contents."""
    slack.add_user("UFRIEND01", "Bea")
    members = [MemberRef(Platform.SLACK, u) for u in (MEMBER, "UFRIEND01")]
    space = await platform.create_pair_space(
        community, "2027A pair 1", members, HELLO, key="r1:g1:space"
    )
    since = datetime.now(UTC).isoformat()
    slack.say(space.id, MEMBER, "Hei!")
    slack.say(space.id, MEMBER, "How is your week?")
    slack.say(space.id, "UFRIEND01", "Olá!")

    seen = await platform.activity(space, since=since)

    assert seen.messages_by_member == {MEMBER: 2, "UFRIEND01": 1}
    assert seen.total == 3 and seen.last_message_at is not None


async def test_alert_without_a_channel_is_only_logged(
    slack: SlackStandIn, platform: SlackPlatform, community: Community
) -> None:
    """With no organiser alerts channel, an alert is logged rather than failing forever."""
    bare = Community(community.id, Platform.SLACK, community.external_id, "x", CommunitySettings())
    await platform.alert_organisers(bare, HELLO, key="alert:1")
    assert slack.calls_to("chat.postMessage") == []
