"""A member's own data: /penpals export-me sends it as a file, /penpals forget-me erases it."""

from __future__ import annotations

import json

from bots.bootstrap import Services
from core.model import ApplicationStatus, Community, MemberRef, Platform
from core.privacy.service import FORGOTTEN_NAME
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import MEMBER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.standin import SlackStandIn, check_blocks, wait_until
from tests.support import profile


async def _applied(services: Services, community: Community) -> None:
    """Open round 2027A with MEMBER's application in it."""
    await services.rounds.create(community.id, "2027A")
    await services.rounds.open(community.id, "2027A")
    member = MemberRef(Platform.SLACK, MEMBER)
    await services.applications.submit(community, member, profile("Aino Virtanen", "FI"))


async def _press(slack: SlackStandIn, http: SignedClient, action_id: str) -> dict[str, object]:
    seen = len(slack.responses)
    status, _ = await http.interact(payloads.button(slack, MEMBER, action_id, ""))
    assert status == 200
    await wait_until(lambda: len(slack.responses) > seen)
    return slack.responses[-1]


async def test_export_me_sends_the_data_as_a_json_file_in_a_dm(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """The JSON file arrives in the member's DM (files_upload_v2); the reply is ephemeral."""
    await _applied(services, community)

    _, answer = await http.command(payloads.command(slack, MEMBER, "export-me"))

    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("Sent: your data is in your direct messages"), answer
    [dm] = [c for c in slack.channels.values() if c.is_im and MEMBER in c.members]
    [message] = dm.messages
    [shared] = message["files"]
    assert shared["filename"] == "penpals-my-data.json"
    assert "/penpals forget-me" in message["text"]
    data = json.loads(slack.file_data(shared["id"]).decode("utf-8"))
    assert data["member"]["id"] == MEMBER
    [application] = data["applications"]
    assert (application["round"], application["profile"]["name"]) == ("2027A", "Aino Virtanen")


async def test_export_me_with_nothing_stored_says_so(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """Someone who never applied is told nothing is stored, and no file is sent."""
    _, answer = await http.command(payloads.command(slack, MEMBER, "export-me"))

    assert answer["text"].startswith("Nothing is stored about you"), answer
    assert slack.calls_to("files.getUploadURLExternal") == []


async def test_forget_me_asks_first_then_forgets(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """forget-me shows a danger button with a confirm dialog; Keep keeps, Forget erases."""
    await _applied(services, community)

    _, prompt = await http.command(payloads.command(slack, MEMBER, "forget-me"))

    check_blocks(prompt["blocks"], limit=50)
    buttons = {
        e["action_id"]: e for b in prompt["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    forget = buttons["privacy:forget"]
    assert forget["style"] == "danger" and forget["confirm"]["style"] == "danger"
    [app] = await services.applications.list(community.id, "2027A")
    assert app.profile.name == "Aino Virtanen"  # asking changes nothing

    kept = await _press(slack, http, "privacy:keep")
    assert kept["text"].startswith("Nothing was changed") and kept["replace_original"] is True
    [app] = await services.applications.list(community.id, "2027A")
    assert app.profile.name == "Aino Virtanen"

    done = await _press(slack, http, "privacy:forget")
    assert str(done["text"]).startswith("Done: penpals has forgotten you."), done
    assert "withdrawn from the rounds not matched yet" in str(done["text"])
    [app] = await services.applications.list(community.id, "2027A")
    assert app.profile.name == FORGOTTEN_NAME
    assert app.status is ApplicationStatus.WITHDRAWN
    assert app.member.external_id != MEMBER

    again = await _press(slack, http, "privacy:forget")
    assert str(again["text"]).startswith("Nothing is stored about you")
    _, export = await http.command(payloads.command(slack, MEMBER, "export-me"))
    assert export["text"].startswith("Nothing is stored about you")
