"""`penpals run slack` behind several processes on one PostgreSQL database.

Two real `penpals run slack` processes serve the same Slack stand-in workspace (HTTP
mode, each on its own port, as behind a load balancer). Both answer Slack's
requests and /healthz; one holds the lead and runs the engine. An organiser's
command answered by the follower is delivered by the leader at once (the
follower's wake-up reaches it through PostgreSQL's NOTIFY), and when the leader is
killed the follower takes over and delivers what comes next.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.bootstrap import build
from bots.settings import Settings
from core.model import Platform
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN, SECRET
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.standin import SlackStandIn

FOLLOWING = "another penpals process runs the scheduler"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Process:
    """One `penpals run slack` child process, its port and its log file."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name, self.port, self.log = name, _free_port(), log
        self.env = {**env, "PENPALS_SLACK_PORT": str(self.port)}
        self.child: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        code = "from bots.cli import main; main()"
        with self.log.open("wb") as log:
            self.child = await asyncio.create_subprocess_exec(
                sys.executable, "-c", code, "run", "slack", env=self.env, stdout=log, stderr=log
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def said(self, text: str) -> bool:
        return text in self.log.read_text(encoding="utf-8", errors="replace")

    async def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.child is not None and self.child.returncode is None:
            self.child.send_signal(sig)
            try:
                await asyncio.wait_for(self.child.wait(), 10)
            except TimeoutError:
                self.child.kill()
                await self.child.wait()


async def _until(check, what: str, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


async def _healthy(process: Process) -> bool:
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{process.url}/healthz") as answer,
        ):
            return answer.status == 200
    except aiohttp.ClientError:
        return False


@pytest.fixture
async def two_processes(
    postgres_database_url: str, slack: SlackStandIn, tmp_path: Path
) -> AsyncIterator[tuple[list[Process], str]]:
    """Start two `penpals run slack` on one PostgreSQL database; yield them and the news channel."""
    news = slack.add_channel("penpals-news", members=[slack.bot_user])
    settings = Settings(_env_file=None, database_url=postgres_database_url)
    async with build(settings) as services:
        community = await services.communities.ensure(Platform.SLACK, slack.team_id, "Libraries")
        await services.communities.configure(community.id, channels={"announcements": news})
        await services.rounds.create(community.id, "2027A")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PENPALS_", "SLACK_", "DISCORD_"))
    }
    env.update(
        PENPALS_DATABASE_URL=postgres_database_url,
        PENPALS_SLACK_API_URL=slack.api_url,
        PENPALS_SLACK_HOST="127.0.0.1",
        PENPALS_LOG_LEVEL="INFO",
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
    )
    processes = [Process(n, env, tmp_path / f"{n}.log") for n in ("first", "second")]
    try:
        for process in processes:
            await process.start()
        for process in processes:
            await _until(lambda p=process: _healthy(p), f"{process.name} healthy")
        yield processes, news
    finally:
        for process in processes:
            await process.stop()


@pytest.mark.postgres
async def test_two_processes_answer_slack_one_leads_and_a_follower_takes_over(
    two_processes: tuple[list[Process], str], slack: SlackStandIn
) -> None:
    """Both answer; the follower's decision is delivered by the leader; after a kill, by it."""
    processes, news = two_processes

    async def one_follows() -> bool:
        return sum(p.said(FOLLOWING) for p in processes) == 1

    await _until(one_follows, "one process waits for the lead")
    follower = next(p for p in processes if p.said(FOLLOWING))
    leader = next(p for p in processes if p is not follower)
    for process in processes:  # both answer Slack's requests
        status, answer = await SignedClient(f"{process.url}/slack/events", SECRET).command(
            payloads.command(slack, ADMIN, "round list")
        )
        assert status == 200 and "2027A" in answer["text"], answer

    at_follower = SignedClient(f"{follower.url}/slack/events", SECRET)
    status, answer = await at_follower.command(payloads.command(slack, ADMIN, "round open 2027A"))
    assert status == 200 and "now open" in answer["text"], answer

    async def announced(count: int) -> bool:
        return len(slack.channels[news].messages) >= count

    # Delivered by the leader within seconds (its resync would take five minutes).
    await _until(lambda: announced(1), "the leader announces the opening", timeout=5)

    await leader.stop(signal.SIGKILL)  # a crash: its session ends, the lock is freed

    async def took_over() -> bool:
        return follower.said("Scheduler started")

    await _until(took_over, "the follower takes the lead and runs the engine", timeout=30)
    status, answer = await at_follower.command(payloads.command(slack, ADMIN, "round close 2027A"))
    assert status == 200 and "now closed" in answer["text"], answer
    assert await _healthy(follower)
