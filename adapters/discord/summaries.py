"""Render the results of commands (applications, rounds, matchings) as embeds (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import discord

from adapters.discord import texts
from adapters.discord.render import COLOUR, FIELD_VALUE_MAX, clip
from core.matching import explanations
from core.matching.service import GroupView, MatchReport
from core.messages import vocab
from core.messages.i18n import N_
from core.model import Application, ApplicationStatus, Profile, Round
from core.rounds.applications import Decided, Submitted, Withdrawn
from core.rounds.service import RoundStatus

# How many groups or people a summary lists before saying "and N more".
LIST_MAX = 15

FIELD_LABELS = {
    "name": N_("Name"),
    "country": N_("Country"),
    "timezone": N_("Time zone"),
    "languages": N_("Languages"),
    "sector": N_("Sector"),
    "career_stage": N_("Career stage"),
    "interests": N_("Interests"),
    "introduction": N_("Introduction"),
    "wish_sectors": N_("Wished sectors"),
    "wish_career_stages": N_("Wished career stages"),
    "wish_interests": N_("Wished interests"),
    "wish_countries": N_("Wished countries"),
}
# Also the names of /signup's choices (Discord localises them with the same catalog).
SECTOR_NAMES = {
    "academic": N_("Academic"),
    "public": N_("Public"),
    "school": N_("School"),
    "special": N_("Special"),
    "national": N_("National"),
    "government": N_("Government"),
    "health": N_("Health"),
    "other": N_("Other"),
}
STAGE_NAMES = {
    "student": N_("Student"),
    "early": N_("Early"),
    "mid": N_("Mid"),
    "senior": N_("Senior"),
}
# Whole phrases, so that each language can word them (the wishes of /signup's form).
SECTOR_WISHES = {
    "academic": N_("In an academic library"),
    "public": N_("In a public library"),
    "school": N_("In a school library"),
    "special": N_("In a special library"),
    "national": N_("In a national library"),
    "government": N_("In a government library"),
    "health": N_("In a health library"),
    "other": N_("In another kind of library"),
}
STAGE_WISHES = {
    "student": N_("A student"),
    "early": N_("Early in their career"),
    "mid": N_("In mid career"),
    "senior": N_("Senior in their career"),
}
STATUS_NAMES = {
    ApplicationStatus.PENDING: N_("pending"),
    ApplicationStatus.APPROVED: N_("approved"),
    ApplicationStatus.DECLINED: N_("declined"),
    ApplicationStatus.WAITLISTED: N_("waitlisted"),
    ApplicationStatus.WITHDRAWN: N_("withdrawn"),
}


def _embed(title: str, description: str = "") -> discord.Embed:
    return discord.Embed(title=clip(title, 256), description=description or None, colour=COLOUR)


def _listing(lines: Sequence[str], limit: int = LIST_MAX) -> str:
    shown = list(lines[:limit])
    if len(lines) > limit:
        shown.append(f"… and {len(lines) - limit} more")
    return clip("\n".join(shown), FIELD_VALUE_MAX) or "none"


def sector_name(sector: str, lang: str = "en") -> str:
    return texts.gettext(lang)(SECTOR_NAMES.get(sector, sector))


def stage_name(stage: str, lang: str = "en") -> str:
    return texts.gettext(lang)(STAGE_NAMES.get(stage, stage))


def profile_fields(out: discord.Embed, profile: Profile, lang: str = "en") -> discord.Embed:
    """Add a profile's fields to an embed, in *lang*."""
    _ = texts.gettext(lang)
    country = vocab.country_name(profile.country, lang)
    out.add_field(name=_("Country"), value=f"{country} ({profile.country})")
    out.add_field(name=_("Time zone"), value=profile.timezone)
    out.add_field(
        name=_("Languages"),
        value=", ".join(vocab.language_name(c, lang) for c in profile.languages),
    )
    out.add_field(name=_("Sector"), value=sector_name(profile.sector, lang))
    out.add_field(name=_("Career stage"), value=stage_name(profile.career_stage, lang))
    if profile.interests:
        out.add_field(name=_("Interests"), value=clip(", ".join(profile.interests), 1024))
    wishes = profile.wishes
    wished = [_(SECTOR_WISHES[x]) for x in wishes.sectors if x in SECTOR_WISHES]
    wished += [_(STAGE_WISHES[x]) for x in wishes.career_stages if x in STAGE_WISHES]
    wished += [*wishes.interests, *(vocab.country_name(c, lang) for c in wishes.countries)]
    if wished:
        out.add_field(
            name=_("A partner who is…"), value=clip(", ".join(wished), 1024), inline=False
        )
    if profile.introduction:
        out.add_field(name=_("Introduction"), value=clip(profile.introduction, 1024), inline=False)
    return out


def submitted(result: Submitted, lang: str = "en") -> discord.Embed:
    """Return the ephemeral summary of a saved application."""
    _ = texts.gettext(lang)
    title = (
        _("Application received: round {round}")
        if result.created
        else _("Application updated: round {round}")
    )
    out = _embed(
        title.format(round=result.round.name),
        _(
            "This is what was saved. Run /signup again to change it while applications are "
            "open, or /withdraw to leave the round."
        ),
    )
    out.add_field(name=_("Status"), value=_(STATUS_NAMES[result.application.status]), inline=False)
    return profile_fields(out, result.application.profile, lang)


def application(app: Application, round_name: str, lang: str = "en") -> discord.Embed:
    """Return a member's application as they see it with /profile."""
    _ = texts.gettext(lang)
    out = _embed(_("Your application to round {round}").format(round=round_name))
    out.add_field(name=_("Status"), value=_(STATUS_NAMES[app.status]), inline=False)
    return profile_fields(out, app.profile, lang)


def withdrawn(result: Withdrawn, lang: str = "en") -> str:
    """Return what a member who withdrew is told."""
    _ = texts.gettext(lang)
    if result.group is not None:
        text = _(
            "You have left round {round}. Your partner will be told kindly and the organisers "
            "will find them someone new. You are welcome back in a later round."
        )
    else:
        text = _("You have left round {round}. You are welcome back in a later round.")
    return text.format(round=result.round.name)


def invalid(fields: Mapping[str, str], lang: str = "en") -> str:
    """Return the ephemeral answer to a form with wrong fields, one line per field."""
    _ = texts.gettext(lang)
    lines = [
        f"- **{_(FIELD_LABELS[k]) if k in FIELD_LABELS else k}**: {why}"
        for k, why in fields.items()
    ]
    return _("Nothing was saved. Please fix these and run /signup again:") + "\n" + "\n".join(lines)


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


def _why(group: GroupView) -> str:
    """Return a group's reasons in words, by name (as members read them in the introduction)."""
    names = {p.external_id: p.name for p in group.members}
    return explanations.for_organisers(group.reasons, names)


def match_report(report: MatchReport) -> discord.Embed:
    """Return a matching preview or publication summary."""
    verb = "published" if report.published else "preview"
    out = _embed(
        f"Round {report.round.name}: matching {verb}",
        f"{len(report.groups)} groups, {report.placed} people placed, "
        f"{len(report.unplaced)} unplaced, {len(report.over_cap)} over the country cap.",
    )
    lines = [
        f"{g.number}. "
        + " · ".join(f"{p.name} ({p.country})" for p in g.members)
        + (f": {why}" if (why := _why(g)) else "")
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
