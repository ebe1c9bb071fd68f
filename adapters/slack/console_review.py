"""Review at scale on Slack: a filtered, paged list of applications and bulk decisions.

`/penpals review NAME [status=pending] [country=FI,SE] [sector=academic]
[stage=early] [name=ana] [page=2]` shows ten applications a page with "page k of
n (total)", previous / next / skip-ahead buttons, and approve / decline / waitlist
for the whole filtered set behind Slack's confirmation dialog that says how many.
The buttons carry the community, round, filter and count as JSON in their value;
a press from another workspace, or whose set changed size since, changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import access, parsing
from adapters.slack.console_matching import actor
from adapters.slack.render import escape
from adapters.slack.texts import sentence
from core.errors import InvalidValue, NotAllowed, PenpalsError
from core.model import ApplicationStatus, Community, Platform
from core.rounds.review import ReviewFilter, ReviewPage

if TYPE_CHECKING:
    from adapters.slack.services import Services

Json = dict[str, Any]
PREFIX = "console_review:"
PAGE = 10
FILTERS = frozenset({"status", "country", "sector", "stage", "name", "page"})
VERBS = {
    "approve": ApplicationStatus.APPROVED,
    "decline": ApplicationStatus.DECLINED,
    "waitlist": ApplicationStatus.WAITLISTED,
}


def _values(text: str) -> tuple[str, ...]:
    return tuple(v for v in (x.strip() for x in text.split(",")) if v)


def statuses(text: str) -> tuple[ApplicationStatus, ...]:
    """Read "approved,waitlisted" as those statuses (none: every status)."""
    try:
        return tuple(ApplicationStatus(s.lower()) for s in _values(text))
    except ValueError:
        raise InvalidValue(
            "status is pending, approved, declined, waitlisted or withdrawn"
        ) from None


def parse(words: list[str]) -> tuple[str, ReviewFilter, int]:
    """Return the round's name words, the filter and the 1-based page typed."""
    positional, opts = parsing.split_options(words, FILTERS)
    found = ReviewFilter(
        statuses=statuses(opts.get("status", "")),
        countries=_values(opts.get("country", "")),
        sectors=_values(opts.get("sector", "")),
        career_stages=_values(opts.get("stage", "")),
        name=opts.get("name", ""),
    )
    page = parsing.number(opts.get("page", "1"), "page")
    return " ".join(positional), found, max(1, page)


def state(community: Community, round_name: str, found: ReviewFilter, offset: int) -> Json:
    """Return what a button must carry to show the same set again."""
    return {
        "c": community.id,
        "r": round_name,
        "o": offset,
        "s": [s.value for s in found.statuses],
        "k": list(found.countries),
        "e": list(found.sectors),
        "g": list(found.career_stages),
        "n": found.name,
    }


def read_state(value: str, community: Community) -> tuple[str, ReviewFilter, int, int]:
    """Return round, filter, offset and count from a button; refuse another community's."""
    try:
        data = json.loads(value)
        if parsing.record_id(data["c"]) != community.id:
            raise NotAllowed("this button belongs to another community: nothing was changed")
        found = ReviewFilter(
            statuses=tuple(ApplicationStatus(s) for s in data["s"]),
            countries=tuple(data["k"]),
            sectors=tuple(data["e"]),
            career_stages=tuple(data["g"]),
            name=str(data["n"]),
        )
        return str(data["r"]), found, max(0, int(data["o"])), int(data.get("x", -1))
    except (ValueError, KeyError, TypeError):
        raise InvalidValue("this review button is not one penpals made") from None


def _button(label: str, action: str, value: Json, style: str = "") -> Json:
    out: Json = {
        "type": "button",
        "text": {"type": "plain_text", "text": label[:75]},
        "action_id": PREFIX + action,
        "value": json.dumps(value, separators=(",", ":")),
    }
    if style:
        out["style"] = style
    return out


