"""Benchmark a Slack signup rush: N members run /penpals signup at once, then submit at once.

Usage: python benchmarks/bench_signup_burst.py [--sizes 500,1000] [--timeout 120]

For each size, on a fresh migrated SQLite file with one open round:

1. `penpals run slack` starts as its own process in HTTP mode, its Web API client
   pointed at the stand-in of tests/adapters/slack/standin.py (served by this
   process; trigger_ids expire 3 s after they are issued, as Slack's do);
2. N signed `/penpals signup` commands are sent at once; a modal counts as
   opened when views.open succeeded (and the form was put in it);
3. N signed view_submissions of those forms are sent at once; each one's
   acknowledgement time is measured (Slack gives up after 3 s);
4. the applications stored are counted (waiting up to --timeout s for writes that
   follow the acknowledgement), and the server's resident memory is read.

Reported per size: modals opened, forms shown, submissions acknowledged within
3 s, stored, members told by DM (a write that failed after its acknowledgement),
p50/p99/max latency of commands and submissions, server RSS, and the number of
"database is locked" lines in the server's log.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.storage.migrate import upgrade_async  # noqa: E402
from bots.bootstrap import build  # noqa: E402
from bots.settings import Settings  # noqa: E402
from core.model import Platform  # noqa: E402
from tests.adapters.slack import payloads  # noqa: E402
from tests.adapters.slack.payloads import SignedClient  # noqa: E402
from tests.adapters.slack.standin import SlackStandIn, wait_until  # noqa: E402

SECRET = "bench-signing-secret-0123456789ab"
ACK_LIMIT = 3.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _timed(coro: Any) -> tuple[float, int, Any]:
    started = time.monotonic()
    try:
        status, body = await coro
    except (aiohttp.ClientError, TimeoutError) as exc:
        return time.monotonic() - started, 0, str(exc)
    return time.monotonic() - started, status, body


class Sender(SignedClient):
    """SignedClient over one shared session (no connection limit), as Slack's many senders."""

    def __init__(self, url: str, secret: str, session: aiohttp.ClientSession) -> None:
        super().__init__(url, secret)
        self._session = session

    async def send(self, body: str, headers: dict[str, Any]) -> tuple[int, Any]:
        async with self._session.post(self.url, data=body.encode(), headers=headers) as resp:
            text = await resp.text()
            try:
                return resp.status, json.loads(text) if text else None
            except ValueError:
                return resp.status, text

    async def interact(self, payload: dict[str, Any]) -> tuple[int, Any]:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.send(body, self.headers(body))


