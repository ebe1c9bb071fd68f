"""The App Home tab as Block Kit: the organiser's review screen, a member's own status.

An organiser's Home shows the community's rounds (open and closed first), a round
chosen with a select menu, its applications filtered by status, country, sector and
career stage (select menus) and by name (a search field that dispatches on Enter),
ten a page with Previous / Next / Last and a page menu (skip), each applicant with
approve / decline / waitlist, and the decisions on the whole filtered set behind
Slack's confirmation dialog that says how many. Where the organiser is (round,
filter, page) rides in the view's private_metadata (console_review.state).

Slack's limits (docs.slack.dev/reference/views/home-tab-views and the Block Kit
reference): at most 100 blocks a view, private_metadata 3000 characters, action_id
and block_id 255, a button's text 75 and value 2000, an option's text 75 and value
150, at most 100 options a menu, a confirmation's title 100, text 300, buttons 30.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from adapters.slack import console_review
from adapters.slack.render import escape
from core.messages import vocab
from core.model import Application, ApplicationStatus, Community, RoundState
from core.rounds.review import ReviewFilter, ReviewPage
from core.rounds.service import RoundStatus

Json = dict[str, Any]
PREFIX = "home:"
ROUND = "home:round"
FILTERS = {  # action_id -> the filter it sets
    "home:f:status": "statuses",
    "home:f:country": "countries",
    "home:f:sector": "sectors",
    "home:f:stage": "career_stages",
}
SEARCH = "home:f:name"
CLEAR = "home:clear"
PAGE_TO = "home:page:"  # + prev, next, last (buttons) or jump (menu); the value is the offset
ONE = "home:one:"  # + verb:external id
BULK = "home:bulk:"  # + verb; the value is the count confirmed
ANY = "*"
VERBS = console_review.VERBS
DONE = {"approve": "Approved", "decline": "Declined", "waitlist": "Waitlisted"}
DECIDABLE = (RoundState.DRAFT, RoundState.OPEN, RoundState.CLOSED)
MAX_OPTIONS = 100
MAX_ROUNDS_LISTED = 12


@dataclass(frozen=True, slots=True)
class Screen:
    """What an organiser's Home shows: the rounds, the chosen one, its filtered page."""

    community: Community
    rounds: Sequence[RoundStatus]
    chosen: RoundStatus | None
    found: ReviewFilter
    page: ReviewPage | None
    countries: Sequence[str]  # the codes of the chosen round's applicants
    to_change: dict[str, int]  # verb -> applications of the filtered set it would change
    note: str = ""


def _text(kind: str, text: str) -> Json:
    return {"type": kind, "text": text}


def _option(label: str, value: str) -> Json:
    return {"text": _text("plain_text", label[:75] or "-"), "value": value[:150]}


def _button(label: str, action_id: str, value: str, style: str = "") -> Json:
    out: Json = {
        "type": "button",
        "text": _text("plain_text", label[:75]),
        "action_id": action_id[:255],
        "value": value[:2000],
    }
    if style:
        out["style"] = style
    return out


def _select(action_id: str, placeholder: str, options: list[Json], chosen: str = "") -> Json:
    options = options[:MAX_OPTIONS]
    out: Json = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": _text("plain_text", placeholder[:150]),
        "options": options,
    }
    initial = next((o for o in options if o["value"] == chosen), None)
    if initial is not None:
        out["initial_option"] = initial
    return out


def _confirm(verb: str, count: int, found: ReviewFilter) -> Json:
    what = f"{verb.capitalize()} {count}"
    return {
        "title": _text("plain_text", f"{what} application(s)?"[:100]),
        "text": _text("plain_text", f"{what} application(s) matching {found.describe()}?"[:300]),
        "confirm": _text("plain_text", what[:30]),
        "deny": _text("plain_text", "Cancel"),
    }


def _rounds_text(rounds: Sequence[RoundStatus]) -> str:
    """Say the open and closed rounds first, then the others, with their counts."""
    order = {RoundState.OPEN: 0, RoundState.CLOSED: 1}
    shown = sorted(rounds, key=lambda s: order.get(s.round.state, 2))[:MAX_ROUNDS_LISTED]
    lines = []
    for s in shown:
        counts = ", ".join(f"{n} {k.value}" for k, n in s.applications.items() if n) or "none"
        lines.append(f"*{escape(s.round.name)}* · {s.round.state.value} · {counts}")
    if len(rounds) > len(shown):
        lines.append(f"…and {len(rounds) - len(shown)} more in the menu below.")
    return "\n".join(lines)[:3000]


def _row(app: Application) -> list[Json]:
    p = app.profile
    text = (
        f"*{escape(p.name)}* (<@{app.member.external_id}>) · {app.status.value} · "
        f"{escape(p.country_name)} · {p.sector} · {p.career_stage} · {', '.join(p.languages)}"
    )
    if p.introduction:
        text += f"\n_{escape(p.introduction[:200])}_"
    ext = app.member.external_id
    return [
        {"type": "section", "text": _text("mrkdwn", text[:3000])},
        {
            "type": "actions",
            "block_id": f"home_app_{ext}"[:255],
            "elements": [
                _button(verb.capitalize(), f"{ONE}{verb}:{ext}", ext, style)
                for verb, style in (("approve", "primary"), ("decline", "danger"), ("waitlist", ""))
            ],
        },
    ]


