"""Every applicant told by direct message, once, in their language (Slack, real slack-bolt)."""

from __future__ import annotations

import json
import re
from typing import Any

from adapters.slack.platform import SlackPlatform
from bots.bootstrap import Services
from core.model import ApplicationStatus, Community, MemberRef, Platform
from core.rounds.applicants_csv import ApplicantRow
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.standin import SlackStandIn, wait_until
from tests.support import FixedClock, profile

ROUND = "2027A"
# A Slack user id written out, a language or career code shown as such, a stored reason
# code (kind=sector) or a time token left unrendered.
RAW = re.compile(
    r"\bU[A-Z0-9]{8,}\b(?!>)|wish met|\((sector|career stage|interest|country) \w+\)"
    r"|common languages?:|\w=\w|⟦"
)
PEOPLE = {
    "UAINO00001": ("Aino", "FI", "Europe/Helsinki", ("fi", "en", "fr"), "fr"),
    "UBEA000001": ("Bea", "ES", "Europe/Madrid", ("es", "en"), "es"),
    "UCARL00001": ("Carl", "US", "America/Chicago", ("en",), None),
    "UDANA00001": ("Dana", "GB", "Europe/London", ("en",), None),
    "UELI000001": ("Eli", "BR", "America/Sao_Paulo", ("pt", "en"), None),
    "UFUMI00001": ("Fumi", "JP", "Asia/Tokyo", ("ja",), "fr"),
    "UGUS000001": ("Gus", "FR", "Europe/Paris", ("fr", "en"), "fr"),
    "UHANA00001": ("Hana", "DE", "Europe/Berlin", ("de", "en"), None),
    "UILSE00001": ("Ilse", "FI", "Europe/Helsinki", ("fi", "es", "en"), "es"),
    "UJON000001": ("Jon", "FI", "Europe/Helsinki", ("fi", "en"), None),
}
AINO, BEA, CARL, FUMI, GUS, HANA, ILSE, JON = (
    "UAINO00001",
    "UBEA000001",
    "UCARL00001",
    "UFUMI00001",
    "UGUS000001",
    "UHANA00001",
    "UILSE00001",
    "UJON000001",
)


def dms_to(slack: SlackStandIn, user: str) -> list[dict[str, Any]]:
    """Return the messages the bot sent *user* by direct message."""
    return [m for c in slack.channels.values() if c.is_im and user in c.members for m in c.messages]


def title(message: dict[str, Any]) -> str:
    """Return a Block Kit message's header."""
    return next(b["text"]["text"] for b in message["blocks"] if b["type"] == "header")


def words(message: dict[str, Any]) -> str:
    """Return what a member reads of a message: its blocks' texts and the fallback text."""
    return json.dumps(message["blocks"], ensure_ascii=False) + "\n" + message.get("text", "")


async def command(slack: SlackStandIn, http: SignedClient, user: str, text: str) -> str:
    _, answer = await http.command(payloads.command(slack, user, text))
    return str(answer["text"])


