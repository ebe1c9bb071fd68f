"""A stand-in of the JSON platform API that adapters/remote speaks, in a process of its own.

    python -m tests.durability.standin [--port 0] [--record FILE] [--rate 50 --burst 10]
        [--latency 0.004] [--storm-seconds 5 --storm-after-calls 10] [--seed 0]

It prints {"url": ...} as its first line once listening, and stops on SIGTERM or
when its parent process goes away, so a test killed half-way leaves nothing behind.
Being its own process, it outlives every worker the fault-injection tests kill.

It never deduplicates: a second POST with a key it already has makes a second
record, so a duplicate delivery shows. Every effectful call (create space, post,
open thread, DM, archive, remove a member, announce, alert) is kept in memory for
GET /record and appended (flushed per line) to the --record file as JSON lines.

Faults, configured on the command line or later with POST /control:
- rate: a token bucket (GCRA) of `rate` requests a second, `burst` at once, over
  every API request; beyond it, 429 with Retry-After until the next token;
- storm: 429 to everything for `storm_seconds`, starting at once or after
  `storm_after_calls` effectful calls, with Retry-After drawn from 1-2 s;
- latency: each request waits up to `latency` seconds before it is handled and
  as long again after it is recorded, before the answer leaves (the window in
  which a killed worker never hears that its call went through);
- hold: the answer to the `hold_after_calls`-th effectful call is held back for
  `hold_seconds`, so that a test can kill the worker inside that window for sure.

POST /control/spaces {"spaces": [{key, name, members}]} makes spaces without
recording calls or counting against the rate (benchmark set-up).

`StandIn` runs the process for tests and benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Self

import aiohttp
from aiohttp import web

Json = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ROOT = Path(__file__).resolve().parents[2]
# Collections of records with a key, and the name of their call in the record.
FEEDS = {
    "threads": "open_thread",
    "dms": "direct_message",
    "announcements": "announce",
    "alerts": "alert",
}
_UNPACED = ("/record", "/control", "/health")


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
            _key(body),
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
            raise _error(web.HTTPNotFound, f"there is no space {request.match_info['space']}")
        return found


def _key(body: Json) -> str:
    key = body.get("key")
    if not isinstance(key, str) or not key:
        raise _error(web.HTTPBadRequest, "key is required")
    return key


def _error(kind: type[web.HTTPError], text: str) -> web.HTTPError:
    return kind(text=json.dumps({"error": text}), content_type="application/json")


def build_app(workspace: Workspace) -> web.Application:
    """Return the aiohttp application serving *workspace*."""
    app = web.Application(middlewares=[_faults_middleware(workspace)])
    routes = web.RouteTableDef()

    @routes.get("/health")
    async def health(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    @routes.get("/record")
    async def record(request: web.Request) -> web.Response:
        calls = workspace.calls[int(request.query.get("since", 0)) :]
        return web.json_response({"calls": calls, "stats": dict(workspace.stats)})

    @routes.get("/record/wait")
    async def wait_for_call(request: web.Request) -> web.Response:
        await workspace.recorded(int(request.query["seq"]))
        return web.json_response({"ok": True})

    @routes.post("/control")
    async def control(request: web.Request) -> web.Response:
        return web.json_response(workspace.configure(await request.json()))

    @routes.post("/control/spaces")
    async def seed_spaces(request: web.Request) -> web.Response:
        made = [workspace.make_space(s, seeded=True) for s in (await request.json())["spaces"]]
        return web.json_response({"items": [s.as_json() for s in made]})

    @routes.get("/spaces")
    async def find_spaces(request: web.Request) -> web.Response:
        key = request.query.get("key")
        found = [s.as_json() for s in workspace.spaces.values() if s.key == key]
        return web.json_response({"items": found})

    @routes.post("/spaces")
    async def create_space(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response(workspace.make_space(body).as_json(), status=201)

    @routes.get("/spaces/{space}/messages")
    async def find_messages(request: web.Request) -> web.Response:
        space, key = workspace.space(request), request.query.get("key")
        return web.json_response({"items": [m for m in space.messages if m["key"] == key]})

    @routes.post("/spaces/{space}/messages")
    async def post_message(request: web.Request) -> web.Response:
        space, body = workspace.space(request), await request.json()
        if space.archived:
            raise _error(web.HTTPForbidden, f"space {space.id} is archived")
        message = {"id": f"{space.id}-m{len(space.messages) + 1}", "key": _key(body)}
        space.messages.append({**message, **body["message"]})
        workspace.note("post", message["key"], space=space.id, id=message["id"])
        return web.json_response(message, status=201)

    @routes.post("/spaces/{space}/archive")
    async def archive(request: web.Request) -> web.Response:
        space = workspace.space(request)
        if not space.archived:
            space.archived = True
            workspace.note("archive", space.key, space=space.id)
        return web.json_response(space.as_json())

    @routes.delete("/spaces/{space}/members/{member}")
    async def remove_member(request: web.Request) -> web.Response:
        space, member = workspace.space(request), request.match_info["member"]
        if member in space.members:
            space.members.remove(member)
            workspace.note("remove_member", space.key, space=space.id, member=member)
        return web.json_response(space.as_json())

    @routes.get("/spaces/{space}/activity")
    async def activity(request: web.Request) -> web.Response:
        workspace.space(request)
        return web.json_response({"messages_by_member": {}, "last_message_at": None})

    for feed, op in FEEDS.items():
        _feed_routes(routes, workspace, feed, op)
    app.add_routes(routes)
    return app


def _feed_routes(routes: web.RouteTableDef, workspace: Workspace, feed: str, op: str) -> None:
    @routes.get(f"/{feed}")
    async def find(request: web.Request) -> web.Response:
        key = request.query.get("key")
        return web.json_response({"items": [r for r in workspace.feeds[feed] if r["key"] == key]})

    @routes.post(f"/{feed}")
    async def create(request: web.Request) -> web.Response:
        body = await request.json()
        key, made_id = _key(body), f"{feed[0]}{len(workspace.feeds[feed]) + 1}"
        made: Json = {"id": made_id, "key": key, "url": f"standin://{feed}/{made_id}"}
        if feed == "dms":
            made["delivered"] = True
        workspace.feeds[feed].append({**body, **made})
        workspace.note(op, key, id=made_id)
        return web.json_response(made, status=201)


def _faults_middleware(workspace: Workspace) -> Any:
    @web.middleware
    async def faults(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(_UNPACED):
            return await handler(request)
        workspace.stats["requests"] += 1
        retry_after = workspace.refusal()
        if retry_after is not None:
            return web.json_response(
                {"error": "rate limited", "retry_after": retry_after},
                status=429,
                headers={"Retry-After": f"{retry_after:g}"},
            )
        await asyncio.sleep(workspace.delay())
        calls_before = len(workspace.calls)
        response = await handler(request)
        # Recorded but not yet answered: a worker killed now never learns it worked.
        await asyncio.sleep(workspace.delay() + workspace.hold(calls_before))
        return response

    return faults


async def serve(host: str, port: int, workspace: Workspace) -> None:
    """Serve until SIGTERM or SIGINT, or until the parent process is gone."""
    # A short shutdown: answers held back for a killed worker have nobody to go to.
    runner = web.AppRunner(build_app(workspace), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    print(json.dumps({"url": f"http://{host}:{bound}"}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    parent = os.getppid()
    try:
        while not stop.is_set() and os.getppid() == parent:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    """Run the stand-in from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--record", type=Path, help="append every effectful call here (JSONL)")
    parser.add_argument("--rate", type=float, help="requests a second before 429s")
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds, each side")
    parser.add_argument("--storm-seconds", type=float, default=0.0)
    parser.add_argument("--storm-after-calls", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    faults = Faults(
        rate=args.rate,
        burst=args.burst,
        latency=args.latency,
        storm_seconds=args.storm_seconds,
        storm_after_calls=args.storm_after_calls,
    )
    with contextlib.ExitStack() as stack:
        record = stack.enter_context(args.record.open("a")) if args.record else None
        asyncio.run(serve(args.host, args.port, Workspace(faults, record, args.seed)))


class StandIn:
    """Run the stand-in as a child process; stop it (and only it) on exit."""

    def __init__(self, *args: str, record: Path | None = None) -> None:
        self._args = [*args, *(["--record", str(record)] if record else [])]
        self._process: asyncio.subprocess.Process | None = None
        self.url = ""

    async def __aenter__(self) -> Self:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.durability.standin",
            *self._args,
            cwd=ROOT,
            env=child_env(),
            stdout=asyncio.subprocess.PIPE,
        )
        assert self._process.stdout is not None
        try:
            line = await asyncio.wait_for(self._process.stdout.readline(), timeout=30)
            self.url = json.loads(line)["url"]
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Ask the stand-in to stop; kill it if it does not within five seconds."""
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=5)
        except TimeoutError:
            process.kill()
            await process.wait()

    async def record(self, since: int = 0) -> Json:
        """Return the calls recorded after the first *since* and the request statistics."""
        return await self._call("GET", f"/record?since={since}")

    async def wait_for_call(self, seq: int, within: float = 60) -> None:
        """Wait until the stand-in has recorded its *seq*-th effectful call."""
        async with asyncio.timeout(within):
            await self._call("GET", f"/record/wait?seq={seq}")

    async def control(self, **faults: Any) -> Json:
        """Change the faults it injects (see Faults)."""
        return await self._call("POST", "/control", faults)

    async def seed_spaces(self, spaces: list[Json]) -> list[Json]:
        """Make spaces directly, without recording calls (benchmark set-up)."""
        items: list[Json] = (await self._call("POST", "/control/spaces", {"spaces": spaces}))[
            "items"
        ]
        return items

    async def _call(self, method: str, path: str, body: Json | None = None) -> Json:
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, self.url + path, json=body) as response,
        ):
            response.raise_for_status()
            data: Json = await response.json()
            return data


def child_env() -> dict[str, str]:
    """Return the environment of a child process that imports penpals from this tree."""
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{path}" if path else str(ROOT)}


if __name__ == "__main__":
    main()
