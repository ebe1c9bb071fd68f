"""Requests that must change nothing: forged, stale, replayed, or from a non-organiser."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from bots.bootstrap import Services
from core.model import ApplicationStatus, Community, MemberRef, Platform, RoundState
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN, MEMBER, ORGANISER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.standin import SlackStandIn
from tests.support import profile


async def test_bad_signature_is_refused(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A request signed with another secret gets 401 and creates no round."""
    body = urlencode(payloads.command(slack, ADMIN, "round create 2027A"))

    status, _ = await http.send(body, http.headers(body, secret="not-the-secret"))

    assert status == 401
    assert await services.rounds.list(community.id) == []
    assert slack.calls == []


async def test_stale_timestamp_is_refused(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A correctly signed request older than five minutes gets 401 and changes nothing."""
    body = urlencode(payloads.command(slack, ADMIN, "round create 2027A"))

    status, _ = await http.send(body, http.headers(body, timestamp=int(time.time()) - 6 * 60))

    assert status == 401
    assert await services.rounds.list(community.id) == []
    assert slack.calls == []


async def test_replayed_request_is_refused(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """The same signed body sent twice within the window works once, then gets 401."""
    await services.rounds.create(community.id, "2027A")
    body = urlencode(payloads.command(slack, ADMIN, "round open 2027A"))
    headers = http.headers(body)

    first, answer = await http.send(body, headers)
    calls = len(slack.calls)
    again, _ = await http.send(body, headers)

    assert (first, again) == (200, 401)
    assert "now open" in answer["text"]
    assert len(slack.calls) == calls
    [status] = await services.rounds.list(community.id)
    assert status.round.state is RoundState.OPEN


async def test_replayed_button_press_is_refused(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A replayed interaction payload is refused too (the guard covers every request)."""
    body = urlencode(
        {"payload": json.dumps(payloads.button(slack, ADMIN, "review:approve_all", "2027A"))}
    )
    headers = http.headers(body)
    assert (await http.send(body, headers))[0] == 200
    assert (await http.send(body, headers))[0] == 401


async def test_non_organiser_publish_changes_nothing(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A member's /penpals round publish is refused ephemerally; the round stays closed."""
    await services.rounds.create(community.id, "2027A")
    await services.rounds.open(community.id, "2027A")
    people = [("UFI0000001", "FI"), ("UBR0000001", "BR"), ("UKE0000001", "KE"), ("UJP00001", "JP")]
    for user, country in people:
        slack.add_user(user, f"Member {country}")
        await services.applications.submit(
            community, MemberRef(Platform.SLACK, user), profile(f"Member {country}", country)
        )
    await services.applications.decide(
        community.id, "2027A", ApplicationStatus.APPROVED, all_pending=True
    )
    await services.rounds.close(community.id, "2027A")

    _, answer = await http.command(payloads.command(slack, MEMBER, "round publish 2027A"))

    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("Only organisers")
    status = await services.rounds.status(community.id, "2027A")
    assert status.round.state is RoundState.CLOSED
    assert status.groups == 0
    assert slack.calls_to("conversations.create") == []


async def test_organiser_group_member_may_run_organiser_commands(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A member of the configured organiser user group creates a round; a member may not."""
    _, refused = await http.command(payloads.command(slack, MEMBER, "round create 2027A"))
    _, created = await http.command(payloads.command(slack, ORGANISER, "round create 2027A"))

    assert refused["text"].startswith("Only organisers")
    assert created["text"].startswith("Created round 2027A")
    assert [s.round.name for s in await services.rounds.list(community.id)] == ["2027A"]
