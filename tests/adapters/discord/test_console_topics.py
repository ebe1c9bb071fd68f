"""A round's topics from Discord, any number: /round topics, topic-add and topic-remove."""

from __future__ import annotations

from tests.adapters.discord.conftest import Bot

ROUND = "2027A"


async def test_topics_listed_added_and_removed_in_chat(bot: Bot) -> None:
    """/round topics lists them; topic-add and topic-remove change how many, audited."""
    community = await bot.configure()
    s, organiser = bot.standin, bot.server.organiser
    await bot.services.rounds.create(community.id, ROUND)
    count = len((await bot.services.round_topics.list(community.id, ROUND)).topics)
    listed = await s.slash(organiser, "round", {"name": ROUND}, sub="topics")
    assert f"{count} topics, the community's topics" in listed.text, listed.text

    added = await s.slash(
        organiser,
        "round",
        {"name": ROUND, "title": "Nos lecteurs", "prompt": "Racontez", "language": "fr"},
        sub="topic-add",
    )
    assert f"topic {count + 1} added in fr" in added.text, added.text
    first = await s.slash(
        organiser, "round", {"name": ROUND, "title": "Libraries", "position": 1}, sub="topic-add"
    )
    assert "topic 1 added in en" in first.text, first.text
    english = await bot.services.round_topics.show(community.id, ROUND, count + 2, lang="en")
    assert english.title == "Nos lecteurs"  # no English yet: the French text stands in

    removed = await s.slash(organiser, "round", {"name": ROUND, "position": 1}, sub="topic-remove")
    assert f"topic 1 removed, {count + 1} left" in removed.text, removed.text
    listed = await s.slash(organiser, "round", {"name": ROUND, "language": "fr"}, sub="topics")
    assert f"{count + 1} topics, its own topics" in listed.text
    assert f"**{count + 1}.** Nos lecteurs [fr]" in listed.text, listed.text
    entries = await bot.services.audit.list(community.id, ROUND)
    actions = {(e.action, e.actor) for e in entries}
    who = {e.actor for e in entries if e.action == "round.topics.add"}
    assert {"round.topics.add", "round.topics.remove"} <= {a for a, _ in actions}
    assert who and all(w.startswith("discord:") for w in who), who

    refused = await s.slash(
        bot.server.member, "round", {"name": ROUND, "position": 1}, sub="topic-remove"
    )
    assert "Only organisers" in refused.text
    assert len((await bot.services.round_topics.list(community.id, ROUND)).topics) == count + 1
