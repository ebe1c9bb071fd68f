"""Keeping pairs alive on Discord: the new-partner button and the engagement commands.

/pause, /resume and /volunteer are for members; /round silent is for organisers.

Each handler reads the interaction, makes one call to core.engagement.service and says
what happened, privately. The offer button is a persistent DynamicItem: its
round and group are in its custom id, so a press works after a restart.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Protocol, cast

import discord
from discord import app_commands

from adapters.discord import texts
from adapters.discord.context import (
    answer,
    community_of,
    defer,
    deps,
    member_language,
    member_ref,
    organiser_community,
    report_error,
)
from adapters.discord.organisers import parse_date, round_names
from adapters.discord.render import excerpt
from adapters.discord.scope import ensure_round_here
from core.engagement import rules as engagement
from core.engagement.model import Silence
from core.engagement.service import EngagementService
from core.errors import InvalidValue
from core.messages.i18n import N_
from core.model import Community
from core.ports import Clock, UnitOfWorkFactory


class _Services(Protocol):
    """The part of bots.bootstrap.Services these handlers use (context.ServicesLike lacks it)."""

    uow: UnitOfWorkFactory
    clock: Clock
    engagement: EngagementService


def _services(interaction: discord.Interaction) -> _Services:
    return cast(_Services, deps(interaction).services)


def pause_end(value: str, now: datetime, lang: str = "en") -> datetime:
    """Return the end of a pause typed as YYYY-MM-DD (the rule itself lives in core)."""
    _ = texts.gettext(lang)
    try:
        parsed = parse_date(value, "the date")
    except InvalidValue:
        raise InvalidValue(
            _("{value} is not a date: use YYYY-MM-DD").format(value=excerpt(value))
        ) from None
    if parsed is None:  # an empty option
        raise InvalidValue(_("give the day you will be back, as YYYY-MM-DD"))
    return engagement.pause_end(parsed.astimezone(UTC).date(), now)


# -- the offer of a new partner ---------------------------------------------------------


class NewPartnerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"engagement:new-partner:(?P<round>\d+):(?P<group>\d+)",
):
    """Take up the offer of a new partner (core.engagement.rules.offer_action_id makes the id)."""

    def __init__(self, round_id: int, group: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Find me a new partner",
                style=discord.ButtonStyle.primary,
                custom_id=f"engagement:new-partner:{round_id}:{group}",
            )
        )
        self.round_id = round_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> NewPartnerButton:
        return cls(int(match["round"]), int(match["group"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        lang: str | None = None
        try:
            # Counting the pair's messages again takes longer than Discord's 3 seconds.
            await defer(interaction)
            community = await _community_of_round(interaction, self.round_id)
            lang = await member_language(interaction, community)
            _ = texts.gettext(lang)
            done = await _services(interaction).engagement.accept(
                community, member_ref(interaction), self.round_id
            )
            if done.number is None:
                text = _(
                    "Nobody on the standby list fits you just yet, so the organisers have been "
                    "asked to step in: they will be in touch soon."
                )
            else:
                text = _(
                    "Done: your new partner is {partner}, and your new pair space is on "
                    "its way. The organisers will check in with your previous partner."
                ).format(partner=done.partner)
            await answer(interaction, text)
            # The new pair space is in the outbox: make it now rather than at the next tick.
            deps(interaction).wake(done.round.id)
        except Exception as exc:
            await report_error(interaction, exc, lang)


async def _community_of_round(interaction: discord.Interaction, round_id: int) -> Community:
    """Return the community of the offer's round.

    The offer is usually pressed in a DM, which carries no server, so the round
    in the button says where it belongs; accept() still checks the offer was
    made to this very member. Pressed in a server, the round must be that server's.
    """
    here = await ensure_round_here(interaction, round_id)
    if here is not None:
        return here
    async with _services(interaction).uow() as uow:
        round_ = await uow.rounds.get(round_id)
        return await uow.communities.get(round_.community_id)


# -- member commands ------------------------------------------------------------------


@app_commands.command(name=N_("pause"), description=N_("Step away from your pair for a while"))
@app_commands.guild_only()
@app_commands.rename(until=N_("until"))
@app_commands.describe(until=N_("The day you will be back (YYYY-MM-DD, at most 60 days ahead)"))
async def pause(interaction: discord.Interaction, until: str) -> None:
    """Pause the member's pair: no nudges, and it is not counted silent meanwhile."""
    await defer(interaction)  # the write may wait for another one (an import's batch)
    services = _services(interaction)
    community = await community_of(interaction)
    lang = await member_language(interaction, community)
    ends = pause_end(until, services.clock.now(), lang)
    done = await services.engagement.pause(community, member_ref(interaction), ends)
    _ = texts.gettext(lang)
    await answer(
        interaction,
        _(
            "Paused until {day} (UTC): your pair will not be nudged meanwhile. "
            "Let your partner know, and use /resume if you are back sooner."
        ).format(day=long_date(done.ends, lang)),
    )


