"""Review at scale on Slack: filters, pages, bulk decisions and who may press them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bots.bootstrap import Services
from core.model import ApplicationStatus, Community
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN, MEMBER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import closed_round
from tests.adapters.slack.standin import SlackStandIn, check_blocks, wait_until

ROUND = "2027A"


async def _say(slack: SlackStandIn, http: SignedClient, user: str, text: str) -> Any:
    _, answer = await http.command(payloads.command(slack, user, text))
    return answer


def _button(answer: Any, action_id: str) -> Any:
    return next(
        e
        for b in answer["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


async def _press(
    slack: SlackStandIn, http: SignedClient, user: str, action: str, value: str
) -> Any:
    seen = len(slack.responses)
    await http.interact(payloads.button(slack, user, action, value))
    await wait_until(lambda: len(slack.responses) > seen)
    return slack.responses[-1]


async def test_pages_of_ten_with_the_total_and_a_name_search(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """Thirty applicants: page 1 of 3 (30), the last page by its button, a name found."""
    await closed_round(services, community, slack, size=30)
    first = await _say(slack, http, ADMIN, f"review {ROUND} status=pending")
    check_blocks(first["blocks"], limit=50)
    assert "page 1 of 3 (30)" in first["text"]
    sections = [b for b in first["blocks"] if b["type"] == "section"]
    assert len(sections) == 10
    last = await _press(
        slack, http, ADMIN, "console_review:last", _button(first, "console_review:last")["value"]
    )
    assert "page 3 of 3 (30 in all)" in json.dumps(last["blocks"])
    someone = (await services.applications.list(community.id, ROUND))[7].profile.name
    found = await _say(slack, http, ADMIN, f"review {ROUND} name={someone.split()[0]}")
    assert someone in json.dumps(found["blocks"])


async def test_a_bulk_decision_on_a_set_that_changed_changes_nothing(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """Confirmed for 6, one decided meanwhile: refused in words, the rest stay pending."""
    await closed_round(services, community, slack, size=6)
    page = await _say(slack, http, ADMIN, f"review {ROUND} status=pending")
    decline = _button(page, "console_review:decline")
    assert "Decline 6 application(s)" in decline["confirm"]["text"]["text"]
    one = (await services.applications.list(community.id, ROUND))[0].member.external_id
    await services.applications.decide(community.id, ROUND, ApplicationStatus.APPROVED, [one])
    answer = await _press(slack, http, ADMIN, decline["action_id"], decline["value"])
    assert "nothing was changed" in answer["text"], answer
    apps = await services.applications.list(community.id, ROUND)
    assert sum(a.status is ApplicationStatus.DECLINED for a in apps) == 0


async def test_a_member_or_another_workspace_cannot_press_the_bulk_buttons(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A member's press is refused; a button naming another community's id is refused."""
    await closed_round(services, community, slack, size=4)
    page = await _say(slack, http, ADMIN, f"review {ROUND}  status=pending")
    approve = _button(page, "console_review:approve")
    refused = await _press(slack, http, MEMBER, approve["action_id"], approve["value"])
    assert refused["text"].startswith("Only organisers")
    forged = json.dumps({**json.loads(approve["value"]), "c": community.id + 1})
    other = await _press(slack, http, ADMIN, approve["action_id"], forged)
    assert "another community" in other["text"]
    apps = await services.applications.list(community.id, ROUND)
    assert {a.status for a in apps} == {ApplicationStatus.PENDING}


async def test_export_sends_the_applications_csv_to_the_organiser(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """The CSV goes up with files.getUploadURLExternal + completeUploadExternal, to a DM."""
    await closed_round(services, community, slack, size=5)
    answer = await _say(slack, http, ADMIN, f"export {ROUND} applications")
    assert answer["text"].startswith("Sent applications-2027A.csv (5 rows)"), answer
    assert slack.calls_to("files.getUploadURLExternal", ok=True)
    (_done,) = slack.calls_to("files.completeUploadExternal", ok=True)
    (upload,) = [u for u in slack.uploads.values() if u["filename"].endswith(".csv")]
    rows = list(csv.DictReader(io.StringIO(slack.file_data(upload["id"]).decode())))
    assert len(rows) == 5
    assert ADMIN in slack.channels[upload["channel"]].members
    refused = await _say(slack, http, MEMBER, f"export {ROUND} applications")
    assert refused["text"].startswith("Only organisers")


async def test_an_announcement_is_posted_once(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community, platform: Any
) -> None:
    """The same announcement sent twice reaches the announcements channel once."""
    first = await _say(slack, http, ADMIN, "announce Round 2027A opens on Monday!")
    second = await _say(slack, http, ADMIN, "announce Round 2027A opens on Monday!")
    await services.delivery.run_due()
    assert first["text"].startswith("Sending") and second["text"].startswith("Already sent")
    news = community.settings.channels["announcements"]
    said = [m for m in slack.channels[news].messages if "opens on Monday" in m.get("text", "")]
    assert len(said) == 1


async def test_round_edit_moves_the_cadence(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """`round edit NAME cadence=7` changes the cadence and says so; members may not."""
    await services.rounds.create(community.id, ROUND)
    refused = await _say(slack, http, MEMBER, f"round edit {ROUND} cadence=7")
    assert refused["text"].startswith("Only organisers")
    edited = await _say(slack, http, ADMIN, f"round edit {ROUND} cadence=7")
    assert edited["text"].startswith(f"Round {ROUND}:"), edited
    assert (await services.rounds.get(community.id, ROUND)).topic_cadence_days == 7


async def test_setup_sets_the_country_cap_and_the_pairing_rule(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """`/penpals setup cap 25% pairing institution` saves both, audited with the organiser."""
    refused = await _say(slack, http, MEMBER, "setup cap 25%")
    assert refused["text"].startswith("Only organisers")
    saved = await _say(slack, http, ADMIN, "setup cap 25% pairing institution")
    assert "country cap: 25% of the matched" in saved["text"], saved
    settings = (await services.communities.get(community.platform, community.external_id)).settings
    assert settings.country_cap == 0.25
    assert settings.pairing_rule.value == "institution"
    wrong = await _say(slack, http, ADMIN, "setup cap lots")
    assert "20% or 0.2" in wrong["text"]


async def test_a_retried_broadcast_request_sends_once(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: Any,
) -> None:
    """Slack's retry (X-Slack-Retry-Num: 1) of a broadcast to applicants queues nothing more."""
    from urllib.parse import urlencode

    await closed_round(services, community, slack, size=3)
    body = urlencode(payloads.command(slack, ADMIN, f"broadcast {ROUND} applicants Hello all"))
    _, first = await http.send(body, http.headers(body))
    retry = {**http.headers(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"}
    _, again = await http.send(body + "&x=1", {**retry, **http.headers(body + "&x=1")})
    await services.delivery.run_due()
    assert first["text"].startswith("Sending 3"), first
    assert again["text"].startswith("Already sent"), again
    dms = [c for c in slack.channels.values() if c.is_im]
    said = [m for c in dms for m in c.messages if "Hello all" in m.get("text", "")]
    assert len(said) == 3
