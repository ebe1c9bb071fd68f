"""Keep under Slack's rate limits instead of running into them.

Slack limits each Web API method per workspace (tiers: Tier 2 about 20 calls a
minute, Tier 3 about 50, Tier 4 about 100) and chat.postMessage to about one
message a second per channel. The pacer hands out evenly spaced slots per method
(and per channel where the limit is per channel); a 429 that still gets through
pushes the method's next slot back by Retry-After. Tests pass faster limits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field

TIER_2 = 60 / 20
TIER_3 = 60 / 50
TIER_4 = 60 / 100

# Seconds between two calls of a method in one workspace, from Slack's published tiers.
SLACK_INTERVALS: Mapping[str, float] = {
    "conversations.create": TIER_2,
    "conversations.setPurpose": TIER_2,
    "conversations.archive": TIER_2,
    "conversations.list": TIER_2,
    "conversations.invite": TIER_3,
    "conversations.open": TIER_3,
    "conversations.history": TIER_3,
    "conversations.close": TIER_3,
    "conversations.join": TIER_3,
    "conversations.info": TIER_3,
    "conversations.members": TIER_4,
    "chat.getPermalink": TIER_4,
    "users.info": TIER_4,
    "usergroups.users.list": TIER_2,
    # chat.postMessage has no tier: about one a second per channel, plus a
    # workspace-wide ceiling of several hundred a minute.
    "chat.postMessage": 0.2,
}
PER_CHANNEL_INTERVALS: Mapping[str, float] = {"chat.postMessage": 1.0}


@dataclass(frozen=True, slots=True)
class Limits:
    """Seconds between calls, per method and per (method, channel)."""

    per_method: Mapping[str, float] = field(default_factory=lambda: dict(SLACK_INTERVALS))
    per_channel: Mapping[str, float] = field(default_factory=lambda: dict(PER_CHANNEL_INTERVALS))

    def scaled(self, factor: float) -> Limits:
        """Return these limits with every interval multiplied by *factor* (tests: 0.001)."""
        return Limits(
            {m: s * factor for m, s in self.per_method.items()},
            {m: s * factor for m, s in self.per_channel.items()},
        )

    def seconds_for(self, method: str, calls: int) -> float:
        """Return how long *calls* calls of *method* take at this pace."""
        return max(0, calls - 1) * self.per_method.get(method, 0.0)


class Pacer:
    """Hand out evenly spaced call slots; callers sleep until theirs comes."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._next: dict[tuple[str, str], float] = {}

    async def wait(self, method: str, channel: str | None = None) -> None:
        """Sleep until *method* (on *channel*) may be called again."""
        delays = [self._reserve((method, ""), self.limits.per_method.get(method, 0.0))]
        if channel is not None:
            per_channel = self.limits.per_channel.get(method, 0.0)
            delays.append(self._reserve((method, channel), per_channel))
        delay = max(delays)
        if delay > 0:
            await asyncio.sleep(delay)

    def back_off(self, method: str, seconds: float) -> None:
        """Push *method*'s next slot *seconds* into the future (after a 429)."""
        now = asyncio.get_running_loop().time()
        key = (method, "")
        self._next[key] = max(self._next.get(key, now), now + seconds)

    def _reserve(self, key: tuple[str, str], interval: float) -> float:
        # Reserving without awaiting keeps this atomic on the event loop: concurrent
        # callers get consecutive slots instead of all waking at once.
        if interval <= 0 and key not in self._next:
            return 0.0
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next.get(key, now))
        self._next[key] = slot + interval
        if key[1] and len(self._next) > 10_000:
            self._forget(now)
        return slot - now

    def _forget(self, now: float) -> None:
        # Per-channel entries pile up over a round (one per pair space): drop the past ones.
        for key in [k for k, t in self._next.items() if k[1] and t <= now]:
            del self._next[key]
