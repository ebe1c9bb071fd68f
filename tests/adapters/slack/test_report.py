"""/penpals report: a round's figures and charts, posted in the organisers' channel."""

from __future__ import annotations

from typing import Any

from adapters.slack.platform import SlackPlatform
from bots.bootstrap import Services
from core.model import Community
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN, MEMBER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import ANA, running_pair
from tests.adapters.slack.standin import SlackStandIn, wait_until
from tests.support import FixedClock

PNG = b"\x89PNG\r\n\x1a\n"


async def _run(slack: SlackStandIn, http: SignedClient, user: str, text: str) -> str:
    """Run /penpals *text*; return the answer, waiting for it when it came after "working"."""
    seen = len(slack.responses)
    _, answer = await http.command(payloads.command(slack, user, text))
    assert answer["response_type"] == "ephemeral"
    if answer["text"].startswith("Working on it"):  # drawing the charts took over 2 s
        await wait_until(lambda: len(slack.responses) > seen, timeout=30)
        return str(slack.responses[-1]["text"])
    return str(answer["text"])


def _summary(message: dict[str, Any]) -> str:
    return str(message["blocks"])


async def test_report_posts_the_figures_and_charts_in_the_organisers_channel(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    clock: FixedClock,
    platform: SlackPlatform,
) -> None:
    """A round run through the stand-in: the summary, then its PNG charts in the thread."""
    pair = await running_pair(services, community, slack, clock)
    slack.say(pair.channel, ANA, "Hello!")
    alerts = community.settings.channels["organiser_alerts"]
    before = len(slack.channels[alerts].messages)

    answer = await _run(slack, http, ADMIN, "report 2027A")

    assert answer.startswith(f"Posted the report of round 2027A in <#{alerts}>"), answer
    posted = slack.channels[alerts].messages[before:]
    summary, charts = posted[0], posted[1:]
    assert "2027A" in summary["text"]
    assert "Participants" in _summary(summary) and "*Participants*\\n2" in _summary(summary)
    [upload] = charts
    assert upload["thread_ts"] == summary["ts"]
    assert upload["files"] and all(f["filename"].endswith(".png") for f in upload["files"])
    assert f"{len(upload['files'])} chart(s)" in answer
    for shared in upload["files"]:
        assert slack.file_data(shared["id"]).startswith(PNG)


async def test_report_is_for_organisers_and_needs_the_organisers_channel(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
) -> None:
    """A member is refused; without an organisers' channel the figures come with how to set it."""
    await services.rounds.create(community.id, "2027A")
    refused = await _run(slack, http, MEMBER, "report")
    unknown = await _run(slack, http, ADMIN, "report 1999Z")
    await services.communities.configure(community.id, channels={"organiser_alerts": ""})
    unset = await _run(slack, http, ADMIN, "report")

    assert refused.startswith("Only organisers"), refused
    assert "1999Z" in unknown, unknown
    assert "/penpals setup alerts #channel" in unset, unset
    assert "Participants" in unset
    assert slack.calls_to("files.getUploadURLExternal") == []
