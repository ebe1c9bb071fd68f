"""A whole round run from Discord with no CLI call: the organiser's console (issue 13)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

from core.matching.synthetic import generate_pool
from core.model import ApplicationStatus
from core.rounds.applicants_csv import write_applicants
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.rounds import approve_pending
from tests.adapters.discord.standin import Reply, Upload

A = ApplicationStatus


def applications_csv(ids: list[int]) -> bytes:
    """Return an applications CSV (the export's format) for *ids*."""
    rows = [
        replace(row, id=str(user), previous_partners=())
        for row, user in zip(generate_pool(len(ids), seed=5), ids, strict=True)
    ]
    out = io.StringIO()
    write_applicants(rows, out)
    return out.getvalue().encode()


def custom_id(reply: Reply, prefix: str) -> str:
    [found] = [c for c in reply.custom_ids() if c.startswith(prefix)]
    return found


async def test_a_round_from_creation_to_report_in_chat(bot: Bot) -> None:
    """Create, open, import, review a filtered set, close, preview, swap, publish, rematch,
    edit a topic, broadcast and report: every step a Discord interaction."""
    community = await bot.configure()
    s, organiser = bot.standin, bot.server.organiser
    starts = (bot.clock.now() + timedelta(days=30)).date()
    ends = starts + timedelta(days=200)
    created = await s.slash(
        organiser,
        "round",
        {"name": "2027A", "starts": str(starts), "ends": str(ends)},
        sub="create",
    )
    assert "created" in created.text, created.text
    [round_] = [x.round for x in await bot.services.rounds.list(community.id)]
    assert round_.ends_at is not None and round_.ends_at.date() == ends
    assert "is open" in (await s.slash(organiser, "round", {"name": "2027A"}, sub="open")).text

    people = bot.add_people(9)
    upload = Upload("applications.csv", applications_csv(people))
    imported = await s.slash(organiser, "round", {"name": "2027A", "file": upload}, sub="import")
    assert "9 applications created" in imported.text, imported.text

    review = await s.slash(organiser, "applications", {"round": "2027A"}, sub="review")
    assert "(9 in all)" in review.text
    menu = custom_id(review, "pp:rv:fc:")
    [country] = [
        o["value"]
        for row in review.data["components"]
        for c in row["components"]
        if c.get("custom_id") == menu
        for o in c["options"]
        if o["value"] != "*"
    ][:1]
    one_country = await s.choose(organiser, review, menu, [country])
    assert f"country {country}" in one_country.text
    ask = await s.press(organiser, one_country, custom_id(one_country, "pp:rv:ba:"))
    done = await s.press(organiser, ask, custom_id(ask, "pp:rv:ca:"))
    assert "Approved:" in done.text
    await approve_pending(bot)
    apps = await bot.services.applications.list(community.id, "2027A")
    assert all(a.status is A.APPROVED for a in apps)

    await s.slash(organiser, "round", {"name": "2027A"}, sub="close")
    preview = await s.slash(organiser, "round", {"name": "2027A"}, sub="match-preview")
    assert "matching preview" in preview.text and "Group 1" in preview.text, preview.text
    shown = await bot.services.matches.show(community, "2027A")
    first, second = shown.groups[0].members[0], shown.groups[1].members[0]
    swapped = await s.slash(
        organiser,
        "match",
        {
            "round": "2027A",
            "a": f"<@{first.external_id}>",
            "b": second.external_id,
        },
        sub="swap",
    )
    assert "matching preview" in swapped.text, swapped.text
    after = await bot.services.matches.show(community, "2027A")
    assert second.external_id in {m.external_id for m in after.groups[0].members}

    published = await s.slash(organiser, "round", {"name": "2027A"}, sub="publish")
    assert "matching published" in published.text, published.text
    await bot.deliver()
    threads = s.threads()
    assert len(threads) == len(after.groups)

    leaver = int(after.groups[0].members[0].external_id)
    assert "You have left" in (await s.slash(leaver, "withdraw")).text
    rematched = await s.slash(organiser, "round", {"name": "2027A"}, sub="rematch")
    assert "matching published" in rematched.text, rematched.text

    form = await s.slash(
        organiser, "round", {"name": "2027A", "position": 1, "language": "fr"}, sub="topic"
    )
    saved = await s.submit_modal(
        organiser,
        form,
        {"title": "Nos lecteurs", "prompt": "Parlez de vos lecteurs.", "questions": "Qui?\nQuand?"},
    )
    assert "saved in fr" in saved.text, saved.text
    topic = await bot.services.round_topics.show(community.id, "2027A", 1, lang="fr")
    assert topic.title == "Nos lecteurs"

    said = await s.slash(
        organiser,
        "round",
        {"name": "2027A", "to": "pairs", "text": "Bonjour à toutes les paires"},
        sub="broadcast",
    )
    assert "Queued for" in said.text, said.text
    await bot.deliver()
    got = [
        t["id"]
        for t in s.threads()
        if any("Bonjour à toutes" in str(m) for m in s.bot_messages(int(t["id"])))
    ]
    assert got, "the broadcast reached no pair thread"

    report = await s.slash(organiser, "penpals", {"round": "2027A"}, sub="report")
    assert report.text, report.responses
    log = await s.slash(organiser, "round", {"name": "2027A"}, sub="audit")
    for action in ("round.create", "round.broadcast.pairs", "applications.import"):
        assert action in log.text or any(action in r.text for r in [log]), log.text
