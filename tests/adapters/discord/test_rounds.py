"""Organisers run a round through the bot; the outbox builds the pair threads in the stand-in."""

from __future__ import annotations

import re
from collections import Counter

from core.model import ApplicationStatus, RoundState
from tests.adapters.discord import payloads as p
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.rounds import publish_round


async def test_publishing_60_applicants_makes_one_private_thread_per_group(bot: Bot) -> None:
    """Each group gets one private, non-invitable thread holding exactly its members."""
    groups = await publish_round(bot, 60)
    assert len(groups) >= 25
    report = await bot.deliver()
    assert report.failed == 0 and report.done >= len(groups)
    s = bot.standin

    made = s.calls("POST", rf"/channels/{bot.server.pairs}/threads")
    assert len(made) == len(groups)
    assert all(c.json["type"] == 12 and c.json["invitable"] is False for c in made)
    threads = {t["name"]: int(t["id"]) for t in s.threads(p.PRIVATE_THREAD)}
    assert set(threads) == {f"2027A pair {n}" for n in groups}

    added: dict[int, set[int]] = {}
    for call in s.calls("PUT", r"/channels/\d+/thread-members/\d+"):
        thread, user = map(int, re.findall(r"\d+", call.path))
        added.setdefault(thread, set()).add(user)
    for number, members in groups.items():
        thread = threads[f"2027A pair {number}"]
        assert added[thread] == members
        intro = s.bot_messages(thread)
        assert len(intro) == 1 and intro[0]["embeds"][0]["title"].startswith("Meet your")
        assert all(f"<@{m}>" in intro[0]["content"] for m in members)
    everyone = Counter(u for users in added.values() for u in users)
    assert max(everyone.values()) == 1, "nobody may be added to two groups' threads"

    announced = s.bot_messages(bot.server.announcements)
    assert [m["embeds"][0]["title"] for m in announced][-1] == "Round 2027A: pairs are published"
    assert (await bot.deliver()).done == 0
    assert len(s.calls("POST", rf"/channels/{bot.server.pairs}/threads")) == len(groups)


async def test_topic_date_posts_once_per_thread_and_opens_one_public_thread(bot: Bot) -> None:
    """On each topic date every pair thread gets the topic once, linked to one forum post."""
    groups = await publish_round(bot, 12)
    await bot.deliver()
    started = await bot.standin.slash(bot.server.organiser, "round", {"name": "2027A"}, sub="start")
    assert "has started" in started.text
    await bot.deliver()
    await bot.deliver()  # a second pass (or a restart) must not post again

    s = bot.standin
    forum_posts = [t for t in s.threads(p.PUBLIC_THREAD) if int(t["parent_id"]) == bot.server.forum]
    assert len(forum_posts) == 1
    url = f"https://discord.com/channels/{s.guild_id}/{forum_posts[0]['id']}"
    for thread in s.threads(p.PRIVATE_THREAD):
        topics = [m for m in s.bot_messages(int(thread["id"])) if "Topic 1 of 9" in str(m)]
        assert len(topics) == 1
        assert topics[0]["embeds"][0]["url"] == url
        assert topics[0]["components"][0]["components"][0]["url"] == url

    bot.clock.advance(days=14)
    await bot.deliver()
    forum_posts = [t for t in s.threads(p.PUBLIC_THREAD) if int(t["parent_id"]) == bot.server.forum]
    assert len(forum_posts) == 2
    topic_posts = s.calls("POST", r"/channels/\d+/messages")
    pair_threads = {t["id"] for t in s.threads(p.PRIVATE_THREAD)}
    # Only topic posts: a pair silent for those 14 days also, rightly, gets a nudge.
    per_thread = Counter(
        c.path.split("/")[2]
        for c in topic_posts
        if c.path.split("/")[2] in pair_threads and "Topic " in str(c.json)
    )
    assert set(per_thread.values()) == {2}  # topic 1, topic 2
    assert len(per_thread) == len(groups)


async def test_non_organiser_cannot_publish_and_nothing_changes(bot: Bot) -> None:
    """A member's /round publish is refused ephemerally; the round stays closed, no thread made."""
    community = await bot.configure()
    await bot.services.rounds.create(community.id, "2027A")
    await bot.services.rounds.open(community.id, "2027A")
    await bot.import_applicants("2027A", bot.add_people(6))
    await bot.services.applications.decide(
        community.id, "2027A", ApplicationStatus.APPROVED, all_pending=True
    )
    await bot.services.rounds.close(community.id, "2027A")
    await bot.deliver()  # the "applications open" announcement
    before = len(bot.standin.requests)

    reply = await bot.standin.slash(bot.server.member, "round", {"name": "2027A"}, sub="publish")

    assert reply.type == 4 and reply.ephemeral
    assert "Only organisers" in reply.text and "nothing changed" in reply.text
    assert (await bot.services.rounds.get(community.id, "2027A")).state is RoundState.CLOSED
    await bot.deliver()
    assert not bot.standin.threads()
    # The only request the bot made was its answer.
    answered = [r.path for r in bot.standin.requests[before:]]
    assert len(answered) == 1 and re.fullmatch(r"/interactions/\d+/[^/]+/callback", answered[0])


