"""DiscordPlatform against the stand-in: idempotency, Discord's refusals and the thread cap."""

from __future__ import annotations

import time

import pytest

from adapters.discord.keeper import ThreadPolicy
from core.delivery.outbox import ActionState
from core.model import Platform
from core.platform import DeliveryFailed, Message, SpaceRef
from tests.adapters.discord import payloads as p
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.rounds import make_space, publish_small_round, ref, without_forum


async def test_create_pair_space_twice_and_after_a_restart_makes_one_thread(bot: Bot) -> None:
    """A retry finds the existing thread, even archived and from a fresh process."""
    community = await bot.configure()
    a, b = bot.add_people(2)
    first = await make_space(bot, community, 1, [a, b])
    again = await make_space(bot, community, 1, [a, b], retry=True)
    assert again.id == first.id
    await bot.platform.archive_space(first, Message("Bye", "Round over."), key="r1:g1:archive")
    restarted = bot.restarted()
    after = await make_space(bot, community, 1, [a, b], restarted, retry=True)
    assert after.id == first.id
    assert len(bot.standin.threads(p.PRIVATE_THREAD)) == 1
    titles = [m["embeds"][0]["title"] for m in bot.standin.bot_messages(int(first.id))]
    assert titles == ["Meet your partner", "Bye"]


async def test_post_is_idempotent_per_key(bot: Bot) -> None:
    """A repeated post leaves one message: by its footer reference on a retry, else the nonce."""
    community = await bot.configure()
    space = await make_space(bot, community, 1, bot.add_people(2))
    topic = Message("Topic 1 of 9: Spaces", "Which space works best?")
    first = await bot.platform.post(space, topic, key="r1:g1:t0")
    restarted = bot.restarted()
    assert await restarted.post(space, topic, key="r1:g1:t0", retry=True) == first
    # Without the retry flag, Discord's nonce check (enforce_nonce) returns the same message.
    assert await restarted.post(space, topic, key="r1:g1:t0") == first
    assert len(bot.standin.bot_messages(int(space.id))) == 2  # the introduction and the topic


async def test_closed_dms_fall_back_to_the_pair_thread_or_a_bare_mention(bot: Bot) -> None:
    """50007 makes direct_message return False after mentioning the member privately if possible."""
    community = await bot.configure()
    paired, partner, lonely = bot.add_people(3)
    space = await make_space(bot, community, 1, [paired, partner])
    bot.standin.closed_dms |= {paired, lonely}
    note = Message("Your partner has left the round", "Nobody's fault.")

    assert await bot.platform.direct_message(community, ref(partner), note, key="dm1") is True
    assert await bot.platform.direct_message(community, ref(paired), note, key="dm2") is False
    assert await bot.platform.direct_message(community, ref(lonely), note, key="dm3") is False

    in_thread = bot.standin.bot_messages(int(space.id))[-1]
    assert in_thread["content"] == f"<@{paired}>"
    assert in_thread["embeds"][0]["title"] == note.title
    public = bot.standin.bot_messages(bot.server.announcements)[-1]
    assert f"<@{lonely}>" in public["embeds"][0]["description"]
    assert "partner" not in str(public), "a public fallback must not reveal the DM's content"


async def test_rate_limits_are_waited_out_and_the_action_completes_once(bot: Bot) -> None:
    """Short 429s are retried by the client; the thread and its introduction exist once."""
    community = await bot.configure()
    s = bot.standin
    s.rate_limit("POST", r"/channels/\d+/threads", retry_after=0.2)
    s.rate_limit("POST", r"/channels/\d+/messages", retry_after=0.2, times=2)
    started = time.monotonic()
    space = await make_space(bot, community, 1, bot.add_people(2))
    assert time.monotonic() - started >= 0.6
    assert len(s.calls("POST", r"/channels/\d+/threads")) == 2
    assert len(s.calls("POST", rf"/channels/{space.id}/messages")) == 3
    assert len(s.threads()) == 1 and len(s.bot_messages(int(space.id))) == 1


async def test_long_rate_limits_reschedule_the_outbox_action(bot: Bot) -> None:
    """A 429 longer than the client waits becomes a retry later that completes the action once."""
    groups = await publish_small_round(bot)
    s = bot.standin
    # Threads get made, then every message is refused for two minutes.
    s.rate_limit("POST", r"/channels/\d+/messages", retry_after=120, times=100)
    report = await bot.services.delivery.run_due()
    assert report.failed == 0 and report.done == 0
    assert len(s.threads(p.PRIVATE_THREAD)) == groups
    s.faults.clear()
    bot.clock.advance(seconds=121)
    report = await bot.services.delivery.run_due()
    assert report.failed == 0 and report.done >= groups
    assert len(s.calls("POST", rf"/channels/{bot.server.pairs}/threads")) == groups
    for thread in s.threads(p.PRIVATE_THREAD):
        assert len(s.bot_messages(int(thread["id"]))) == 1


