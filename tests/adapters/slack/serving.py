"""Run the Slack app the way `penpals run` does, in the background of a test."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bots.bootstrap import Services
from bots.settings import Settings
from bots.slack_main import serve
from tests.adapters.slack.conftest import FAST


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def serving(settings: Settings, services: Services, **options: Any) -> AsyncIterator[None]:
    """Run serve() in the background for the duration of the block, then cancel it."""
    task = asyncio.create_task(serve(settings, services, limits=FAST, **options))
    try:
        yield
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
