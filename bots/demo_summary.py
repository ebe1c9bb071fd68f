"""What the rehearsal shows: the round's figures, gathered once it is over, as lines for
the console and as reports/demo-<round>.json and .txt."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from rich.console import Console

from adapters.rehearsal import RehearsalPlatform
from bots.bootstrap import Services
from bots.demo_database import COMMUNITY
from bots.demo_simulation import CADENCE_DAYS
from core.delivery.outbox import ActionState
from core.matching.service import MatchReport, Person
from core.messages import vocab
from core.model import ApplicationStatus, Community, Round
from core.reports.model import SurveyFigures
from core.rounds.applicants_csv import ApplicantRow
from core.rounds.lifecycle import TOPIC_COUNT

_TOPIC_POST = re.compile(r"^r\d+:g\d+:t\d+$")  # core.delivery.outbox.topic_post_key
_NUDGE = re.compile(r"^r\d+:g\d+:nudge:")  # core.engagement.service's nudge keys
_OFFER = re.compile(r"^r\d+:g\d+:offer:")  # and its offers of a new partner
_DETAIL = re.compile(r"^(.*\S) \(([^()]*)\)$")  # "reason (detail)", e.g. a language


@dataclass(frozen=True, slots=True)
class Left:
    """An applicant who got no partner, and why."""

    id: str
    name: str
    country: str
    reason: str


@dataclass(frozen=True, slots=True)
class DemoSummary:
    round: str
    database: str
    source: str  # "generated with seed N" or the applicants file
    applicants: int
    approved: int
    participants: int
    countries: int
    groups: int
    trios: int
    unplaced: tuple[Left, ...]
    waitlisted: tuple[Left, ...]  # over the country cap, carried to the next round
    topics_sent: int
    topics_planned: int
    pair_posts: int
    duplicate_posts: int  # post keys the platform saw more than once: must be 0
    spaces: int
    spaces_archived: int
    announcements: int
    failed_actions: int
    nudges: int  # friendly nudges posted to pairs silent for 14 days
    offers: int  # new partners offered to those left writing alone for 28 days
    organiser_alerts: int  # silent pairs listed, failures, rematches needed
    opened: datetime
    ended: datetime
    wall_seconds: float = 0.0
    reports: tuple[Path, ...] = field(default=())
    surveys: tuple[str, ...] = ()  # one line per survey: responses and satisfaction

    @property
    def simulated_days(self) -> int:
        return (self.ended - self.opened).days


def survey_line(v: SurveyFigures) -> str:
    what = "mid-round check-in" if v.kind == "mid" else "end-of-round survey"
    rate = f"{v.response_rate:.0%}" if v.response_rate is not None else "-"
    mean = f", satisfaction {v.satisfaction:.1f} of 5" if v.satisfaction is not None else ""
    return f"{what}: {v.responses:,} of {v.invited:,} answered ({rate}){mean}"


async def summarise(
    services: Services,
    community: Community,
    planned: Round,
    matching: MatchReport,
    platform: RehearsalPlatform,
    rows: Sequence[ApplicantRow],
    source: str,
) -> DemoSummary:
    """Gather the round's figures from the database and from what the platform received."""
    round_ = await services.rounds.get(community.id, planned.name)
    approved = await services.applications.list(
        community.id, round_.name, [ApplicationStatus.APPROVED, ApplicationStatus.WAITLISTED]
    )
    async with services.uow() as uow:
        failed = await uow.outbox.list(
            community.id, round_id=round_.id, states=[ActionState.FAILED]
        )
    people = [p for g in matching.groups for p in g.members]
    posted = Counter(key for method, key in platform.calls if method == "post")
    dms = {key for method, key in platform.calls if method == "direct_message"}
    messages = [key for space in platform.spaces.values() for key, _ in space.messages]
    topic_posts = [key for key in messages if _TOPIC_POST.match(key)]
    return DemoSummary(
        round=round_.name,
        database=str(services.engine.url.database),
        source=source,
        applicants=len(rows),
        approved=len(approved),
        participants=len(people),
        countries=len({p.country for p in people}),
        groups=len(matching.groups),
        trios=sum(1 for g in matching.groups if len(g.members) == 3),
        unplaced=tuple(_left(p, why) for p, why in matching.unplaced),
        waitlisted=tuple(_left(p, why) for p, why in matching.over_cap),
        topics_sent=len(platform.threads),
        topics_planned=TOPIC_COUNT,
        pair_posts=len(topic_posts),
        duplicate_posts=sum(1 for n in posted.values() if n > 1),
        spaces=len(platform.spaces),
        spaces_archived=sum(1 for s in platform.spaces.values() if s.archived),
        announcements=len(platform.announcements),
        failed_actions=len(failed),
        nudges=sum(1 for key in posted if _NUDGE.match(key)),
        offers=sum(1 for key in dms if _OFFER.match(key)),
        organiser_alerts=len(platform.alerts),
        opened=round_.applications_open_at or planned.created_at or services.clock.now(),
        ended=round_.ends_at or services.clock.now(),
    )


