"""Stay under a platform's known request rate instead of running into it.

A token bucket in its GCRA form: on average `rate` requests a second, at most
`burst` at once. Callers reserve a slot without awaiting (atomic on the event loop,
so concurrent callers get consecutive slots) and then sleep until it comes. After
a 429 the server's Retry-After pauses every caller, not only the one refused.
"""

from __future__ import annotations

import asyncio


class Pacer:
    """Hand out request slots at `rate` a second (unlimited when None), `burst` at once."""

    def __init__(self, rate: float | None = None, *, burst: int = 1) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive (or None for no pacing)")
        self._interval = 1 / rate if rate else 0.0
        self._tolerance = max(0, burst - 1) * self._interval
        self._next = 0.0  # when the next request is due at the steady rate
        self._paused_until = 0.0

    async def wait(self) -> None:
        """Sleep until this caller may send its request."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            slot = max(now, self._next - self._tolerance, self._paused_until)
            self._next = max(self._next, slot) + self._interval
            if slot > now:
                await asyncio.sleep(slot - now)
            # A 429 while this caller slept: take a new slot after the pause.
            if loop.time() >= self._paused_until:
                return

    def pause(self, seconds: float) -> None:
        """Hold every request back for *seconds* (the server said Retry-After)."""
        now = asyncio.get_running_loop().time()
        self._paused_until = max(self._paused_until, now + seconds)
        self._next = max(self._next, self._paused_until)