async def test_non_organiser_cannot_press_review_buttons(bot: Bot) -> None:
    """A review button pressed by a member changes no application."""
    community = await bot.configure()
    await bot.services.rounds.create(community.id, "2027A")
    await bot.services.rounds.open(community.id, "2027A")
    [someone] = bot.add_people(1)
    await bot.import_applicants("2027A", [someone])
    review = await bot.standin.slash(
        bot.server.organiser, "applications", {"round": "2027A"}, sub="review"
    )
    [approve] = [c for c in review.custom_ids() if c.startswith("pp:rv:ba:")]
    refused = await bot.standin.press(bot.server.member, review, approve)
    assert refused.type == 4 and "Only organisers" in refused.text
    [app] = await bot.services.applications.list(community.id, "2027A")
    assert app.status is ApplicationStatus.PENDING
    ask = await bot.standin.press(bot.server.organiser, review, approve)
    [confirm] = [c for c in ask.custom_ids() if c.startswith("pp:rv:ca:")]
    refused = await bot.standin.press(bot.server.member, ask, confirm)
    assert refused.type == 4 and "Only organisers" in refused.text
    done = await bot.standin.press(bot.server.organiser, ask, confirm)
    assert done.type == 6 and "Approved: 1 applications" in done.text
    [app] = await bot.services.applications.list(community.id, "2027A")
    assert app.status is ApplicationStatus.APPROVED


async def test_setup_saves_settings_and_names_missing_permissions(bot: Bot) -> None:
    """/setup stores the channels and role, and names what the bot lacks in each channel."""
    s = bot.standin
    locked = s.add_channel("locked-pairs", deny_bot=["create_private_threads", "manage_threads"])
    # The channel appeared after the bot connected: tell it, as Discord would.
    await s.dispatch_channel_create(locked)
    owner = int(s.owner["id"])  # Manage Server, no organiser role yet
    reply = await s.slash(
        owner,
        "setup",
        {
            "pairs": s.channel_option(locked),
            "forum": s.channel_option(bot.server.forum),
            "organiser_role": s.role_option(bot.server.organiser_role),
            "language": "es",
        },
    )
    assert reply.ephemeral
    assert "Create Private Threads and Manage Threads" in reply.text
    community = await bot.community()
    assert community.settings.channels["pairs"] == str(locked)
    assert community.settings.organiser_roles == (str(bot.server.organiser_role),)
    assert community.settings.default_language == "es"
    refused = await s.slash(bot.server.member, "setup", {"language": "en"})
    assert "Only organisers" in refused.text
    assert (await bot.community()).settings.default_language == "es"


async def test_withdrawing_after_matching_tells_the_partner_and_the_organisers(bot: Bot) -> None:
    """/withdraw leaves the group; the pair thread gets a kind note and organisers an alert."""
    groups = await publish_round(bot, 8)
    await bot.deliver()
    number, members = next(iter(groups.items()))
    leaver = min(members)
    reply = await bot.standin.slash(leaver, "withdraw")
    assert "You have left round 2027A" in reply.text and "partner" in reply.text
    await bot.deliver()
    s = bot.standin
    thread = next(int(t["id"]) for t in s.threads() if t["name"] == f"2027A pair {number}")
    assert s.bot_messages(thread)[-1]["embeds"][0]["title"] == "Your partner has left the round"
    alert = s.bot_messages(bot.server.alerts)[-1]["embeds"][0]["description"]
    assert f"pair {number} of round 2027A" in alert and "rematch" in alert


async def test_withdrawing_after_matching_removes_the_leaver_from_the_pair_thread(
    bot: Bot,
) -> None:
    """The leaver is taken out of the private pair thread; nobody else is removed."""
    groups = await publish_round(bot, 8)
    await bot.deliver()
    number, members = next(iter(groups.items()))
    leaver = min(members)
    await bot.standin.slash(leaver, "withdraw")
    await bot.deliver()
    s = bot.standin
    thread = next(int(t["id"]) for t in s.threads() if t["name"] == f"2027A pair {number}")
    removed = s.calls("DELETE", r"/channels/\d+/thread-members/\d+")
    assert [r.path for r in removed] == [f"/channels/{thread}/thread-members/{leaver}"]
    assert leaver not in s.thread_members[thread]
    assert set(members) - {leaver} <= s.thread_members[thread]


async def test_round_names_autocomplete_and_status(bot: Bot) -> None:
    """Round options suggest the community's rounds; /round status shows the counts."""
    await bot.configure()
    s, organiser = bot.standin, bot.server.organiser
    await s.slash(organiser, "round", {"name": "2027A"}, sub="create")
    await s.slash(organiser, "round", {"name": "2027B"}, sub="create")
    choices = await s.autocomplete(organiser, "round", {"name": "7b"}, "name", sub="status")
    assert choices == [{"name": "2027B (draft)", "value": "2027B"}]
    status = await s.slash(organiser, "round", {"name": "2027A"}, sub="status")
    assert "Round 2027A: draft" in status.text and "Applications: none yet" in status.text
    bad = await s.slash(organiser, "round", {"name": "2027C", "opens": "next week"}, sub="create")
    assert "is not a date" in bad.text
