"""Members sign up while an organiser imports thousands of applicants into the same SQLite file.

The import is `penpals applications import` in a process of its own; the signups go
through ApplicationService (what the Discord and Slack adapters call) on another
connection, one after another for as long as the import runs. The import commits in
short batches and reads take no write lock, so no signup meets "database is locked".
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.storage.engine import create_engine
from adapters.storage.migrate import upgrade_async
from adapters.storage.uow import unit_of_work_factory
from core.matching.synthetic import generate_pool
from core.model import MemberRef, Platform
from core.rounds.applicants_csv import write_applicants
from tests.durability.standin import ROOT, child_env
from tests.support import FixedClock, program

IMPORTED = 6_000
ROUND = "2027A"
COMMUNITY = "import-test"


async def test_every_signup_succeeds_while_a_large_import_runs(tmp_path: Path) -> None:
    """Signups made during a 6,000-row import in another process are all stored."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'penpals.db'}"
    await upgrade_async(url)
    engine = create_engine(url)
    uow = unit_of_work_factory(engine)
    p = program(uow, FixedClock(datetime.now(UTC)))
    pool = generate_pool(IMPORTED + 200, seed=11)
    csv_path = tmp_path / "applicants.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        write_applicants(pool[:IMPORTED], fh)
    signups = [row.profile for row in pool[IMPORTED:]]
    try:
        community = await p.communities.ensure(Platform.LOCAL, COMMUNITY, "Import test")
        await p.rounds.create(community.id, ROUND, starts=datetime.now(UTC) + timedelta(days=30))
        await p.rounds.open(community.id, ROUND)
        env = {
            **child_env(),
            "PENPALS_DATABASE_URL": url,
            "PENPALS_COMMUNITY": f"local:{COMMUNITY}",
        }
        importer = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bots.cli",
            "applications",
            "import",
            ROUND,
            str(csv_path),
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        # Wait for the import's first batch, then sign members up until it is over.
        waiting = asyncio.create_task(importer.wait())
        while not waiting.done() and await _count(uow, community.id) == 0:
            await asyncio.wait({waiting}, timeout=0.01)
        during = 0
        stored = []
        for n, profile in enumerate(signups):
            if waiting.done():
                break
            member = MemberRef(Platform.LOCAL, f"signup-{n}")
            await p.applications.start_signup(community, member)
            done = await p.applications.submit(community, member, profile)
            stored.append(done.application.member.external_id)
            during += not waiting.done()
            await asyncio.sleep(0.005)
        _, err = await importer.communicate()
        assert importer.returncode == 0, err.decode()
        assert during > 0, "no signup overlapped the import: make the import larger"
        found = {a.member.external_id for a in await p.applications.list(community.id, ROUND)}
        assert set(stored) <= found
        assert len(found) == IMPORTED + len(stored)
    finally:
        await engine.dispose()


async def _count(uow, community_id: int) -> int:  # type: ignore[no-untyped-def]
    async with uow(read_only=True) as u:
        round_ = await u.rounds.find(community_id, ROUND)
        assert round_ is not None
        counts = await u.applications.counts(round_.id)
    return sum(counts.values())
