"""A round's topics from Discord, any number (/round topics, topic-add, topic-remove), and
its surveys' dates (/survey dates)."""

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


async def test_survey_dates_moved_in_chat(bot: Bot) -> None:
    """/survey dates moves a survey's window, audited; /survey show says when it runs."""
    community = await bot.configure()
    s, organiser = bot.standin, bot.server.organiser
    await bot.services.rounds.create(community.id, ROUND)
    base = {"round": ROUND, "kind": "mid"}
    shown = await s.slash(organiser, "survey", base, sub="show")
    assert "Dates: none yet" in shown.text, shown.text
    moved = await s.slash(
        organiser, "survey", base | {"opens": "2031-03-01", "closes": "2031-03-15"}, sub="dates"
    )
    assert "Opens 2031-03-01 00:00, closes 2031-03-15 00:00 (UTC)" in moved.text, moved.text
    backwards = await s.slash(organiser, "survey", base | {"closes": "2031-02-01"}, sub="dates")
    assert "before it opens" in backwards.text, backwards.text
    assert "Opens 2031-03-01" in (await s.slash(organiser, "survey", base, sub="show")).text
    entries = await bot.services.audit.list(community.id, ROUND)
    (who,) = [e.actor for e in entries if e.action == "survey.schedule"]
    assert who.startswith(f"discord:{organiser} "), who
    refused = await s.slash(
        bot.server.member, "survey", base | {"closes": "2031-04-01"}, sub="dates"
    )
    assert "Only organisers" in refused.text
