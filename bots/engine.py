"""The round engine: APScheduler triggers, the database decides.

Each live round has one job (`round:<id>`) at the next moment its calendar needs
attention, calling RoundAutomation.advance(round_id); the outbox has one job
(`outbox`) at the next pending action's time, calling DeliveryService.run_due().
Jobs are rebuilt from the database at start-up and every few minutes (rounds made
by another process, e.g. the CLI), and run however late they are: a fortnightly
topic is never skipped because the process was down when it fell due.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.storage.leader import Leadership
from core.delivery.service import DeliveryReport, DeliveryService
from core.ports import Clock
from core.rounds.automation import RoundAutomation

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


class Engine:
    def __init__(
        self,
        *,
        automation: RoundAutomation,
        delivery: DeliveryService,
        clock: Clock,
        leadership: Leadership,
        resync: timedelta = timedelta(minutes=5),
    ) -> None:
        self._automation = automation
        self._delivery = delivery
        self._clock = clock
        self._leadership = leadership
        self._resync = resync
        self._scheduler = AsyncIOScheduler(job_defaults=JOB_DEFAULTS, timezone="UTC")
        self._delivering = asyncio.Lock()

    async def start(self) -> None:
        """Become the leader, catch up on everything due, and schedule the rest."""
        if self._leadership.single_process:
            log.info(
                "SQLite: this process alone runs the scheduler and the outbox; run a single "
                "penpals process per SQLite file (use PostgreSQL for several)"
            )
        await self._leadership.acquire()
        self._scheduler.start()
        self._scheduler.add_job(
            self.rebuild, "interval", seconds=self._resync.total_seconds(), id="resync"
        )
        await self.rebuild()

    async def stop(self) -> None:
        """Stop triggering and give up the lead."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        await self._leadership.release()

    async def rebuild(self) -> None:
        """Advance every live round now and schedule its next due moment."""
        for round_ in await self._automation.live_rounds():
            await self.advance(round_.id)
        await self.deliver()

    async def advance(self, round_id: int) -> None:
        """Do what is due for a round, then schedule its next moment and delivery."""
        done = await self._automation.advance(round_id)
        if done.steps:
            log.info("round %s: %s", round_id, ", ".join(done.steps))
        self._at(
            f"round:{round_id}", await self._automation.next_due(round_id), self.advance, round_id
        )
        self.kick()

    def next_run(self, job_id: str) -> datetime | None:
        """Return when a job (`round:<id>`, `outbox`) runs next, or None when none is set."""
        job = self._scheduler.get_job(job_id)
        return None if job is None else job.next_run_time

    def kick(self) -> None:
        """Deliver the outbox as soon as possible (after a decision enqueued actions)."""
        self._wake_delivery(self._clock.now())

    async def deliver(self) -> DeliveryReport:
        """Deliver what is due, then schedule the next pending action."""
        async with self._delivering:
            report = await self._delivery.run_due()
            if report.done or report.failed:
                log.info(
                    "delivered %s, failed %s, retrying %s",
                    report.done,
                    report.failed,
                    report.retried,
                )
            upcoming = await self._delivery.next_due()
            if upcoming is not None:
                self._wake_delivery(upcoming)
            return report

    def _wake_delivery(self, when: datetime) -> None:
        """Schedule a delivery pass at *when*, unless one is already due earlier.

        A wake-up is never dropped nor moved later: a kick that comes while a pass runs
        (and may have read the outbox before the kick's actions were there) keeps its
        own pass. That pass waits on the lock behind the running one, so the job allows
        two instances; with one, APScheduler would skip it and drop the kick.
        """
        job = self._scheduler.get_job("outbox")
        if job is not None and job.next_run_time is not None and job.next_run_time <= when:
            return
        self._scheduler.add_job(
            self.deliver, "date", run_date=when, id="outbox", replace_existing=True, max_instances=2
        )

    def _at(self, job_id: str, when: datetime | None, func: object, *args: object) -> None:
        if when is None:
            if self._scheduler.get_job(job_id):
                self._scheduler.remove_job(job_id)
            return
        self._scheduler.add_job(
            func, "date", run_date=when, args=args, id=job_id, replace_existing=True
        )
