"""The headline figures of a report as a platform-neutral Message, posted with its charts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.messages import i18n
from core.platform import Message

if TYPE_CHECKING:
    from core.reports.model import Report


def report_message(report: Report, *, lang: str = "en") -> Message:
    """Return the headline figures of a report's latest round, posted with its charts."""
    _ = i18n.translator(lang).gettext
    f = report.rounds[-1]
    fields = [
        (_("Participants"), str(f.participants)),
        (
            _("Countries"),
            _("{countries} ({new} new)").format(countries=f.countries, new=f.new_countries),
        ),
        (_("Pairs and trios"), str(f.groups)),
        (_("Pairs that talked"), str(f.pairs_that_wrote)),
        (_("Unplaced / waitlisted"), f"{f.unplaced} / {f.waitlisted}"),
    ]
    if f.survey_response_rate is not None:
        fields.append((_("Survey responses"), f"{f.survey_response_rate:.0%}"))
    if f.satisfaction is not None:
        fields.append(
            (_("Satisfaction"), _("{mean} out of 5").format(mean=f"{f.satisfaction:.1f}"))
        )
    name = f.round if report.title != "all" else _("all rounds")
    return Message(
        title=_("Report of {round}").format(round=name),
        body=_(
            "Counts only, never names or messages; groups of fewer than 5 people are not "
            "broken down. The charts: participants and countries by round, satisfaction, "
            "and pairs active each week."
        ),
        fields=tuple(fields),
    )
