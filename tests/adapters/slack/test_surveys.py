"""Surveys on Slack: the invitation's button opens one modal; answers are stored once per member."""

from __future__ import annotations

from typing import Any

from adapters.slack.platform import SlackPlatform
from bots.bootstrap import Services
from core.messages import i18n
from core.model import Community, MemberRef, Platform
from core.surveys.model import SurveyKind
from core.surveys.rules import parse_survey_action
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import MEMBER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import ANA, BRUNO, Pair, running_pair
from tests.adapters.slack.standin import SlackStandIn, wait_until
from tests.support import FixedClock

Json = dict[str, Any]
SATISFACTION = "How satisfied are you with the program so far?"


async def _invited(
    services: Services, community: Community, slack: SlackStandIn, clock: FixedClock
) -> tuple[Pair, str]:
    """Run a round to its mid-round check-in; return it and the invitation's button id."""
    pair = await running_pair(services, community, slack, clock)
    window = await services.surveys.window_of(community.id, "2027A", SurveyKind.MID)
    assert window is not None
    clock.set(window.opens)
    await services.surveys.advance(pair.round.id)
    await services.delivery.run_due()
    buttons = [
        e["action_id"]
        for m in slack.channels[pair.channel].messages
        for b in m.get("blocks") or []
        if b["type"] == "actions"
        for e in b["elements"]
        if parse_survey_action(e["action_id"]) is not None
    ]
    assert len(buttons) == 1, buttons
    return pair, buttons[0]


async def _press(slack: SlackStandIn, http: SignedClient, user: str, action_id: str) -> None:
    status, _ = await http.interact(payloads.button(slack, user, action_id, ""))
    assert status == 200


async def _open(slack: SlackStandIn, http: SignedClient, user: str, action_id: str) -> Json:
    """Press the survey button as *user*; return the modal penpals opened."""
    opened = len(slack.calls_to("views.open", ok=True))
    await _press(slack, http, user, action_id)
    await wait_until(lambda: len(slack.calls_to("views.open", ok=True)) > opened)
    return list(slack.views.values())[-1]


def _values(view: Json, answers: Json) -> Json:
    """Return the state values of *view* filled with *answers* (question key -> value)."""
    values: Json = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        key, kind = block["block_id"], block["element"]["type"]
        given = answers.get(key)
        if kind in ("checkboxes", "multi_static_select"):
            chosen = [{"text": {"type": "plain_text", "text": v}, "value": v} for v in given or ()]
            state: Json = {"type": kind, "selected_options": chosen}
        elif kind == "static_select":
            option = {"text": {"type": "plain_text", "text": given}, "value": given}
            state = {"type": kind, "selected_option": option if given else None}
        else:
            state = {"type": kind, "value": given or None}
        values[key] = {key: state}
    return values


async def _submit(
    slack: SlackStandIn, http: SignedClient, user: str, view: Json, answers: Json
) -> Json:
    status, answer = await http.interact(
        payloads.view_submission(slack, user, view, _values(view, answers))
    )
    assert status == 200
    return dict(answer)


async def _stored(services: Services, community: Community, survey_id: int) -> list[Json]:
    async with services.uow() as uow:
        ana = await uow.members.find(community.id, MemberRef(Platform.SLACK, ANA))
        found = await uow.surveys.responses(survey_id)
    assert all(r.member_id == ana for r in found)
    return [dict(r.answers) for r in found]


