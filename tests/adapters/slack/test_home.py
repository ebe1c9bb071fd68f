"""The App Home tab through the real slack-bolt app: organisers review there, members see
only their own application, and a press from someone else changes nothing."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.bootstrap import Services
from core.model import ApplicationStatus, Community
from tests.adapters.slack import events
from tests.adapters.slack.conftest import ADMIN, MEMBER, ORGANISER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import closed_round
from tests.adapters.slack.standin import SlackStandIn, check_blocks, wait_until

ROUND = "2027A"
Json = dict[str, Any]


def _published(slack: SlackStandIn) -> int:
    return len(slack.calls_to("views.publish", ok=True))


async def _open(slack: SlackStandIn, http: SignedClient, user: str) -> Json:
    """Open the app's Home tab as *user*; return the view penpals published."""
    seen = _published(slack)
    assert await events.send(http, slack.home_opened(user)) == 200
    await wait_until(lambda: _published(slack) > seen)
    return slack.homes[user]


async def _press(slack: SlackStandIn, http: SignedClient, payload: Json) -> Json:
    """Send a Home press; return the Home published after it."""
    user = payload["user"]["id"]
    seen = _published(slack)
    status, _ = await http.interact(payload)
    assert status == 200
    await wait_until(lambda: _published(slack) > seen)
    return slack.homes[user]


def _said(view: Json) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def _rows(view: Json) -> list[str]:
    """Return the external ids of the applicants listed on a Home."""
    return [
        b["block_id"].removeprefix("home_app_")
        for b in view["blocks"]
        if b.get("block_id", "").startswith("home_app_")
    ]


