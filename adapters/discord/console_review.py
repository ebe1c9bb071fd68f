"""Review at scale: /applications review with filters (select menus), paging and bulk decisions.

The whole state of a review page (round, filter, offset) is carried in the custom ids,
so the buttons and menus keep working after a restart. A bulk decision first shows a
confirmation naming how many applications it touches; the confirmed count goes to
ApplicationService.decide(expected=...), which refuses if the filtered set changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import discord

from adapters.discord.context import defer, deps, organiser_community, report_error, show
from core.model import Application, ApplicationStatus
from core.rounds.review import ReviewFilter

A = ApplicationStatus
PAGE = 10  # applicants per review page
CUSTOM_ID_MAX = 100  # Discord's limit on a component's custom id
OPTIONS_MAX = 25  # Discord's limit on a select menu's options
NAME_MAX = 30  # a name search carried in the custom ids
STATUS_CODES = {
    "p": A.PENDING,
    "a": A.APPROVED,
    "d": A.DECLINED,
    "w": A.WAITLISTED,
    "x": A.WITHDRAWN,
}
CODE_OF = {v: k for k, v in STATUS_CODES.items()}
DECISIONS = {
    "a": (A.APPROVED, "Approve"),
    "d": (A.DECLINED, "Decline"),
    "w": (A.WAITLISTED, "Waitlist"),
}
ANY = "*"


def actor(interaction: discord.Interaction) -> str:
    """Name the organiser for the audit log."""
    return f"discord:{interaction.user.id} ({interaction.user.name})"


@dataclass(frozen=True)
class State:
    """A review page: the round, the filter (one value per criterion) and the offset."""

    round: str
    status: str = "p"  # a STATUS_CODES key, or "" for any status
    country: str = ""
    sector: str = ""
    stage: str = ""
    name: str = ""
    offset: int = 0

    def filter(self) -> ReviewFilter:
        return ReviewFilter(
            statuses=(STATUS_CODES[self.status],) if self.status else (),
            countries=(self.country,) if self.country else (),
            sectors=(self.sector,) if self.sector else (),
            career_stages=(self.stage,) if self.stage else (),
            name=self.name,
        )

    def custom_id(self, act: str, number: int | None = None) -> str:
        """Return the custom id of an action on this page (number: an offset or a count)."""
        n = self.offset if number is None else number
        made = (
            f"pp:rv:{act}:{n}:{self.status}:{self.country}:{self.sector}:{self.stage}:"
            f"{self.round}:{self.name}"
        )
        return made[:CUSTOM_ID_MAX]


PATTERN = (
    r"pp:rv:(?P<act>[a-z]+):(?P<n>\d+):(?P<st>[a-z]?):(?P<co>[^:]*):(?P<se>[^:]*):"
    r"(?P<ca>[^:]*):(?P<round>[^:]+):(?P<name>.*)"
)


def state_of(match: re.Match[str]) -> tuple[str, int, State]:
    return (
        match["act"],
        int(match["n"]),
        State(match["round"], match["st"], match["co"], match["se"], match["ca"], match["name"]),
    )


def to_decide(apps: list[Application], state: State, decision: ApplicationStatus) -> int:
    """Count what decide(matching=...) would change: the matching, not withdrawn, not so already."""
    f = state.filter()
    return sum(1 for a in apps if f.matches(a) and a.status not in (A.WITHDRAWN, decision))


def _select(
    state: State, act: str, placeholder: str, values: list[tuple[str, str]], current: str, row: int
) -> discord.ui.Select[Any]:
    options = [discord.SelectOption(label=f"Any {placeholder}", value=ANY, default=not current)]
    options += [
        discord.SelectOption(label=label[:100], value=value[:100], default=value == current)
        for label, value in values[: OPTIONS_MAX - 1]
    ]
    return discord.ui.Select(
        custom_id=state.custom_id(act, 0),
        placeholder=f"Filter by {placeholder}",
        options=options,
        row=row,
    )


def review_page(
    state: State, page: Any, apps: list[Application], note: str = ""
) -> tuple[discord.Embed, discord.ui.View]:
    """Render one page: the applicants, page k of n (total), filters, paging and bulk buttons."""
    lines = [
        f"{page.offset + i}. **{a.profile.name}** ({a.member.external_id}) — "
        f"{a.profile.country}, {a.profile.sector}, {a.profile.career_stage} — {a.status.value}"
        for i, a in enumerate(page.items, start=1)
    ]
    heading = (
        f"Showing: {state.filter().describe()}. "
        f"Page {page.page} of {page.pages} ({page.total} in all)."
    )
    body = "\n".join([note, heading, "", *lines] if note else [heading, "", *lines])
    if not page.items:
        body += "\nNo application matches this filter."
    embed = discord.Embed(title=f"Applications of round {state.round}", description=body[:4096])
    embed.set_footer(text=f"page {page.page} of {page.pages} ({page.total})")
    view = discord.ui.View(timeout=None)

    def distinct(attr: str) -> list[tuple[str, str]]:
        seen = sorted({getattr(a.profile, attr) for a in apps if getattr(a.profile, attr)})
        return [(v, v) for v in seen]

    statuses = [(s.value, c) for c, s in STATUS_CODES.items()]
    view.add_item(_select(state, "fs", "status", statuses, state.status, 0))
    view.add_item(_select(state, "fc", "country", distinct("country"), state.country, 1))
    view.add_item(_select(state, "fe", "sector", distinct("sector"), state.sector, 2))
    view.add_item(_select(state, "fk", "career stage", distinct("career_stage"), state.stage, 3))
    prev_at = max(0, page.offset - PAGE)
    view.add_item(
        discord.ui.Button(
            label="Previous",
            custom_id=state.custom_id("p", prev_at),
            disabled=not page.has_previous,
            row=4,
        )
    )
    view.add_item(
        discord.ui.Button(
            label="Next",
            custom_id=state.custom_id("n", page.offset + PAGE),
            disabled=not page.has_next,
            row=4,
        )
    )
    for code, (decision, verb) in DECISIONS.items():
        count = to_decide(apps, state, decision)
        style = discord.ButtonStyle.success if code == "a" else discord.ButtonStyle.secondary
        view.add_item(
            discord.ui.Button(
                label=f"{verb} {count}",
                style=style,
                custom_id=state.custom_id("b" + code, page.offset),
                disabled=count == 0,
                row=4,
            )
        )
    return embed, view


def confirm_view(state: State, code: str, count: int) -> tuple[discord.Embed, discord.ui.View]:
    """Ask to confirm a bulk decision, naming how many applications it changes."""
    _, verb = DECISIONS[code]
    embed = discord.Embed(
        title=f"{verb} {count} applications?",
        description=(
            f"{verb} {count} applications of round {state.round} matching "
            f"{state.filter().describe()}. "
            "If the set changes before you confirm, nothing is changed."
        ),
    )
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label=f"Yes, {verb.lower()} {count}",
            style=discord.ButtonStyle.danger,
            custom_id=state.custom_id("c" + code, count),
        )
    )
    view.add_item(discord.ui.Button(label="Back", custom_id=state.custom_id("p", state.offset)))
    return embed, view


async def render(
    interaction: discord.Interaction, state: State, note: str = ""
) -> tuple[discord.Embed, discord.ui.View]:
    """Read the round's applications and render the page of *state*."""
    community = await organiser_community(interaction)
    s = deps(interaction).services.applications
    apps = await s.list(community.id, state.round)
    page = await s.review(
        community.id, state.round, state.filter(), offset=state.offset, limit=PAGE
    )
    if page.offset and not page.items and page.total:
        last = (page.pages - 1) * PAGE
        state = replace(state, offset=last)
        page = await s.review(community.id, state.round, state.filter(), offset=last, limit=PAGE)
    return review_page(state, page, apps, note)