async def test_the_survey_button_opens_the_questions_in_the_members_language(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    clock: FixedClock,
    platform: SlackPlatform,
) -> None:
    """Ana (fr-FR) gets the modal in French; she answers, then edits: one response, replaced."""
    _, button = await _invited(services, community, slack, clock)
    survey_id = parse_survey_action(button)
    assert survey_id is not None
    slack.users[ANA]["locale"] = "fr-FR"

    view = await _open(slack, http, ANA, button)

    french = i18n.translator("fr").gettext
    assert view["callback_id"] == "penpals_survey"
    satisfaction = next(b for b in view["blocks"] if b.get("block_id") == "satisfaction")
    assert satisfaction["label"]["text"] == french(SATISFACTION) != SATISFACTION
    assert satisfaction["optional"] is False
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    assert kinds["satisfaction"] == kinds["frequency"] == "static_select"
    assert kinds["modes"] == "checkboxes"
    assert kinds["comment"] == "plain_text_input"
    assert kinds["topics"] in ("checkboxes", "multi_static_select")
    assert len(view["title"]["text"]) <= 24

    first = {"satisfaction": "4", "frequency": "weekly", "modes": ["chat", "video"]}
    thanks = await _submit(slack, http, ANA, view, {**first, "comment": "Très bien"})

    assert thanks["response_action"] == "update", thanks
    assert "Merci" in thanks["view"]["blocks"][0]["text"]["text"], thanks
    [stored] = await _stored(services, community, survey_id)
    assert stored["satisfaction"] == "4" and tuple(stored["modes"]) == ("chat", "video")

    again = await _open(slack, http, ANA, button)
    prefilled = {b["block_id"]: b["element"] for b in again["blocks"] if b["type"] == "input"}
    assert prefilled["satisfaction"]["initial_option"]["value"] == "4"
    assert [o["value"] for o in prefilled["modes"]["initial_options"]] == ["chat", "video"]
    assert prefilled["comment"]["initial_value"] == "Très bien"

    await _submit(slack, http, ANA, again, {**first, "satisfaction": "2", "modes": ["email"]})
    [stored] = await _stored(services, community, survey_id)
    assert stored["satisfaction"] == "2" and tuple(stored["modes"]) == ("email",)
    assert stored["comment"] == ""  # cleared in the modal: cleared in the answers


async def test_wrong_answers_strangers_and_a_closed_survey_are_refused(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    clock: FixedClock,
    platform: SlackPlatform,
) -> None:
    """Bad answers come back next to their question; a stranger and a late answer are told why."""
    pair, button = await _invited(services, community, slack, clock)
    survey_id = parse_survey_action(button)
    assert survey_id is not None
    view = await _open(slack, http, ANA, button)

    wrong = await _submit(slack, http, ANA, view, {"satisfaction": "4", "topics": ["1", "none"]})
    assert wrong["response_action"] == "errors"
    assert set(wrong["errors"]) == {"topics"}, wrong
    assert await _stored(services, community, survey_id) == []

    seen = len(slack.responses)
    await _press(slack, http, MEMBER, button)
    await wait_until(lambda: len(slack.responses) > seen)
    assert "participants of round 2027A" in slack.responses[-1]["text"]
    assert slack.responses[-1]["response_type"] == "ephemeral"

    window = await services.surveys.window_of(community.id, "2027A", SurveyKind.MID)
    assert window is not None
    clock.set(window.closes)
    await services.surveys.advance(pair.round.id)
    late = await _submit(slack, http, ANA, view, {"satisfaction": "5"})
    assert late["response_action"] == "update"
    assert "closed" in late["view"]["blocks"][0]["text"]["text"], late
    assert await _stored(services, community, survey_id) == []
    seen = len(slack.responses)
    await _press(slack, http, ANA, button)
    await wait_until(lambda: len(slack.responses) > seen)
    assert "closed" in slack.responses[-1]["text"], slack.responses[-1]


async def test_the_reminder_in_a_dm_opens_the_same_modal(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    clock: FixedClock,
    platform: SlackPlatform,
) -> None:
    """Ana answered, Bruno did not: only Bruno's DM reminder comes, and its button works."""
    pair, button = await _invited(services, community, slack, clock)
    view = await _open(slack, http, ANA, button)
    await _submit(slack, http, ANA, view, {"satisfaction": "5"})
    window = await services.surveys.window_of(community.id, "2027A", SurveyKind.MID)
    assert window is not None
    clock.set(window.reminds)
    await services.surveys.advance(pair.round.id)
    await services.delivery.run_due()

    def reminded(user: str) -> list[str]:
        return [
            e["action_id"]
            for c in slack.channels.values()
            if c.is_im and user in c.members
            for m in c.messages
            for b in m.get("blocks") or []
            if b["type"] == "actions"
            for e in b["elements"]
        ]

    assert reminded(ANA) == []
    assert reminded(BRUNO) == [button]
    opened = await _open(slack, http, BRUNO, button)
    assert opened["callback_id"] == "penpals_survey"
