"""Render the results of commands (applications, rounds, matchings) as embeds (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import discord

from adapters.discord.render import COLOUR, FIELD_VALUE_MAX, clip
from core import vocab
from core.applications import Decided, Submitted, Withdrawn
from core.matchmaking import MatchReport
from core.model import Application, ApplicationStatus, Profile, Round
from core.rounds import RoundStatus

# How many groups or people a summary lists before saying "and N more".
LIST_MAX = 15

FIELD_LABELS = {
    "name": "Name",
    "country": "Country",
    "timezone": "Time zone",
    "languages": "Languages",
    "sector": "Sector",
    "career_stage": "Career stage",
    "interests": "Interests",
    "introduction": "Introduction",
    "wish_sectors": "Wished sectors",
    "wish_career_stages": "Wished career stages",
    "wish_interests": "Wished interests",
    "wish_countries": "Wished countries",
}


def _embed(title: str, description: str = "") -> discord.Embed:
    return discord.Embed(title=clip(title, 256), description=description or None, colour=COLOUR)


def _listing(lines: Sequence[str], limit: int = LIST_MAX) -> str:
    shown = list(lines[:limit])
    if len(lines) > limit:
        shown.append(f"… and {len(lines) - limit} more")
    return clip("\n".join(shown), FIELD_VALUE_MAX) or "none"


def profile_fields(out: discord.Embed, profile: Profile) -> discord.Embed:
    """Add a profile's fields to an embed."""
    out.add_field(name="Country", value=f"{profile.country_name} ({profile.country})")
    out.add_field(name="Time zone", value=profile.timezone)
    out.add_field(
        name="Languages", value=", ".join(vocab.language_name(c) for c in profile.languages)
    )
    out.add_field(name="Sector", value=profile.sector)
    out.add_field(name="Career stage", value=profile.career_stage)
    if profile.interests:
        out.add_field(name="Interests", value=clip(", ".join(profile.interests), 1024))
    wishes = profile.wishes
    wished = [*wishes.sectors, *(f"{s} career" for s in wishes.career_stages)]
    wished += [*wishes.interests, *(vocab.country_name(c) for c in wishes.countries)]
    if wished:
        out.add_field(name="A partner who is…", value=clip(", ".join(wished), 1024), inline=False)
    if profile.introduction:
        out.add_field(name="Introduction", value=clip(profile.introduction, 1024), inline=False)
    return out


def submitted(result: Submitted) -> discord.Embed:
    """Return the ephemeral summary of a saved application."""
    verb = "received" if result.created else "updated"
    out = _embed(
        f"Application {verb}: round {result.round.name}",
        "This is what was saved. Run /signup again to change it while applications are "
        "open, or /withdraw to leave the round.",
    )
    out.add_field(name="Status", value=result.application.status.value, inline=False)
    return profile_fields(out, result.application.profile)


def application(app: Application, round_name: str) -> discord.Embed:
    """Return a member's application as they see it with /profile."""
    out = _embed(f"Your application to round {round_name}")
    out.add_field(name="Status", value=app.status.value, inline=False)
    return profile_fields(out, app.profile)


def withdrawn(result: Withdrawn) -> str:
    """Return what a member who withdrew is told."""
    text = f"You have left round {result.round.name}."
    if result.group is not None:
        text += " Your partner will be told kindly and the organisers will find them someone new."
    return text + " You are welcome back in a later round."


def invalid(fields: Mapping[str, str]) -> str:
    """Return the ephemeral answer to a form with wrong fields, one line per field."""
    lines = [f"- **{FIELD_LABELS.get(k, k)}**: {why}" for k, why in fields.items()]
    return "Nothing was saved. Please fix these and run /signup again:\n" + "\n".join(lines)


def round_state(round_: Round, what: str) -> str:
    """Return a one-line confirmation of a round command."""
    return f"Round **{round_.name}** {what} (now {round_.state.value})."


