"""The matching console on Slack: preview, swap, split, pair, publish, rematch, audit."""

from __future__ import annotations

from typing import Any

from bots.bootstrap import Services
from core.model import Community, MemberRef, Platform
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN, MEMBER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import approved_round, closed_round
from tests.adapters.slack.standin import SlackStandIn, check_blocks

ROUND = "2027A"
WHO = f"slack:{ADMIN}"


async def _say(slack: SlackStandIn, http: SignedClient, user: str, text: str) -> Any:
    _, answer = await http.command(payloads.command(slack, user, text))
    return answer


def _all_text(answer: Any) -> str:
    return "\n".join(str(b.get("text", {}).get("text", "")) for b in answer.get("blocks") or [])


async def _groups(services: Services, community: Community) -> dict[int, list[str]]:
    report = await services.matches.show(community, ROUND)
    return {g.number: [p.external_id for p in g.members] for g in report.groups}


async def test_matching_from_preview_to_rematch_in_chat(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """Preview every group with reasons, swap, split, pair, publish, rematch, all audited."""
    await approved_round(services, community, slack, size=12, name=ROUND)

    preview = await _say(slack, http, ADMIN, f"round preview {ROUND}")
    check_blocks(preview["blocks"], limit=50)
    groups = await _groups(services, community)
    shown = _all_text(preview)
    assert preview["text"].startswith("Proposed"), preview["text"]
    for number in groups:
        assert f"*{number}.*" in shown

    (n1, a), (n2, b) = [(n, ms[0]) for n, ms in list(groups.items())[:2]]
    swapped = await _say(slack, http, ADMIN, f"round swap {ROUND} <@{a}|x> <@{b}>")
    assert swapped["text"].startswith("Swapped"), swapped["text"]
    after = await _groups(services, community)
    assert b in after[n1] and a in after[n2]

    split = await _say(slack, http, ADMIN, f"round split {ROUND} {n1}")
    assert split["text"].startswith(f"Split group {n1}"), split["text"]
    alone = after[n1]
    assert n1 not in await _groups(services, community)
    assert "not placed" in _all_text(split)
    paired = await _say(slack, http, ADMIN, f"round pair {ROUND} " + " ".join(alone))
    assert paired["text"].startswith("Paired"), paired["text"]

    published = await _say(slack, http, ADMIN, f"round publish {ROUND}")
    assert published["text"].startswith("Published"), published["text"]

    final = await _groups(services, community)
    left = [ms[0] for ms in list(final.values())[:2]]
    for who in left:
        await services.applications.withdraw(community, MemberRef(Platform.SLACK, who), ROUND)
    rematched = await _say(slack, http, ADMIN, f"round rematch {ROUND}")
    assert rematched["text"].startswith("Rematched round"), rematched["text"]
    assert len(await _groups(services, community)) >= len(final) - 2

    log = await _say(slack, http, ADMIN, f"round audit {ROUND}")
    text = _all_text(log)
    for action in ("match.preview", "match.swap", "match.split", "match.pair", "match.publish"):
        assert f"{WHO}: {action}" in text, text
    assert f"{WHO}: match.rematch" in text
    entries = await services.audit.list(community.id, ROUND)
    assert {e.actor for e in entries if e.action.startswith("match.")} == {WHO}


async def test_members_cannot_use_the_matching_console(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A member's swap, split, pair, rematch or audit is refused; nothing is proposed."""
    await closed_round(services, community, slack, size=4)
    for text in ("preview", "swap UA0001 UA0002", "split 1", "pair UA0001 UA0002", "audit"):
        answer = await _say(
            slack, http, MEMBER, f"round {text.split()[0]} {ROUND} " + " ".join(text.split()[1:])
        )
        assert answer["text"].startswith("Only organisers"), answer
    assert await _groups(services, community) == {}
    assert await services.audit.list(community.id, ROUND) == [] or all(
        e.action.startswith(("round.", "applications."))
        for e in await services.audit.list(community.id, ROUND)
    )


async def test_a_long_preview_stays_within_slacks_limits(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A preview of 120 people: every section under 3,000 characters, at most 50 blocks."""
    await approved_round(services, community, slack, size=120, name=ROUND)
    preview = await _say(slack, http, ADMIN, f"round preview {ROUND}")
    check_blocks(preview["blocks"], limit=50)
    shown = _all_text(preview)
    for number in await _groups(services, community):
        assert f"*{number}.*" in shown
