"""The organiser's console on Discord, item by item: preview at length, files, settings,
messages sent once, the audit log, and refusals for members (issue 13)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.model import ApplicationStatus
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.standin import Upload

A = ApplicationStatus
HEADER = "id,name,country,timezone,languages,sector,career_stage,interests,introduction\n"


async def _closed_round(bot: Bot, applicants: int) -> None:
    community = await bot.configure()
    s = bot.services
    await s.rounds.create(community.id, "2027A")
    await s.rounds.open(community.id, "2027A")
    await bot.import_applicants("2027A", bot.add_people(applicants), seed=7)
    await s.applications.decide(community.id, "2027A", A.APPROVED, all_pending=True)
    await s.rounds.close(community.id, "2027A")


async def test_long_preview_names_every_group_over_several_messages(bot: Bot) -> None:
    """90 people: the preview comes in more than one message, each within Discord's limits,
    and names every group (the stand-in refuses an embed over 4,096 or a message over 6,000)."""
    await _closed_round(bot, 90)
    reply = await bot.standin.slash(
        bot.server.organiser, "round", {"name": "2027A"}, sub="match-preview"
    )
    await asyncio.sleep(0.5)  # the answer continues in follow-ups after the first
    messages = [r["data"] for r in reply.responses if r.get("type") == "followup"]
    assert len(messages) >= 2, [len(str(m)) for m in messages]
    text = "\n".join(e["description"] for m in messages for e in m["embeds"])
    report = await bot.services.matches.show(await bot.community(), "2027A")
    for g in report.groups:
        assert f"Group {g.number}:" in text or f"Group {g.number} " in text, g.number


async def test_export_attaches_applications_and_pairs(bot: Bot) -> None:
    """/round export attaches applications-2027A.csv and the proposed pairs as CSV."""
    await _closed_round(bot, 4)
    s, organiser = bot.standin, bot.server.organiser
    apps = await s.slash(
        organiser, "round", {"name": "2027A", "what": "applications"}, sub="export"
    )
    [(name, data)] = apps.files
    assert name == "applications-2027A.csv" and data.decode().count("\n") == 5
    await s.slash(organiser, "round", {"name": "2027A"}, sub="match-preview")
    pairs = await s.slash(organiser, "round", {"name": "2027A", "what": "pairs"}, sub="export")
    [(name, data)] = pairs.files
    assert name.endswith(".csv") and b"group" in data.lower()


async def test_import_with_one_bad_row_changes_nothing_and_names_line_and_field(bot: Bot) -> None:
    """A CSV whose third line has an unknown country: nothing imported, 'line 3: country'."""
    community = await bot.configure()
    await bot.services.rounds.create(community.id, "2027A")
    a, b = bot.add_people(2)
    good = f"{a},Ana,FI,Europe/Helsinki,fi;en,public,mid,books,Hello\n"
    bad = f"{b},Bo,UK,Europe/London,en,public,mid,books,Hello\n"
    upload = Upload("apps.csv", (HEADER + good + bad).encode())
    s = bot.standin
    reply = await s.slash(
        bot.server.organiser, "round", {"name": "2027A", "file": upload}, sub="import"
    )
    assert "nothing was changed" in reply.text and "line 3" in reply.text, reply.text
    assert "country" in reply.text
    assert await bot.services.applications.list(community.id, "2027A") == []


async def test_broadcast_replayed_interaction_is_sent_once(bot: Bot) -> None:
    """The same interaction delivered twice (a replayed event) queues the broadcast once."""
    await _closed_round(bot, 4)
    s, organiser = bot.standin, bot.server.organiser
    await s.slash(organiser, "round", {"name": "2027A"}, sub="publish")
    await bot.deliver()
    data = s._command_data(
        "round", {"name": "2027A", "to": "pairs", "text": "Once only"}, "broadcast", None
    )
    payload = s._interaction(2, organiser, data)
    first = await s._send_interaction(payload, 10)
    assert "Queued for 2 pairs" in first.text, first.text
    await s._dispatch_event("INTERACTION_CREATE", payload)
    await asyncio.sleep(0.5)
    await bot.deliver()
    posts = [m for t in s.threads() for m in s.bot_messages(int(t["id"])) if "Once only" in str(m)]
    assert len(posts) == 2, posts


async def test_announce_posts_in_the_announcements_channel(bot: Bot) -> None:
    """/community announce queues one post to the announcements channel."""
    await bot.configure()
    s = bot.standin
    said = await s.slash(
        bot.server.organiser, "community", {"text": "Round 2027B soon"}, sub="announce"
    )
    assert "Queued" in said.text, said.text
    await bot.deliver()
    posted = [m for m in s.bot_messages(bot.server.announcements) if "2027B soon" in str(m)]
    assert len(posted) == 1


async def test_round_edit_moves_dates_and_refuses_a_past_date(bot: Bot) -> None:
    """/round edit moves the end and cadence; a date in the past is refused, nothing moved."""
    community = await bot.configure()
    starts = bot.clock.now() + timedelta(days=30)
    await bot.services.rounds.create(community.id, "2027A", starts=starts)
    s, organiser = bot.standin, bot.server.organiser
    ends = (starts + timedelta(days=300)).date()
    moved = await s.slash(
        organiser, "round", {"name": "2027A", "ends": str(ends), "cadence_days": 7}, sub="edit"
    )
    assert "cadence 14 -> 7" in moved.text, moved.text
    refused = await s.slash(
        organiser, "round", {"name": "2027A", "closes": "2020-01-01"}, sub="edit"
    )
    assert "past" in refused.text, refused.text
    [item] = await bot.services.rounds.list(community.id)
    assert item.round.ends_at is not None and item.round.ends_at.date() == ends


async def test_community_settings_cap_rule_and_language(bot: Bot) -> None:
    """/community settings saves the country cap, the pairing rule and the language."""
    await bot.configure()
    reply = await bot.standin.slash(
        bot.server.organiser,
        "community",
        {"country_cap": "25%", "pairing_rule": "institution", "language": "fr"},
        sub="settings",
    )
    assert "Country cap 25%" in reply.text, reply.text
    settings = (await bot.community()).settings
    assert settings.country_cap == 0.25 and settings.pairing_rule.value == "institution"
    assert settings.default_language == "fr"


async def test_audit_shows_who_did_what(bot: Bot) -> None:
    """/round audit lists the organiser's actions and attaches the log as CSV."""
    await bot.configure()
    s, organiser = bot.standin, bot.server.organiser
    await s.slash(organiser, "round", {"name": "2027A"}, sub="create")
    await s.slash(organiser, "round", {"name": "2027A"}, sub="open")
    log = await s.slash(organiser, "round", {"name": "2027A"}, sub="audit")
    assert "round.create" in log.text and f"discord:{organiser}" in log.text, log.text
    [(name, data)] = log.files
    assert name == "audit-2027A.csv" and b"round.open" in data


