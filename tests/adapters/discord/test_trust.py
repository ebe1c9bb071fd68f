"""Issue 10 on Discord: pair threads that stay private, nothing made twice, hostile input refused.

Every scenario runs the real discord.py client against the stand-in, which lists
members' own threads as Discord does, refuses the thread-members list without the
Server Members intent, can carry out a request and then answer 502 or drop the
connection, and refuses a message over 2,000 characters (50035).
"""

from __future__ import annotations

import re

import pytest
from discord.http import Route

from adapters.discord.keeper import ThreadPolicy
from core.delivery.outbox import ActionState
from core.model import Platform
from core.platform import DeliveryFailed, Message, SpaceRef
from tests.adapters.discord import payloads as p
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.rounds import (
    SIGNUP,
    make_space,
    open_round,
    publish_small_round,
    running_pair,
    without_forum,
)
from tests.adapters.discord.standin import GUILD_MEMBERS_INTENT

TOPIC = Message("Topic 1 of 9: Spaces", "Which space works best?")


def bot_threads(bot: Bot, kind: int = p.PRIVATE_THREAD) -> list[dict]:
    """Return the threads the bot made, of *kind*."""
    return [t for t in bot.standin.threads(kind) if int(t["owner_id"]) == bot.standin.bot_id]


# -- 1. a pair space is re-used only if the bot made it --------------------------------


@pytest.mark.parametrize("kind", [p.PRIVATE_THREAD, p.PUBLIC_THREAD])
async def test_a_members_thread_named_like_a_pair_is_never_adopted(bot: Bot, kind: int) -> None:
    """A member's "2027A pair 2" (private or public) gets nobody added: the bot makes its own."""
    community = await bot.configure()
    s = bot.standin
    mallory = s.add_member("mallory")
    trap = s.member_thread(mallory, bot.server.pairs, "2027A pair 2", kind)
    a, b = bot.add_people(2)
    first = await make_space(bot, community, 2, [a, b])
    again = await make_space(bot, community, 2, [a, b], bot.restarted(), retry=True)
    assert first.id == again.id != str(trap)
    assert s.thread_members[trap] == {mallory}, "nobody may be added to a member's thread"
    assert not s.bot_messages(trap)
    [made] = bot_threads(bot)
    assert made["id"] == first.id and made["type"] == p.PRIVATE_THREAD
    assert s.thread_members[int(made["id"])] == {s.bot_id, a, b}


async def test_a_pair_thread_is_recorded_in_the_database_as_soon_as_it_is_made(bot: Bot) -> None:
    """The thread id is in the database before members are added; a retry re-uses that thread."""
    community = await bot.configure()
    s = bot.standin
    a, b = bot.add_people(2)
    # Adding a member fails for good, after Discord made the thread.
    s.fail("PUT", r"/channels/\d+/thread-members/\d+", status=403, code=50013)
    with pytest.raises(DeliveryFailed):
        await make_space(bot, community, 1, [a, b])
    [made] = bot_threads(bot)
    assert await bot.platform.records.recorded_space(Platform.DISCORD, "r1:g1:space") == made["id"]
    # A member then opens a namesake; the retry of a fresh process takes the recorded one.
    s.member_thread(s.add_member("mallory"), bot.server.pairs, "2027A pair 1")
    space = await make_space(bot, community, 1, [a, b], bot.restarted(), retry=True)
    assert space.id == made["id"] and len(bot_threads(bot)) == 1


async def test_a_recorded_thread_that_is_gone_is_made_again(bot: Bot) -> None:
    """A recorded thread someone deleted is replaced by a new one of the bot's own."""
    community = await bot.configure()
    s = bot.standin
    a, b = bot.add_people(2)
    first = await make_space(bot, community, 1, [a, b])
    del s.channels[int(first.id)]
    again = await make_space(bot, community, 1, [a, b], bot.restarted(), retry=True)
    assert again.id != first.id
    assert await bot.platform.records.recorded_space(Platform.DISCORD, "r1:g1:space") == again.id