def long_date(moment: datetime, lang: str) -> str:
    """Return a date as "Tuesday 02 March 2027", its weekday and month named in *lang*."""
    _ = texts.gettext(lang)
    weekday = _(WEEKDAYS[moment.weekday()])
    month = _(MONTHS[moment.month - 1])
    return _("{weekday} {day} {month} {year}").format(
        weekday=weekday, day=f"{moment.day:02d}", month=month, year=moment.year
    )


WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


@app_commands.command(name=N_("resume"), description=N_("End your pause early"))
@app_commands.guild_only()
async def resume(interaction: discord.Interaction) -> None:
    await defer(interaction)
    community = await community_of(interaction)
    _ = texts.gettext(await member_language(interaction, community))
    ended = await _services(interaction).engagement.resume(community, member_ref(interaction))
    await answer(
        interaction,
        _("Welcome back: your pause has ended. Say hello to your partner when you can.")
        if ended
        else _("You were not paused, so nothing changed."),
    )


@app_commands.command(
    name=N_("volunteer"),
    description=N_("Join the standby list: take a partner whose partner went quiet"),
)
@app_commands.guild_only()
async def volunteer(interaction: discord.Interaction) -> None:
    await defer(interaction)
    community = await community_of(interaction)
    _ = texts.gettext(await member_language(interaction, community))
    added = await _services(interaction).engagement.volunteer(community, member_ref(interaction))
    await answer(
        interaction,
        _(
            "Thank you! You are on the standby list: if a member's partner goes quiet, penpals "
            "may pair you with them in a new pair space."
        )
        if added
        else _("You are already on the standby list: thank you!"),
    )


# -- organisers -----------------------------------------------------------------------


@app_commands.command(name="silent", description="List pairs silent for two weeks or more")
@app_commands.autocomplete(name=round_names)
@app_commands.describe(name="The round")
async def silent(interaction: discord.Interaction, name: str) -> None:
    """List a round's quiet pairs: numbers and days only, never what anyone wrote."""
    # The round group's interaction_check has run already; asking again costs nothing.
    community = await organiser_community(interaction)
    await defer(interaction)
    round_ = await deps(interaction).services.rounds.get(community.id, name)
    pairs = await _services(interaction).engagement.silent_pairs(round_.id)
    await answer(interaction, silent_text(round_.name, pairs))


def silent_text(round_name: str, pairs: list[Silence]) -> str:
    """Return the organisers' list of silent pairs (as counted at the last daily check)."""
    heading, lines = engagement.silent_summary(round_name, pairs)
    if not lines:
        return heading
    return "\n".join([f"{heading}", *(f"- {line}" for line in lines)])[:2000]


DYNAMIC_ITEMS = (NewPartnerButton,)
Command = app_commands.Command[Any, ..., None]
COMMANDS: tuple[Command, ...] = (pause, resume, volunteer)
ROUND_COMMANDS: tuple[Command, ...] = (silent,)  # subcommands of the organisers' /round group
