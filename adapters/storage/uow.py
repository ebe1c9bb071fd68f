"""The unit of work of core.ports over one SQLAlchemy AsyncSession."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from adapters.storage.applications import SqlApplicationRepository
from adapters.storage.audit import SqlAuditRepository
from adapters.storage.communities import SqlCommunityRepository
from adapters.storage.engagement import SqlEngagementRepository
from adapters.storage.goals import SqlGoalRepository
from adapters.storage.groups import SqlGroupRepository
from adapters.storage.members import SqlMemberRepository
from adapters.storage.outbox import SqlOutboxRepository
from adapters.storage.privacy import SqlPrivacyRepository
from adapters.storage.round_topics import SqlRoundTopicRepository
from adapters.storage.rounds import SqlRoundRepository
from adapters.storage.surveys import SqlSurveyRepository
from adapters.storage.topics import SqlTopicRepository

# Execution option of a read-only unit of work's connection (see engine.py).
READ_ONLY = "penpals_read_only"


class SqlUnitOfWork:
    """One transaction: `async with uow:` then `await uow.commit()`; leaving rolls back.

    A unit of work made with read_only=True only reads: on SQLite it takes no write
    lock, so reads never queue behind writers (nor writers behind them).
    """

    communities: SqlCommunityRepository
    members: SqlMemberRepository
    rounds: SqlRoundRepository
    applications: SqlApplicationRepository
    groups: SqlGroupRepository
    topics: SqlTopicRepository
    round_topics: SqlRoundTopicRepository
    outbox: SqlOutboxRepository
    engagement: SqlEngagementRepository
    privacy: SqlPrivacyRepository
    surveys: SqlSurveyRepository
    audit: SqlAuditRepository

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], *, read_only: bool = False
    ) -> None:
        self._sessionmaker = sessionmaker
        self._session: AsyncSession | None = None
        self._read_only = read_only

    async def __aenter__(self) -> Self:
        if self._read_only:
            session = self._sessionmaker(execution_options={READ_ONLY: True})
        else:
            session = self._sessionmaker()
        self._session = session
        self.communities = SqlCommunityRepository(session)
        self.members = SqlMemberRepository(session)
        self.rounds = SqlRoundRepository(session)
        self.applications = SqlApplicationRepository(session)
        self.groups = SqlGroupRepository(session)
        self.topics = SqlTopicRepository(session)
        self.round_topics = SqlRoundTopicRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.engagement = SqlEngagementRepository(session)
        self.privacy = SqlPrivacyRepository(session)
        self.surveys = SqlSurveyRepository(session)
        self.goals = SqlGoalRepository(session)
        self.audit = SqlAuditRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._active(), None
        try:
            await session.rollback()
        finally:
            await session.close()

    async def commit(self) -> None:
        """Commit everything done since entering (or since the last commit)."""
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit: open one for writing")
        await self._active().commit()

    async def rollback(self) -> None:
        """Undo everything done since entering (or since the last commit)."""
        await self._active().rollback()

    def _active(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session


def unit_of_work_factory(
    bind: AsyncEngine | AsyncConnection | async_sessionmaker[AsyncSession],
) -> Callable[[], SqlUnitOfWork]:
    """Return a factory of units of work over *bind*.

    Given a connection already in a transaction, sessions join it through savepoints
    (their commits release a savepoint), so a test can roll everything back at the end.
    """
    if isinstance(bind, async_sessionmaker):
        sessionmaker = bind
    elif isinstance(bind, AsyncConnection):
        sessionmaker = async_sessionmaker(
            bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
    else:
        # expire_on_commit=False: attributes read after commit would otherwise need
        # a lazy load, which fails under asyncio.
        sessionmaker = async_sessionmaker(bind, expire_on_commit=False)
    return partial(SqlUnitOfWork, sessionmaker)
