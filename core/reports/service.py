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
from datetime import date
from typing import Any

from core.delivery.outbox import ActionKind, ActionState
from core.errors import NotFound
from core.messages import vocab
from core.model import ApplicationStatus, Group, Round
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.reports.model import (
    MIN_GROUP,
    ByRound,
    Report,
    RoundFigures,
    SurveyFigures,
    TopicUse,
    WeekActivity,
)
from core.reports.rules import fold_small
from core.rounds.service import find_round
from core.surveys.queries import round_results


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
    posts = await uow.outbox.payloads(round_.id, ActionKind.POST_TOPIC, ActionState.DONE)
    delivered = Counter(int(p["k"]) for p in posts if "k" in p)
    if not delivered:
        return ()
    titles = [t.title for t in await uow.topics.list(round_.community_id)]
    return tuple(
        TopicUse(k + 1, titles[k] if k < len(titles) else "", delivered[k])
        for k in range(max(delivered) + 1)
    )
