"""Every applicant told by direct message, once, in their language (Discord, real client)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

from adapters.discord.platform import DiscordPlatform
from core.model import ApplicationStatus, MemberRef, Platform, Profile
from core.rounds.applicants_csv import ApplicantRow
from core.rounds.outcomes import outcome_key
from core.surveys.model import SurveyKind
from tests.adapters.discord import payloads as p
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.rounds import approve_pending, dms_to
from tests.support import profile

ROUND = "2027A"
# A raw platform id (a Discord snowflake), a language or career code shown as such (the old
# "wish met for 1578692236122521616 (career stage senior)", "common language: en"), a stored
# reason code (kind=sector) or a time token left unrendered.
RAW = re.compile(
    r"\b\d{15,20}\b|wish met|\((sector|career stage|interest|country) \w+\)"
    r"|common languages?:|\b(en|fr|es|ja|fi)(, [a-z]{2})*$|\w=\w|⟦",
    re.MULTILINE,
)


def text_of(message: dict[str, Any]) -> str:
    """Return everything a member reads in a message: content and embeds."""
    parts = [message.get("content") or ""]
    for e in message.get("embeds") or ():
        parts += [e.get("title") or "", e.get("description") or ""]
        parts += [f"{f['name']}\n{f['value']}" for f in e.get("fields") or ()]
        footer = (e.get("footer") or {}).get("text") or ""
        parts.append(re.sub(r" · ref [0-9a-f]{12}$", "", footer))
    return "\n".join(parts)


class Cast:
    """The applicants of the scenario, by role, as Discord user ids."""

    def __init__(self, bot: Bot) -> None:
        names = ["aino", "bea", "carl", "dana", "eli", "fumi", "gus", "hana", "ilse", "jon"]
        ids = bot.add_people(len(names))
        for name, user in zip(names, ids, strict=True):
            setattr(self, name, user)
        self.all = ids

    aino: int
    bea: int
    carl: int
    dana: int
    eli: int
    fumi: int
    gus: int
    hana: int
    ilse: int
    jon: int


def rows(cast: Cast) -> list[ApplicantRow]:
    """Ten applicants: five who can pair (one trio), a Japanese-only speaker, two more Finns."""
    people: list[tuple[int, Profile]] = [
        (cast.aino, profile("Aino", "FI", tz="Europe/Helsinki", languages=("fi", "en", "fr"))),
        (cast.bea, profile("Bea", "ES", tz="Europe/Madrid", languages=("es", "en"))),
        (cast.carl, profile("Carl", "US", tz="America/Chicago")),
        (cast.dana, profile("Dana", "GB", tz="Europe/London")),
        (cast.eli, profile("Eli", "BR", tz="America/Sao_Paulo", languages=("pt", "en"))),
        (cast.fumi, profile("Fumi", "JP", tz="Asia/Tokyo", languages=("ja",))),
        (cast.gus, profile("Gus", "FR", tz="Europe/Paris", languages=("fr", "en"))),
        (cast.hana, profile("Hana", "DE", tz="Europe/Berlin", languages=("de", "en"))),
        (cast.ilse, profile("Ilse", "FI", tz="Europe/Helsinki", languages=("fi", "es", "en"))),
        (cast.jon, profile("Jon", "FI", tz="Europe/Helsinki", languages=("fi", "en"))),
    ]
    return [ApplicantRow(str(user), pr, (), i + 2) for i, (user, pr) in enumerate(people)]


async def run_scenario(bot: Bot) -> Cast:
    """Decide, withdraw, match and publish a round through the bot; deliver twice."""
    s, organiser = bot.standin, bot.server.organiser
    community = await bot.configure()
    await bot.services.communities.configure(community.id, contact="Olivia (olivia@iln.example)")
    cast = Cast(bot)
    await s.slash(organiser, "round", {"name": ROUND}, sub="create")
    await s.slash(organiser, "round", {"name": ROUND}, sub="open")
    community = await bot.community()
    await bot.services.applications.import_rows(community, ROUND, rows(cast))
    for user, lang in ((cast.aino, "fr"), (cast.bea, "es"), (cast.ilse, "es"), (cast.gus, "fr")):
        ref = MemberRef(Platform.DISCORD, str(user))
        await bot.services.applications.set_language(community, ref, lang)
    await bot.services.applications.decide(
        community.id,
        ROUND,
        ApplicationStatus.DECLINED,
        [str(cast.gus)],
        note="Ce programme est réservé aux bibliothèques membres.",
    )
    approved = await approve_pending(bot, ROUND)
    assert "Approved:" in approved.text
    withdrew = await s.slash(cast.hana, "withdraw")
    assert "2027A" in withdrew.text
    await bot.deliver()
    await s.slash(organiser, "round", {"name": ROUND}, sub="close")
    published = await s.slash(organiser, "round", {"name": ROUND}, sub="publish")
    assert "matching published" in published.text, published.text
    await bot.deliver()
    await bot.deliver()  # a second pass must not send anything again
    return cast


async def test_each_applicant_is_told_once_in_their_language(bot: Bot) -> None:
    """Approved, declined, waitlisted, unplaced, trio: one DM each, in the member's language."""
    cast = await run_scenario(bot)
    s = bot.standin
    titles = {u: [m["embeds"][0]["title"] for m in dms_to(s, u)] for u in cast.all}

    # Approved, in French, Spanish and English; the one who withdrew is told nothing.
    assert titles[cast.aino][0] == "C'est confirmé : session 2027A"
    assert titles[cast.bea][0] == "Confirmado: edición 2027A"
    assert titles[cast.carl][0] == "You are in: round 2027A"
    assert titles[cast.hana] == []
    # Declined, with the organisers' note, in French.
    (declined,) = dms_to(s, cast.gus)
    assert declined["embeds"][0]["title"] == "À propos de votre candidature à la session 2027A"
    assert "réservé aux bibliothèques membres" in declined["embeds"][0]["description"]
    # Over the country cap: waitlisted with the reason and what comes next (Spanish, English).
    ilse = dms_to(s, cast.ilse)[-1]["embeds"][0]
    assert ilse["title"] == "Estás en la lista de espera de la edición 2027A"
    assert "Finlandia" in ilse["description"] and "próxima edición" in ilse["description"]
    jon = dms_to(s, cast.jon)[-1]["embeds"][0]
    assert jon["title"] == "You are on the waiting list for round 2027A"
    assert "Finland" in jon["description"] and "next round" in jon["description"]
    # Unplaced, with the reason in words.
    fumi = dms_to(s, cast.fumi)[-1]["embeds"][0]
    assert fumi["title"] == "No partner for you in round 2027A, this time"
    assert "nobody from another country this round speaks Japanese" in fumi["description"]
    # The trio: each of its three members told why.
    report = await bot.services.matches.show(await bot.community(), ROUND)
    (trio,) = [g for g in report.groups if len(g.members) == 3]
    for person in trio.members:
        told = titles[int(person.external_id)]
        assert (
            told.count("You are in a group of three")
            + told.count("Vous êtes dans un groupe de trois")
            + told.count("Estás en un grupo de tres")
            == 1
        )

    # Exactly once each: one DM per outcome, whatever the passes.
    for user in cast.all:
        assert len(titles[user]) == len(set(titles[user])), titles[user]
    assert len(titles[cast.aino]) == 1 + (str(cast.aino) in {p.external_id for p in trio.members})