async def run_scenario(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """Decide, withdraw, publish through /penpals and deliver through the real SlackPlatform."""
    saved = await command(slack, http, ADMIN, "setup hours 3 contact=Olivia at olivia@iln.example")
    assert saved.startswith("Saved.")
    await _people_apply(services, community, slack)
    for user, (*_, lang) in PEOPLE.items():
        if lang:
            await services.applications.set_language(
                community, MemberRef(Platform.SLACK, user), lang
            )
    decide = services.applications.decide
    await decide(
        community.id, ROUND, ApplicationStatus.DECLINED, [GUS], note="Réservé aux membres."
    )
    await decide(community.id, ROUND, ApplicationStatus.APPROVED, all_pending=True)
    left = await command(slack, http, HANA, "withdraw")
    assert ROUND in left
    await services.delivery.run_due()
    await services.rounds.close(community.id, ROUND)
    published = await command(slack, http, ADMIN, f"round publish {ROUND}")
    assert "Published" in published, published
    await services.delivery.run_due()
    await services.delivery.run_due()  # a second pass must send nothing again


async def _people_apply(
    services: Services, community: Community, slack: SlackStandIn, *, approve: bool = False
) -> None:
    """Open ROUND and import PEOPLE's applications (each a stand-in workspace member)."""
    await services.rounds.create(community.id, ROUND)
    await services.rounds.open(community.id, ROUND)
    rows = []
    for line, (user, (name, country, tz, languages, _lang)) in enumerate(PEOPLE.items(), 2):
        slack.add_user(user, name)
        rows.append(
            ApplicantRow(user, profile(name, country, tz=tz, languages=languages), (), line)
        )
    await services.applications.import_rows(community, ROUND, rows, approve=approve)


async def test_each_applicant_is_told_once_in_their_language(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """Approved, declined, waitlisted, unplaced, trio: one DM each, in the member's language."""
    await run_scenario(slack, http, services, community, platform)
    titles = {u: [title(m) for m in dms_to(slack, u)] for u in PEOPLE}
    assert titles[AINO][0] == "C'est confirmé : session 2027A"
    assert titles[BEA][0] == "Confirmado: edición 2027A"
    assert titles[CARL][0] == "You are in: round 2027A"
    assert titles[HANA] == []  # withdrew before being told
    assert titles[GUS] == ["À propos de votre candidature à la session 2027A"]
    assert "Réservé aux membres." in words(dms_to(slack, GUS)[0])
    assert titles[ILSE][-1] == "Estás en la lista de espera de la edición 2027A"
    assert titles[JON][-1] == "You are on the waiting list for round 2027A"
    fumi = dms_to(slack, FUMI)[-1]
    assert title(fumi) == "Pas de partenaire pour vous à la session 2027A, cette fois"
    assert "personne d'un autre pays ne parle japonais" in words(fumi)
    report = await services.matches.show(community, ROUND)
    (trio,) = [g for g in report.groups if len(g.members) == 3]
    three = {
        "You are in a group of three",
        "Vous êtes dans un groupe de trois",
        "Estás en un grupo de tres",
    }
    for person in trio.members:
        assert len([t for t in titles[person.external_id] if t in three]) == 1
    for user in PEOPLE:
        assert len(titles[user]) == len(set(titles[user])), titles[user]


async def test_member_facing_texts_carry_no_raw_ids_or_codes(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """Outcome DMs and pair introductions: no platform id, language or career code."""
    await run_scenario(slack, http, services, community, platform)
    for user in PEOPLE:
        for message in dms_to(slack, user):
            assert not RAW.search(words(message)), words(message)
    intros = [
        m
        for c in slack.channels.values()
        if c.is_private and not c.is_im
        for m in c.messages
        if any(b["type"] == "header" and "Meet your" in b["text"]["text"] for b in m["blocks"])
    ]
    assert intros
    for intro in intros:
        text = words(intro)
        assert not RAW.search(text), text
        assert "Why you were matched" in text and "Olivia at olivia@iln.example" in text
        assert "about 3 hours a month" in text


async def test_dates_are_slack_date_tokens_with_a_fallback(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
    clock: FixedClock,
) -> None:
    """The approval gives the round's start as <!date^…|fallback>, the fallback in French."""
    starts = clock.now().replace(year=clock.now().year + 1)
    await services.rounds.create(community.id, ROUND, starts=starts)
    await services.rounds.open(community.id, ROUND)
    slack.add_user(AINO, "Aino")
    row = ApplicantRow(AINO, profile("Aino", "FI", tz="Europe/Helsinki"), (), 2)
    await services.applications.import_rows(community, ROUND, [row])
    await services.applications.set_language(community, MemberRef(Platform.SLACK, AINO), "fr")
    await services.applications.decide(community.id, ROUND, ApplicationStatus.APPROVED, [AINO])
    await services.delivery.run_due()
    (welcome,) = dms_to(slack, AINO)
    found = re.search(r"<!date\^(\d+)\^\{date_long_pretty\} \{time\}\|([^>]+)>", words(welcome))
    assert found and int(found.group(1)) == int(starts.timestamp())
    assert "(Europe/Helsinki)" in found.group(2) and str(starts.year) in found.group(2)
    assert "UTC" not in words(welcome)


async def test_the_pair_sets_its_goals_from_the_introduction(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """A member presses "Set our goals", fills the modal; the pair's goals are stored."""
    await run_scenario(slack, http, services, community, platform)
    report = await services.matches.show(community, ROUND)
    group = report.groups[0]
    member = group.members[0].external_id
    action = f"goals:open:{report.round.id}:{group.number}"
    intro = next(
        m
        for c in slack.channels.values()
        if c.is_private and not c.is_im and member in c.members
        for m in c.messages
        if action in json.dumps(m["blocks"])
    )
    assert intro
    seen = len(slack.views)
    status, _ = await http.interact(payloads.button(slack, member, action, ""))
    assert status == 200
    await wait_until(lambda: len(slack.views) > seen)
    view = list(slack.views.values())[-1]
    values = {"goals": {"text": {"type": "plain_text_input", "value": "Compare reading clubs"}}}
    _, answer = await http.interact(payloads.view_submission(slack, member, view, values))
    assert answer["response_action"] == "update"
    form = await services.goals.form(MemberRef(Platform.SLACK, member), report.round.id, 1)
    assert form.text == "Compare reading clubs"
    outsider = next(u for u in PEOPLE if u not in {p.external_id for p in group.members})
    seen = len(slack.responses)
    await http.interact(payloads.button(slack, outsider, action, ""))
    await wait_until(lambda: len(slack.responses) > seen)
    assert "pair" in slack.responses[-1]["text"] or "binôme" in slack.responses[-1]["text"]


async def test_the_preview_gives_organisers_the_reasons_in_words(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """/penpals round preview lists each group with why, by name: no ids, no codes."""
    await _people_apply(services, community, slack, approve=True)
    await services.rounds.close(community.id, ROUND)
    preview = await command(slack, http, ADMIN, f"round preview {ROUND}")
    assert "languages in common: English" in preview, preview
    assert "working day in common" in preview
    assert not RAW.search(preview.replace("<@", "")), preview