async def test_a_published_round_makes_one_thread_per_group_past_namesakes_and_drops(
    bot: Bot,
) -> None:
    """Through the outbox: a member's namesake, a 502 and a dropped connection change nothing."""
    s = bot.standin
    mallory = s.add_member("mallory")
    trap = s.member_thread(mallory, bot.server.pairs, "2027A pair 1")
    s.fail_after("POST", rf"/channels/{bot.server.pairs}/threads")
    s.drop_after("POST", rf"/channels/{bot.server.pairs}/threads")
    groups = await publish_small_round(bot)
    for _ in range(3):
        await bot.deliver()
        bot.clock.advance(minutes=5)
    made = bot_threads(bot)
    assert groups >= 2 and len(made) == groups
    assert len(s.calls("POST", rf"/channels/{bot.server.pairs}/threads")) == groups
    assert s.thread_members[trap] == {mallory}
    for thread in made:
        assert len(s.bot_messages(int(thread["id"]))) == 1
    async with bot.services.uow() as uow:
        community = await bot.community()
        failed = await uow.outbox.list(community.id, states=[ActionState.FAILED])
    assert failed == []


# -- 3. the Guilds intent alone ----------------------------------------------------------


async def test_posting_after_a_restart_needs_no_privileged_intent(bot: Bot) -> None:
    """No privileged intent asked; a fresh process mentions the group, known from the database."""
    s = bot.standin
    assert not s.intents & GUILD_MEMBERS_INTENT
    groups = await publish_small_round(bot)
    await bot.deliver()
    thread = bot_threads(bot)[0]
    members = {u for u in s.thread_members[int(thread["id"])] if u != s.bot_id}
    space = SpaceRef(Platform.DISCORD, thread["id"])
    await bot.restarted().post(space, TOPIC, key="r1:g1:t9")
    posted = s.bot_messages(int(thread["id"]))[-1]
    assert posted["embeds"][0]["title"] == TOPIC.title
    assert {int(u) for u in re.findall(r"<@(\d+)>", posted["content"])} == members
    assert not s.calls("GET", r"/channels/\d+/thread-members")
    assert groups >= 1


async def test_the_stand_in_refuses_thread_members_without_the_intent(bot: Bot) -> None:
    """Discord restricts GET /channels/{id}/thread-members to the Server Members intent."""
    community = await bot.configure()
    space = await make_space(bot, community, 1, bot.add_people(2))
    with pytest.raises(DeliveryFailed, match="cannot see"):
        await bot.platform._rest(
            Route("GET", "/channels/{channel_id}/thread-members", channel_id=int(space.id)),
            doing="list members",
        )


# -- 7. a creation repeated in one process makes nothing twice ----------------------------


async def test_a_pair_thread_created_then_502_is_made_once(bot: Bot) -> None:
    """Discord made the thread but answered 502: no automatic repeat, the thread is found."""
    community = await bot.configure()
    s = bot.standin
    s.fail_after("POST", rf"/channels/{bot.server.pairs}/threads")
    a, b = bot.add_people(2)
    space = await make_space(bot, community, 1, [a, b])
    assert len(s.calls("POST", rf"/channels/{bot.server.pairs}/threads")) == 1
    [made] = bot_threads(bot)
    assert space.id == made["id"] and len(s.bot_messages(int(made["id"]))) == 1


async def test_a_pair_thread_created_then_connection_dropped_is_made_once(bot: Bot) -> None:
    """Discord made the thread and the connection dropped: the thread is found, not made again."""
    community = await bot.configure()
    s = bot.standin
    s.drop_after("POST", rf"/channels/{bot.server.pairs}/threads")
    a, b = bot.add_people(2)
    try:
        space = await make_space(bot, community, 1, [a, b])
    except DeliveryFailed as exc:  # the outbox would try again, as a retry
        assert not exc.permanent
        space = await make_space(bot, community, 1, [a, b], retry=True)
    again = await make_space(bot, community, 1, [a, b], retry=True)
    [made] = bot_threads(bot)
    assert space.id == again.id == made["id"]
    assert s.thread_members[int(made["id"])] == {s.bot_id, a, b}


async def test_a_forum_post_created_then_502_is_made_once(bot: Bot) -> None:
    """Discord made the forum post but answered 502: one post, not two."""
    community = await bot.configure()
    s = bot.standin
    s.fail_after("POST", rf"/channels/{bot.server.forum}/threads")
    topic = Message("2027A · Topic 1 of 9: Spaces", "Everyone is welcome.")
    opened = await bot.platform.open_topic_thread(community, topic.title, topic, key="r1:t0:thread")
    [post] = bot_threads(bot, p.PUBLIC_THREAD)
    assert opened.id == post["id"]
    assert len(s.calls("POST", rf"/channels/{bot.server.forum}/threads")) == 1