async def test_outcome_messages_carry_no_raw_ids_or_codes(bot: Bot) -> None:
    """What members read in outcome DMs and introductions has no platform id or code."""
    cast = await run_scenario(bot)
    s = bot.standin
    for user in cast.all:
        for message in dms_to(s, user):
            assert not RAW.search(text_of(message)), text_of(message)
    for thread in s.threads(p.PRIVATE_THREAD):
        (intro,) = s.bot_messages(int(thread["id"]))
        embed_only = {**intro, "content": ""}  # the content pings members by mention
        assert not RAW.search(text_of(embed_only)), text_of(embed_only)
        assert "Olivia (olivia@iln.example)" in text_of(embed_only)


async def test_outcomes_are_not_sent_again_after_a_restart(bot: Bot) -> None:
    """A new process (same database) sends nothing twice: the outbox keys are done."""
    cast = await run_scenario(bot)
    before = {u: len(dms_to(bot.standin, u)) for u in cast.all}
    bot.services.delivery._platforms[Platform.DISCORD] = DiscordPlatform(  # type: ignore[index]
        bot.platform.client, records=bot.platform.records
    )
    await bot.deliver()
    assert {u: len(dms_to(bot.standin, u)) for u in cast.all} == before
    community = await bot.community()
    actions = await bot.services.delivery.progress(community.id, 1)
    assert sum(actions.values(), start=Counter())["pending"] == 0
    assert outcome_key(1, 1, "approved") == "r1:m1:outcome:approved"


