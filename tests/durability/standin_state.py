"""The durability stand-in's state: the faults it is told to inject (rate, storm,
latency, held answers), its spaces and feeds, and the record of effectful calls."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from aiohttp import web

Json = dict[str, Any]
# Collections of records with a key, and the name of their call in the record.
FEEDS = {
    "threads": "open_thread",
    "dms": "direct_message",
    "announcements": "announce",
    "alerts": "alert",
}
UNPACED = ("/record", "/control", "/health")


@dataclass
@dataclass
class Faults:
    rate: float | None = None
    burst: int = 10
    latency: float = 0.0
    storm_seconds: float = 0.0
    storm_after_calls: int | None = None  # None with storm_seconds > 0: the storm starts now
    retry_after: tuple[float, float] = (1.0, 2.0)
    hold_after_calls: int | None = None  # hold back the answer to this effectful call...
    hold_seconds: float = 10.0  # ...this long: time for a test to kill the worker waiting


@dataclass
@dataclass
class Space:
    id: str
    key: str
    community: str
    name: str
    members: list[str]
    messages: list[Json] = field(default_factory=list)
    archived: bool = False

    def as_json(self) -> Json:
        return {"id": self.id, "key": self.key, "name": self.name, "url": f"standin://{self.id}"}


class Workspace:
    """The platform's state, the record of calls and the faults it is told to inject."""

    def __init__(self, faults: Faults, record: IO[str] | None = None, seed: int = 0) -> None:
        self.faults = faults
        self.calls: list[Json] = []
        self.stats: Counter[str] = Counter()
        self.spaces: dict[str, Space] = {}
        self.feeds: dict[str, list[Json]] = defaultdict(list)
        self._record = record
        self._rng = random.Random(seed)
        self._jitter = random.Random(seed + 1)
        self._tat = 0.0  # GCRA: when the next request is due at the steady rate
        self._storm_until = 0.0
        self._new_call = asyncio.Event()
        self.configure({})

    # --- faults -----------------------------------------------------------------------

    def configure(self, changes: Json) -> Json:
        """Apply fault settings; a storm without a trigger starts now."""
        for name, value in changes.items():
            if not hasattr(self.faults, name):
                raise web.HTTPBadRequest(text=f"unknown setting {name}")
            setattr(self.faults, name, tuple(value) if name == "retry_after" else value)
        f = self.faults
        if f.storm_seconds and f.storm_after_calls is None:
            self._storm_until = time.monotonic() + f.storm_seconds
        return vars(f)

    def refusal(self) -> float | None:
        """Return the Retry-After of a 429 for the request arriving now, or None."""
        now = time.monotonic()
        if now < self._storm_until:
            self.stats["storm_429"] += 1
            return round(self._rng.uniform(*self.faults.retry_after), 2)
        rate = self.faults.rate
        if not rate:
            return None
        interval = 1 / rate
        allowed_at = self._tat - max(0, self.faults.burst - 1) * interval
        if now < allowed_at:
            self.stats["rate_429"] += 1
            return round(allowed_at - now + 0.0005, 4)
        self._tat = max(self._tat, now) + interval
        return None

    def delay(self) -> float:
        """Return a latency to add on one side of a request."""
        return self._jitter.uniform(0, self.faults.latency) if self.faults.latency else 0.0

    async def recorded(self, seq: int) -> None:
        """Return once the *seq*-th effectful call is recorded."""
        while len(self.calls) < seq:
            await self._new_call.wait()

    def hold(self, calls_before: int) -> float:
        """Return how long to hold back the answer to a request that began after that many calls."""
        target = self.faults.hold_after_calls
        if target is not None and calls_before < target <= len(self.calls):
            return self.faults.hold_seconds
        return 0.0

    def note(self, op: str, key: str, **details: Any) -> None:
        """Record an effectful call; start a storm that waits for a number of calls."""
        entry = {"seq": len(self.calls) + 1, "at": time.time(), "op": op, "key": key, **details}
        self.calls.append(entry)
        self._new_call.set()
        self._new_call = asyncio.Event()
        if self._record is not None:
            self._record.write(json.dumps(entry) + "\n")
            self._record.flush()
        f = self.faults
        if f.storm_after_calls is not None and len(self.calls) == f.storm_after_calls:
            self._storm_until = time.monotonic() + f.storm_seconds

    # --- the API ----------------------------------------------------------------------

    def make_space(self, body: Json, *, seeded: bool = False) -> Space:
        space = Space(
            f"s{len(self.spaces) + 1}",
            required_key(body),
            str(body.get("community", "")),
            str(body.get("name", "")),
            [str(m) for m in body.get("members", [])],
        )
        self.spaces[space.id] = space
        if not seeded:
            intro = {"id": f"{space.id}-m1", "key": space.key, **body["introduction"]}
            space.messages.append(intro)
            self.note("create_space", space.key, space=space.id)
        return space

    def space(self, request: web.Request) -> Space:
        found = self.spaces.get(request.match_info["space"])
        if found is None:
            raise json_error(web.HTTPNotFound, f"there is no space {request.match_info['space']}")
        return found


def required_key(body: Json) -> str:
    key = body.get("key")
    if not isinstance(key, str) or not key:
        raise json_error(web.HTTPBadRequest, "key is required")
    return key


def json_error(kind: type[web.HTTPError], text: str) -> web.HTTPError:
    return kind(text=json.dumps({"error": text}), content_type="application/json")
