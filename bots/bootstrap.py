"""The composition root: settings -> engine -> unit of work -> services.

Nothing here is built at import time; each process (CLI command, bot) calls
`build()` once and closes what it built.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.storage.engine import create_engine
from adapters.storage.migrate import check_schema
from adapters.storage.uow import unit_of_work_factory
from bots.settings import Settings
from core.applications import ApplicationService
from core.clock import SystemClock
from core.communities import CommunityService
from core.matchmaking import MatchService
from core.ports import Clock, UnitOfWorkFactory
from core.rounds import RoundService
from core.topic_library import TopicService


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
        yield Services(
            engine=engine,
            uow=uow,
            clock=clock,
            communities=CommunityService(uow=uow),
            rounds=RoundService(uow=uow, clock=clock),
            applications=ApplicationService(uow=uow, clock=clock),
            matches=MatchService(uow=uow, clock=clock),
            topics=TopicService(uow=uow),
        )
    finally:
        await engine.dispose()
