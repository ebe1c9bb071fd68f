"""A delivery worker in a process of its own: what the fault-injection tests SIGKILL.

    python -m tests.durability.worker --database URL --platform-url URL
        [--platform local] [--rate R --burst B] [--concurrency N]

It builds the services as penpals does (bots.bootstrap.build), registers a
RemotePlatform for the community's platform, prints "ready", then runs the
outbox (DeliveryService.run_due, with N deliveries in flight at once when
--concurrency says so) until nothing is pending for that platform,
waiting for actions put back for later, and exits 0 after printing its tally as
JSON. It also stops when its parent process goes away, so it never outlives a
killed test.

`Worker` runs it for tests and benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any, Self

from adapters.remote import Pacer, RemotePlatform
from bots.bootstrap import build
from bots.settings import Settings
from core.delivery.service import DeliveryReport, DeliveryService
from core.model import Platform
from tests.durability.standin import ROOT, child_env

READY = "ready"
_LONGEST_NAP = 1.0  # seconds between looks at the outbox while actions wait


async def deliver(
    database_url: str, platform_url: str, platform: Platform, pacer: Pacer, concurrency: int
) -> dict[str, Any]:
    """Deliver every pending action of *platform*; return the tally."""
    parent = os.getppid()
    report = DeliveryReport()
    async with (
        build(Settings(database_url=database_url)) as services,
        RemotePlatform(platform_url, platform=platform, pacer=pacer) as remote,
    ):
        services.platforms[platform] = remote
        delivery = services.delivery
        if concurrency > 1:
            delivery = DeliveryService(
                uow=services.uow,
                clock=services.clock,
                platforms=services.platforms,
                concurrency=concurrency,
            )
        print(READY, flush=True)
        while os.getppid() == parent:
            report += await delivery.run_due()
            due = await delivery.next_due()
            if due is None:
                break
            wait = (due - services.clock.now()).total_seconds()
            await asyncio.sleep(min(max(wait, 0.01), _LONGEST_NAP))
        return {
            "done": report.done,
            "retried": report.retried,
            "failed": report.failed,
            "requests": remote.requests,
            "rate_limited": remote.rate_limited,
        }


def main(argv: list[str] | None = None) -> None:
    """Run the worker from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a migrated database")
    parser.add_argument("--platform-url", required=True, help="base URL of the platform API")
    parser.add_argument("--platform", type=Platform, default=Platform.LOCAL)
    parser.add_argument("--rate", type=float, help="requests a second the pacer allows")
    parser.add_argument("--burst", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=1, help="deliveries in flight")
    args = parser.parse_args(argv)
    pacer = Pacer(args.rate, burst=args.burst)
    tally = asyncio.run(
        deliver(args.database, args.platform_url, args.platform, pacer, args.concurrency)
    )
    print(json.dumps(tally), flush=True)


class Worker:
    """Run the worker as a child process that a test can SIGKILL at any moment."""

    def __init__(self, database_url: str, platform_url: str, *args: str, log: Path) -> None:
        self._args = ["--database", database_url, "--platform-url", platform_url, *args]
        self._log = log
        self._process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Self:
        with self._log.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.durability.worker",
                *self._args,
                cwd=ROOT,
                env=child_env(),
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
            )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.kill()

    async def ready(self, within: float = 60) -> None:
        """Wait until the worker has built its services and starts delivering."""
        line = await asyncio.wait_for(self._stdout().readline(), within)
        if line.decode().strip() != READY:
            raise RuntimeError(f"the worker did not start (see {self._log}): {line!r}")

    async def kill(self) -> bool:
        """SIGKILL the worker; return whether the kill is what ended it."""
        process = self._process
        if process is None:
            return False
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        return await process.wait() == -signal.SIGKILL

    async def finish(self, within: float) -> dict[str, Any]:
        """Wait (up to *within* seconds) for the worker to deliver everything and exit."""
        out = await asyncio.wait_for(self._stdout().read(), within)
        assert self._process is not None
        code = await self._process.wait()
        if code != 0:
            raise RuntimeError(f"the worker exited with {code} (see {self._log})")
        tally: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
        return tally

    def _stdout(self) -> asyncio.StreamReader:
        assert self._process is not None and self._process.stdout is not None
        return self._process.stdout


if __name__ == "__main__":
    main()
