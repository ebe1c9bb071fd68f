"""Application review as Block Kit: one row per pending application with its buttons.

Block Kit wants every action_id unique within a message, so the applicant's id is
part of it ("review:approve:U123"); the button's value is the round's name. A
message holds at most 50 blocks: the first PAGE pending applications are shown,
and deciding them brings the next ones up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.slack.render import escape
from core.errors import InvalidValue
from core.model import Application, ApplicationStatus
from core.rounds.applications import Decided
from core.rounds.service import RoundStatus

PREFIX = "review:"
APPROVE_ALL = "review:approve_all"
PAGE = 15
_DECISIONS = {
    "approve": ApplicationStatus.APPROVED,
    "decline": ApplicationStatus.DECLINED,
    "waitlist": ApplicationStatus.WAITLISTED,
}
_STYLES = {"approve": "primary", "decline": "danger"}

Json = dict[str, Any]


def parse_action(action_id: str) -> tuple[ApplicationStatus, str]:
    """Return the decision and applicant of a button ("" for every pending one)."""
    if action_id == APPROVE_ALL:
        return ApplicationStatus.APPROVED, ""
    _, verb, external_id = [*action_id.split(":", 2), "", ""][:3]
    if verb not in _DECISIONS or not external_id:
        raise InvalidValue(f"unknown review button {action_id!r}")
    return _DECISIONS[verb], external_id


def _button(label: str, action_id: str, value: str, style: str = "") -> Json:
    element: Json = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def _row(app: Application, round_name: str) -> list[Json]:
    p = app.profile
    wishes = " · wishes a partner" if p.wishes else ""
    text = (
        f"*{escape(p.name)}* (<@{app.member.external_id}>) · {escape(p.country_name)} · "
        f"{p.sector} · {p.career_stage} · {', '.join(p.languages)}{wishes}"
    )
    if p.introduction:
        text += f"\n_{escape(p.introduction[:200])}_"
    if app.note:
        text += f"\n{escape(app.note)}"
    ext = app.member.external_id
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "actions",
            "block_id": f"review_{ext}",
            "elements": [
                _button(
                    verb.capitalize(), f"{PREFIX}{verb}:{ext}", round_name, _STYLES.get(verb, "")
                )
                for verb in _DECISIONS
            ],
        },
    ]


def blocks(status: RoundStatus, apps: Sequence[Application]) -> list[Json]:
    """Return the review message of a round."""
    name = status.round.name
    pending = [a for a in apps if a.status is ApplicationStatus.PENDING]
    counts = ", ".join(f"{n} {s.value}" for s, n in status.applications.items() if n) or "none"
    out: list[Json] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"Applications: {name}"[:150]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{counts}"}]},
    ]
    if not pending:
        out.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "Nothing is waiting for review."},
            }
        )
        return out
    for app in pending[:PAGE]:
        out += _row(app, name)
    if len(pending) > PAGE:
        more = f"…and {len(pending) - PAGE} more: decide these to see the next ones."
        out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    confirm = {
        "title": {"type": "plain_text", "text": "Approve everyone?"},
        "text": {"type": "plain_text", "text": f"Approve all {len(pending)} pending applications?"},
        "confirm": {"type": "plain_text", "text": "Approve all"},
        "deny": {"type": "plain_text", "text": "Cancel"},
    }
    bulk = _button(f"Approve all {len(pending)} pending", APPROVE_ALL, name, "primary")
    out.append(
        {"type": "actions", "block_id": "review_bulk", "elements": [{**bulk, "confirm": confirm}]}
    )
    return out


def decided_text(decision: ApplicationStatus, done: Decided) -> str:
    """Return what a review button changed."""
    verb = {"approved": "Approved", "declined": "Declined", "waitlisted": "Waitlisted"}[
        decision.value
    ]
    text = f"{verb} {len(done.changed)} application(s)."
    if done.skipped:
        text += " Left as they were: " + ", ".join(f"<@{i}> ({why})" for i, why in done.skipped)
    return text


def note_block(text: str) -> Json:
    """Return a context block carrying the outcome of the last button."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
