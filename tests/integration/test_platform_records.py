"""SqlPlatformRecords on SQLite and PostgreSQL: recorded pair spaces and the daily thread budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import JSON, column, select, table
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.storage.engine import create_engine
from adapters.storage.migrate import upgrade_async
from adapters.storage.orm import PairSpaceRow
from adapters.storage.platform_records import SqlPlatformRecords
from core.delivery.outbox import space_key
from core.model import Platform
from tests.integration.test_delivery import published_round
from tests.support import FixedClock, program

DAY = timedelta(days=1)


async def test_a_space_is_recorded_and_its_group_members_found(
    engine: AsyncEngine,
    uow_factory,  # type: ignore[no-untyped-def]
) -> None:
    """The space of a key is found by key and by platform id, with the group's members."""
    p = program(uow_factory, FixedClock())
    community, report = await published_round(p, 6)
    records = SqlPlatformRecords.over(engine)
    group = report.groups[0]
    key = space_key(report.round.id, group.number)
    assert await records.recorded_space(Platform.LOCAL, key) is None
    await records.record_space(community.id, Platform.LOCAL, key, "space-1")
    assert await records.recorded_space(Platform.LOCAL, key) == "space-1"
    assert await records.space_key(Platform.LOCAL, "space-1") == key
    await records.record_space(community.id, Platform.LOCAL, key, "space-2")  # remade
    assert await records.recorded_space(Platform.LOCAL, key) == "space-2"
    assert await records.space_key(Platform.LOCAL, "space-1") is None
    members = await records.space_members(Platform.LOCAL, "space-2")
    assert {m.external_id for m in members} == {m.external_id for m in group.members}
    assert await records.space_members(Platform.LOCAL, "unknown") == ()


async def test_the_thread_budget_counts_each_thread_once_per_window(engine: AsyncEngine) -> None:
    """A thread counts once in its window; past the limit the oldest count says when to retry."""
    records = SqlPlatformRecords.over(engine)
    t0 = datetime(2027, 3, 1, 9, tzinfo=UTC)

    async def take(thread: str, at: datetime) -> datetime | None:
        return await records.take_wake(
            Platform.DISCORD, "guild", thread, limit=2, since=at - DAY, now=at
        )

    assert await take("new:a", t0) is None
    await records.move_wake(Platform.DISCORD, "guild", "new:a", "1")
    assert await take("1", t0 + timedelta(hours=1)) is None  # woken again: free
    assert await take("2", t0 + timedelta(hours=2)) is None
    full = await take("3", t0 + timedelta(hours=3))
    assert full is not None and full == t0 + timedelta(hours=1)
    assert await take("3", full + DAY + timedelta(seconds=1)) is None
    # Another server has its own budget; an unused reservation is given back.
    assert (
        await records.take_wake(Platform.DISCORD, "other", "new:x", limit=1, since=t0 - DAY, now=t0)
        is None
    )
    await records.drop_wake(Platform.DISCORD, "other", "new:x")
    assert (
        await records.take_wake(Platform.DISCORD, "other", "9", limit=1, since=t0 - DAY, now=t0)
        is None
    )


async def test_the_migration_records_the_spaces_already_made(empty_database_url: str) -> None:
    """Upgrading a database made before pair_spaces existed records the spaces already made."""
    await upgrade_async(empty_database_url, "0004")
    engine = create_engine(empty_database_url)
    at = datetime(2027, 3, 1, 9, tzinfo=UTC)
    # The tables as revision 0004 has them (the ORM may be ahead of it).
    communities = table(
        "communities",
        *(column(c) for c in ("id", "platform", "external_id", "name", "default_language")),
        *(column(c) for c in ("pairing_rule", "organiser_roles", "channels")),
    )
    outbox = table(
        "outbox",
        *(column(c) for c in ("key", "community_id", "platform", "kind", "payload", "requires")),
        *(column(c) for c in ("state", "attempts", "not_before", "created_at", "done_at")),
        column("last_error"),
        column("result", JSON),
    )

    def action(key: str, state: str, result: dict[str, str]) -> dict[str, object]:
        return {
            "key": key,
            "community_id": 1,
            "platform": "discord",
            "kind": "create_space",
            "payload": "{}",
            "requires": "[]",
            "state": state,
            "attempts": 1,
            "not_before": at,
            "created_at": at,
            "done_at": at if state == "done" else None,
            "last_error": "",
            "result": result,
        }

    try:
        async with engine.begin() as connection:
            await connection.execute(
                communities.insert().values(
                    id=1,
                    platform="discord",
                    external_id="42",
                    name="Old Network",
                    default_language="en",
                    pairing_rule="pairs",
                    organiser_roles="[]",
                    channels="{}",
                )
            )
            await connection.execute(
                outbox.insert(),
                [
                    action("r1:g1:space", "done", {"space_id": "111", "name": "2027A pair 1"}),
                    action("r1:g2:space", "done", {"skipped": "dissolved"}),
                    action("r1:g3:space", "pending", {}),
                ],
            )
        await upgrade_async(empty_database_url)
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(PairSpaceRow.community_id, PairSpaceRow.key, PairSpaceRow.space_id)
                )
            ).all()
        assert [tuple(r) for r in rows] == [(1, "r1:g1:space", "111")]
    finally:
        await engine.dispose()
