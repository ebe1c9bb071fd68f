"""Round reports: counts per round and across rounds, never names or message contents.

Per round: participants (members of published groups), countries, countries new to
the community, groups, trios, unplaced and waitlisted applicants, active pairs (the
pairs that wrote in a typical counted week: the median, over the weeks whose
activity was counted, of the pairs that wrote that week; the weeks are named with
it), the pairs that wrote at least once, and how many pair posts of each topic were
delivered. Across
rounds: participants and countries by round, as the ILN published them.

Surveys: each survey's invited members, responses, response rate and mean
satisfaction, and the satisfaction answers 1-5; the round's headline response rate
and satisfaction come from the end-of-round survey once it has responses, else from
the mid-round check-in.

Privacy: counts only, and a group of fewer than MIN_GROUP people is not broken
down further (a country with fewer people is folded into "other").
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.delivery.outbox import ActionKind, ActionState
from core.errors import NotFound
from core.messages import vocab
from core.model import ApplicationStatus, Group, Round
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.rounds.service import find_round
from core.surveys.queries import round_results

MIN_GROUP = 5
OTHER = "other"
SURVEY_NOT_COLLECTED = "not collected yet"


@dataclass(frozen=True, slots=True)
class TopicUse:
    """How many pair posts of one topic (1-based) reached their pair spaces."""

    number: int
    title: str
    delivered: int


@dataclass(frozen=True, slots=True)
class WeekActivity:
    """How many pairs wrote anything in the week starting on *week* (a Monday, UTC)."""

    week: date
    active_pairs: int


@dataclass(frozen=True, slots=True)
class SurveyFigures:
    """Counts of one survey; no breakdown below MIN_GROUP responses."""

    kind: str  # mid | end
    invited: int
    responses: int
    response_rate: float | None
    satisfaction: float | None
    # ("1".."5", responses), empty when not broken down.
    satisfaction_counts: tuple[tuple[str, int], ...]
    closed: bool


@dataclass(frozen=True, slots=True)
class RoundFigures:
    """The counts of one round."""

    round: str
    state: str
    starts: date | None
    participants: int
    countries: int
    new_countries: int
    # Named only when at least MIN_GROUP participants come from the country.
    new_country_names: tuple[str, ...]
    # (country name, participants), largest first, small countries folded into OTHER.
    by_country: tuple[tuple[str, int], ...]
    groups: int
    trios: int
    unplaced: int
    waitlisted: int
    # Pairs that wrote in a typical week: the median (low) over the counted weeks.
    active_pairs: int
    activity: tuple[WeekActivity, ...]
    topics: tuple[TopicUse, ...]
    survey_response_rate: float | None = None
    satisfaction: float | None = None
    survey_note: str = SURVEY_NOT_COLLECTED
    surveys: tuple[SurveyFigures, ...] = ()
    pairs_that_wrote: int = 0  # in at least one counted week

    @property
    def activity_weeks(self) -> tuple[date, date] | None:
        """Return the first and last counted weeks (Mondays), if any was counted."""
        if not self.activity:
            return None
        return self.activity[0].week, self.activity[-1].week


def activity_headline(f: RoundFigures) -> str:
    """Say how many pairs wrote in a typical week, and which weeks that median is of."""
    weeks = f.activity_weeks
    if weeks is None:
        return "no activity counted yet"
    first, last = weeks
    span = (
        f"the week of {first.isoformat()}"
        if first == last
        else f"the median of {len(f.activity)} weeks counted, weeks of "
        f"{first.isoformat()} to {last.isoformat()}"
    )
    return (
        f"{f.active_pairs} of {f.groups} pairs wrote in a typical week ({span}); "
        f"{f.pairs_that_wrote} wrote at least once"
    )


def new_countries_note(f: RoundFigures, min_group: int = MIN_GROUP) -> str:
    """Say how many countries are new, which are named, and why the others are not."""
    if not f.new_countries:
        return "no country new to the community"
    named = len(f.new_country_names)
    unnamed = f.new_countries - named
    text = f"{f.new_countries} new to the community"
    if named:
        text += f": {', '.join(f.new_country_names)}"
    if unnamed:
        text += (
            f"{'' if named else ':'} {'and ' if named else ''}{unnamed} "
            f"{'country' if unnamed == 1 else 'countries'} with fewer than {min_group} "
            f"participants, not named (small countries are counted under '{OTHER}' so "
            "nobody can be singled out)"
        )
    return text


@dataclass(frozen=True, slots=True)
class ByRound:
    """One line of the table of participants and countries by round."""

    round: str
    participants: int
    countries: int
    new_countries: int


@dataclass(frozen=True, slots=True)
class Report:
    """The report of one round (or of every round) of a community."""

    community: str
    title: str  # the round's name, or "all"
    rounds: tuple[RoundFigures, ...]
    by_round: tuple[ByRound, ...]
    min_group: int = MIN_GROUP


def fold_small(counts: Counter[str], min_group: int = MIN_GROUP) -> tuple[tuple[str, int], ...]:
    """Return the counts largest first, folding those below *min_group* into OTHER."""
    kept = sorted(
        ((k, n) for k, n in counts.items() if n >= min_group), key=lambda kv: (-kv[1], kv[0])
    )
    other = sum(n for n in counts.values() if n < min_group)
    return (*kept, (OTHER, other)) if other else tuple(kept)


class ReportService:
    def __init__(self, *, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def round_report(self, community_id: int, name: str | None = None) -> Report:
        """Report one round (the latest when *name* is None) and the rounds before it."""
        async with self._uow() as uow:
            community = await uow.communities.get(community_id)
            rounds = await uow.rounds.list(community_id)
            if name is None:
                if not rounds:
                    raise NotFound(
                        "the community has no rounds yet: create one with `penpals round create`"
                    )
                chosen = rounds[-1]
            else:
                chosen = await find_round(uow, community_id, name)
            upto = rounds[: [r.id for r in rounds].index(chosen.id) + 1]
            figures = await _figures(uow, upto)
            return Report(community.name, chosen.name, (figures[-1],), _table(figures))

    async def all_rounds(self, community_id: int) -> Report:
        """Report every round of the community, oldest first."""
        async with self._uow() as uow:
            community = await uow.communities.get(community_id)
            rounds = await uow.rounds.list(community_id)
            if not rounds:
                raise NotFound(
                    "the community has no rounds yet: create one with `penpals round create`"
                )
            figures = await _figures(uow, rounds)
            return Report(community.name, "all", tuple(figures), _table(figures))


def _table(figures: Sequence[RoundFigures]) -> tuple[ByRound, ...]:
    return tuple(ByRound(f.round, f.participants, f.countries, f.new_countries) for f in figures)


async def _figures(uow: UnitOfWork, rounds: Sequence[Round]) -> list[RoundFigures]:
    """Return the figures of *rounds* (oldest first); new countries need the earlier ones."""
    seen: set[str] = set()
    out: list[RoundFigures] = []
    for round_ in rounds:
        figures, countries = await _round_figures(uow, round_, seen)
        seen |= countries
        out.append(figures)
    return out


async def _round_figures(
    uow: UnitOfWork, round_: Round, seen: set[str]
) -> tuple[RoundFigures, set[str]]:
    apps = await uow.applications.list(round_.id)
    country_of = {a.member_id: a.profile.country for a in apps}
    groups = await uow.groups.list(round_.id)
    published = [g for g in groups if g.published]
    placed = {m for g in groups for m in g.member_ids}
    members = [m for g in published for m in g.member_ids]
    per_country = Counter(country_of.get(m, "") for m in members)
    per_country.pop("", None)  # a member without an application here: no country to count
    new = set(per_country) - seen
    names = Counter({vocab.country_name(c): n for c, n in per_country.items()})
    activity = await _activity(uow, published)
    return (
        RoundFigures(
            round=round_.name,
            state=round_.state.value,
            starts=round_.starts_at.date() if round_.starts_at else None,
            participants=len(members),
            countries=len(per_country),
            new_countries=len(new),
            new_country_names=tuple(
                sorted(vocab.country_name(c) for c in new if per_country[c] >= MIN_GROUP)
            ),
            by_country=fold_small(names),
            groups=len(published),
            trios=sum(1 for g in published if len(g.member_ids) == 3),
            unplaced=sum(
                1
                for a in apps
                if a.status is ApplicationStatus.APPROVED and a.member_id not in placed
            ),
            waitlisted=sum(1 for a in apps if a.status is ApplicationStatus.WAITLISTED),
            active_pairs=activity[0],
            pairs_that_wrote=activity[2],
            activity=activity[1],
            topics=await _topics(uow, round_),
            **await _surveys(uow, round_),
        ),
        set(per_country),
    )


async def _surveys(uow: UnitOfWork, round_: Round) -> dict[str, Any]:
    """Return the survey fields of a round's figures."""
    community = await uow.communities.get(round_.community_id)
    out: list[SurveyFigures] = []
    for survey in await uow.surveys.for_round(round_.id):
        if survey.sent_at is None:
            continue
        found = await round_results(uow, community, round_, survey.kind, survey=survey)
        out.append(
            SurveyFigures(
                kind=survey.kind.value,
                invited=found.invited,
                responses=found.responses,
                response_rate=found.response_rate,
                satisfaction=found.satisfaction,
                satisfaction_counts=tuple(
                    (str(n), count) for n, (_, count) in enumerate(found.distribution(), 1)
                ),
                closed=found.closed,
            )
        )
    if not out:
        return {"surveys": ()}
    out.sort(key=lambda f: f.kind != "mid")  # mid first, then end
    answered = [f for f in out if f.responses] or out
    headline = answered[-1]
    if not headline.responses:
        note = "no responses yet"
    elif headline.satisfaction is None:
        note = f"fewer than {MIN_GROUP} responses: not broken down"
    else:
        note = ""
    return {
        "surveys": tuple(out),
        "survey_response_rate": headline.response_rate,
        "satisfaction": headline.satisfaction,
        "survey_note": note,
    }


