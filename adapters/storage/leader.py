"""Leadership among processes: only one runs the scheduler and the outbox at a time.

On PostgreSQL the leader holds a session-level advisory lock on a connection of
its own; when the leader dies its connection closes, the lock is released, and a
follower trying every few seconds takes over. SQLite is single-process by design
(one file, one writer): the only process is always the leader.

Every process answers requests (Slack's HTTP requests, Discord's interactions, the
CLI), and a decision taken in a follower enqueues outbox actions the leader must
deliver now, not at its next resync: the follower sends a PostgreSQL NOTIFY on
WAKE_CHANNEL (`wake`), and the leader LISTENs on its lock's own connection and
hands each wake-up to the callbacks given to `on_wake`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# Any constant works, as long as every penpals process uses the same one.
LOCK_ID = 0x70656E70  # "penp"
WAKE_CHANNEL = "penpals_wake"
# A wake-up: the round to advance, or None for "deliver the outbox".
WakeCallback = Callable[[int | None], None]


class Leadership:
    def __init__(self, engine: AsyncEngine, *, retry_seconds: float = 5.0) -> None:
        self._engine = engine
        self._retry = retry_seconds
        self._connection: AsyncConnection | None = None
        self._leading = False
        self._woken: list[WakeCallback] = []

    @property
    def single_process(self) -> bool:
        return self._engine.dialect.name != "postgresql"

    @property
    def leading(self) -> bool:
        """Whether this process runs the engine (always, on SQLite)."""
        return self.single_process or self._leading

    def on_wake(self, callback: WakeCallback) -> None:
        """Call *callback* with each wake-up another process sends while this one leads."""
        self._woken.append(callback)

    async def wake(self, round_id: int | None) -> None:
        """Ask the leader (another process) to advance *round_id*, or to deliver the outbox."""
        if self.single_process:
            return
        async with self._engine.connect() as connection:
            payload = "" if round_id is None else str(round_id)
            await connection.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": WAKE_CHANNEL, "payload": payload},
            )
            await connection.commit()

    def _heard(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        round_id = int(payload) if payload.isdigit() else None
        for callback in self._woken:
            callback(round_id)

    async def _listen(self) -> None:
        """LISTEN on the lock's connection (asyncpg delivers while the connection idles)."""
        assert self._connection is not None
        raw = await self._connection.get_raw_connection()
        driver = raw.driver_connection
        if driver is not None and hasattr(driver, "add_listener"):
            await driver.add_listener(WAKE_CHANNEL, self._heard)

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
        if got and not self._leading:
            self._leading = True
            await self._listen()
        return bool(got)

    async def acquire(self) -> None:
        """Wait until this process leads."""
        while not await self.try_acquire():
            log.info("another penpals process runs the scheduler; waiting to take over")
            await asyncio.sleep(self._retry)

    async def release(self) -> None:
        """Give up the lead: end the lock's session, so that another process takes over."""
        self._leading = False
        if self._connection is not None:
            connection, self._connection = self._connection, None
            # close() alone would hand the connection back to the pool with the session,
            # and so the lock, still alive: nobody could take over until the pool let go.
            await connection.invalidate()
            await connection.close()
