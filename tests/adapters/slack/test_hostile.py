"""Requests that are not what Slack sends: refused with a 4xx, nothing changed."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest

from bots.bootstrap import Services
from core.model import Community
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import MEMBER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import open_round
from tests.adapters.slack.standin import SlackStandIn, wait_until

Json = dict[str, Any]
HUGE = "99999999999999999999"
VALUES = ("view", "state", "values")


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture the log, to check that no listener failed with a traceback."""
    caplog.set_level(logging.ERROR)
    return caplog


async def test_non_numeric_timestamp_gets_401(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A request whose X-Slack-Request-Timestamp is not a number gets 401, not a 500."""
    body = urlencode(payloads.command(slack, MEMBER, "round create 2027A"))
    headers = http.headers(body)
    for stamp in ("abc", "1e9", "", "١٢٣٤٥٦٧٨٩٠"):
        status, _ = await http.send(body, {**headers, "X-Slack-Request-Timestamp": stamp})
        assert status == 401, stamp
    assert await services.rounds.list(community.id) == []
    assert slack.calls == []


async def test_payload_that_is_not_json_gets_400(
    slack: SlackStandIn, http: SignedClient, services: Services, errors: pytest.LogCaptureFixture
) -> None:
    """A signed interaction whose payload is not JSON (or not an object) gets 400."""
    for payload in ("{not json", "[1, 2]", '"text"', "[" * 100_000):
        body = urlencode({"payload": payload})
        status, _ = await http.send(body, http.headers(body))
        assert status == 400, payload[:20]
    assert slack.calls == []
    assert not errors.records


def _without(payload: Json, *path: str) -> Json:
    """Return a copy of *payload* with the key at *path* removed."""
    copy = json.loads(json.dumps(payload))
    part = copy
    for key in path[:-1]:
        part = part[key]
    del part[path[-1]]
    return copy


def _with(payload: Json, value: Any, *path: str) -> Json:
    copy = json.loads(json.dumps(payload))
    part = copy
    for key in path[:-1]:
        part = part[key]
    part[path[-1]] = value
    return copy


async def test_malformed_submissions_change_nothing(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    errors: pytest.LogCaptureFixture,
) -> None:
    """Signed view_submissions missing user, team or state, or with wrong types, get a 4xx."""
    await open_round(services, community)
    view = await payloads.open_signup(slack, http, MEMBER)
    good = payloads.view_submission(slack, MEMBER, view, payloads.signup_values())
    bad = [
        _without(good, "user"),
        _without(good, "team"),
        _without(good, "view", "state"),
        _with(good, "UMEMBER001", "user"),
        _with(good, {"id": 12}, "user"),
        _with(good, {"id": "u" * 500}, "user"),
        _with(good, [], "team"),
        _with(good, "values", "view", "state"),
        _with(good, {"name": "Aino"}, "view", "state", "values"),
        _with(good, {"name": {"name": "x"}}, "view", "state", "values"),
        _with(good, {"country": {"country": {"selected_option": "FI"}}}, *VALUES),
        _with(good, {"languages": {"languages": {"selected_options": "fi"}}}, *VALUES),
        _with(good, {"name": {"name": {"value": 7}}}, "view", "state", "values"),
        _with(good, 42, "view", "private_metadata"),
        _with(good, [], "view"),
    ]
    for payload in bad:
        status, _ = await http.interact(payload)
        assert 400 <= status < 500 or status == 200, payload
        assert status != 500
    assert await services.applications.list(community.id, "2027A") == []
    assert not errors.records

    status, _ = await http.interact(good)  # the well-formed one still works
    assert status == 200


async def test_malformed_button_presses_and_commands_change_nothing(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    errors: pytest.LogCaptureFixture,
) -> None:
    """block_actions without actions (or with wrong types), commands without a user: 4xx."""
    press = payloads.button(slack, MEMBER, "forget:confirm", "")
    bad = [
        _without(press, "actions"),
        _with(press, [], "actions"),
        _with(press, "forget:confirm", "actions"),
        _with(press, [{"value": "x"}], "actions"),
        _with(press, [{"action_id": 5}], "actions"),
        _without(press, "user"),
        _with(press, None, "team"),
    ]
    for payload in bad:
        status, _ = await http.interact(payload)
        assert status != 500 and (400 <= status < 500 or status == 200), payload
    for missing in ("user_id", "team_id"):
        fields = payloads.command(slack, MEMBER, "signup")
        del fields[missing]
        status, _ = await http.command(fields)
        assert 400 <= status < 500
    assert slack.calls_to("views.open") == []
    assert slack.calls_to("chat.postMessage") == []
    assert not errors.records


async def test_huge_numbers_in_buttons_and_metadata_are_refused(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    errors: pytest.LogCaptureFixture,
) -> None:
    """survey:open:99999999999999999999 and such are refused in words, never an OverflowError."""
    status, _ = await http.interact(payloads.button(slack, MEMBER, f"survey:open:{HUGE}", ""))
    assert status == 200
    status, _ = await http.interact(
        payloads.button(slack, MEMBER, f"engagement:new-partner:{HUGE}:{HUGE}", "")
    )
    assert status == 200
    await wait_until(lambda: len(slack.responses) >= 2)
    assert all(r.get("response_type") == "ephemeral" for r in slack.responses)

    view = {
        "id": "V0000001",
        "type": "modal",
        "callback_id": "penpals_survey",
        "private_metadata": json.dumps({"survey": int(HUGE), "lang": "en"}),
        "blocks": [],
    }
    status, answer = await http.interact(payloads.view_submission(slack, MEMBER, view, {}))
    assert status == 200
    assert answer["response_action"] == "update"
    assert "damaged" in json.dumps(answer["view"])
    assert slack.calls_to("views.open") == []
    assert not errors.records, [r.getMessage() for r in errors.records]


async def test_fields_beyond_the_form_limits_get_field_errors(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    errors: pytest.LogCaptureFixture,
) -> None:
    """A hand-made submission with a 100,000-character name (and such) gets field errors."""
    await open_round(services, community)
    view = await payloads.open_signup(slack, http, MEMBER)
    languages = ["en", "fi", "fr", "es", "de", "it", "pt", "nl", "sv", "da", "no", "pl"]
    cases = {
        "name": payloads.signup_values(name="A" * 100_000),
        "introduction": payloads.signup_values(introduction="x" * 1001),
        "interests": payloads.signup_values(interests="ab, " * 2000),
        "wish_interests": payloads.signup_values(wish_interests="x" * 501),
        "languages": payloads.signup_values(languages=languages * 2),
    }
    for field, values in cases.items():
        status, answer = await http.interact(payloads.view_submission(slack, MEMBER, view, values))
        assert status == 200
        assert answer["response_action"] == "errors", field
        assert field in answer["errors"], (field, answer["errors"])
    wrong_kind = payloads.signup_values()
    wrong_kind["name"] = {"name": {"type": "multi_static_select", "selected_options": []}}
    status, answer = await http.interact(payloads.view_submission(slack, MEMBER, view, wrong_kind))
    assert (status, answer["response_action"]) == (200, "errors")
    assert "name" in answer["errors"]
    assert await services.applications.list(community.id, "2027A") == []
    assert not errors.records


async def test_the_form_states_its_limits() -> None:
    """Every free-text input and searchable multi-select of the signup modal has its limit."""
    from adapters.slack import views
    from core.model import PairingRule

    for rule in PairingRule:
        view = views.signup_view(round_name="R", profile=None, default_name="", rule=rule)
        for block in view["blocks"]:
            element = block.get("element") or {}
            if element.get("type") == "plain_text_input":
                assert element.get("max_length") == views.TEXT_LIMITS[block["block_id"]]
            if element.get("type") == "multi_external_select":
                assert element.get("max_selected_items") == views.PICK_LIMITS[block["block_id"]]
