"""The organiser's console for matching on Slack: preview, swap, split, pair, publish, rematch.

`/penpals round VERB [NAME] ARGS`: the members are given as @mentions (or raw ids)
after the round's name, the group number last for `split`. Every action passes the
organiser as the actor of the audit log ("slack:U123"). A preview lists every group
with its reasons in words, and the unplaced and the waitlisted with theirs, in as
many sections as Slack's limits need (3,000 characters a section, 50 blocks a
message); what does not fit is counted, never cut mid-line.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from core.errors import InvalidValue
from core.matching import explanations
from core.matching.service import MatchReport
from core.model import Community

if TYPE_CHECKING:
    from adapters.slack.services import Services

Json = dict[str, Any]
VERBS = frozenset({"preview", "publish", "swap", "split", "pair", "rematch", "audit"})
SECTION_MAX = 2900  # Slack: a section's text holds at most 3,000 characters
BLOCKS_MAX = 48  # Slack: 50 blocks a message; two kept for the head and the tail
AUDIT_SHOWN = 40
TEXT_MAX = 3900  # Slack truncates a message's text at 40,000; a fallback stays short
_MEMBER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^([UW][A-Z0-9]{5,})$")


def actor(user_id: str) -> str:
    """Return how the audit log names an organiser acting from Slack."""
    return f"slack:{user_id}"


def member_id(token: str) -> str | None:
    """Return the user id in an @mention or a raw id, else None."""
    found = _MEMBER.match(token.strip())
    return (found.group(1) or found.group(2)) if found else None


def split_members(words: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split words into the round's name words and the members mentioned after it."""
    members: list[str] = []
    rest = list(words)
    while rest and (found := member_id(rest[-1])) is not None:
        members.insert(0, found)
        rest.pop()
    return rest, members


def chunks(lines: Sequence[str], *, size: int = SECTION_MAX) -> list[str]:
    """Join lines into texts of at most *size* characters, never splitting a line."""
    out: list[str] = []
    current = ""
    for line in lines:
        line = line if len(line) <= size else line[: size - 1] + "…"
        if current and len(current) + 1 + len(line) > size:
            out.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        out.append(current)
    return out


def report_lines(report: MatchReport) -> list[str]:
    """Return every group with its reasons, then the unplaced and waitlisted, in words."""
    lines = []
    for g in report.groups:
        names = {p.external_id: p.name for p in g.members}
        people = " · ".join(f"{p.name} ({p.country})" for p in g.members)
        lines.append(f"• *{g.number}.* {people}: {explanations.for_organisers(g.reasons, names)}")
    for person, why in report.unplaced:
        lines.append(f"• not placed: {person.name} <@{person.external_id}> ({why})")
    for person, why in report.over_cap:
        lines.append(f"• waitlisted: {person.name} <@{person.external_id}> ({why})")
    return lines


def report_blocks(head: str, report: MatchReport, tail: str = "") -> tuple[str, list[Json]]:
    """Return the text and blocks of a matching: every line, within Slack's limits."""
    texts = chunks(report_lines(report))
    shown, left = texts[:BLOCKS_MAX], texts[BLOCKS_MAX:]
    blocks: list[Json] = [{"type": "section", "text": {"type": "mrkdwn", "text": head}}]
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": t}} for t in shown]
    if left:
        more = sum(t.count("\n") + 1 for t in left)
        tail = f"…and {more} more lines: `/penpals round export NAME pairs` gives them all. " + tail
    if report.cap_note:
        tail = f"{report.cap_note} {tail}"
    if tail.strip():
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": tail[:2900]}]})
    # The text is the notification's and the fallback's: the head and the first lines.
    text = "\n".join([head, *texts[:1], tail.strip()]).strip()
    return text[:TEXT_MAX], blocks


def summary(report: MatchReport, verb: str) -> str:
    """Return the head line of a matching."""
    trios = sum(1 for g in report.groups if len(g.members) == 3)
    return (
        f"{verb} {len(report.groups)} groups ({trios} trios) for {report.placed} people in "
        f"round {report.round.name}; {len(report.unplaced)} not placed, "
        f"{len(report.over_cap)} waitlisted by the country cap."
    )


