"""Reports as data: JSON-ready dicts and CSV rows."""

from __future__ import annotations

from typing import Any

from core.reports.model import Report, RoundFigures
from core.reports.rules import activity_headline, new_countries_note


def to_dict(report: Report) -> dict[str, Any]:
    """Return the report as plain JSON-ready data."""

    def round_dict(f: RoundFigures) -> dict[str, Any]:
        return {
            "round": f.round,
            "state": f.state,
            "starts": f.starts.isoformat() if f.starts else None,
            "participants": f.participants,
            "countries": f.countries,
            "new_countries": f.new_countries,
            "new_country_names": list(f.new_country_names),
            "by_country": {name: n for name, n in f.by_country},
            "groups": f.groups,
            "trios": f.trios,
            "unplaced": f.unplaced,
            "waitlisted": f.waitlisted,
            "active_pairs": f.active_pairs,
            "active_pairs_weeks": [w.isoformat() for w in f.activity_weeks or ()],
            "active_pairs_note": activity_headline(f),
            "pairs_that_wrote": f.pairs_that_wrote,
            "new_countries_note": new_countries_note(f, report.min_group),
            "activity": {w.week.isoformat(): w.active_pairs for w in f.activity},
            "topics": [
                {"number": t.number, "title": t.title, "delivered": t.delivered} for t in f.topics
            ],
            "survey_response_rate": f.survey_response_rate,
            "satisfaction": f.satisfaction,
            "survey_note": f.survey_note,
            "surveys": [
                {
                    "kind": v.kind,
                    "invited": v.invited,
                    "responses": v.responses,
                    "response_rate": v.response_rate,
                    "satisfaction": v.satisfaction,
                    "satisfaction_counts": dict(v.satisfaction_counts),
                    "closed": v.closed,
                }
                for v in f.surveys
            ],
        }

    return {
        "community": report.community,
        "report": report.title,
        "min_group": report.min_group,
        "rounds": [round_dict(f) for f in report.rounds],
        "by_round": [
            {
                "round": b.round,
                "participants": b.participants,
                "countries": b.countries,
                "new_countries": b.new_countries,
            }
            for b in report.by_round
        ],
    }


CSV_HEADER = ("section", "round", "figure", "detail", "value")


def rows(report: Report) -> list[tuple[str, str, str, str, str]]:
    """Return the report as CSV rows (section, round, figure, detail, value); None is ""."""

    def text(value: object) -> str:
        return "" if value is None else str(value)

    out: list[tuple[str, str, str, str, str]] = []
    for f in report.rounds:

        def add(figure: str, value: object, detail: str = "", name: str = f.round) -> None:
            out.append(("round", name, figure, detail, text(value)))

        for figure in (
            "state",
            "starts",
            "participants",
            "countries",
            "new_countries",
            "groups",
            "trios",
            "unplaced",
            "waitlisted",
            "active_pairs",
            "pairs_that_wrote",
            "survey_response_rate",
            "satisfaction",
            "survey_note",
        ):
            add(figure, getattr(f, figure))
        add("active_pairs_note", activity_headline(f))
        add("new_countries_note", new_countries_note(f, report.min_group))
        for name in f.new_country_names:
            add("new_country", "", name)
        for country, n in f.by_country:
            add("country", n, country)
        for w in f.activity:
            add("active_pairs_in_week", w.active_pairs, w.week.isoformat())
        for t in f.topics:
            add("topic_posts_delivered", t.delivered, f"{t.number}. {t.title}".strip())
        for v in f.surveys:
            add("survey_invited", v.invited, v.kind)
            add("survey_responses", v.responses, v.kind)
            add("survey_response_rate", v.response_rate, v.kind)
            add("survey_satisfaction", v.satisfaction, v.kind)
            for score, count in v.satisfaction_counts:
                add("survey_satisfaction_answers", count, f"{v.kind} {score}")
    for b in report.by_round:
        for figure in ("participants", "countries", "new_countries"):
            out.append(("by_round", b.round, figure, "", str(getattr(b, figure))))
    return out
