"""`penpals demo`: rehearse a whole round on SQLite with an in-process chat platform.

Everything real except two things: the platform is adapters.rehearsal (it keeps
what it was sent) and the clock is simulated. The clock jumps from one due moment
to the next, as RoundAutomation.next_due and DeliveryService.next_due name them,
and at each moment the demo does what the engine's jobs would do there (advance
the round, deliver the outbox). Five months of a round take seconds; nothing sleeps.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.rehearsal import RehearsalPlatform
from adapters.storage.engine import database_url
from adapters.storage.migrate import upgrade_async
from bots.bootstrap import Services, build
from bots.reporting import write_report
from bots.settings import Settings
from core.delivery.outbox import ActionState
from core.errors import InvalidValue
from core.matching.service import MatchReport, Person
from core.matching.synthetic import generate_pool
from core.messages import vocab
from core.model import ApplicationStatus, Community, Platform, Round, RoundState
from core.reports.model import SurveyFigures
from core.rounds import applicants_csv
from core.rounds.applicants_csv import ApplicantRow
from core.rounds.lifecycle import TOPIC_COUNT

DEMO_DATABASE = Path("penpals-demo.db")
REPORTS = Path("reports")
COMMUNITY = "rehearsal"  # the only community a demo database ever holds
CADENCE_DAYS = 14
APPLICATION_WINDOW = timedelta(days=14)
MATCHING_WEEK = timedelta(days=7)  # between applications closing and the round start
_TOPIC_POST = re.compile(r"^r\d+:g\d+:t\d+$")  # core.delivery.outbox.topic_post_key
_NUDGE = re.compile(r"^r\d+:g\d+:nudge:")  # core.engagement.service's nudge keys
_OFFER = re.compile(r"^r\d+:g\d+:offer:")  # and its offers of a new partner
ANSWER_BATCH = 1000  # simulated survey answers per transaction
_DETAIL = re.compile(r"^(.*\S) \(([^()]*)\)$")  # "reason (detail)", e.g. a language


class Progress(Protocol):
    """progress(stage, done, total, unit): the CLI shows it, tests pass nothing.

    *unit* names what *done* and *total* count ("day"), when a reader should see them.
    """

    def __call__(self, stage: str, done: float, total: float, unit: str = "") -> None: ...


def _quiet(stage: str, done: float, total: float, unit: str = "") -> None:
    """Ignore progress."""


# What the rehearsal is doing while the round is in each state.
_DOING = {
    RoundState.DRAFT: "planned",
    RoundState.OPEN: "applications open",
    RoundState.CLOSED: "applications closed, matching",
    RoundState.MATCHED: "pairs published, spaces made",
    RoundState.RUNNING: "pairs writing, topics every two weeks",
    RoundState.FINISHED: "round finished, goodbyes sent",
}


class SimulatedClock:
    """A clock that only moves when the rehearsal moves it, and only forward."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def travel(self, to: datetime) -> None:
        """Move to *to* unless that is in the past."""
        self._now = max(self._now, to)


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


# -- running the rehearsal -------------------------------------------------------------


async def rehearse(
    settings: Settings,
    *,
    applicants: Path | None,
    size: int,
    seed: int,
    progress: Progress = _quiet,
    reports: Path = REPORTS,
    platform: RehearsalPlatform | None = None,
) -> DemoSummary:
    """Run a complete round in settings.database_url (recreated) and write its report."""
    started = time.perf_counter()
    rows, source = await asyncio.to_thread(applicant_pool, applicants, size, seed)
    return await rehearse_rows(
        settings,
        rows,
        source=source,
        seed=seed,
        progress=progress,
        reports=reports,
        platform=platform,
        started=started,
    )


def applicant_pool(applicants: Path | None, size: int, seed: int) -> tuple[list[ApplicantRow], str]:
    """Return the applicants to rehearse with (a file's, or generated) and where they came from."""
    if applicants is None:
        return generate_pool(size, seed=seed), f"generated with seed {seed}"
    text = applicants_csv.decode(applicants.read_bytes(), source=str(applicants))
    return applicants_csv.read_applicants(text, source=str(applicants)), str(applicants)