def _left(person: Person, reason: str) -> Left:
    return Left(person.external_id, person.name, person.country, reason)


def summary_lines(s: DemoSummary) -> list[str]:
    """Return the summary as plain lines (the console and the .txt report share them)."""
    return [
        f"Round {s.round}: rehearsed {s.simulated_days} days "
        f"({s.opened:%Y-%m-%d} to {s.ended:%Y-%m-%d}) in {s.wall_seconds:.1f} s",
        f"  applicants       {s.applicants:,} ({s.source}), {s.approved:,} approved",
        f"  participants     {s.participants:,} from {s.countries} countries",
        f"  groups           {s.groups:,} ({s.groups - s.trios:,} pairs, {s.trios} of three)",
        f"  unplaced         {len(s.unplaced)}",
        *_reasons(s.unplaced),
        f"  waitlisted       {len(s.waitlisted)} over the country cap",
        *_by_country(s.waitlisted),
        f"  topics sent      {s.topics_sent} of {s.topics_planned}, every {CADENCE_DAYS} days",
        f"  pair posts       {s.pair_posts:,} ({s.duplicate_posts} sent twice)",
        f"  pair spaces      {s.spaces:,} created, {s.spaces_archived:,} archived with a goodbye",
        f"  nudges           {s.nudges} to pairs silent for 14 days, "
        f"{s.offers} new partners offered at 28",
        *(f"  survey           {line}" for line in s.surveys),
        f"  announcements    {s.announcements}, organiser alerts {s.organiser_alerts}",
        f"  failed actions   {s.failed_actions}",
    ]


def _reasons(people: Sequence[Left]) -> list[str]:
    """Return one line per reason, most frequent first, its details (languages...) counted."""
    details: dict[str, Counter[str]] = {}
    for person in people:
        found = _DETAIL.match(person.reason)
        reason, detail = (found[1], found[2]) if found else (person.reason, "")
        details.setdefault(reason, Counter())[detail] += 1
    lines = []
    for reason, counts in sorted(details.items(), key=lambda item: -item[1].total()):
        named = ", ".join(f"{d} {n}" if n > 1 else d for d, n in counts.most_common() if d)
        lines.append(f"    {counts.total():>4} {reason}" + (f" ({named})" if named else ""))
    return lines


def _by_country(people: Sequence[Left]) -> list[str]:
    counts = Counter(p.country for p in people)
    return [f"    {n:>4} from {vocab.country_name(c)}" for c, n in counts.most_common()]


def write_reports(summary: DemoSummary, folder: Path) -> tuple[Path, ...]:
    """Write reports/demo-<round>.json and .txt; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"demo-{summary.round}"
    data = {k: v for k, v in asdict(summary).items() if k != "reports"}
    data["simulated_days"] = summary.simulated_days
    json_path, text_path = stem.with_suffix(".json"), stem.with_suffix(".txt")
    json_path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    text_path.write_text("\n".join(summary_lines(summary)) + "\n", encoding="utf-8")
    return json_path, text_path


def print_summary(console: Console, summary: DemoSummary) -> None:
    """Print the round summary, the report files and how to look at the database."""
    first, *rest = summary_lines(summary)
    console.print(first, style="bold", markup=False)
    for line in rest:
        console.print(line, markup=False)
    console.print(f"Reports written: {', '.join(str(p) for p in summary.reports)}.")
    console.print(
        f"The rehearsal's database is {summary.database}: look around with "
        f"PENPALS_DATABASE_URL=sqlite:///{summary.database} PENPALS_COMMUNITY=local:{COMMUNITY} "
        f"penpals round show {summary.round}",
        markup=False,
    )
