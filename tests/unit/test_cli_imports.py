"""The CLI starts without the heavy libraries: commands import what they use."""

from __future__ import annotations

import json
import subprocess
import sys

# Platform clients, charts, the matcher's numpy, the database drivers and Alembic.
HEAVY = (
    "discord",
    "slack_bolt",
    "slack_sdk",
    "matplotlib",
    "numpy",
    "aiosqlite",
    "asyncpg",
    "sqlalchemy",
    "alembic",
    "apscheduler",
)


def _imported_after(code: str) -> list[str]:
    """Return the HEAVY modules loaded after running *code* in a fresh interpreter."""
    probe = (
        f"import sys\n{code}\nimport json\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_imports_no_heavy_library() -> None:
    """`import bots.cli` (what `penpals --help` runs) loads none of the heavy libraries."""
    assert _imported_after("import bots.cli") == []


def test_building_the_services_needs_neither_the_matcher_nor_platforms() -> None:
    """Every service of a database command built: SQLAlchemy, but no numpy, chart or platform."""
    loaded = _imported_after(
        "import asyncio, bots.cli\n"
        "from bots.bootstrap import build\n"
        "from bots.cli_settings import DatabaseSettings\n"
        "from bots.services_wiring import MAKERS\n"
        "async def every_service():\n"
        "    async with build(DatabaseSettings(database_url='sqlite://'), check=False) as s:\n"
        "        for name in MAKERS:\n"
        "            getattr(s, name)\n"
        "asyncio.run(every_service())"
    )
    assert "sqlalchemy" in loaded
    assert not {"numpy", "matplotlib", "discord", "slack_bolt", "slack_sdk", "alembic"} & set(
        loaded
    )


def test_a_command_builds_only_the_services_it_uses() -> None:
    """Reading one service imports its module only: no delivery, engagement or reports."""
    probe = (
        "import asyncio, sys, bots.cli\n"
        "from bots.bootstrap import build\n"
        "from bots.cli_settings import DatabaseSettings\n"
        "async def rounds_only():\n"
        "    async with build(DatabaseSettings(database_url='sqlite://'), check=False) as s:\n"
        "        s.rounds\n"
        "asyncio.run(rounds_only())\n"
        "print(sorted(m for m in sys.modules if m.startswith(('core.delivery.service', "
        "'core.engagement', 'core.reports', 'core.surveys.service', 'pydantic_settings'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