async def rehearse_rows(
    settings: Settings,
    rows: Sequence[ApplicantRow],
    *,
    source: str,
    seed: int,
    progress: Progress = _quiet,
    reports: Path = REPORTS,
    platform: RehearsalPlatform | None = None,
    started: float | None = None,
) -> DemoSummary:
    """Run a complete round for these applicants and write its report.

    *started* is the time.perf_counter() of the command's start, when the wall time
    should include what came before (reading or generating the applicants).
    """
    started = time.perf_counter() if started is None else started
    progress("Preparing the database", 0, 1)
    await fresh_database(settings.database_url)
    progress("Preparing the database", 1, 1)
    clock = SimulatedClock(datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
    platform = platform or RehearsalPlatform(Platform.LOCAL)
    # No schema check: fresh_database migrated this very file a moment ago.
    async with build(settings, clock=clock, check=False) as services:
        _without_fsync(services.engine)
        services.platforms[Platform.LOCAL] = platform
        community = await services.communities.ensure(
            Platform.LOCAL, COMMUNITY, "penpals rehearsal"
        )
        round_ = await _plan(services, community, clock.now())
        calendar = _Calendar(
            services,
            clock,
            round_,
            _Chatter(platform, seed),
            progress,
            _Respondents(services, round_, seed),
        )
        await calendar.run_until(RoundState.OPEN)
        await _apply(services, community, round_.name, rows, progress)
        await calendar.run_until(RoundState.CLOSED)
        progress("Matching", 0, 1)
        matching = await services.matches.publish(community, round_.name, seed=seed)
        progress("Matching", 1, 1)
        await calendar.run_until(RoundState.FINISHED)
        summary = await _summarise(services, community, round_, matching, platform, rows, source)
        report = await services.reports.round_report(community.id, round_.name)
    summary = replace(
        summary,
        surveys=tuple(_survey_line(v) for v in report.rounds[-1].surveys),
        wall_seconds=time.perf_counter() - started,
    )
    written = write_reports(summary, reports)
    charts = await asyncio.to_thread(write_report, report, reports)
    return replace(summary, reports=(*written, *charts))


def _survey_line(v: SurveyFigures) -> str:
    what = "mid-round check-in" if v.kind == "mid" else "end-of-round survey"
    rate = f"{v.response_rate:.0%}" if v.response_rate is not None else "-"
    mean = f", satisfaction {v.satisfaction:.1f} of 5" if v.satisfaction is not None else ""
    return f"{what}: {v.responses:,} of {v.invited:,} answered ({rate}){mean}"


async def fresh_database(url: str) -> None:
    """Recreate the rehearsal's SQLite file from nothing and migrate it."""
    path = sqlite_path(url)
    if path.exists() and not is_rehearsal_database(path):
        raise InvalidValue(
            f"{path} holds something other than a penpals rehearsal: the demo recreates its "
            f"database, so give it a new file (the default is {DEMO_DATABASE})"
        )
    for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    await upgrade_async(url)


def _without_fsync(engine: AsyncEngine) -> None:
    """Let the rehearsal's SQLite file skip the disk flush on every commit.

    A rehearsal needs no protection against power loss, and flushing makes the
    thousands of small outbox commits of a round take half a minute longer.
    Registered before the first connection, so every connection gets it.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent, only unflushed
        cursor.close()


def sqlite_path(url: str) -> Path:
    """Return the file of a SQLite URL, refusing any other database."""
    parsed = database_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise InvalidValue(
            "the rehearsal runs on a SQLite file of its own: give a sqlite:///FILE URL "
            f"or leave --database out (the default is {DEMO_DATABASE})"
        )
    return Path(parsed.database)


def is_rehearsal_database(path: Path) -> bool:
    """Return whether the SQLite file holds nothing but an earlier rehearsal.

    Besides the rehearsal's community, a file the demo made may hold communities with
    no round and no member: a command run on it before commands that only read stopped
    creating their community (`round list`). They hold nothing, so the demo recovers it.
    """
    rehearsal = (Platform.LOCAL.value, COMMUNITY)
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            found = db.execute(
                "SELECT platform, external_id, "
                "EXISTS (SELECT 1 FROM rounds r WHERE r.community_id = c.id) "
                "OR EXISTS (SELECT 1 FROM members m WHERE m.community_id = c.id) "
                "FROM communities c"
            ).fetchall()
    except sqlite3.Error:
        return path.stat().st_size == 0
    communities = {(platform, external) for platform, external, _ in found}
    used = {(platform, external) for platform, external, holds in found if holds}
    return used <= {rehearsal} and (communities <= {rehearsal} or rehearsal in communities)


async def _plan(services: Services, community: Community, now: datetime) -> Round:
    """Create the round: applications open now for two weeks, pairs start a week later."""
    closes = now + APPLICATION_WINDOW
    round_, _ = await services.rounds.create(
        community.id,
        f"{now:%Y}{'A' if now.month <= 6 else 'B'}",
        opens=now,
        closes=closes,
        starts=closes + MATCHING_WEEK,
        cadence_days=CADENCE_DAYS,
    )
    return round_


async def _apply(
    services: Services,
    community: Community,
    round_name: str,
    rows: Sequence[ApplicantRow],
    progress: Progress,
) -> None:
    """Import the applications, then approve every one, as an organiser would."""
    stage = f"Importing and approving {len(rows):,} applicants"
    progress(stage, 0, 2)
    await services.applications.import_rows(community, round_name, rows)
    progress(stage, 1, 2)
    await services.applications.decide(
        community.id, round_name, ApplicationStatus.APPROVED, all_pending=True
    )
    progress(stage, 2, 2)


class _Chatter:
    """Simulate pairs talking in their spaces: most every few days, some fall silent.

    HOOK(nudges): the platform only counts these messages (who and when); they
    matter once the round engine counts activity, so that only the quiet pairs
    are nudged and the others are left alone.
    """

    QUIET_SHARE = 0.1  # pairs that stop talking at some point of the round
    EVERY = timedelta(days=4)

    def __init__(self, platform: RehearsalPlatform, seed: int) -> None:
        self._platform = platform
        self._rng = random.Random(seed)
        self._falls_silent: dict[str, datetime | None] = {}
        self._last: dict[str, datetime] = {}

    def talk(self, now: datetime) -> None:
        """Let every pair that still talks write every few days, up to *now*."""
        for space_id, space in self._platform.spaces.items():
            if space.archived:
                continue
            if space_id not in self._falls_silent:
                quiet = self._rng.random() < self.QUIET_SHARE
                after = timedelta(days=self._rng.choice((10, 30, 50)))
                self._falls_silent[space_id] = now + after if quiet else None
            silent_from = self._falls_silent[space_id]
            last = self._last.get(space_id)
            # The clock jumps from one due moment to the next (often two weeks apart), but
            # pairs write every few days in between: fill those days, as docs/demo.md says.
            at = now if last is None else last + self.EVERY
            while at <= now and (silent_from is None or at < silent_from):
                # Members take turns, so that nobody in a talking pair looks like the quiet one.
                author = space.members[len(space.said) % len(space.members)]
                self._platform.say(space_id, author, at)
                self._last[space_id] = at
                at += self.EVERY


class _Respondents:
    """Simulate members answering the surveys: most at once, some after the reminder.

    Answers go through SurveyService.answer, as a modal's submission does. The mix
    of satisfaction answers is a made-up one close to ILN's 80-90% satisfied.
    """

    AT_ONCE = 0.6  # of the members, when the survey arrives
    AFTER_REMINDER = 0.3  # of those who had not answered, after the reminder
    SATISFACTION = (("1", 2), ("2", 4), ("3", 10), ("4", 44), ("5", 40))

    def __init__(self, services: Services, round_: Round, seed: int) -> None:
        self._services = services
        self._round = round_
        self._rng = random.Random(seed + 1)
        self._seen: set[tuple[int, str]] = set()  # (survey id, "sent" | "reminded")
        self._answered: set[tuple[int, int]] = set()  # (survey id, member id)

    async def answer(self) -> None:
        """Answer what was sent or reminded since the last call (a cheap look otherwise)."""
        async with self._services.uow() as uow:
            surveys = await uow.surveys.for_round(self._round.id)
        due = [
            (survey, stage, share)
            for survey in surveys
            for stage, at, share in (
                ("sent", survey.sent_at, self.AT_ONCE),
                ("reminded", survey.reminded_at, self.AFTER_REMINDER),
            )
            if at is not None and survey.closed_at is None and (survey.id, stage) not in self._seen
        ]
        if not due:
            return
        async with self._services.uow() as uow:
            groups = await uow.groups.list(self._round.id)
            members = sorted({m for g in groups if g.published and g.active for m in g.member_ids})
            refs = await uow.members.refs(members)
        for survey, stage, share in due:
            self._seen.add((survey.id, stage))
            batch = []
            for member_id in members:
                if (survey.id, member_id) in self._answered or self._rng.random() >= share:
                    continue
                self._answered.add((survey.id, member_id))
                batch.append((refs[member_id], self._answers()))
            # Checked as each modal's submission is, written in one transaction.
            for start in range(0, len(batch), ANSWER_BATCH):
                await self._services.surveys.answer_many(
                    survey.id, batch[start : start + ANSWER_BATCH]
                )

    def _answers(self) -> dict[str, Any]:
        rng = self._rng
        scores, weights = zip(*self.SATISFACTION, strict=True)
        return {
            "satisfaction": rng.choices(scores, weights)[0],
            "frequency": rng.choice(("weekly", "fortnightly", "fortnightly", "monthly")),
            "topics": sorted(rng.sample([str(n) for n in range(1, TOPIC_COUNT + 1)], 3)),
            "modes": rng.sample(("chat", "email", "video"), rng.randint(1, 2)),
            "goals": rng.choice(("yes", "yes", "partly", "no", "none")),
            "recommend": rng.choice(("yes", "yes", "yes", "maybe", "no")),
        }


class _Calendar:
    """Move the simulated clock from one due moment to the next, doing what falls due."""

    def __init__(
        self,
        services: Services,
        clock: SimulatedClock,
        round_: Round,
        chatter: _Chatter,
        progress: Progress,
        respondents: _Respondents | None = None,
    ) -> None:
        self._services = services
        self._clock = clock
        self._round = round_
        self._chatter = chatter
        self._respondents = respondents
        self._progress = progress
        self._first = clock.now()
        assert round_.ends_at is not None, "a planned round has an end"
        self._days = (round_.ends_at - self._first).days

    async def run_until(self, state: RoundState) -> None:
        """Advance and deliver at each due moment until the round reaches *state*, drained.

        A finished round is drained once its end survey has closed too.
        """
        automation, delivery = self._services.automation, self._services.delivery
        while True:
            self._chatter.talk(self._clock.now())
            await automation.advance(self._round.id)
            await delivery.run_due()
            if self._respondents is not None:
                await self._respondents.answer()
            current = await self._services.rounds.get(self._round.community_id, self._round.name)
            self._show(current)
            next_step = await automation.next_due(self._round.id)
            next_delivery = await delivery.next_due()
            finished_for_good = state is not RoundState.FINISHED or next_step is None
            if current.state is state and next_delivery is None and finished_for_good:
                return
            upcoming = [t for t in (next_step, next_delivery) if t is not None]
            if not upcoming:
                raise RuntimeError(
                    f"round {current.name} stopped at {current.state.value} before "
                    f"{state.value}: nothing more is due"
                )
            self._clock.travel(min(upcoming))

    def _show(self, current: Round) -> None:
        day = (self._clock.now() - self._first).days
        if day <= self._days:
            what = _DOING.get(current.state, current.state.value)
            self._progress(f"Round {current.name}: {what}", day, self._days, "day")
        else:  # the round is over; its end survey stays open a while longer
            stage = f"Round {current.name} ended on day {self._days}: end-of-round survey open"
            self._progress(stage, self._days, self._days)


# -- what happened ---------------------------------------------------------------------


async def _summarise(
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


# -- the command -----------------------------------------------------------------------


def main(applicants: Path | None, size: int, seed: int, *, database: str | None = None) -> None:
    """Rehearse a round, then print its summary and where its report and database are."""
    from bots import cli_common as cli  # imported lazily, as the CLI imports this module

    started = time.perf_counter()
    settings = Settings(database_url=database or f"sqlite+aiosqlite:///./{DEMO_DATABASE}")
    if applicants is None:
        rows, source = applicant_pool(None, size, seed)
    else:  # read as `penpals match` does: the same line-numbered errors, exit status 2
        rows, source = cli.read_applicants_file(applicants), str(applicants)
    with _progress_bar(cli.err) as progress:
        summary = cli.run(
            rehearse_rows(
                settings, rows, source=source, seed=seed, progress=progress, started=started
            )
        )
    print_summary(cli.out, summary)


@contextmanager
def _progress_bar(console: Console) -> Iterator[Progress]:
    """Yield a progress callback: a rich bar on a terminal, else a plain line per stage."""
    if not console.is_terminal:
        yield _StageLines(console.file)
        return
    bar = RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task("Starting", total=None)

    def show(stage: str, done: float, total: float, unit: str = "") -> None:
        counted = f", {unit} {done:g} of {total:g}" if unit else ""
        bar.update(task, description=stage + counted, completed=done, total=total)

    with bar:
        yield show


class _StageLines:
    """Write one plain line per stage, with the seconds since the start (logs, CI, pipes)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._started = time.perf_counter()
        self._stage = ""

    def __call__(self, stage: str, done: float, total: float, unit: str = "") -> None:
        if stage == self._stage:
            return
        self._stage = stage
        counted = f" ({unit} {done:g} of {total:g})" if unit else ""
        seconds = time.perf_counter() - self._started
        self._stream.write(f"[{seconds:6.1f} s] {stage}{counted}\n")
        self._stream.flush()


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
