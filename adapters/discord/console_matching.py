"""Matching from chat: the whole preview in words (over several embeds and messages), and
/match swap, pair and split, the hand edits that were CLI-only."""

from __future__ import annotations

import re

import discord
from discord import app_commands

from adapters.discord.context import deps, organiser_community
from core.errors import InvalidValue
from core.matching.preview_text import preview_text
from core.matching.service import MatchReport

DESCRIPTION_MAX = 4000  # under Discord's 4,096 characters of an embed description
MESSAGE_EMBED_CHARS = 5800  # under Discord's 6,000 characters over a message's embeds
EMBEDS_MAX = 10  # embeds in one message
MENTION = re.compile(r"^(?:<@!?)?(\d{5,25})>?$")
# Members are named, not numbered, in chat: "Ana (Spain, 1234…)" -> "Ana (Spain)".
USER_ID = re.compile(r", \d{15,20}\)")


def actor(interaction: discord.Interaction) -> str:
    """Name the organiser for the audit log."""
    return f"discord:{interaction.user.id} ({interaction.user.name})"


def chunks(lines: list[str], limit: int = DESCRIPTION_MAX) -> list[str]:
    """Join *lines* into texts of at most *limit* characters, never splitting a line."""
    out: list[str] = []
    current = ""
    for line in lines:
        line = line if len(line) <= limit else line[: limit - 1] + "…"
        if current and len(current) + 1 + len(line) > limit:
            out.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        out.append(current)
    return out


def report_messages(report: MatchReport, lang: str = "en") -> list[list[discord.Embed]]:
    """Return every line of the report as messages of embeds within Discord's limits."""
    text = preview_text(report, lang=lang)
    verb = "published" if report.published else "preview"
    title = f"Round {report.round.name}: matching {verb}"
    footer = (
        "The pair threads are being created now."
        if report.published
        else "Nothing is visible to members yet: /round publish when ready."
    )
    embeds = [
        discord.Embed(title=title if i == 0 else f"{title} ({i + 1})", description=part)
        for i, part in enumerate(chunks([USER_ID.sub(")", x) for x in text.lines()]))
    ]
    embeds[-1].set_footer(text=footer)
    messages: list[list[discord.Embed]] = [[]]
    size = 0
    for e in embeds:
        length = len(e.title or "") + len(e.description or "") + len(footer)
        if messages[-1] and (
            size + length > MESSAGE_EMBED_CHARS or len(messages[-1]) >= EMBEDS_MAX
        ):
            messages.append([])
            size = 0
        messages[-1].append(e)
        size += length
    return messages


async def send_report(interaction: discord.Interaction, report: MatchReport) -> None:
    """Answer with the whole report (the interaction was deferred): one or more messages."""
    for embeds in report_messages(report):
        await interaction.followup.send(embeds=embeds, ephemeral=True)


def member_id(value: str) -> str:
    """Return the Discord user id in a mention (<@123>) or a bare id."""
    found = MENTION.match(value.strip())
    if not found:
        raise InvalidValue(f"{value!r} is not a member: give a mention such as @Ana or a user id")
    return found[1]


async def _names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    from adapters.discord.organisers import round_names  # the shared round autocomplete

    return await round_names(interaction, current)


class MatchCommands(app_commands.Group):
    """Hand edits to a round's proposed groups (organisers only)."""

    def __init__(self) -> None:
        super().__init__(
            name="match",
            description="Edit a round's proposed groups (organisers only)",
            guild_only=True,
        )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        await organiser_community(interaction)
        return True

    @app_commands.command(description="Swap two members between their groups")
    @app_commands.autocomplete(round=_names)
    @app_commands.describe(round="The round", a="A member (mention or id)", b="Another member")
    async def swap(self, interaction: discord.Interaction, round: str, a: str, b: str) -> None:
        community = await organiser_community(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await deps(interaction).services.matches.swap(
            community, round, member_id(a), member_id(b), actor=actor(interaction)
        )
        await send_report(interaction, report)

    @app_commands.command(description="Put two (or three) members in a group of their own")
    @app_commands.autocomplete(round=_names)
    @app_commands.describe(
        round="The round", a="A member (mention or id)", b="Another member", c="A third, if any"
    )
    async def pair(
        self, interaction: discord.Interaction, round: str, a: str, b: str, c: str | None = None
    ) -> None:
        community = await organiser_community(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        ids = [member_id(x) for x in (a, b, c) if x]
        report = await deps(interaction).services.matches.pair(
            community, round, ids, actor=actor(interaction)
        )
        await send_report(interaction, report)

    @app_commands.command(description="Split a group: its members go back to the unplaced")
    @app_commands.autocomplete(round=_names)
    @app_commands.describe(round="The round", group="The group's number in the preview")
    async def split(
        self, interaction: discord.Interaction, round: str, group: app_commands.Range[int, 1]
    ) -> None:
        community = await organiser_community(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await deps(interaction).services.matches.split(
            community, round, group, actor=actor(interaction)
        )
        await send_report(interaction, report)
