"""Refuse a signed request that arrives a second time.

Slack signs each request over its timestamp and body, and bolt refuses a bad
signature or a timestamp more than five minutes off. A captured request replayed
within those five minutes still verifies, so this middleware, which runs right
after bolt's verification (AsyncApp's before_authorize slot), remembers the
signatures it has accepted for as long as their timestamp stays acceptable.
The memory is per process: behind several processes, route a workspace to one.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

WINDOW = 60 * 5  # slack_sdk's SignatureVerifier accepts timestamps this far off


class ReplayGuard(AsyncMiddleware):
    """Answer 401 to an HTTP request whose signature was already accepted."""

    def __init__(self, *, window: float = WINDOW, clock: Callable[[], float] = time.time) -> None:
        self._window = window
        self._clock = clock
        self._seen: dict[str, float] = {}  # signature -> request timestamp
        self._order: deque[tuple[float, str]] = deque()  # (timestamp, signature), as seen

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        """Let a first-seen request through; refuse a replay."""
        if req.mode == "socket_mode":  # Slack's own websocket: nothing signed to replay
            return await next()
        signature = req.headers.get("x-slack-signature", [""])[0]
        try:
            stamp = float(req.headers.get("x-slack-request-timestamp", ["0"])[0])
        except ValueError:
            stamp = 0.0
        now = self._clock()
        self._forget(now)
        if not signature or signature in self._seen:
            return BoltResponse(status=401, body={"error": "replayed request"})
        self._seen[signature] = stamp
        self._order.append((stamp, signature))
        return await next()

    def _forget(self, now: float) -> None:
        # A timestamp older than the window fails verification anyway: drop its signature.
        # Requests arrive roughly in timestamp order: dropping from the front until a
        # recent one keeps this cheap under a burst (each signature leaves once).
        while self._order and self._order[0][0] < now - self._window - 1:
            _stamp, signature = self._order.popleft()
            self._seen.pop(signature, None)
