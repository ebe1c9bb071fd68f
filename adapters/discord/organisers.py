"""Organiser commands: /round, /applications review (with buttons) and /setup.

Each group checks the organiser rule before anything else runs, so anyone else
gets an ephemeral refusal and nothing changes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands

from adapters.discord import autocomplete, summaries
from adapters.discord import console_review as review
from adapters.discord.console_matching import send_report
from adapters.discord.context import (
    answer,
    community_of,
    defer,
    deps,
    organiser_community,
)
from adapters.discord.permissions import NEEDED, missing_in, names
from adapters.discord.render import excerpt
from core.errors import InvalidValue
from core.model import ApplicationStatus

A = ApplicationStatus


def parse_date(value: str | None, label: str) -> datetime | None:
    """Parse YYYY-MM-DD (or a full ISO time) as UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidValue(f"{label} {excerpt(value)} is not a date: use YYYY-MM-DD") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def round_names(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Suggest the community's rounds, newest first."""
    community = await community_of(interaction)
    rounds = await deps(interaction).services.rounds.list(community.id)
    q = current.strip().casefold()
    return [
        app_commands.Choice(name=f"{s.round.name} ({s.round.state.value})", value=s.round.name)
        for s in rounds
        if q in s.round.name.casefold()
    ][: autocomplete.MAX_CHOICES]


class OrganiserGroup(app_commands.Group):
    """A command group only organisers may use.

    The check reads the community without a write lock, so anyone else is refused at
    once; each command then defers before its database work (context.defer).
    """

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        await organiser_community(interaction)
        return True


@app_commands.guild_only()
class RoundCommands(OrganiserGroup, name="round", description="Run rounds (organisers only)"):
    @app_commands.command(description="Create a draft round")
    @app_commands.describe(
        name="A short name such as 2027A",
        opens="When applications open (YYYY-MM-DD)",
        closes="When applications close (YYYY-MM-DD)",
        starts="When pairs begin (YYYY-MM-DD)",
        ends="When the round ends (YYYY-MM-DD; default: after the last topic)",
        cadence_days="Days between topics",
    )
    async def create(
        self,
        interaction: discord.Interaction,
        name: str,
        opens: str | None = None,
        closes: str | None = None,
        starts: str | None = None,
        cadence_days: app_commands.Range[int, 1, 90] = 14,
        ends: str | None = None,
    ) -> None:
        community = await organiser_community(interaction)
        await defer(interaction)
        round_, carried = await deps(interaction).services.rounds.create(
            community.id,
            name,
            opens=parse_date(opens, "opening date"),
            closes=parse_date(closes, "closing date"),
            starts=parse_date(starts, "start date"),
            ends=parse_date(ends, "end date"),
            cadence_days=cadence_days,
            actor=review.actor(interaction),
        )
        text = summaries.round_state(round_, "created")
        if carried:
            text += f" {carried} waitlisted applicants were carried over as pending."
        await answer(interaction, text + " Open it with /round open when ready.")
        # Its calendar (opening date...) is the engine's to follow from now on.
        deps(interaction).wake(round_.id)

    @app_commands.command(description="Open applications")
    @app_commands.autocomplete(name=round_names)
    @app_commands.describe(name="The round")
    async def open(self, interaction: discord.Interaction, name: str) -> None:
        await _move(interaction, name, "open", "is open for applications")

    @app_commands.command(description="Close applications")
    @app_commands.autocomplete(name=round_names)
    @app_commands.describe(name="The round")
    async def close(self, interaction: discord.Interaction, name: str) -> None:
        await _move(interaction, name, "close", "is closed to applications")

    @app_commands.command(name="match-preview", description="Match approved applicants (private)")
    @app_commands.autocomplete(name=round_names)
    @app_commands.describe(name="The round")
    async def match_preview(self, interaction: discord.Interaction, name: str) -> None:
        community = await organiser_community(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await deps(interaction).services.matches.preview(
            community, name, actor=review.actor(interaction)
        )
        await send_report(interaction, report)

    @app_commands.command(description="Publish the matching: create the pair threads")
    @app_commands.autocomplete(name=round_names)
    @app_commands.describe(name="The round")
    async def publish(self, interaction: discord.Interaction, name: str) -> None:
        d = deps(interaction)
        community = await organiser_community(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await d.services.matches.publish(community, name, actor=review.actor(interaction))
        await send_report(interaction, report)
        d.wake(report.round.id)

    @app_commands.command(description="Pair again members left without a partner")
    @app_commands.autocomplete(name=round_names)
    @app_commands.describe(name="The round")
    async def rematch(self, interaction: discord.Interaction, name: str) -> None:
        d = deps(interaction)
        community = await organiser_community(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await d.services.matches.rematch(community, name, actor=review.actor(interaction))
        await send_report(interaction, report)
        d.wake(report.round.id)

    @app_commands.command(description="Start the round: topics follow the calendar")
    @app_commands.autocomplete(name=round_names)
    @app_commands.describe(name="The round")
    async def start(self, interaction: discord.Interaction, name: str) -> None:
        await _move(interaction, name, "start", "has started")

    @app_commands.command(description="Finish the round")
    @app_commands.autocomplete(name=round_names)
    @app_commands.describe(name="The round")
    async def finish(self, interaction: discord.Interaction, name: str) -> None:
        await _move(interaction, name, "finish", "has finished")

    @app_commands.command(description="Show a round's counts")
    @app_commands.autocomplete(name=round_names)
    @app_commands.describe(name="The round")
    async def status(self, interaction: discord.Interaction, name: str) -> None:
        community = await organiser_community(interaction)
        await defer(interaction)  # counting a large round's applications takes a while
        item = await deps(interaction).services.rounds.status(community.id, name)
        await answer(interaction, embed=summaries.status(item))


async def _move(interaction: discord.Interaction, name: str, verb: str, phrase: str) -> None:
    """Move a round along (open, close, start, finish), say so, and wake the engine."""
    d = deps(interaction)
    community = await organiser_community(interaction)
    await defer(interaction)  # the write may wait for another one (an import's batch)
    round_ = await getattr(d.services.rounds, verb)(
        community.id, name, actor=review.actor(interaction)
    )
    await answer(interaction, summaries.round_state(round_, phrase))
    d.wake(round_.id)


# -- reviewing applications: adapters/discord/console_review.py -----------------------


@app_commands.guild_only()
class ApplicationCommands(
    OrganiserGroup, name="applications", description="Decide on applications (organisers only)"
):
    @app_commands.command(description="Filter, page and decide on a round's applications")
    @app_commands.autocomplete(round=round_names)
    @app_commands.describe(
        round="The round",
        status="Show only this status (default: pending)",
        country="Show only this country (ISO code, e.g. FI)",
        sector="Show only this sector",
        career_stage="Show only this career stage",
        name="Search by part of the name",
        page="Skip to this page",
    )
    @app_commands.choices(
        status=[app_commands.Choice(name=s.value, value=c) for c, s in review.STATUS_CODES.items()]
        + [app_commands.Choice(name="any", value="")]
    )
    async def review(
        self,
        interaction: discord.Interaction,
        round: str,
        status: str = "p",
        country: app_commands.Range[str, 0, 3] = "",
        sector: app_commands.Range[str, 0, 20] = "",
        career_stage: app_commands.Range[str, 0, 20] = "",
        name: app_commands.Range[str, 0, review.NAME_MAX] = "",
        page: app_commands.Range[int, 1, 10000] = 1,
    ) -> None:
        await organiser_community(interaction)
        await defer(interaction)  # a large round's applications are read whole
        state = review.State(
            round,
            status,
            country.upper(),
            sector.lower(),
            career_stage.lower(),
            name,
            (page - 1) * review.PAGE,
        )
        embed, view = await review.render(interaction, state)
        await answer(interaction, embed=embed, view=view)


# -- setup -----------------------------------------------------------------------------


async def _language_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=n, value=v) for n, v in autocomplete.languages(current)]


class TextChannelOnly(app_commands.Transformer):
    """A plain text channel: Discord makes private threads there, not in announcement channels.

    The option offers text channels only (channel_types [0]); a channel of another kind
    (from a command registered before this rule) is passed on for setup() to refuse.
    """

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text]

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> Any:
        return value


@app_commands.command(description="Choose penpals' channels, organiser role and language")
@app_commands.guild_only()
@app_commands.describe(
    pairs="Text channel that holds the private pair threads",
    forum="Forum (or text) channel for the public topic threads",
    announcements="Channel for round announcements",
    organiser_alerts="Private channel for notices to organisers",
    organiser_role="Role whose members may run organiser commands",
    language="The community's default language",
    contact="Whom members contact for help: a name, @mention or address (shown to members)",
    hours_per_month="Time commitment asked of each member, in hours a month",
    guidance="Your own words added to the cultural-sensitivity guidance members get",
)
@app_commands.autocomplete(language=_language_choices)
async def setup(
    interaction: discord.Interaction,
    pairs: app_commands.Transform[discord.abc.GuildChannel, TextChannelOnly] | None = None,
    forum: discord.ForumChannel | discord.TextChannel | None = None,
    announcements: discord.TextChannel | None = None,
    organiser_alerts: discord.TextChannel | None = None,
    organiser_role: discord.Role | None = None,
    language: str | None = None,
    contact: app_commands.Range[str, 0, 200] | None = None,
    hours_per_month: app_commands.Range[int, 1, 40] | None = None,
    guidance: app_commands.Range[str, 0, 1000] | None = None,
) -> None:
    """Save the chosen settings, then report any permission the bot lacks, by name."""
    community = await organiser_community(interaction)
    await defer(interaction)
    if pairs is not None and getattr(pairs, "type", None) is not discord.ChannelType.text:
        raise InvalidValue(
            f"<#{pairs.id}> cannot hold private threads: choose a text channel "
            "(not an announcement channel) for pairs; nothing changed"
        )
    chosen = {
        "pairs": pairs,
        "forum": forum,
        "announcements": announcements,
        "organiser_alerts": organiser_alerts,
    }
    channels = {k: str(c.id) for k, c in chosen.items() if c is not None}
    settings = await deps(interaction).services.communities.configure(
        community.id,
        default_language=language,
        organiser_roles=(str(organiser_role.id),) if organiser_role else None,
        channels=channels or None,
        contact=contact,
        hours_per_month=hours_per_month,
        guidance=guidance,
        actor=review.actor(interaction),
    )
    done = summaries.setup_done(
        settings.channels,
        settings.organiser_roles,
        settings.default_language,
        _permission_problems(interaction, settings.channels),
    )
    practices = settings.practices
    done.add_field(
        name="Practices (shown to members)",
        value=(
            f"Contact: {practices.contact or 'the organisers'}\n"
            f"Time commitment: {practices.hours_per_month} hours a month\n"
            f"Guidance of your own: {'yes' if practices.guidance else 'none'}"
        ),
        inline=False,
    )
    await answer(interaction, embed=done)


def _permission_problems(interaction: discord.Interaction, channels: dict[str, str]) -> list[str]:
    """Return one line per configured channel where the bot lacks something it needs."""
    guild = interaction.guild
    problems = []
    for role, channel_id in channels.items():
        if role not in NEEDED:
            continue
        channel = guild.get_channel(int(channel_id)) if guild else None
        if channel is None:
            problems.append(f"<#{channel_id}>: the bot cannot see this channel (View Channels)")
            continue
        needed = list(NEEDED[role])
        if role == "announcements" and not channels.get("forum"):
            # Without a forum, each topic opens a thread on a message posted here.
            needed += [f for f in NEEDED["topic_threads"] if f not in needed]
        lacking = missing_in(channel, needed)
        if lacking:
            problems.append(f"<#{channel_id}>: {names(lacking)}")
    return problems


DYNAMIC_ITEMS = review.DYNAMIC_ITEMS
COMMANDS = (RoundCommands(), ApplicationCommands(), setup)