async def test_an_organiser_filters_pages_and_decides_a_filtered_set_on_home(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """Thirty pending: pages of ten, skip to the last, one country, bulk approve after the
    confirmation that says how many; only that country's applicants change."""
    await closed_round(services, community, slack, size=30)
    home = await _open(slack, http, ADMIN)
    check_blocks(home["blocks"], limit=100)
    assert f"Round {ROUND}: all applications; page 1 of 3 (30 in all)" in _said(home)
    first = _rows(home)
    assert len(first) == 10
    home = await _press(slack, http, slack.home_press(ADMIN, "home:page:next"))
    assert "page 2 of 3" in _said(home) and not set(_rows(home)) & set(first)
    home = await _press(slack, http, slack.home_press(ADMIN, "home:page:jump", option="20"))
    assert "page 3 of 3" in _said(home) and len(_rows(home)) == 10

    apps = await services.applications.list(community.id, ROUND)
    country, many = Counter(a.profile.country for a in apps).most_common(1)[0]
    home = await _press(slack, http, slack.home_press(ADMIN, "home:f:country", option=country))
    assert f"country {country}; page 1 of 1 ({many} in all)" in _said(home)
    assert len(_rows(home)) == many
    _, approve = slack.home_element(ADMIN, "home:bulk:approve")
    assert approve["text"]["text"] == f"Approve all {many}"
    assert approve["confirm"]["title"]["text"] == f"Approve {many} application(s)?"
    assert approve["confirm"]["text"]["text"] == (
        f"Approve {many} application(s) matching country {country}?"
    )
    home = await _press(slack, http, slack.home_press(ADMIN, "home:bulk:approve"))
    assert f"Approved {many} application(s) matching country {country}." in _said(home)
    apps = await services.applications.list(community.id, ROUND)
    decided = {a.member.external_id for a in apps if a.status is ApplicationStatus.APPROVED}
    assert decided == {a.member.external_id for a in apps if a.profile.country == country}
    assert sum(a.status is ApplicationStatus.PENDING for a in apps) == 30 - many
    with pytest.raises(AssertionError):  # nothing left to approve in that set
        slack.home_element(ADMIN, "home:bulk:approve")

    home = await _press(slack, http, slack.home_press(ADMIN, "home:f:country", option="*"))
    home = await _press(slack, http, slack.home_press(ADMIN, "home:f:status", option="pending"))
    pages = -(-(30 - many) // 10)
    assert f"status pending; page 1 of {pages} ({30 - many} in all)" in _said(home)
    someone = next(a for a in apps if a.status is ApplicationStatus.PENDING)
    typed = someone.profile.name.split()[-1]
    home = await _press(slack, http, slack.home_press(ADMIN, "home:f:name", typed=typed))
    assert someone.member.external_id in _rows(home)
    ext = someone.member.external_id
    home = await _press(slack, http, slack.home_press(ADMIN, f"home:one:waitlist:{ext}"))
    assert "Waitlisted 1 application(s)." in _said(home)
    waitlisted = await services.applications.list(
        community.id, ROUND, [ApplicationStatus.WAITLISTED]
    )
    assert [a.member.external_id for a in waitlisted] == [ext]


async def test_a_bulk_decision_on_a_set_that_changed_since_changes_nothing(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """Confirmed for 6 pending; one decided meanwhile: refused in words, nothing changes."""
    await closed_round(services, community, slack, size=6)
    await _open(slack, http, ORGANISER)  # an organiser by the user group
    await _press(slack, http, slack.home_press(ORGANISER, "home:f:status", option="pending"))
    _, decline = slack.home_element(ORGANISER, "home:bulk:decline")
    assert decline["confirm"]["text"]["text"].startswith("Decline 6 application(s)")
    one = (await services.applications.list(community.id, ROUND))[0].member.external_id
    await services.applications.decide(community.id, ROUND, ApplicationStatus.APPROVED, [one])
    home = await _press(slack, http, slack.home_press(ORGANISER, "home:bulk:decline"))
    assert "nothing was changed" in _said(home)
    apps = await services.applications.list(community.id, ROUND)
    assert not any(a.status is ApplicationStatus.DECLINED for a in apps)


async def test_a_members_home_shows_only_their_own_application(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """An applicant sees their status and nobody else's; a non-applicant is told to apply."""
    await closed_round(services, community, slack, size=5)
    apps = await services.applications.list(community.id, ROUND)
    me, others = apps[0], apps[1:]
    home = await _open(slack, http, me.member.external_id)
    said = _said(home)
    assert me.profile.name in said and "application pending" in said
    assert not any(o.profile.name in said or o.member.external_id in said for o in others)
    assert not home.get("private_metadata")
    assert not [b for b in home["blocks"] if b["type"] in ("actions", "input")]
    stranger = await _open(slack, http, MEMBER)
    assert "You have not applied yet" in _said(stranger)
    seen = _published(slack)
    await events.send(http, slack.home_opened(MEMBER, tab="messages"))
    assert _published(slack) == seen  # the Messages tab: nothing to publish


async def test_a_forged_home_press_from_a_member_changes_nothing(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A member sending the organiser's bulk or row buttons (with the organiser's view) is
    refused on their own Home; no application changes and no one else's data is shown."""
    await closed_round(services, community, slack, size=4)
    organisers = await _open(slack, http, ADMIN)
    apps = await services.applications.list(community.id, ROUND)
    forged = slack.home_payload(
        MEMBER, {"type": "button", "action_id": "home:bulk:approve", "value": "4"}
    )
    forged["view"] = organisers  # the organiser's place, round and filter
    home = await _press(slack, http, forged)
    assert "Only organisers can do that" in _said(home)
    assert not any(a.profile.name in _said(home) for a in apps)
    ext = apps[0].member.external_id
    row = {"type": "button", "action_id": f"home:one:approve:{ext}", "value": ext}
    await _press(slack, http, slack.home_payload(MEMBER, row))
    after = await services.applications.list(community.id, ROUND)
    assert {a.status for a in after} == {ApplicationStatus.PENDING}
    forged_place = json.loads(organisers["private_metadata"])
    forged["user"] = {"id": ADMIN, "username": "ada.admin", "team_id": slack.team_id}
    forged["view"] = {**organisers, "private_metadata": json.dumps({**forged_place, "c": 999})}
    home = await _press(slack, http, forged)
    assert "another community" in _said(home)
    after = await services.applications.list(community.id, ROUND)
    assert {a.status for a in after} == {ApplicationStatus.PENDING}


async def test_views_publish_keeps_slacks_limits(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    """The stand-in refuses what Slack refuses: over 100 blocks, a modal, a stale hash,
    a 256-character action_id, a confirmation text over 300, a disabled Home tab."""
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    ok = await client.views_publish(user_id=MEMBER, view={"type": "home", "blocks": [section]})
    refusals: list[tuple[Json, str, str]] = [
        ({"type": "home", "blocks": [section] * 101}, "", "invalid_blocks"),
        ({"type": "modal", "blocks": [section]}, "", "invalid_arguments"),
        ({"type": "home", "blocks": [section]}, "1.stale", "hash_conflict"),
    ]
    long_id = {"type": "button", "text": {"type": "plain_text", "text": "x"}}
    refusals.append(
        (
            {
                "type": "home",
                "blocks": [{"type": "actions", "elements": [{**long_id, "action_id": "a" * 256}]}],
            },
            "",
            "invalid_blocks",
        )
    )
    confirm = {
        "title": {"type": "plain_text", "text": "Sure?"},
        "text": {"type": "plain_text", "text": "y" * 301},
        "confirm": {"type": "plain_text", "text": "Yes"},
        "deny": {"type": "plain_text", "text": "No"},
    }
    button = {**long_id, "action_id": "b", "confirm": confirm}
    refusals.append(
        (
            {"type": "home", "blocks": [{"type": "actions", "elements": [button]}]},
            "",
            "invalid_blocks",
        )
    )
    for view, hash_, error in refusals:
        with pytest.raises(SlackApiError) as refused:
            args: Json = {"user_id": MEMBER, "view": view}
            if hash_:
                args["hash"] = hash_
            await client.views_publish(**args)
        assert refused.value.response["error"] == error
    again = await client.views_publish(
        user_id=MEMBER, view={"type": "home", "blocks": [section]}, hash=ok["view"]["hash"]
    )
    assert again["view"]["id"] == ok["view"]["id"]
    slack.home_tab_enabled = False
    with pytest.raises(SlackApiError) as off:
        await client.views_publish(user_id=MEMBER, view={"type": "home", "blocks": [section]})
    assert off.value.response["error"] == "not_enabled"
