"""Leadership among processes: only one runs the scheduler and the outbox at a time.

On PostgreSQL the leader holds a session-level advisory lock on a connection of
its own; when the leader dies its connection closes, the lock is released, and a
follower trying every few seconds takes over. SQLite is single-process by design
(one file, one writer): the only process is always the leader.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# Any constant works, as long as every penpals process uses the same one.
LOCK_ID = 0x70656E70  # "penp"


class Leadership:
    def __init__(self, engine: AsyncEngine, *, retry_seconds: float = 5.0) -> None:
        self._engine = engine
        self._retry = retry_seconds
        self._connection: AsyncConnection | None = None

    @property
    def single_process(self) -> bool:
        return self._engine.dialect.name != "postgresql"

    async def try_acquire(self) -> bool:
        """Take the lead if nobody holds it; return whether this process leads."""
        if self.single_process:
            return True
        if self._connection is None:
            self._connection = await self._engine.connect()
        got = await self._connection.scalar(
            text("SELECT pg_try_advisory_lock(:id)"), {"id": LOCK_ID}
        )
        await self._connection.commit()  # keep no transaction open; the lock is per session
        return bool(got)

    async def acquire(self) -> None:
        """Wait until this process leads."""
        while not await self.try_acquire():
            log.info("another penpals process runs the scheduler; waiting to take over")
            await asyncio.sleep(self._retry)

    async def release(self) -> None:
        """Give up the lead: end the lock's session, so that another process takes over."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            # close() alone would hand the connection back to the pool with the session,
            # and so the lock, still alive: nobody could take over until the pool let go.
            await connection.invalidate()
            await connection.close()
