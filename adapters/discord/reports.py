"""/penpals report [round]: the round's figures and charts, posted to the organisers' channel.

Organisers only. The figures come from core.reports, the charts from
services.report_charts (bots.reporting draws them with matplotlib, in a worker
thread so the bot keeps answering). Counts only, never names or contents.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Sequence
from typing import Any, Protocol, cast

import discord
from discord import app_commands

from adapters.discord import failures, render
from adapters.discord.context import answer, deps, organiser_community
from adapters.discord.organisers import round_names
from adapters.discord.permissions import NEEDED, missing
from core import messages
from core.model import Community
from core.platform import DeliveryFailed, Message
from core.ports import UnitOfWorkFactory
from core.reports import Report, ReportService, to_dict

Charts = Callable[[Report], Sequence[tuple[str, bytes]]]


class _Services(Protocol):
    uow: UnitOfWorkFactory


def report_service(interaction: discord.Interaction) -> ReportService:
    """Return services.reports (made here from the unit of work while bootstrap lacks it)."""
    services = deps(interaction).services
    found = getattr(services, "reports", None)
    if found is not None:
        return cast(ReportService, found)
    return ReportService(uow=cast(_Services, services).uow)


def report_charts(interaction: discord.Interaction) -> Charts | None:
    return cast(Charts | None, getattr(deps(interaction).services, "report_charts", None))


def summary(report: Report, lang: str) -> Message:
    """Return the report as a core Message (core.messages.report_message when it exists)."""
    made = getattr(messages, "report_message", None)
    if made is not None:
        return cast(Message, made(report, lang))
    data = to_dict(report)
    fields: list[tuple[str, str]] = []
    for f in data["rounds"]:
        figures = (
            f"participants {f['participants']}, countries {f['countries']} "
            f"({f['new_countries']} new), groups {f['groups']} ({f['trios']} of three), "
            f"unplaced {f['unplaced']}, waitlisted {f['waitlisted']}, "
            f"active pairs {f['active_pairs']}"
        )
        fields.append((f"Round {f['round']} ({f['state']})", figures))
        if f["by_country"]:
            countries = ", ".join(f"{name} {n}" for name, n in f["by_country"].items())
            fields.append(("Participants by country", countries))
    if len(data["by_round"]) > 1:
        table = "\n".join(
            f"{b['round']}: {b['participants']} participants, {b['countries']} countries"
            for b in data["by_round"]
        )
        fields.append(("By round", table))
    return Message(
        title=f"Report: round {report.title}",
        body=f"{report.community}: counts only (groups under {report.min_group} are folded).",
        fields=tuple(fields),
    )


def _files(pngs: Sequence[tuple[str, bytes]]) -> list[discord.File]:
    return [discord.File(io.BytesIO(data), filename=name) for name, data in pngs]


@app_commands.command(name="report", description="Post a round's figures and charts (organisers)")
@app_commands.autocomplete(round=round_names)
@app_commands.describe(round="The round (default: the latest)")
async def report(interaction: discord.Interaction, round: str | None = None) -> None:
    """Post the report in the organisers' channel; say where it went."""
    community = await organiser_community(interaction)
    # Counting and drawing take longer than Discord's 3 seconds.
    await interaction.response.defer(ephemeral=True, thinking=True)
    made = await report_service(interaction).round_report(community.id, round or None)
    draw = report_charts(interaction)
    pngs = await asyncio.to_thread(draw, made) if draw is not None else []
    embed = render.embed(summary(made, community.settings.default_language))
    where = community.settings.channels.get("organiser_alerts")
    if not where:
        await answer(
            interaction,
            "No organisers' channel is set, so here is the report privately. Choose one with "
            "/setup organiser_alerts:#channel to have reports posted there.",
            embed=embed,
            files=_files(pngs),
        )
        return
    try:
        await _post(interaction, community, int(where), embed, pngs)
    except DeliveryFailed as exc:
        await answer(
            interaction,
            f"The report could not be posted in <#{where}>: {exc}. Here it is privately.",
            embed=embed,
            files=_files(pngs),
        )
        return
    await answer(
        interaction,
        f"The report of round {made.title} is in <#{where}>"
        + (f", with {len(pngs)} charts." if pngs else "."),
    )


async def _post(
    interaction: discord.Interaction,
    community: Community,
    channel_id: int,
    embed: discord.Embed,
    pngs: Sequence[tuple[str, bytes]],
) -> None:
    """Post the report with its charts; Discord's refusals become one sentence."""
    channel = interaction.client.get_partial_messageable(
        channel_id, guild_id=int(community.external_id)
    )
    kwargs: dict[str, Any] = {"embed": embed, "allowed_mentions": discord.AllowedMentions.none()}
    if pngs:
        kwargs["files"] = _files(pngs)
    try:
        await channel.send(**kwargs)
    except discord.HTTPException as exc:
        needed: Sequence[str] = NEEDED["organiser_alerts"]
        cached = interaction.guild.get_channel(channel_id) if interaction.guild else None
        if exc.code == failures.MISSING_PERMISSIONS and cached is not None:
            me = cached.guild.me
            needed = (missing(cached.permissions_for(me), needed) if me else None) or needed
        raise failures.failure(exc, "post the report", needed) from exc


PENPALS_COMMANDS = (report,)  # subcommands of the /penpals group (adapters.discord.privacy)
