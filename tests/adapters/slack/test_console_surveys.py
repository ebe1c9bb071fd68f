"""A round's survey questions and topics edited from Slack (/penpals survey, topic, topics),
and its whole audit log as CSV (/penpals export NAME audit)."""

from __future__ import annotations

import csv
import io
from typing import Any

from bots.bootstrap import Services
from core.model import ApplicationStatus, Community
from core.surveys.model import SurveyKind
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN, MEMBER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import closed_round
from tests.adapters.slack.standin import SlackStandIn

ROUND = "2027A"
WHO = f"slack:{ADMIN}"


async def _say(slack: SlackStandIn, http: SignedClient, user: str, text: str) -> str:
    _, answer = await http.command(payloads.command(slack, user, text))
    assert isinstance(answer, dict), answer
    return str(answer["text"])


async def _actions(services: Services, community: Community) -> list[Any]:
    return [(e.action, e.actor) for e in await services.audit.list(community.id, ROUND)]


async def test_survey_questions_edited_in_chat(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """survey add puts a question at the end, edit rewords it and its options, reset undoes."""
    await services.rounds.create(community.id, ROUND)
    shown = await _say(slack, http, ADMIN, f"survey {ROUND} show")
    assert "mid survey (the default questions)" in shown and "end survey" in shown, shown
    assert "`satisfaction` (scale, required)" in shown

    added = await _say(
        slack, http, ADMIN, f"survey {ROUND} add end library choice Which library are you in?"
        " options=Public; Academic; School required=yes",
    )  # fmt: skip
    assert "`library` (choice, required): Which library are you in? " in added, added
    assert "[Public; Academic; School]" in added

    edited = await _say(
        slack, http, ADMIN, f"survey {ROUND} edit end library Your library? options=Public; Other"
    )
    assert "Your library? [Public; Other]" in edited and "Which library" not in edited, edited
    optional = await _say(slack, http, ADMIN, f"survey {ROUND} edit end library required=no")
    assert "`library` (choice): Your library?" in optional, optional
    removed = await _say(slack, http, ADMIN, f"survey {ROUND} edit end modes remove")
    assert "`modes`" not in removed and "`library`" in removed, removed

    survey = await services.surveys.show(community.id, ROUND, SurveyKind.END)
    assert [q.key for q in survey.current_questions][-1] == "library"
    reset = await _say(slack, http, ADMIN, f"survey {ROUND} reset end")
    assert "(the default questions)" in reset and "library" not in reset, reset
    actions = await _actions(services, community)
    for action in ("survey.add", "survey.edit", "survey.reset"):
        assert (action, WHO) in actions, actions


async def test_survey_mistakes_are_said_and_members_refused(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """An unknown survey, type or question is named; a member changes nothing."""
    await services.rounds.create(community.id, ROUND)
    assert "'late' is not a survey" in await _say(slack, http, ADMIN, f"survey {ROUND} show late")
    wrong_type = await _say(slack, http, ADMIN, f"survey {ROUND} add end k essay Tell us")
    assert "'essay' is not a question type" in wrong_type, wrong_type
    unknown = await _say(slack, http, ADMIN, f"survey {ROUND} edit mid nope Hello")
    assert "no question 'nope'" in unknown, unknown
    assert "Use /penpals survey" in await _say(slack, http, ADMIN, "survey")
    refused = await _say(slack, http, MEMBER, f"survey {ROUND} add end k text Hi")
    assert refused.startswith("Only organisers"), refused
    actions = await _actions(services, community)
    assert not [a for a, _ in actions if a.startswith("survey.")], actions


async def test_topics_listed_added_and_removed_in_chat(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """topics lists the round's topics; topic add and remove change how many, audited."""
    await services.rounds.create(community.id, ROUND)
    before = await services.round_topics.list(community.id, ROUND)
    count = len(before.topics)
    listed = await _say(slack, http, ADMIN, f"topics {ROUND}")
    assert f"{count} topics, the community's topics" in listed, listed
    assert f"\n{count}. " in listed

    added = await _say(
        slack, http, ADMIN, f"topic {ROUND} add fr Les bibliothèques at night | Racontez"
    )
    assert added == f"Round {ROUND}: topic {count + 1} added in fr.", added
    first = await _say(slack, http, ADMIN, f"topic {ROUND} add at=1 en Libraries | Say")
    assert first == f"Round {ROUND}: topic 1 added in en.", first
    english = await services.round_topics.show(community.id, ROUND, count + 2, lang="en")
    assert english.title == "Les bibliothèques at night" and english.prompt == "Racontez"

    removed = await _say(slack, http, ADMIN, f"topic {ROUND} remove 1")
    assert removed == f"Round {ROUND}: topic 1 removed, {count + 1} left.", removed
    listed = await _say(slack, http, ADMIN, f"topics {ROUND} fr")
    assert f"{count + 1} topics, its own topics" in listed
    assert f"{count + 1}. Les bibliothèques at night [fr]" in listed, listed
    actions = await _actions(services, community)
    for action in ("round.topics.add", "round.topics.remove"):
        assert (action, WHO) in actions, actions
    refused = await _say(slack, http, MEMBER, f"topic {ROUND} remove 1")
    assert refused.startswith("Only organisers")
    assert len((await services.round_topics.list(community.id, ROUND)).topics) == count + 1


async def test_the_whole_audit_log_comes_as_a_csv(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """`export NAME audit` sends every entry of the round's log as CSV to the organiser."""
    await services.rounds.create(community.id, ROUND)
    await _say(slack, http, ADMIN, f"survey {ROUND} add mid library text Which library?")
    await _say(slack, http, ADMIN, f"topic {ROUND} remove 1")
    entries = await services.audit.list(community.id, ROUND)
    answer = await _say(slack, http, ADMIN, f"export {ROUND} audit")
    assert answer.startswith(f"Sent audit-{ROUND}.csv ({len(entries)} rows)"), answer
    (upload,) = [u for u in slack.uploads.values() if u["filename"] == f"audit-{ROUND}.csv"]
    rows = list(csv.DictReader(io.StringIO(slack.file_data(upload["id"]).decode())))
    assert [r["action"] for r in rows] == [e.action for e in entries]
    assert {"survey.add", "round.topics.remove"} <= {r["action"] for r in rows}
    assert ADMIN in slack.channels[upload["channel"]].members
    refused = await _say(slack, http, MEMBER, f"export {ROUND} audit")
    assert refused.startswith("Only organisers")


def _form(title: str, prompt: str, questions: list[str]) -> dict[str, Any]:
    def text(block: str, value: str) -> dict[str, Any]:
        return {block: {block: {"type": "plain_text_input", "value": value}}}

    return text("title", title) | text("prompt", prompt) | text("questions", "\n".join(questions))


async def test_a_topic_form_holds_title_prompt_and_questions(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """`topic NAME N LANG` opens a form; saving writes its questions; a refusal stays on it."""
    await services.rounds.create(community.id, ROUND)
    seen = len(slack.views)
    _, answer = await http.command(payloads.command(slack, ADMIN, f"topic {ROUND} 1 fr"))
    assert len(slack.views) == seen + 1, answer
    view = list(slack.views.values())[-1]
    assert view["callback_id"] == "penpals_topic"
    french = await services.round_topics.list(community.id, ROUND)
    title = next(b for b in view["blocks"] if b.get("block_id") == "title")
    assert title["element"].get("initial_value") == french.topics[0].texts["fr"].title

    questions = ["Qui lit chez vous ?", "Quel livre offrir ?"]
    values = _form("Nos lecteurs", "Racontez", questions)
    _, saved = await http.interact(payloads.view_submission(slack, ADMIN, view, values))
    assert saved["response_action"] == "update", saved
    topic = await services.round_topics.show(community.id, ROUND, 1, lang="fr")
    assert (topic.title, topic.prompt, topic.questions) == (
        "Nos lecteurs",
        "Racontez",
        tuple(questions),
    )
    actions = await _actions(services, community)
    assert ("round.topics.edit", WHO) in actions

    six = _form("Nos lecteurs", "Racontez", [f"Question {i}?" for i in range(6)])
    _, refused = await http.interact(payloads.view_submission(slack, ADMIN, view, six))
    assert refused["response_action"] == "errors" and "at most 5" in refused["errors"]["title"]
    values = _form("Pris", "", [])
    _, member = await http.interact(payloads.view_submission(slack, MEMBER, view, values))
    assert member["response_action"] == "errors", member
    assert (
        await services.round_topics.show(community.id, ROUND, 1, lang="fr")
    ).title == "Nos lecteurs"
    missing = await _say(slack, http, ADMIN, f"topic {ROUND} 99 fr")
    assert "has no topic 99" in missing, missing
    seen = len(slack.views)
    klingon = await _say(slack, http, ADMIN, f"topic {ROUND} 1 tlh")
    assert "does not write in" in klingon and len(slack.views) == seen, klingon


async def test_survey_dates_moved_in_chat(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """`survey NAME dates mid opens=… closes=…` moves the window, audited; show says it."""
    await services.rounds.create(community.id, ROUND)
    shown = await _say(slack, http, ADMIN, f"survey {ROUND} show mid")
    assert "Dates: none yet" in shown, shown
    moved = await _say(
        slack, http, ADMIN, f"survey {ROUND} dates mid opens=2031-03-01 closes=2031-03-15"
    )
    assert moved == (
        f"Round {ROUND}, mid survey: Opens 2031-03-01 00:00, closes 2031-03-15 00:00 (UTC)."
    ), moved
    assert "Opens 2031-03-01 00:00" in await _say(slack, http, ADMIN, f"survey {ROUND} show mid")
    backwards = await _say(slack, http, ADMIN, f"survey {ROUND} dates mid closes=2031-02-01")
    assert "before it opens" in backwards, backwards
    assert ("survey.schedule", WHO) in await _actions(services, community)
    refused = await _say(slack, http, MEMBER, f"survey {ROUND} dates mid closes=2031-04-01")
    assert refused.startswith("Only organisers")


async def test_export_of_some_statuses_only(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """`export NAME applications status=approved` sends the approved only, as on Discord."""
    await closed_round(services, community, slack, size=5)
    apps = await services.applications.list(community.id, ROUND)
    chosen = [a.member.external_id for a in apps[:2]]
    await services.applications.decide(community.id, ROUND, ApplicationStatus.APPROVED, chosen)
    answer = await _say(slack, http, ADMIN, f"export {ROUND} applications status=approved")
    assert answer.startswith(f"Sent applications-{ROUND}.csv (2 rows)"), answer
    wrong = await _say(slack, http, ADMIN, f"export {ROUND} applications status=maybe")
    assert wrong.startswith("Status is pending, approved"), wrong