def blocks(
    community: Community, round_name: str, found: ReviewFilter, page: ReviewPage
) -> list[Json]:
    """Return the review message: the page's applications, paging and bulk buttons."""
    where = f"page {page.page} of {page.pages} ({page.total} in all)"
    out: list[Json] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"Review: {round_name}"[:150]}},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"{escape(found.describe())}; {where}"}],
        },
    ]
    for app in page.items:
        p = app.profile
        text = (
            f"*{escape(p.name)}* (<@{app.member.external_id}>) · {app.status.value} · "
            f"{escape(p.country_name)} · {p.sector} · {p.career_stage} · {', '.join(p.languages)}"
        )
        if p.introduction:
            text += f"\n_{escape(p.introduction[:200])}_"
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}})
    base = state(community, round_name, found, page.offset)
    nav = []
    if page.has_previous:
        nav.append(_button("Previous", "prev", {**base, "o": max(0, page.offset - page.limit)}))
    if page.has_next:
        nav.append(_button("Next", "next", {**base, "o": page.offset + page.limit}))
    if page.pages > 2:
        nav.append(_button("Last page", "last", {**base, "o": (page.pages - 1) * page.limit}))
    if nav:
        out.append({"type": "actions", "block_id": "console_review_pages", "elements": nav})
    if page.total:
        bulk = []
        for verb, style in (("approve", "primary"), ("decline", "danger"), ("waitlist", "")):
            button = _button(
                f"{verb.capitalize()} all {page.total}", verb, {**base, "x": page.total}, style
            )
            button["confirm"] = {
                "title": {"type": "plain_text", "text": f"{verb.capitalize()} {page.total}?"},
                "text": {
                    "type": "plain_text",
                    "text": f"{verb.capitalize()} {page.total} application(s) matching "
                    f"{found.describe()}?"[:300],
                },
                "confirm": {"type": "plain_text", "text": f"{verb.capitalize()} {page.total}"},
                "deny": {"type": "plain_text", "text": "Cancel"},
            }
            bulk.append(button)
        out.append({"type": "actions", "block_id": "console_review_bulk", "elements": bulk})
    return out


class ReviewConsole:
    """Show a filtered page, move between pages, decide on the whole filtered set."""

    def __init__(self, services: Services) -> None:
        self._s = services

    async def show(
        self, community: Community, round_name: str, found: ReviewFilter, offset: int
    ) -> tuple[str, list[Json]]:
        page = await self._s.applications.review(
            community.id, round_name, found, offset=offset, limit=PAGE
        )
        text = (
            f"Applications to round {round_name}: page {page.page} of {page.pages} ({page.total})"
        )
        return text, blocks(community, round_name, found, page)

    async def press(
        self, community: Community, user_id: str, action_id: str, value: str
    ) -> tuple[str, list[Json]]:
        """Apply a paging or bulk button; return the refreshed message."""
        round_name, found, offset, expected = read_state(value, community)
        verb = action_id.removeprefix(PREFIX)
        if verb not in VERBS:
            return await self.show(community, round_name, found, offset)
        done = await self._s.applications.decide(
            community.id,
            round_name,
            VERBS[verb],
            matching=found,
            expected=expected,
            actor=actor(user_id),
        )
        self._s.wake(None)
        done_verb = {"approve": "Approved", "decline": "Declined", "waitlist": "Waitlisted"}[verb]
        note = f"{done_verb} {len(done.changed)} application(s) matching {found.describe()}."
        _, shown = await self.show(community, round_name, found, 0)
        return note, [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(note)}]},
            *shown,
        ]


def listener(services: Services, client: AsyncWebClient) -> Callable[..., Awaitable[None]]:
    """Return the listener of the review console's buttons (organisers only)."""
    console = ReviewConsole(services)

    async def on_press(
        ack: Callable[..., Awaitable[Any]],
        body: Json,
        action: Json,
        respond: Callable[..., Awaitable[Any]],
    ) -> None:
        await ack()
        team = body["team"]
        community = await services.communities.ensure(
            Platform.SLACK, team["id"], team.get("domain", "")
        )
        try:
            await access.check_organiser(client, community, body["user"]["id"])
            text, shown = await console.press(
                community, body["user"]["id"], action["action_id"], action.get("value", "")
            )
        except PenpalsError as exc:
            await respond(
                replace_original=False, response_type="ephemeral", text=sentence(str(exc))
            )
            return
        await respond(replace_original=True, response_type="ephemeral", text=text, blocks=shown)

    return on_press
