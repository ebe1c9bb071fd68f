"""A whole round run from Slack by an organiser, with no CLI call: create to report."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import Any

from adapters.slack.platform import SlackPlatform
from bots.bootstrap import Services
from core.matching.synthetic import generate_pool
from core.model import ApplicationStatus, Community
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN, MEMBER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import slack_id
from tests.adapters.slack.standin import SlackStandIn, check_blocks, wait_until

ROUND = "2027A"


async def _say(slack: SlackStandIn, http: SignedClient, user: str, text: str) -> Any:
    status, answer = await http.command(payloads.command(slack, user, text))
    assert status == 200, answer
    return answer


def _buttons(answer: Any) -> dict[str, Any]:
    return {
        e["action_id"]: e
        for b in answer.get("blocks") or []
        if b["type"] == "actions"
        for e in b["elements"]
    }


async def _press(slack: SlackStandIn, http: SignedClient, user: str, button: Any) -> Any:
    seen = len(slack.responses)
    await http.interact(payloads.button(slack, user, button["action_id"], button["value"]))
    await wait_until(lambda: len(slack.responses) > seen)
    return slack.responses[-1]


async def test_an_organiser_runs_a_round_from_slack_alone(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    platform: SlackPlatform,
) -> None:
    """Create, open, review a filtered set, close, preview, swap, publish, rematch, topic,
    broadcast, report: every step a signed Slack request, audited with the organiser."""
    created = await _say(slack, http, ADMIN, f"round create {ROUND} cadence=14")
    assert created["text"].startswith(f"Created round {ROUND}"), created
    opened = await _say(slack, http, ADMIN, f"round open {ROUND}")
    assert opened["text"] == f"Round {ROUND} is now open."
    rows = [replace(r, id=slack_id(r.id), previous_partners=()) for r in generate_pool(24, seed=5)]
    for row in rows:
        slack.add_user(row.id, row.profile.name)
    await services.applications.import_rows(community, ROUND, rows)  # members applied

    # Review a filtered set: one country first, confirmed with its count.
    country, many = Counter(r.profile.country for r in rows).most_common(1)[0]
    page = await _say(slack, http, ADMIN, f"review {ROUND} status=pending country={country}")
    check_blocks(page["blocks"], limit=50)
    assert f"({many} in all)" in json.dumps(page["blocks"])
    approve = _buttons(page)["console_review:approve"]
    assert f"Approve {many} application(s)" in approve["confirm"]["text"]["text"]
    done = await _press(slack, http, ADMIN, approve)
    assert done["text"].startswith(f"Approved {many} application(s)"), done["text"]
    rest = await _say(slack, http, ADMIN, f"review {ROUND} status=pending")
    assert f"({24 - many} in all)" in json.dumps(rest["blocks"])
    pages = -(-(24 - many) // 10)
    assert f"page 1 of {pages} ({24 - many})" in rest["text"], rest["text"]
    following = await _press(slack, http, ADMIN, _buttons(rest)["console_review:next"])
    assert f"page 2 of {pages}" in json.dumps(following["blocks"])
    await _press(slack, http, ADMIN, _buttons(rest)["console_review:approve"])
    apps = await services.applications.list(community.id, ROUND)
    assert {a.status for a in apps} == {ApplicationStatus.APPROVED}

    await _say(slack, http, ADMIN, f"round close {ROUND}")
    preview = await _say(slack, http, ADMIN, f"round preview {ROUND}")
    assert preview["text"].startswith("Proposed"), preview["text"]
    groups = (await services.matches.show(community, ROUND)).groups
    a, b = groups[0].members[0].external_id, groups[1].members[0].external_id
    swapped = await _say(slack, http, ADMIN, f"round swap {ROUND} <@{a}> <@{b}>")
    assert swapped["text"].startswith("Swapped"), swapped["text"]
    published = await _say(slack, http, ADMIN, f"round publish {ROUND}")
    assert published["text"].startswith("Published"), published["text"]
    await services.delivery.run_due()
    assert len(slack.pair_channels()) == len(groups)

    # Two members of different pairs withdraw in Slack; their partners are rematched.
    leaving = [g.members[0].external_id for g in groups[2:4]]
    for who in leaving:
        left = await _say(slack, http, who, "withdraw")
        assert ROUND in left["text"], left
    rematched = await _say(slack, http, ADMIN, f"round rematch {ROUND}")
    assert rematched["text"].startswith("Rematched round"), rematched["text"]

    topic = await _say(slack, http, ADMIN, f"topic {ROUND} 1 fr Nos bibliothèques | Parlez-en")
    assert topic["text"] == f"Round {ROUND}: topic 1 edited in fr.", topic
    said = await _say(slack, http, ADMIN, f"broadcast {ROUND} pairs Bienvenue à tous !")
    assert said["text"].startswith("Sending"), said["text"]
    again = await _say(slack, http, ADMIN, f"broadcast {ROUND} pairs Bienvenue à tous !")
    assert again["text"].startswith("Already sent"), again["text"]
    await services.delivery.run_due()
    told = [
        c
        for c in slack.pair_channels()
        if sum("Bienvenue à tous" in m.get("text", "") for m in c.messages) == 1
    ]
    assert told, "the broadcast reached no pair space"

    report = await _say(slack, http, ADMIN, f"report {ROUND}")
    assert report["text"], report
    refused = await _say(slack, http, MEMBER, f"round audit {ROUND}")
    assert refused["text"].startswith("Only organisers")
    log = await _say(slack, http, ADMIN, f"round audit {ROUND}")
    shown = json.dumps(log["blocks"])
    for action in ("round.create", "round.open", "applications.approve", "match.swap"):
        assert action in shown, action
    actors = {e.actor for e in await services.audit.list(community.id, ROUND)}
    assert f"slack:{ADMIN}" in actors