class MatchingConsole:
    """The matching verbs of `/penpals round`, bound to the services."""

    def __init__(
        self, services: Services, estimate: Callable[[Community, MatchReport], str]
    ) -> None:
        self._s = services
        self._estimate = estimate  # how long Slack's pace makes publishing the groups

    async def run(
        self,
        community: Community,
        user_id: str,
        verb: str,
        words: list[str],
        newest: Callable[[list[str]], Awaitable[str]],
    ) -> tuple[str, list[Json] | None]:
        """Run *verb* on the round named in *words* (the newest when none is named)."""
        who = actor(user_id)
        m = self._s.matches
        if verb == "split":
            if not words or not words[-1].isdigit():
                raise InvalidValue("say which group to split: /penpals round split NAME 3")
            name = await newest(words[:-1])
            report = await m.split(community, name, int(words[-1]), actor=who)
            return report_blocks(f"Split group {words[-1]}. " + summary(report, "Now"), report)
        if verb == "audit":
            return await self._audit(community, await newest(words))
        name_words, members = split_members(words)
        name = await newest(name_words)
        if verb == "swap":
            if len(members) != 2:
                raise InvalidValue("name two members to swap: /penpals round swap NAME @a @b")
            report = await m.swap(community, name, members[0], members[1], actor=who)
            head = f"Swapped <@{members[0]}> and <@{members[1]}>. " + summary(report, "Now")
            return report_blocks(head, report, _publish_hint(name))
        if verb == "pair":
            report = await m.pair(community, name, members, actor=who)
            head = "Paired " + ", ".join(f"<@{x}>" for x in members) + ". "
            return report_blocks(head + summary(report, "Now"), report, _publish_hint(name))
        if members:
            raise InvalidValue(f"round {verb} takes no members: see /penpals help")
        if verb == "preview":
            report = await m.preview(community, name, actor=who)
            tail = f"{_publish_hint(name)} {self._estimate(community, report)}"
            return report_blocks(summary(report, "Proposed"), report, tail)
        if verb == "publish":
            report = await m.publish(community, name, actor=who)
            self._s.wake(report.round.id)  # start making the pair spaces now
            return report_blocks(
                summary(report, "Published"), report, self._estimate(community, report)
            )
        if verb == "rematch":
            before = {g.number for g in (await m.show(community, name)).groups}
            report = await m.rematch(community, name, actor=who)
            self._s.wake(report.round.id)  # make the new pair spaces now
            new = [g for g in report.groups if g.number not in before]
            head = (
                f"Rematched round {report.round.name}: {len(new)} new group(s)"
                + (": " + ", ".join(str(g.number) for g in new) if new else "")
                + f"; {len(report.unplaced)} still without a partner."
            )
            return report_blocks(head, report)
        raise InvalidValue(f"unknown round command {verb!r}: see /penpals help")

    async def _audit(self, community: Community, name: str) -> tuple[str, list[Json] | None]:
        entries = await self._s.audit.list(community.id, name)
        if not entries:
            return f"Round {name} has no audit entry yet.", None
        latest = sorted(entries, key=lambda e: e.at, reverse=True)
        lines = [
            f"• {e.at:%Y-%m-%d %H:%M} {e.actor}: {e.action} {e.subject}"
            + (f" ({e.detail})" if e.detail else "")
            for e in latest[:AUDIT_SHOWN]
        ]
        head = f"Audit log of round {name}: {len(entries)} entries, the latest first."
        if len(entries) > AUDIT_SHOWN:
            head += (
                f" The {AUDIT_SHOWN} latest are shown; `/penpals export {name} audit` "
                "sends them all."
            )
        blocks: list[Json] = [{"type": "section", "text": {"type": "mrkdwn", "text": head}}]
        blocks += [
            {"type": "section", "text": {"type": "mrkdwn", "text": t}}
            for t in chunks(lines)[:BLOCKS_MAX]
        ]
        return head, blocks


def _publish_hint(name: str) -> str:
    return f"Publish with `/penpals round publish {name}`."
