"""Texts of /penpals answers: a member's application, a round's status."""

from __future__ import annotations

from adapters.slack import views
from adapters.slack.texts import translation
from core.messages import vocab
from core.model import Application, RoundState
from core.rounds.service import RoundStatus


def profile_text(app: Application, lang: str = "en") -> str:
    """Return a member's application as a short summary, in *lang*."""
    _ = translation(lang)
    p = app.profile
    statuses = {
        "pending": _("pending"),
        "approved": _("approved"),
        "declined": _("declined"),
        "waitlisted": _("waitlisted"),
        "withdrawn": _("withdrawn"),
    }
    status = statuses.get(app.status.value, app.status.value)
    lines = [
        _("*{name}*, {country} ({timezone}): application {status}").format(
            name=p.name,
            country=vocab.country_name(p.country, lang),
            timezone=p.timezone,
            status=status,
        ),
        _("Languages: {languages}").format(
            languages=", ".join(vocab.language_name(c, lang) for c in p.languages)
        ),
        _("Sector: {sector}; career stage: {stage}").format(
            sector=_(views.SECTOR_LABELS.get(p.sector, p.sector)),
            stage=_(views.STAGE_LABELS.get(p.career_stage, p.career_stage)),
        ),
    ]
    if p.interests:
        lines.append(_("Interests: {interests}").format(interests=", ".join(p.interests)))
    if p.introduction:
        lines.append(f"> {p.introduction[:300]}")
    lines.append(_("Run `/penpals signup` while applications are open to change it."))
    return "\n".join(lines)


def status_text(status: RoundStatus) -> str:
    """Return a round's state, calendar and counts."""
    r = status.round
    counts = ", ".join(f"{n} {s.value}" for s, n in status.applications.items() if n) or "none"
    dates = [
        ("applications open", r.applications_open_at),
        ("close", r.applications_close_at),
        ("starts", r.starts_at),
        ("ends", r.ends_at),
    ]
    calendar = "; ".join(f"{label} {at:%d %b %Y}" for label, at in dates if at) or "no dates yet"
    lines = [f"*Round {r.name}*: {r.state.value} ({calendar})", f"Applications: {counts}"]
    if status.groups:
        lines.append(
            f"Groups: {status.groups} ({status.trios} trios), {status.members_in_groups} people"
        )
    if r.state is RoundState.MATCHED:
        lines.append(f"Start it with `/penpals round start {r.name}` when the pairs are ready.")
    return "\n".join(lines)
