"""`penpals demo`: rehearse a whole round on SQLite with an in-process chat platform.

Everything real except two things: the platform is adapters.rehearsal (it keeps
what it was sent) and the clock is simulated. The clock jumps from one due moment
to the next, as RoundAutomation.next_due and DeliveryService.next_due name them,
and at each moment the demo does what the engine's jobs would do there (advance
the round, deliver the outbox). Five months of a round take seconds; nothing sleeps.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from adapters.rehearsal import RehearsalPlatform
from bots.bootstrap import Services, build
from bots.demo_database import COMMUNITY, DEMO_DATABASE, fresh_database, sqlite_path, without_fsync
from bots.demo_simulation import (
    APPLICATION_WINDOW,
    CADENCE_DAYS,
    MATCHING_WEEK,
    Calendar,
    Chatter,
    Progress,
    Respondents,
    SimulatedClock,
    quiet,
)
from bots.demo_summary import DemoSummary, print_summary, summarise, survey_line, write_reports
from bots.reporting import write_report
from bots.settings import Settings
from core.matching.synthetic import generate_pool
from core.model import ApplicationStatus, Community, Platform, Round, RoundState
from core.rounds import applicants_csv
from core.rounds.applicants_csv import ApplicantRow

# The names tests and the CLI reach through bots.demo.
__all__ = [
    "COMMUNITY",
    "DEMO_DATABASE",
    "DemoSummary",
    "Progress",
    "SimulatedClock",
    "main",
    "rehearse",
    "rehearse_rows",
    "sqlite_path",
]
REPORTS = Path("reports")


# -- running the rehearsal -------------------------------------------------------------


async def rehearse(
    settings: Settings,
    *,
    applicants: Path | None,
    size: int,
    seed: int,
    progress: Progress = quiet,
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
    progress: Progress = quiet,
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
        without_fsync(services.engine)
        services.platforms[Platform.LOCAL] = platform
        community = await services.communities.ensure(
            Platform.LOCAL, COMMUNITY, "penpals rehearsal"
        )
        round_ = await _plan(services, community, clock.now())
        calendar = Calendar(
            services,
            clock,
            round_,
            Chatter(platform, seed),
            progress,
            Respondents(services, round_, seed),
        )
        await calendar.run_until(RoundState.OPEN)
        await _apply(services, community, round_.name, rows, progress)
        await calendar.run_until(RoundState.CLOSED)
        progress("Matching", 0, 1)
        matching = await services.matches.publish(community, round_.name, seed=seed)
        progress("Matching", 1, 1)
        await calendar.run_until(RoundState.FINISHED)
        summary = await summarise(services, community, round_, matching, platform, rows, source)
        report = await services.reports.round_report(community.id, round_.name)
    summary = replace(
        summary,
        surveys=tuple(survey_line(v) for v in report.rounds[-1].surveys),
        wall_seconds=time.perf_counter() - started,
    )
    written = write_reports(summary, reports)
    charts = await asyncio.to_thread(write_report, report, reports)
    return replace(summary, reports=(*written, *charts))


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