async def test_a_forum_post_created_then_connection_dropped_is_made_once(bot: Bot) -> None:
    """Discord made the forum post and the connection dropped: one post, not two."""
    community = await bot.configure()
    s = bot.standin
    s.drop_after("POST", rf"/channels/{bot.server.forum}/threads")
    topic = Message("2027A · Topic 1 of 9: Spaces", "Everyone is welcome.")
    opened = await bot.platform.open_topic_thread(community, topic.title, topic, key="r1:t0:thread")
    again = await bot.platform.open_topic_thread(
        community, topic.title, topic, key="r1:t0:thread", retry=True
    )
    [post] = bot_threads(bot, p.PUBLIC_THREAD)
    assert opened.id == again.id == post["id"]


async def test_a_topic_thread_on_a_message_created_then_502_is_made_once(bot: Bot) -> None:
    """Without a forum, a thread made on the topic message but answered 502 is found again."""
    community = await without_forum(bot)
    s = bot.standin
    s.fail_after("POST", r"/channels/\d+/messages/\d+/threads")
    topic = Message("2027A · Topic 1 of 9: Spaces", "Everyone is welcome.")
    opened = await bot.platform.open_topic_thread(community, topic.title, topic, key="r1:t0:thread")
    [thread] = bot_threads(bot, p.PUBLIC_THREAD)
    assert opened.id == thread["id"]
    assert len(s.bot_messages(bot.server.announcements)) == 1


async def test_a_members_forum_post_named_like_a_topic_is_not_the_topic_thread(bot: Bot) -> None:
    """A member's forum post with the topic's name is not linked as the topic's thread."""
    community = await bot.configure()
    s = bot.standin
    trap = s.member_thread(
        s.add_member("mallory"), bot.server.forum, "2027A · Topic 1 of 9: Spaces", p.PUBLIC_THREAD
    )
    topic = Message("2027A · Topic 1 of 9: Spaces", "Everyone is welcome.")
    opened = await bot.platform.open_topic_thread(community, topic.title, topic, key="r1:t0:thread")
    assert opened.id != str(trap)


async def test_a_report_posted_then_502_is_posted_once(bot: Bot) -> None:
    """discord.py repeats a post answered 502 by itself; its own random nonce keeps one post."""
    await running_pair(bot)
    s = bot.standin
    s.fail_after("POST", rf"/channels/{bot.server.alerts}/messages")
    reply = await s.slash(
        bot.server.organiser, "penpals", {"round": "2027A"}, sub="report", wait=20
    )
    assert f"<#{bot.server.alerts}>" in reply.text, reply.text
    assert len(s.bot_messages(bot.server.alerts)) == 1


# -- 9. the thread budget ------------------------------------------------------------------


async def test_the_thread_budget_survives_a_restart(bot: Bot) -> None:
    """Threads made before a restart still count: the fresh process defers the one over budget."""
    community = await bot.configure()
    now = [1_900_000_000.0]
    policy = ThreadPolicy(pings_per_day=3)
    people = bot.add_people(8)
    for n in range(3):
        before = bot.restarted(policy=policy, wall_clock=lambda: now[0])
        await make_space(bot, community, n + 1, people[2 * n : 2 * n + 2], before)
    after = bot.restarted(policy=policy, wall_clock=lambda: now[0])
    with pytest.raises(DeliveryFailed) as later:
        await make_space(bot, community, 4, people[6:8], after)
    assert not later.value.permanent and later.value.retry_after == 86_400
    assert len(bot_threads(bot)) == 3


async def test_a_deferred_pair_thread_is_retried_without_listing_threads(bot: Bot) -> None:
    """A creation never sent (the budget deferred it) is retried without asking for listings."""
    community = await bot.configure()
    now = [1_900_000_000.0]
    platform = bot.restarted(policy=ThreadPolicy(pings_per_day=1), wall_clock=lambda: now[0])
    people = bot.add_people(4)
    await make_space(bot, community, 1, people[:2], platform)
    s = bot.standin
    listed = len(s.calls("GET", r"/channels/\d+/users/@me/threads/archived/private"))
    for _ in range(3):
        with pytest.raises(DeliveryFailed):
            await make_space(bot, community, 2, people[2:], platform, retry=True)
    assert len(s.calls("GET", r"/channels/\d+/users/@me/threads/archived/private")) == listed
    now[0] += 86_400
    await make_space(bot, community, 2, people[2:], platform, retry=True)
    assert len(bot_threads(bot)) == 2