async def _activity(
    uow: UnitOfWork, groups: Sequence[Group]
) -> tuple[int, tuple[WeekActivity, ...], int]:
    """Return the pairs that wrote in a typical week, in each counted week, and at all."""
    counts = await uow.engagement.weeks([g.id for g in groups])
    by_week: defaultdict[date, set[int]] = defaultdict(set)
    active: set[int] = set()
    for c in counts:
        if c.messages > 0:
            by_week[c.week].add(c.group_id)
            active.add(c.group_id)
    weeks = tuple(WeekActivity(w, len(by_week[w])) for w in sorted({c.week for c in counts}))
    typical = statistics.median_low([w.active_pairs for w in weeks]) if weeks else 0
    return typical, weeks, len(active)


async def _topics(uow: UnitOfWork, round_: Round) -> tuple[TopicUse, ...]:
    posts = await uow.outbox.list(
        round_.community_id,
        round_id=round_.id,
        kinds=[ActionKind.POST_TOPIC],
        states=[ActionState.DONE],
    )
    delivered = Counter(int(a.payload["k"]) for a in posts if "k" in a.payload)
    if not delivered:
        return ()
    titles = [t.title for t in await uow.topics.list(round_.community_id)]
    return tuple(
        TopicUse(k + 1, titles[k] if k < len(titles) else "", delivered[k])
        for k in range(max(delivered) + 1)
    )


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
