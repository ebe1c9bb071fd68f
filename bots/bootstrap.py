"""The composition root: settings -> engine -> unit of work -> services.

Nothing here is built at import time; each process (CLI command, bot) calls
`build()` once and closes what it built.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.storage.engine import create_engine
from adapters.storage.migrate import check_schema
from adapters.storage.uow import unit_of_work_factory
from bots.reporting import chart_pngs
from bots.settings import Settings
from core.audit import AuditService
from core.clock import SystemClock
from core.communities.service import CommunityService
from core.delivery.broadcast import BroadcastService
from core.delivery.service import DeliveryService
from core.engagement.goals import GoalService
from core.engagement.service import EngagementService
from core.matching.service import MatchService
from core.model import Platform
from core.platform import ChatPlatform
from core.ports import Clock, UnitOfWorkFactory
from core.privacy.service import PrivacyService
from core.reports.model import Report
from core.reports.service import ReportService
from core.rounds.applications import ApplicationService
from core.rounds.automation import RoundAutomation
from core.rounds.files import RoundFiles
from core.rounds.round_topics import RoundTopicService
from core.rounds.schedule_edit import RoundSettingsService
from core.rounds.service import RoundService
from core.rounds.topic_library import TopicService
from core.surveys.service import SurveyService


class Wakeup:
    """Tell the engine that something changed (a round published, opened...).

    Adapters call `services.wake(round_id)` after an organiser command; the engine,
    when running in this process, advances that round and delivers at once instead
    of waiting for its next scheduled moment.
    """

    def __init__(self) -> None:
        self._listeners: list[Callable[[int | None], None]] = []

    def listen(self, listener: Callable[[int | None], None]) -> None:
        self._listeners.append(listener)

    def __call__(self, round_id: int | None = None) -> None:
        for listener in self._listeners:
            listener(round_id)


@dataclass(frozen=True, slots=True)
class Services:
    engine: AsyncEngine
    uow: UnitOfWorkFactory
    clock: Clock
    communities: CommunityService
    rounds: RoundService
    applications: ApplicationService
    matches: MatchService
    topics: TopicService
    # Filled by the platform adapters once connected; delivery reads it on every run.
    platforms: dict[Platform, ChatPlatform]
    delivery: DeliveryService
    automation: RoundAutomation
    engagement: EngagementService
    wake: Wakeup
    surveys: SurveyService
    goals: GoalService
    privacy: PrivacyService
    reports: ReportService
    audit: AuditService
    # (file name, PNG bytes) of a report's charts; blocking, so run it in a thread.
    report_charts: Callable[[Report], Sequence[tuple[str, bytes]]]
    # Issue 13's organiser consoles (see /work/CORE13.md): dates and cadence, a round's
    # topics per language, announcements and broadcasts, CSV files as bytes.
    round_settings: RoundSettingsService
    round_topics: RoundTopicService
    broadcasts: BroadcastService
    files: RoundFiles


@asynccontextmanager
async def build(
    settings: Settings, *, clock: Clock | None = None, check: bool = True
) -> AsyncIterator[Services]:
    """Yield the wired services; refuse to start on an out-of-date schema."""
    engine = create_engine(settings.database_url)
    try:
        if check:
            await check_schema(engine)
        uow = unit_of_work_factory(engine)
        clock = clock or SystemClock()
        platforms: dict[Platform, ChatPlatform] = {}
        rounds = RoundService(uow=uow, clock=clock)
        delivery = DeliveryService(
            uow=uow, clock=clock, platforms=platforms, concurrency=settings.delivery_concurrency
        )
        engagement = EngagementService(uow=uow, clock=clock, platforms=platforms)
        surveys = SurveyService(uow=uow, clock=clock)
        applications = ApplicationService(uow=uow, clock=clock)
        matches = MatchService(uow=uow, clock=clock)
        yield Services(
            engine=engine,
            uow=uow,
            clock=clock,
            communities=CommunityService(uow=uow, clock=clock),
            rounds=rounds,
            applications=applications,
            matches=matches,
            topics=TopicService(uow=uow, clock=clock),
            platforms=platforms,
            delivery=delivery,
            automation=RoundAutomation(
                uow=uow,
                clock=clock,
                rounds=rounds,
                delivery=delivery,
                engagement=engagement,
                surveys=surveys,
            ),
            engagement=engagement,
            wake=Wakeup(),
            surveys=surveys,
            goals=GoalService(uow=uow, clock=clock),
            privacy=PrivacyService(uow=uow, clock=clock),
            reports=ReportService(uow=uow),
            audit=AuditService(uow=uow),
            report_charts=chart_pngs,
            round_settings=RoundSettingsService(uow=uow, clock=clock),
            round_topics=RoundTopicService(uow=uow, clock=clock),
            broadcasts=BroadcastService(uow=uow, clock=clock),
            files=RoundFiles(uow=uow, clock=clock, applications=applications, matches=matches),
        )
    finally:
        await engine.dispose()
