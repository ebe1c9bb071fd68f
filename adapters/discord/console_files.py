"""Files and records from chat: /round audit, /round export (CSV attachments) and
/round import (an applications CSV uploaded back, the rules of `penpals applications import`)."""

from __future__ import annotations

import io
from typing import Any

import discord
from discord import app_commands

from adapters.discord.console_matching import actor, chunks
from adapters.discord.context import deps, organiser_community
from adapters.discord.organisers import round_names
from core import audit
from core.errors import InvalidValue
from core.model import ApplicationStatus
from core.rounds.applicants_csv import CsvInvalid

UPLOAD_MAX = 10 * 1024 * 1024  # the import's own limit (core/rounds/files.py)
EMBEDS_PER_MESSAGE = 5  # 5 x 1,000-character pages: under 6,000 characters a message
PAGE_CHARS = 1000


async def _send_pages(
    interaction: discord.Interaction,
    title: str,
    lines: list[str],
    files: list[discord.File] | None = None,
) -> None:
    """Send *lines* as embeds over as many messages as Discord's limits need (deferred first)."""
    pages = chunks(lines, PAGE_CHARS) or ["(nothing)"]
    embeds = [
        discord.Embed(title=title if i == 0 else f"{title} ({i + 1})", description=text)
        for i, text in enumerate(pages)
    ]
    for start in range(0, len(embeds), EMBEDS_PER_MESSAGE):
        kwargs: dict[str, Any] = {"embeds": embeds[start : start + EMBEDS_PER_MESSAGE]}
        if start == 0 and files:
            kwargs["files"] = files
        await interaction.followup.send(ephemeral=True, **kwargs)


@app_commands.command(name="audit", description="Who decided, edited or published what, and when")
@app_commands.autocomplete(name=round_names)
@app_commands.describe(name="The round")
async def show_audit(interaction: discord.Interaction, name: str) -> None:
    """Show the round's audit log, newest last, with the full log as a CSV attachment."""
    community = await organiser_community(interaction)
    await interaction.response.defer(ephemeral=True, thinking=True)
    entries = await deps(interaction).services.audit.list(community.id, name)
    lines = [
        f"{e.at:%Y-%m-%d %H:%M} · {e.actor} · {e.action} · {e.subject}"
        + (f" · {e.detail}" if e.detail else "")
        for e in entries
    ]
    out = io.StringIO()
    audit.write_audit(entries, out)
    csv_file = discord.File(io.BytesIO(out.getvalue().encode()), filename=f"audit-{name}.csv")
    await _send_pages(
        interaction, f"Round {name}: audit log ({len(entries)} entries)", lines, [csv_file]
    )


@app_commands.command(name="export", description="Download applications or pairs as CSV")
@app_commands.autocomplete(name=round_names)
@app_commands.describe(name="The round", what="Which file", status="Applications of one status")
@app_commands.choices(
    what=[
        app_commands.Choice(name="applications", value="applications"),
        app_commands.Choice(name="pairs", value="pairs"),
    ],
    status=[app_commands.Choice(name=s.value, value=s.value) for s in ApplicationStatus],
)
async def export(
    interaction: discord.Interaction, name: str, what: str, status: str | None = None
) -> None:
    """Attach the round's applications.csv (the CLI's format) or its pairs.csv."""
    community = await organiser_community(interaction)
    await interaction.response.defer(ephemeral=True, thinking=True)
    files = deps(interaction).services.files
    if what == "pairs":
        made = await files.pairs_csv(community, name)
    else:
        statuses = [ApplicationStatus(status)] if status else None
        made = await files.applications_csv(community.id, name, statuses)
    attached = discord.File(io.BytesIO(made.data), filename=made.name)
    await interaction.followup.send(
        f"{made.name}: {made.rows} rows.", file=attached, ephemeral=True
    )


@app_commands.command(name="import", description="Upload an applications CSV (all rows or none)")
@app_commands.autocomplete(name=round_names)
@app_commands.describe(
    name="The round",
    file="A CSV in the format of /round export (applications)",
    approve="Approve every imported applicant",
)
async def import_applications(
    interaction: discord.Interaction, name: str, file: discord.Attachment, approve: bool = False
) -> None:
    """Import every row or none; a refusal lists the problems by line and field."""
    community = await organiser_community(interaction)
    if file.size > UPLOAD_MAX:
        raise InvalidValue(f"{file.filename} is over 10 MB: nothing was changed")
    await interaction.response.defer(ephemeral=True, thinking=True)
    data = await file.read()
    try:
        done = await deps(interaction).services.files.import_applications_csv(
            community, name, data, filename=file.filename, approve=approve, actor=actor(interaction)
        )
    except CsvInvalid as exc:
        problems = [str(p) for p in getattr(exc, "problems", ())]
        await _send_pages(interaction, str(exc), problems)
        return
    await interaction.followup.send(
        f"{file.filename}: {done.created} applications created, {done.updated} updated.",
        ephemeral=True,
    )


ROUND_COMMANDS = (show_audit, export, import_applications)  # subcommands of /round