def status(item: RoundStatus) -> discord.Embed:
    """Return a round's counts."""
    r = item.round
    out = _embed(f"Round {r.name}: {r.state.value}")
    dates = [
        ("Applications open", r.applications_open_at),
        ("Applications close", r.applications_close_at),
        ("Starts", r.starts_at),
        ("Ends", r.ends_at),
    ]
    for label, at in dates:
        if at is not None:
            out.add_field(name=label, value=discord.utils.format_dt(at, "D"))
    counts = ", ".join(f"{s.value} {n}" for s, n in item.applications.items() if n) or "none yet"
    out.add_field(name="Applications", value=counts, inline=False)
    out.add_field(
        name="Groups",
        value=f"{item.groups} ({item.trios} of three), {item.members_in_groups} people",
        inline=False,
    )
    return out


def match_report(report: MatchReport) -> discord.Embed:
    """Return a matching preview or publication summary."""
    verb = "published" if report.published else "preview"
    out = _embed(
        f"Round {report.round.name}: matching {verb}",
        f"{len(report.groups)} groups, {report.placed} people placed, "
        f"{len(report.unplaced)} unplaced, {len(report.over_cap)} over the country cap.",
    )
    lines = [
        f"{g.number}. " + " · ".join(f"{p.name} ({p.country})" for p in g.members)
        for g in report.groups
    ]
    out.add_field(name="Groups", value=_listing(lines), inline=False)
    if report.unplaced:
        out.add_field(
            name="Unplaced",
            value=_listing([f"{p.name}: {why}" for p, why in report.unplaced]),
            inline=False,
        )
    if report.over_cap:
        out.add_field(
            name="Over the country cap (waitlisted on publish)",
            value=_listing([f"{p.name}: {why}" for p, why in report.over_cap]),
            inline=False,
        )
    if report.published:
        out.set_footer(text="The pair threads are being created now.")
    else:
        out.set_footer(text="Nothing is visible to members yet: /round publish when ready.")
    return out


def review(
    round_name: str, pending: Sequence[Application], shown: int, decided: Decided | None = None
) -> discord.Embed:
    """Return the page of pending applications an organiser decides on."""
    out = _embed(
        f"Round {round_name}: {len(pending)} pending application{'s' if len(pending) != 1 else ''}"
    )
    if decided is not None:
        done = ", ".join(f"<@{x}>" for x in decided.changed) or "nobody"
        note = f"Changed: {done}."
        if decided.skipped:
            note += " Left as they were: " + ", ".join(
                f"<@{x}> ({why})" for x, why in decided.skipped
            )
        out.description = clip(note, 4096)
    for app in pending[:shown]:
        p = app.profile
        out.add_field(
            name=clip(p.name, 256),
            value=clip(
                f"<@{app.member.external_id}> · {p.country_name} · {p.sector} · "
                f"{p.career_stage} · speaks {', '.join(p.languages)}",
                1024,
            ),
            inline=False,
        )
    if len(pending) > shown:
        out.set_footer(text=f"{len(pending) - shown} more after these.")
    return out


def setup_done(
    channels: Mapping[str, str],
    roles: Sequence[str],
    language: str,
    problems: Sequence[str],
) -> discord.Embed:
    """Return the result of /setup: what is configured and what the bot still lacks."""
    out = _embed("penpals setup")
    labels = {
        "pairs": "Pair threads in",
        "forum": "Topic threads in",
        "announcements": "Announcements in",
        "organiser_alerts": "Organiser alerts in",
    }
    for key, label in labels.items():
        value = channels.get(key)
        out.add_field(name=label, value=f"<#{value}>" if value else "not set")
    who = ", ".join(f"<@&{r}>" for r in roles) or "Manage Server only"
    out.add_field(name="Organisers", value=who)
    out.add_field(name="Language", value=f"{vocab.language_name(language)} ({language})")
    if problems:
        out.add_field(name="Missing bot permissions", value=_listing(problems), inline=False)
        out.colour = discord.Colour.orange()
    return out


STATUS_VERBS: Mapping[ApplicationStatus, str] = {
    ApplicationStatus.APPROVED: "approved",
    ApplicationStatus.DECLINED: "declined",
    ApplicationStatus.WAITLISTED: "waitlisted",
}