def _filters(screen: Screen) -> list[Json]:
    found = screen.found
    one = {
        "statuses": [s.value for s in found.statuses],
        "countries": list(found.countries),
        "sectors": list(found.sectors),
        "career_stages": list(found.career_stages),
    }

    def chosen(field: str) -> str:
        values = one[field]
        return values[0] if len(values) == 1 else (ANY if not values else "")

    def menu(action_id: str, label: str, pairs: Sequence[tuple[str, str]]) -> Json:
        options = [_option(f"Any {label}", ANY), *(_option(t, v) for t, v in pairs)]
        return _select(action_id, label.capitalize(), options, chosen(FILTERS[action_id]))

    countries = [(f"{vocab.country_name(c)} ({c})", c) for c in screen.countries]
    return [
        {
            "type": "actions",
            "block_id": "home_filters",
            "elements": [
                menu("home:f:status", "status", [(s.value, s.value) for s in ApplicationStatus]),
                menu("home:f:country", "country", countries[: MAX_OPTIONS - 1]),
                menu("home:f:sector", "sector", [(s, s) for s in vocab.SECTORS]),
                menu("home:f:stage", "career stage", [(s, s) for s in vocab.CAREER_STAGES]),
                _button("Clear filters", CLEAR, "clear"),
            ],
        },
        {
            "type": "input",
            "block_id": "home_search",
            "dispatch_action": True,
            "optional": True,
            "label": _text("plain_text", "Search by name (press Enter)"),
            "element": {
                "type": "plain_text_input",
                "action_id": SEARCH,
                "initial_value": found.name,
                "placeholder": _text("plain_text", "Part of a name"),
                "max_length": 100,
                "dispatch_action_config": {"trigger_actions_on": ["on_enter_pressed"]},
            },
        },
    ]


def _paging(page: ReviewPage) -> list[Json]:
    nav: list[Json] = []
    if page.has_previous:
        nav.append(_button("Previous", PAGE_TO + "prev", str(max(0, page.offset - page.limit))))
    if page.has_next:
        nav.append(_button("Next", PAGE_TO + "next", str(page.offset + page.limit)))
    last = (page.pages - 1) * page.limit
    if page.pages > 2 and page.offset != last:
        nav.append(_button("Last page", PAGE_TO + "last", str(last)))
    if page.pages > 2:
        options = [
            _option(f"Page {k + 1} of {page.pages}", str(k * page.limit))
            for k in range(min(page.pages, MAX_OPTIONS))
        ]
        nav.append(_select(PAGE_TO + "jump", "Skip to page", options, str(page.offset)))
    return [{"type": "actions", "block_id": "home_pages", "elements": nav}] if nav else []


def _bulk(screen: Screen) -> list[Json]:
    assert screen.chosen is not None
    if screen.chosen.round.state not in DECIDABLE:
        note = f"Round {screen.chosen.round.name} is {screen.chosen.round.state.value}: " + (
            "decisions are taken before matching."
        )
        return [{"type": "context", "elements": [_text("mrkdwn", escape(note))]}]
    buttons = []
    for verb, style in (("approve", "primary"), ("decline", "danger"), ("waitlist", "")):
        count = screen.to_change.get(verb, 0)
        if not count:
            continue
        button = _button(f"{verb.capitalize()} all {count}", BULK + verb, str(count), style)
        button["confirm"] = _confirm(verb, count, screen.found)
        buttons.append(button)
    if not buttons:
        return []
    return [{"type": "actions", "block_id": "home_bulk", "elements": buttons}]


def organiser_view(screen: Screen) -> Json:
    """Return the organiser's Home tab (at most 100 blocks: about 30 are used)."""
    blocks: list[Json] = [{"type": "header", "text": _text("plain_text", "penpals: review")}]
    if screen.note:
        # The note is penpals' own sentence (mentions kept), with any typed text escaped.
        blocks.append({"type": "context", "elements": [_text("mrkdwn", screen.note[:3000])]})
    if not screen.rounds or screen.chosen is None:
        text = "There is no round yet: create one with `/penpals round create NAME`."
        blocks.append({"type": "section", "text": _text("mrkdwn", text)})
        return {"type": "home", "blocks": blocks}
    name = screen.chosen.round.name
    blocks.append({"type": "section", "text": _text("mrkdwn", _rounds_text(screen.rounds))})
    rounds = [
        _option(f"{s.round.name} ({s.round.state.value})", s.round.name)
        for s in screen.rounds
        if len(s.round.name) <= 150
    ]
    blocks.append(
        {
            "type": "actions",
            "block_id": "home_round",
            "elements": [_select(ROUND, "Round to review", rounds, name)],
        }
    )
    blocks += _filters(screen)
    page = screen.page
    assert page is not None
    where = f"Round {name}: {screen.found.describe()}; page {page.page} of {page.pages}"
    where += f" ({page.total} in all)"
    blocks.append({"type": "context", "elements": [_text("mrkdwn", escape(where))]})
    if not page.items:
        blocks.append({"type": "section", "text": _text("mrkdwn", "No application matches.")})
    for app in page.items:
        blocks += _row(app)
    blocks += _paging(page)
    blocks += _bulk(screen)
    metadata = console_review.state(screen.community, name, screen.found, page.offset)
    return {
        "type": "home",
        "callback_id": "penpals_home",
        "private_metadata": json.dumps(metadata, separators=(",", ":")),
        "blocks": blocks,
    }


def member_view(text: str) -> Json:
    """Return a member's Home tab: where their own application stands, nothing else."""
    return {
        "type": "home",
        "callback_id": "penpals_home",
        "blocks": [
            {"type": "header", "text": _text("plain_text", "penpals")},
            {"type": "section", "text": _text("mrkdwn", text[:3000])},
        ],
    }