async def test_missing_permission_is_named_and_alerted(bot: Bot) -> None:
    """50013 is a permanent failure naming the permission; organisers are alerted."""
    s = bot.standin
    s.channels[bot.server.pairs]["permission_overwrites"] = [
        {
            "id": str(s.bot_role),
            "type": 0,
            "allow": "0",
            "deny": str(p.PERMISSIONS["create_private_threads"]),
        }
    ]
    await s.dispatch_channel_update(bot.server.pairs)
    community = await bot.configure()
    with pytest.raises(DeliveryFailed) as failed:
        await make_space(bot, community, 1, bot.add_people(2))
    assert failed.value.permanent and "Create Private Threads" in str(failed.value)

    groups = await publish_small_round(bot, name="2027B")
    report = await bot.services.delivery.run_due()
    assert report.failed == groups
    alerts = [m["embeds"][0]["description"] for m in s.bot_messages(bot.server.alerts)]
    assert len([a for a in alerts if "Create Private Threads" in a]) == groups
    async with bot.services.uow() as uow:
        failed_actions = await uow.outbox.list(community.id, states=[ActionState.FAILED])
    assert len(failed_actions) == groups


async def test_pair_threads_are_parked_to_stay_under_the_thread_cap(bot: Bot) -> None:
    """Past park_above, threads are archived after posting: 40 pairs fit a cap of 20."""
    community = await bot.configure()
    s = bot.standin
    s.max_active_threads = 20
    platform = bot.restarted(policy=ThreadPolicy(thread_cap=20, reserve=2, park_above=5))
    people = bot.add_people(80)
    for n in range(40):
        await make_space(bot, community, n + 1, people[2 * n : 2 * n + 2], platform)
    assert len(s.threads(p.PRIVATE_THREAD)) == 40
    assert s.peak_active_threads <= 7
    assert not [r for r in s.requests if r.status == 400]
    topic = Message("Topic 1 of 9", "Talk.")
    for thread in s.threads(p.PRIVATE_THREAD):
        space = SpaceRef(Platform.DISCORD, thread["id"])
        await platform.post(space, topic, key=f"topic:{thread['id']}")
    assert s.peak_active_threads <= 7


async def test_a_day_has_a_budget_of_new_pair_threads(bot: Bot) -> None:
    """Past the day's budget, a new thread is deferred (temporary) until the day has passed."""
    community = await bot.configure()
    now = [1_900_000_000.0]
    platform = bot.restarted(policy=ThreadPolicy(pings_per_day=3), wall_clock=lambda: now[0])
    people = bot.add_people(8)
    for n in range(3):
        await make_space(bot, community, n + 1, people[2 * n : 2 * n + 2], platform)
    with pytest.raises(DeliveryFailed) as later:
        await make_space(bot, community, 4, people[6:8], platform)
    assert not later.value.permanent and later.value.retry_after == 86_400
    now[0] += 86_400
    await make_space(bot, community, 4, people[6:8], platform)
    assert len(bot.standin.threads(p.PRIVATE_THREAD)) == 4


async def test_thread_cap_refusal_archives_quiet_threads_and_asks_to_retry(bot: Bot) -> None:
    """On 160006 the platform archives quiet pair threads and reports a short, temporary wait."""
    community = await bot.configure()
    s = bot.standin
    s.max_active_threads = 4
    # This process believes there is room: only Discord knows the cap is reached. Its
    # clock runs two hours ahead, so the threads it made have been quiet for an hour.
    platform = bot.restarted(wall_clock=lambda: time.time() + 7200)
    people = bot.add_people(10)
    for n in range(4):
        await make_space(bot, community, n + 1, people[2 * n : 2 * n + 2], platform)
    with pytest.raises(DeliveryFailed) as full:
        await make_space(bot, community, 5, people[8:10], platform)
    assert not full.value.permanent and full.value.retry_after == 5.0
    assert s.active_threads() == 0
    await make_space(bot, community, 5, people[8:10], platform)
    assert len(s.threads(p.PRIVATE_THREAD)) == 5


async def test_topic_thread_in_a_text_channel_when_no_forum_is_set(bot: Bot) -> None:
    """Without a forum, the topic opens a thread on a message in the chosen text channel."""
    community = await without_forum(bot)
    topic = Message("2027A · Topic 1 of 9: Spaces", "Everyone is welcome.")
    first = await bot.platform.open_topic_thread(community, topic.title, topic, key="r1:t0:thread")
    again = await bot.platform.open_topic_thread(community, topic.title, topic, key="r1:t0:thread")
    assert first.id == again.id
    assert len(bot.standin.calls("POST", r"/channels/\d+/messages/\d+/threads")) == 1
    assert first.url.endswith(f"/{first.id}")


async def test_activity_counts_messages_per_member_without_contents(bot: Bot) -> None:
    """Activity reports how many messages each member wrote, never what they wrote."""
    community = await bot.configure()
    a, b = bot.add_people(2)
    space = await make_space(bot, community, 1, [a, b])
    bot.standin.member_says(int(space.id), a, "hello")
    bot.standin.member_says(int(space.id), a, "how are you?")
    bot.standin.member_says(int(space.id), b, "fine!")
    activity = await bot.platform.activity(space)
    assert activity.messages_by_member == {str(a): 2, str(b): 1}
    assert activity.last_message_at is not None