async def test_a_round_of_579_pairs_gets_each_topic_the_same_day(bot: Bot) -> None:
    """ILN's largest round: 579 pair threads made, then the topic posted in every one, one day.

    Past 500 active threads, pair threads are parked right after their introduction;
    the topic wakes them again. A thread woken the day it was made is one thread of
    the day's 600, not two.
    """
    community = await bot.configure()
    now = [1_900_000_000.0]
    platform = bot.restarted(wall_clock=lambda: now[0])
    people = bot.add_people(2 * 579)
    spaces = []
    for n in range(579):
        spaces.append(await make_space(bot, community, n + 1, people[2 * n : 2 * n + 2], platform))
        now[0] += 10
    late = 0
    for n, space in enumerate(spaces):
        try:
            await platform.post(space, TOPIC, key=f"r1:g{n + 1}:t0")
        except DeliveryFailed:
            late += 1
        now[0] += 10
    assert now[0] - 1_900_000_000.0 < 86_400
    assert late == 0
    assert bot.standin.peak_active_threads <= 501 + 1


# -- 11. /setup ---------------------------------------------------------------------------


async def test_setup_pairs_offers_text_channels_only(bot: Bot) -> None:
    """The pairs option lists text channels only; an announcement channel is refused."""
    s = bot.standin
    await bot.platform.client.tree.sync()
    [put] = s.calls("PUT", rf"/applications/{s.application_id}/commands")
    setup = next(c for c in put.json if c["name"] == "setup")
    pairs = next(o for o in setup["options"] if o["name"] == "pairs")
    assert pairs["channel_types"] == [0]
    news = s.add_channel("news", p.ANNOUNCEMENT)
    await s.dispatch_channel_create(news)
    owner = int(s.owner["id"])
    reply = await s.slash(owner, "setup", {"pairs": s.channel_option(news)})
    assert "text channel" in reply.text and "nothing changed" in reply.text
    assert "pairs" not in (await bot.community()).settings.channels


async def test_setup_checks_create_public_threads_in_announcements_without_a_forum(
    bot: Bot,
) -> None:
    """Topic threads open in the announcements channel when no forum is set: /setup checks it."""
    s = bot.standin
    announcements = s.add_channel("news-text", deny_bot=["create_public_threads"])
    await s.dispatch_channel_create(announcements)
    owner = int(s.owner["id"])
    reply = await s.slash(owner, "setup", {"announcements": s.channel_option(announcements)})
    assert f"<#{announcements}>: Create Public Threads" in reply.text
    with_forum = await s.slash(
        owner,
        "setup",
        {
            "announcements": s.channel_option(announcements),
            "forum": s.channel_option(bot.server.forum),
        },
    )
    assert "Create Public Threads" not in with_forum.text


# -- 6 and 12. hostile input ------------------------------------------------------------


async def test_a_6000_character_option_gets_a_short_error_reply(bot: Bot) -> None:
    """Discord refuses replies over 2,000 characters (50035): the error quotes an excerpt."""
    await open_round(bot)
    s, member = bot.standin, bot.server.member
    huge = "x" * 6000
    for options, command in (
        ({**SIGNUP, "country": huge}, "signup"),
        ({**SIGNUP, "timezone": huge}, "signup"),
        ({"until": huge}, "pause"),
    ):
        reply = await s.slash(member, command, options)
        # /pause defers (its write may wait); /signup refuses before opening its form.
        assert reply.type == (5 if command == "pause" else 4) and reply.ephemeral
        assert len(reply.data.get("content") or "") <= 2000
        assert "x" * 100 not in reply.text
    assert not [r for r in s.requests if r.status == 400]


@pytest.mark.parametrize("zone", ["Europe", "America/Argentina", "A" * 300, "Europe/" + "x" * 300])
async def test_a_time_zone_folder_or_overlong_name_is_refused_like_an_unknown_zone(
    bot: Bot, zone: str
) -> None:
    """A tzdata folder or a 300-character name is named as a wrong time zone, no traceback."""
    await open_round(bot)
    s, member = bot.standin, bot.server.member
    reply = await s.slash(member, "signup", {**SIGNUP, "timezone": zone})
    assert reply.type == 4 and "Time zone" in reply.text, reply.text
    assert "Something went wrong" not in reply.text
