"""A matching preview in words, for organisers in chat: the same lines on Discord and Slack.

Pure functions of a MatchReport (core.matching.service): every group with its
members and its reasons in words, the unplaced with why, those over the country cap
(waitlisted when the matching is published) with why, those the organisers
waitlisted, and what the country cap did. Adapters only lay the lines out (embeds,
Block Kit sections) and page them.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from babel.numbers import format_percent

from core.matching import explanations
from core.matching.service import CAP_PREFIX, MatchReport, Person
from core.messages import i18n, vocab
from core.rounds import outcomes


@dataclass(frozen=True, slots=True)
class PreviewText:
    headline: str
    groups: tuple[str, ...]  # one line per group: "3. Ana (Spain), Kofi (Ghana): reasons"
    unplaced: tuple[str, ...]
    over_cap: tuple[str, ...]  # waitlisted on publish by the country cap
    waitlisted: tuple[str, ...]  # waitlisted by the organisers (or the cap, once published)
    cap_note: str

    def lines(self) -> list[str]:
        """Return every line in reading order (headline, cap, groups, the others)."""
        out = [self.headline]
        if self.cap_note:
            out.append(self.cap_note)
        return [*out, *self.groups, *self.unplaced, *self.over_cap, *self.waitlisted]


def _who(p: Person, lang: str) -> str:
    return f"{p.name} ({vocab.country_name(p.country, lang)}, {p.external_id})"


def preview_text(report: MatchReport, *, lang: str = "en") -> PreviewText:
    """Return the report in words in *lang* (organisers' language)."""
    lang = i18n.normalize(lang)
    _ = i18n.translator(lang).gettext
    trios = sum(len(g.members) == 3 for g in report.groups)
    headline = (
        _(
            "Published matching of round {round}: {groups} groups ({trios} of three), "
            "{placed} placed, {unplaced} unplaced, {over} over the country cap."
        )
        if report.published
        else _(
            "Proposed matching of round {round}: {groups} groups ({trios} of three), "
            "{placed} placed, {unplaced} unplaced, {over} over the country cap."
        )
    ).format(
        round=report.round.name,
        groups=len(report.groups),
        trios=trios,
        placed=report.placed,
        unplaced=len(report.unplaced),
        over=len(report.over_cap),
    )
    groups = tuple(
        _("Group {number}: {members}. Why: {reasons}").format(
            number=g.number,
            members=", ".join(
                f"{p.name} ({vocab.country_name(p.country, lang)})" for p in g.members
            ),
            reasons=explanations.for_organisers(
                g.reasons, {p.external_id: p.name for p in g.members}, lang=lang
            )
            or "-",
        )
        for g in report.groups
    )
    unplaced = tuple(
        _("Unplaced: {who}: {reason}").format(
            who=_who(p, lang),
            reason=_unplaced_reason(report, p, why, lang),
        )
        for p, why in report.unplaced
    )
    cap = report.cap or 0.0
    over_cap = tuple(
        _("Over the country cap, waitlisted on publish: {who}: {reason}").format(
            who=_who(p, lang), reason=outcomes.cap_reason(p.country, cap, lang=lang)
        )
        for p, _why in report.over_cap
    )
    over_ids = {p.external_id for p, _why in report.over_cap}
    waitlisted = tuple(
        _("Waitlisted: {who}: {reason}").format(
            who=_who(p, lang),
            reason=outcomes.cap_reason(p.country, cap, lang=lang)
            if note.startswith(CAP_PREFIX) and report.cap
            else outcomes.organiser_reason(note, lang=lang),
        )
        for p, note in report.waitlisted
        if p.external_id not in over_ids
    )
    return PreviewText(headline, groups, unplaced, over_cap, waitlisted, _cap_note(report, lang))


def _unplaced_reason(report: MatchReport, p: Person, why: str, lang: str) -> str:
    code = report.unplaced_codes.get(p.external_id)
    if code is None:
        return why  # a free-text note (older versions, hand edits)
    return explanations.unplaced(code, lang=lang)


def _cap_note(report: MatchReport, lang: str) -> str:
    """Say what the country cap did, in *lang* (the English note as the service wrote it)."""
    if not report.cap_note or report.cap is None:
        return ""
    if lang == i18n.SOURCE:
        return report.cap_note
    _ = i18n.translator(lang).gettext
    share = format_percent(report.cap, locale=lang)
    if "not applied" in report.cap_note:
        return _(
            "Country cap of {share} not applied: the approved come from fewer than "
            "{count} countries, so no round could keep it."
        ).format(share=share, count=math.ceil(1 / report.cap - 1e-9))
    placed = [p.country for g in report.groups for p in g.members]
    if not placed:
        return _("Country cap of {share}: nobody placed.").format(share=share)
    country, top = Counter(placed).most_common(1)[0]
    return _(
        "Country cap of {share} of the matched participants: {over} waitlisted (the latest "
        "applications of the countries over it); the largest country, {country}, has {top} "
        "of {placed} ({top_share})."
    ).format(
        share=share,
        over=len(report.over_cap),
        country=vocab.country_name(country, lang),
        top=top,
        placed=len(placed),
        top_share=format_percent(top / len(placed), "#,##0.0%", locale=lang),
    )
