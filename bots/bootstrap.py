"""The composition root: settings -> engine -> unit of work -> services.

Nothing here is built at import time; each process (CLI command, bot) calls
`build()` once and closes what it built. Each service is built (and its module
imported) when first used: a command that only lists rounds builds the round
service alone, and starts without the delivery, engagement, survey or report code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol, cast

from bots.services_wiring import MAKERS

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from core.audit import AuditService
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


class DatabaseSettings(Protocol):
    """What `build()` reads of the settings (bots.settings.Settings has it)."""

    @property
    def database_url(self) -> str: ...

    @property
    def delivery_concurrency(self) -> int: ...


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


class Services:
    """The wired services of one process; each one is built on first use, then kept.

    The engine, unit of work, clock, platforms and wake-up exist from the start; the
    others are made by bots/services_wiring.py when a command or handler first reads
    them, from these same parts (so every service shares one clock and one engine).
    """

    engine: AsyncEngine
    uow: UnitOfWorkFactory
    clock: Clock
    # Filled by the platform adapters once connected; delivery reads it on every run.
    platforms: dict[Platform, ChatPlatform]
    wake: Wakeup
    delivery_concurrency: int
    communities: CommunityService
    rounds: RoundService
    applications: ApplicationService
    matches: MatchService
    topics: TopicService
    delivery: DeliveryService
    automation: RoundAutomation
    engagement: EngagementService
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

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        uow: UnitOfWorkFactory,
        clock: Clock,
        delivery_concurrency: int = 1,
    ) -> None:
        self.engine = engine
        self.uow = uow
        self.clock = clock
        self.platforms = {}
        self.wake = Wakeup()
        self.delivery_concurrency = delivery_concurrency

    def __getattr__(self, name: str) -> Any:
        # Called only for what is not built yet: build it once, keep it.
        make = MAKERS.get(name)
        if make is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        value = make(self)
        setattr(self, name, value)
        return value


@asynccontextmanager
async def build(
    settings: DatabaseSettings, *, clock: Clock | None = None, check: bool = True
) -> AsyncIterator[Services]:
    """Yield the wired services; refuse to start on an out-of-date schema."""
    from adapters.storage.engine import create_engine
    from adapters.storage.migrate import check_schema
    from adapters.storage.uow import unit_of_work_factory

    engine = create_engine(settings.database_url)
    try:
        if check:
            await check_schema(engine)
        if clock is None:
            from core.clock import SystemClock

            clock = SystemClock()
        yield Services(
            engine=engine,
            uow=cast("UnitOfWorkFactory", unit_of_work_factory(engine)),
            clock=clock,
            delivery_concurrency=settings.delivery_concurrency,
        )
    finally:
        await engine.dispose()