async def act(interaction: discord.Interaction, act: str, n: int, state: State) -> None:
    """Carry out one press or choice on a review page, and show the result in place."""
    community = await organiser_community(interaction)
    await defer(interaction, update=True)  # a large round's applications are read whole
    values = list((interaction.data or {}).get("values") or [])  # type: ignore[union-attr]
    note = ""
    if act in ("p", "n"):
        state = replace(state, offset=n)
    elif act.startswith("f"):
        chosen = "" if not values or values[0] == ANY else values[0]
        field = {"fs": "status", "fc": "country", "fe": "sector", "fk": "stage"}[act]
        state = replace(state, offset=0, **{field: chosen})
    elif act.startswith("b"):
        apps = await deps(interaction).services.applications.list(community.id, state.round)
        count = to_decide(apps, state, DECISIONS[act[1]][0])
        embed, view = confirm_view(replace(state, offset=n), act[1], count)
        await show(interaction, embed=embed, view=view)
        return
    elif act.startswith("c"):
        decision, _ = DECISIONS[act[1]]
        decided = await deps(interaction).services.applications.decide(
            community.id,
            state.round,
            decision,
            matching=state.filter(),
            expected=n,
            actor=actor(interaction),
        )
        note = f"{decision.value.capitalize()}: {len(decided.changed)} applications."
    embed, view = await render(interaction, state, note)
    await show(interaction, embed=embed, view=view)


class ReviewItem(discord.ui.DynamicItem[discord.ui.Item[Any]], template=PATTERN):  # type: ignore[type-var]
    """Any button or menu of a review page (filters, paging, bulk decision, confirmation)."""

    def __init__(self, item: discord.ui.Item[Any], act: str, n: int, state: State) -> None:
        super().__init__(item)  # type: ignore[arg-type]
        self.act, self.n, self.state = act, n, state

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewItem:
        return cls(item, *state_of(match))

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        try:
            await act(interaction, self.act, self.n, self.state)
        except Exception as exc:
            await report_error(interaction, exc)


DYNAMIC_ITEMS = (ReviewItem,)