async def burst(size: int, patience: float, scratch: Path) -> dict[str, Any]:
    """Run one rush of *size* members; return the figures."""
    manifest = yaml.safe_load((ROOT / "slack-manifest.yaml").read_text(encoding="utf-8"))
    slack = SlackStandIn(scopes=manifest["oauth_config"]["scopes"]["bot"])
    users = [f"UBURST{n:06d}" for n in range(size)]
    for user in users:
        slack.add_user(user, f"Member {user[-6:]}")
    await slack.start()
    url = f"sqlite+aiosqlite:///{scratch / f'burst-{size}-{time.monotonic_ns()}.db'}"
    await upgrade_async(url)
    settings = Settings(
        _env_file=None,
        database_url=url,
        slack_api_url=slack.api_url,
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_APP_TOKEN=None,
    )
    async with build(settings) as services:
        community = await services.communities.ensure(Platform.SLACK, slack.team_id, "Bench")
        await services.rounds.create(community.id, "2027A")
        await services.rounds.open(community.id, "2027A")

    port = _free_port()
    env = {
        **os.environ,
        "PENPALS_DATABASE_URL": url,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "PENPALS_SLACK_API_URL": slack.api_url,
        "PENPALS_SLACK_PORT": str(port),
    }
    env.pop("SLACK_APP_TOKEN", None)
    log_path = scratch / f"server-{size}.log"
    log_file = log_path.open("w")
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bots.cli",
        "run",
        "slack",
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    figures: dict[str, Any] = {"size": size}
    try:
        endpoint = f"http://127.0.0.1:{port}/slack/events"
        connector = aiohttp.TCPConnector(limit=0)
        timeout_cfg = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout_cfg) as session:
            await _wait_healthy(session, port, server)
            sender = Sender(endpoint, SECRET, session)

            # 1. The rush of commands.
            started = time.monotonic()
            commands = await asyncio.gather(
                *(_timed(sender.command(payloads.command(slack, user, "signup"))) for user in users)
            )
            figures["commands_s"] = time.monotonic() - started
            latencies = [t for t, status, _ in commands if status == 200]
            figures["command_200"] = len(latencies)
            figures["command_p50"] = _pct(latencies, 0.5)
            figures["command_p99"] = _pct(latencies, 0.99)
            # views.open follows each acknowledgement: wait until every one was tried.
            await _until(lambda: len(slack.calls_to("views.open")) >= len(latencies), patience)
            figures["modals_opened"] = len(slack.calls_to("views.open", ok=True))
            figures["auth_test_calls"] = len(slack.calls_to("auth.test"))
            figures["expired_triggers"] = len(
                [c for c in slack.calls_to("views.open") if c.error == "expired_trigger_id"]
            )
            opened = figures["modals_opened"]
            await _until(lambda: len(payloads.signup_forms(slack)) >= opened, patience)
            forms = payloads.signup_forms(slack)
            figures["forms_shown"] = len(forms)

            # 2. The rush of submissions (one per form shown).
            started = time.monotonic()
            answers = await asyncio.gather(
                *(
                    _timed(
                        sender.interact(
                            payloads.view_submission(
                                slack,
                                user,
                                view,
                                payloads.signup_values(name=f"Member {user[-6:]}"),
                            )
                        )
                    )
                    for user, view in zip(users, forms, strict=False)
                )
            )
            figures["submissions_s"] = time.monotonic() - started
            acked = [
                t
                for t, status, body in answers
                if status == 200 and isinstance(body, dict) and body.get("response_action")
            ]
            figures["submissions"] = len(answers)
            figures["acked_in_3s"] = sum(1 for t in acked if t <= ACK_LIMIT)
            figures["ack_p50"] = _pct(acked, 0.5)
            figures["ack_p99"] = _pct(acked, 0.99)
            figures["ack_max"] = max(acked) if acked else float("nan")
            figures["statuses"] = sorted({status for _, status, _ in answers})

            # 3. The writes that follow the acknowledgements.
            await _until(lambda: not payloads.signup_forms(slack), patience)
            figures["rss_mb"] = _rss_mb(server.pid)
        async with build(settings) as services:
            community = await services.communities.ensure(Platform.SLACK, slack.team_id, "Bench")
            figures["stored"] = len(await services.applications.list(community.id, "2027A"))
        figures["told_by_dm"] = len(slack.calls_to("chat.postMessage", ok=True))
        figures["drain_s"] = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(server.wait(), 10)
        except TimeoutError:
            server.kill()
            await server.wait()
        log_file.close()
        await slack.stop()
    log = log_path.read_text(errors="replace")
    figures["locked_lines"] = len(re.findall(r"database is locked", log))
    figures["log_errors"] = len(re.findall(r"\bERROR\b", log))
    return figures


async def _wait_healthy(
    session: aiohttp.ClientSession, port: int, server: asyncio.subprocess.Process
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.returncode is not None:
            raise RuntimeError("penpals run slack exited before it was ready")
        try:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("penpals run slack did not answer /healthz within 60 s")


async def _until(predicate: Any, patience: float) -> None:
    """Wait until *predicate* holds, or *patience* seconds have passed (then go on)."""
    with contextlib.suppress(AssertionError):
        await wait_until(predicate, timeout=patience)


def report(f: dict[str, Any]) -> str:
    n = f["size"]
    return "\n".join(
        [
            f"== {n} concurrent Slack signups ==",
            f"commands: {f['command_200']}/{n} HTTP 200 in {f['commands_s']:.1f} s "
            f"(p50 {f['command_p50']:.2f} s, p99 {f['command_p99']:.2f} s)",
            f"modals opened: {f['modals_opened']}/{n} (expired triggers: {f['expired_triggers']}); "
            f"forms shown in them: {f['forms_shown']}/{n}",
            f"submissions acknowledged within 3 s: {f['acked_in_3s']}/{f['submissions']} "
            f"(p50 {f['ack_p50']:.2f} s, p99 {f['ack_p99']:.2f} s, max {f['ack_max']:.2f} s; "
            f"statuses {f['statuses']})",
            f"stored: {f['stored']}/{n}; told by DM of a failed write: {f['told_by_dm']}; "
            f"all written {f['drain_s']:.1f} s after the submissions began",
            f"server resident memory after the rush: {f['rss_mb']:.0f} MB; "
            f"auth.test calls: {f['auth_test_calls']}",
            f"'database is locked' lines in the server log: {f['locked_lines']}; "
            f"ERROR lines: {f['log_errors']}",
        ]
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,1000")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="penpals-burst-") as scratch:
        for size in (int(s) for s in args.sizes.split(",") if s):
            figures = await burst(size, args.timeout, Path(scratch))
            print(report(figures), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
