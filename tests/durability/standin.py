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

`StandIn` runs the process for tests and benchmarks. The parts: standin_state (faults,
spaces, feeds, the record) and standin_routes (the HTTP API and the fault middleware).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any, Self

import aiohttp
from aiohttp import web

from tests.durability.standin_routes import build_app
from tests.durability.standin_state import Faults, Json, Space, Workspace

__all__ = ["ROOT", "Faults", "Json", "Space", "StandIn", "Workspace", "build_app", "child_env"]

ROOT = Path(__file__).resolve().parents[2]


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
