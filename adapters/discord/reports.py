"""/penpals report [round]: the round's figures and charts, posted to the organisers' channel.

Organisers only. The figures come from core.reports.service, the charts from
services.report_charts (bots.reporting draws them with matplotlib, in a worker
thread so the bot keeps answering). Counts only, never names or contents.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from adapters.discord import failures, render
from adapters.discord.context import answer, deps, organiser_community
from adapters.discord.organisers import round_names
from adapters.discord.permissions import NEEDED, missing
from core.messages import report_texts as messages
from core.model import Community
from core.platform import DeliveryFailed


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
    services = deps(interaction).services
    made = await services.reports.round_report(community.id, round or None)
    pngs = await asyncio.to_thread(services.report_charts, made)
    lang = community.settings.default_language
    embed = render.embed(messages.report_message(made, lang=lang))
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