async def test_members_are_refused_the_console(bot: Bot) -> None:
    """A member gets a refusal from /match, /community and /round's console commands."""
    await _closed_round(bot, 4)
    s, member = bot.standin, bot.server.member
    for name, options, sub in (
        ("match", {"round": "2027A", "group": 1}, "split"),
        ("community", {"text": "hi"}, "announce"),
        ("round", {"name": "2027A"}, "audit"),
        ("round", {"name": "2027A", "what": "applications"}, "export"),
    ):
        reply = await s.slash(member, name, options, sub=sub)
        assert "Only organisers" in reply.text and not reply.files, (name, sub, reply.text)


async def test_survey_questions_edited_in_chat(bot: Bot) -> None:
    """/survey add puts a question at the end, /survey edit rewords it, /survey reset undoes."""
    await _closed_round(bot, 2)
    s, organiser = bot.standin, bot.server.organiser
    base = {"round": "2027A", "kind": "end"}
    added = await s.slash(
        organiser,
        "survey",
        base | {"key": "library", "type": "text", "label": "Which library?"},
        sub="add",
    )
    assert "`library` (text): Which library?" in added.text, added.text
    edited = await s.slash(
        organiser, "survey", base | {"key": "library", "label": "Your library?"}, sub="edit"
    )
    assert "Your library?" in edited.text and "Which library?" not in edited.text
    reset = await s.slash(organiser, "survey", base, sub="reset")
    assert "default questions" in reset.text and "library" not in reset.text
    community = await bot.community()
    entries = await bot.services.audit.list(community.id, "2027A")
    assert {"survey.reset"} <= {e.action for e in entries}