async def test_times_are_discord_timestamps(bot: Bot) -> None:
    """The approval gives the round's start as a Discord timestamp, not a UTC string."""
    s, organiser = bot.standin, bot.server.organiser
    await bot.configure()
    cast = Cast(bot)
    await s.slash(organiser, "round", {"name": ROUND, "starts": "2027-04-05"}, sub="create")
    await s.slash(organiser, "round", {"name": ROUND}, sub="open")
    await bot.services.applications.import_rows(await bot.community(), ROUND, rows(cast)[:2])
    await approve_pending(bot, ROUND)
    await bot.deliver()
    (welcome,) = dms_to(s, cast.bea)
    assert re.search(r"<t:\d+:f>", welcome["embeds"][0]["description"])
    assert "UTC" not in welcome["embeds"][0]["description"]


async def test_the_pair_sets_its_goals_and_is_reminded_of_them(bot: Bot) -> None:
    """ "Set our goals" opens a modal; the goals are stored and recalled at the check-in."""
    from tests.adapters.discord.rounds import running_pair

    pair = await running_pair(bot)
    s = bot.standin
    (intro,) = s.bot_messages(pair.thread)
    button = f"goals:open:{pair.round.id}:1"
    assert button in str(intro["components"])
    modal = await s.press_on(pair.ana, intro, button, locale="fr")
    assert modal.type == 9 and modal.data["title"] == "Nos objectifs"
    done = await s.submit_modal(pair.ana, modal, {"goals": "Comparer nos clubs de lecture"})
    assert done.text.startswith("Vos objectifs sont enregistrés"), done.text
    again = await s.press_on(pair.bruno, intro, button)
    assert "Comparer nos clubs de lecture" in str(again.data)
    outsider = await s.press_on(pair.chen, intro, button)
    assert outsider.ephemeral and "only the members of this pair" in outsider.text.lower()

    # The mid-round check-in (posted in the pair thread) recalls them.
    opens = bot.clock.now()
    await bot.services.surveys.schedule(
        (await bot.community()).id,
        "2027A",
        SurveyKind.MID,
        opens=opens,
        closes=opens + timedelta(days=14),
    )
    bot.clock.advance(hours=1)
    await bot.deliver()
    (invitation,) = [m for m in s.bot_messages(pair.thread) if "survey:open" in str(m)]
    assert "how is it going" in text_of(invitation)
    assert "Comparer nos clubs de lecture" in text_of(invitation)


async def test_setup_sets_the_practices_members_see(bot: Bot) -> None:
    """/setup stores the contact, hours a month and guidance; the announcement states them."""
    s = bot.standin
    await bot.configure()
    reply = await s.slash(
        bot.server.organiser,
        "setup",
        {
            "contact": "Olivia (olivia@iln.example)",
            "hours_per_month": 3,
            "guidance": "Public holidays differ: say when you are away.",
        },
    )
    assert "Olivia (olivia@iln.example)" in reply.text and "3 hours a month" in reply.text
    practices = (await bot.community()).settings.practices
    assert practices.hours_per_month == 3 and practices.guidance.startswith("Public holidays")
    await s.slash(bot.server.organiser, "round", {"name": ROUND, "cadence_days": 7}, sub="create")
    await s.slash(bot.server.organiser, "round", {"name": ROUND}, sub="open")
    await bot.deliver()
    (opened,) = s.bot_messages(bot.server.announcements)
    text = text_of(opened)
    assert "a discussion topic every week" in text and "about 3 hours a month" in text
    assert "every two weeks" not in text


async def test_the_preview_gives_organisers_the_reasons_in_words(bot: Bot) -> None:
    """/round match-preview lists each group with why, by name: no ids, no codes."""
    s, organiser = bot.standin, bot.server.organiser
    await bot.configure()
    cast = Cast(bot)
    await s.slash(organiser, "round", {"name": ROUND}, sub="create")
    await s.slash(organiser, "round", {"name": ROUND}, sub="open")
    await bot.services.applications.import_rows(
        await bot.community(), ROUND, rows(cast), approve=True
    )
    await s.slash(organiser, "round", {"name": ROUND}, sub="close")
    preview = await s.slash(organiser, "round", {"name": ROUND}, sub="match-preview")
    text = text_of({"embeds": preview.data["embeds"]})
    assert "languages in common: English" in text and "working day in common" in text, text
    assert not RAW.search(text), text
