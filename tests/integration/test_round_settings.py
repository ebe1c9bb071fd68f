"""Moving a round's dates and cadence while that is safe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.rehearsal import RehearsalPlatform
from core.audit import AuditService
from core.delivery.service import DeliveryService
from core.errors import Conflict, InvalidValue
from core.model import ApplicationStatus as A
from core.model import MemberRef, Platform, RoundState
from core.rounds.automation import RoundAutomation
from core.rounds.lifecycle import default_end
from core.rounds.schedule_edit import RoundSettingsService
from tests.support import Program, profile


@pytest.fixture
def edits(uow_factory, clock) -> RoundSettingsService:  # type: ignore[no-untyped-def]
    return RoundSettingsService(uow=uow_factory, clock=clock)


def engine(uow_factory, clock, p: Program) -> tuple[RoundAutomation, DeliveryService]:  # type: ignore[no-untyped-def]
    delivery = DeliveryService(
        uow=uow_factory,
        clock=clock,
        platforms={Platform.LOCAL: RehearsalPlatform()},
        backoff=timedelta(0),
    )
    automation = RoundAutomation(uow=uow_factory, clock=clock, rounds=p.rounds, delivery=delivery)
    return automation, delivery


async def test_moved_opening_and_closing_are_what_the_engine_then_uses(
    p: Program,
    edits: RoundSettingsService,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """A draft's opening moved a week later: the old date passes quietly, the new one opens."""
    c = await p.communities.ensure(Platform.LOCAL, "dates", "Dates")
    now = clock.now()
    r, _ = await p.rounds.create(
        c.id, "R", opens=now + timedelta(days=1), closes=now + timedelta(days=10)
    )
    automation, _delivery = engine(uow_factory, clock, p)
    done = await edits.reschedule(
        c.id, "R", opens=now + timedelta(days=8), closes=now + timedelta(days=20), actor="ana"
    )
    assert done.round.applications_open_at == now + timedelta(days=8)
    assert len(done.changes) == 2
    assert await automation.next_due(r.id) == now + timedelta(days=8)
    clock.set(now + timedelta(days=2))  # the old opening date
    assert (await automation.advance(r.id)).steps == ()
    clock.set(now + timedelta(days=8))
    assert (await automation.advance(r.id)).steps == ("opened",)
    clock.set(now + timedelta(days=11))  # the old closing date: still open
    assert "closed" not in (await automation.advance(r.id)).steps
    assert (await p.rounds.get(c.id, "R")).state is RoundState.OPEN
    clock.set(now + timedelta(days=20))
    assert "closed" in (await automation.advance(r.id)).steps
    entries = await AuditService(uow=uow_factory).list(c.id, "R")
    edit = next(e for e in entries if e.action == "round.edit")
    assert edit.actor == "ana" and "opens" in edit.detail and "closes" in edit.detail


async def test_a_passed_date_a_past_target_and_a_broken_order_are_refused(
    p: Program,
    edits: RoundSettingsService,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """Each unsafe move is refused with one sentence and nothing changes."""
    c = await p.communities.ensure(Platform.LOCAL, "dates", "Dates")
    now = clock.now()
    await p.rounds.create(c.id, "R", closes=now + timedelta(days=10))
    await p.rounds.open(c.id, "R")  # opening stamped now: it has passed
    with pytest.raises(Conflict, match="a date that has passed cannot be moved"):
        await edits.reschedule(c.id, "R", opens=now + timedelta(days=1))
    with pytest.raises(InvalidValue, match="in the past"):
        await edits.reschedule(c.id, "R", closes=now - timedelta(days=1))
    with pytest.raises(InvalidValue, match="comes before"):
        await edits.reschedule(
            c.id, "R", closes=now + timedelta(days=30), starts=now + timedelta(days=20)
        )
    with pytest.raises(InvalidValue, match="say what to change"):
        await edits.reschedule(c.id, "R")
    with pytest.raises(InvalidValue, match="cadence"):
        await edits.reschedule(c.id, "R", cadence_days=0)
    assert (await p.rounds.get(c.id, "R")).applications_close_at == now + timedelta(days=10)


async def test_cadence_and_start_are_fixed_once_topics_went_out_and_the_end_follows_a_default(
    p: Program,
    edits: RoundSettingsService,
    uow_factory,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """A default end follows a new cadence; after the first topic the cadence stays."""
    c = await p.communities.ensure(Platform.LOCAL, "dates", "Dates")
    await p.communities.configure(c.id, country_cap=None)
    now = clock.now()
    start = now + timedelta(days=7)
    r, _ = await p.rounds.create(c.id, "R", starts=start)
    moved = await edits.reschedule(c.id, "R", cadence_days=7)
    assert moved.round.ends_at == default_end(start, 7)
    with pytest.raises(InvalidValue, match="before its topic 9 goes out"):
        await edits.reschedule(c.id, "R", ends=start + timedelta(days=20))
    await p.rounds.open(c.id, "R")
    for i, country in enumerate(["FI", "BR", "NG", "JP"]):
        await p.applications.submit(
            c, MemberRef(Platform.LOCAL, f"m{i}"), profile(f"M{i}", country)
        )
    await p.applications.decide(c.id, "R", A.APPROVED, all_pending=True)
    await p.rounds.close(c.id, "R")
    await p.matches.publish(c, "R")
    automation, _delivery = engine(uow_factory, clock, p)
    clock.set(start)
    await automation.advance(r.id)  # starts, and the first topic is queued
    with pytest.raises(Conflict, match="a date that has passed"):
        await edits.reschedule(c.id, "R", starts=start + timedelta(days=3))
    with pytest.raises(Conflict, match="start and cadence can no longer move"):
        await edits.reschedule(c.id, "R", cadence_days=14)
    later = await edits.reschedule(c.id, "R", ends=default_end(start, 7) + timedelta(days=7))
    assert later.round.ends_at == default_end(start, 7) + timedelta(days=7)
    assert await automation.next_due(r.id) == start + timedelta(days=7)


async def test_a_finished_round_does_not_move(
    p: Program,
    edits: RoundSettingsService,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    """Nothing of a finished round changes."""
    c = await p.communities.ensure(Platform.LOCAL, "dates", "Dates")
    await p.communities.configure(c.id, country_cap=None)
    await p.rounds.create(c.id, "R")
    await p.rounds.open(c.id, "R")
    for i, country in enumerate(["FI", "BR"]):
        await p.applications.submit(
            c, MemberRef(Platform.LOCAL, f"m{i}"), profile(f"M{i}", country)
        )
    await p.applications.decide(c.id, "R", A.APPROVED, all_pending=True)
    await p.rounds.close(c.id, "R")
    await p.matches.publish(c, "R")
    await p.rounds.start(c.id, "R")
    await p.rounds.finish(c.id, "R")
    with pytest.raises(Conflict, match="finished"):
        await edits.reschedule(c.id, "R", ends=clock.now() + timedelta(days=3))
