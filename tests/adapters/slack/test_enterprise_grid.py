"""Enterprise Grid: a goals or survey button identifies its presser by (workspace or org, user id).

Slack's user ids are unique within a workspace, and across an Enterprise Grid org.
The stand-in workspace belongs to the org EGRID0001; a pair runs in it. The same
user id pressing the pair's button is the member when it comes from the pair's
workspace or from another workspace of the same org, and is refused (no modal, the
core's refusal) from a workspace outside the org, from another org, or as a guest
of another company pressing it inside the pair's workspace.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from adapters.slack import surveys
from adapters.slack.platform import SlackPlatform
from bots.bootstrap import Services
from core.model import Community
from tests.adapters.slack import payloads
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import ANA, Pair, running_pair
from tests.adapters.slack.standin import SlackStandIn, wait_until
from tests.support import FixedClock

Json = dict[str, Any]
ORG, OTHER_ORG = "EGRID0001", "EOTHER001"
SISTER, OUTSIDER = "TSISTER01", "TOUTSIDE1"


def _press(slack: SlackStandIn, action_id: str, *, home: str, where: str, org: str | None) -> Json:
    """Return ANA's id pressing *action_id*: from workspace *home*, in *where*, of org *org*."""
    body = payloads.button(slack, ANA, action_id, "")
    body["user"]["team_id"] = home
    body["team"] = {"id": where, "domain": "grid"}
    if org is not None:
        body["team"]["enterprise_id"] = org
        body["enterprise"] = {"id": org, "name": "Grid"}
        body["is_enterprise_install"] = False
    return body


# (home workspace, workspace pressed in, org of that workspace) -> is it ANA?
CASES = [
    pytest.param("T0PENPALS", "T0PENPALS", ORG, True, id="the-pair-s-own-workspace"),
    pytest.param(SISTER, SISTER, ORG, True, id="another-workspace-of-the-same-org"),
    pytest.param(OUTSIDER, OUTSIDER, None, False, id="a-workspace-outside-any-org"),
    pytest.param(SISTER, SISTER, OTHER_ORG, False, id="a-workspace-of-another-org"),
    pytest.param(OUTSIDER, "T0PENPALS", ORG, False, id="a-guest-of-another-company"),
]


@pytest.fixture
async def grid_pair(
    services: Services,
    community: Community,
    slack: SlackStandIn,
    clock: FixedClock,
    platform: SlackPlatform,
) -> Pair:
    """Run a pair in the stand-in workspace, made part of the org EGRID0001."""
    slack.enterprise_id = ORG
    return await running_pair(services, community, slack, clock)


def _button(slack: SlackStandIn, pair: Pair, pattern: str) -> str:
    found = [
        e["action_id"]
        for m in slack.channels[pair.channel].messages
        for b in m.get("blocks") or []
        if b["type"] == "actions"
        for e in b["elements"]
        if re.match(pattern, e.get("action_id", ""))
    ]
    assert found, pattern
    return str(found[0])


async def _outcome(slack: SlackStandIn, http: SignedClient, body: Json) -> bool:
    """Send *body*; return True when a modal opened, False when the presser was refused."""
    opened, answered = len(slack.calls_to("views.open", ok=True)), len(slack.responses)
    status, _ = await http.interact(body)
    assert status == 200
    await wait_until(
        lambda: (
            len(slack.calls_to("views.open", ok=True)) > opened or len(slack.responses) > answered
        )
    )
    return len(slack.calls_to("views.open", ok=True)) > opened


@pytest.mark.parametrize(("home", "where", "org", "is_ana"), CASES)
async def test_goals_button_identifies_the_member_by_workspace_or_org(
    slack: SlackStandIn,
    http: SignedClient,
    grid_pair: Pair,
    home: str,
    where: str,
    org: str | None,
    is_ana: bool,
) -> None:
    """Ana's id opens her pair's goals only where it names Ana."""
    action = _button(slack, grid_pair, r"^goals:open:")

    opened = await _outcome(slack, http, _press(slack, action, home=home, where=where, org=org))

    assert opened is is_ana
    if not is_ana:
        assert "only the members of this pair" in slack.responses[-1]["text"].lower()


@pytest.mark.parametrize(("home", "where", "org", "is_ana"), CASES)
async def test_survey_button_identifies_the_member_by_workspace_or_org(
    services: Services,
    community: Community,
    slack: SlackStandIn,
    http: SignedClient,
    clock: FixedClock,
    grid_pair: Pair,
    home: str,
    where: str,
    org: str | None,
    is_ana: bool,
) -> None:
    """Ana's id opens the mid-round survey only where it names Ana."""
    window = await services.surveys.window_of(community.id, "2027A", _mid())
    assert window is not None
    clock.set(window.opens)
    await services.surveys.advance(grid_pair.round.id)
    await services.delivery.run_due()
    action = _button(slack, grid_pair, surveys.ACTION.pattern)

    opened = await _outcome(slack, http, _press(slack, action, home=home, where=where, org=org))

    assert opened is is_ana
    if not is_ana:
        assert "you were not in it" in slack.responses[-1]["text"]


def _mid() -> Any:
    """Return SurveyKind.MID wherever the surveys package keeps it."""
    try:
        from core.surveys.model import SurveyKind
    except ImportError:  # before the surveys package was split
        from core.surveys.service import SurveyKind  # type: ignore[no-redef]
    return SurveyKind.MID
