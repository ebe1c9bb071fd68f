"""The round runs itself: what falls due on a round's calendar, done once.

The database holds every date (applications open and close, start, topics, end).
`advance(round_id)` does whatever is due for that round now and is safe to call
any number of times: a scheduler calls it at each due time, and again for every
live round at start-up, so what fell due while the process was down runs once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core import audit
from core.delivery.outbox import ActionKind, NewAction, announce_key
from core.delivery.service import DeliveryService
from core.engagement.service import EngagementService
from core.messages import render as messages
from core.model import Round, RoundState
from core.platform import message_to_dict
from core.ports import Clock, UnitOfWorkFactory
from core.rounds.round_topics import calendar_topics
from core.rounds.service import RoundService
from core.rounds.topics import schedule
from core.surveys.service import SurveyService

S = RoundState
LIVE_STATES = (S.DRAFT, S.OPEN, S.CLOSED, S.MATCHED, S.RUNNING)


@dataclass(frozen=True, slots=True)
class Advanced:
    round_id: int
    steps: tuple[str, ...]  # what was done, e.g. ("opened", "topics: 12 actions")


class RoundAutomation:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        rounds: RoundService,
        delivery: DeliveryService,
        closing_reminder: timedelta = timedelta(days=3),
        engagement: EngagementService | None = None,
        surveys: SurveyService | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._rounds = rounds
        self._delivery = delivery
        self._reminder = closing_reminder
        self._engagement = engagement
        self._surveys = surveys

    async def live_rounds(self) -> list[Round]:
        """Return every round that may still have something due.

        A finished round stays live while one of its surveys has not closed.
        """
        async with self._uow() as uow:
            live = await uow.rounds.in_states(LIVE_STATES)
            if self._surveys is not None:
                known = {r.id for r in live}
                for round_id in await uow.surveys.unclosed_round_ids():
                    if round_id not in known:
                        r = await uow.rounds.get(round_id)
                        if r.state is S.FINISHED:
                            live.append(r)
            return live

    async def advance(self, round_id: int) -> Advanced:
        """Do everything due for the round now; a second call does nothing new."""
        steps: list[str] = []
        async with self._uow() as uow:
            r = await uow.rounds.get(round_id)
        now = self._clock.now()
        if r.state is S.DRAFT and _passed(r.applications_open_at, now):
            # Even when the window passed while we were down: it opens, then closes below.
            r = await self._rounds.open(r.community_id, r.name, actor=audit.SCHEDULER)
            steps.append("opened")
        closes = r.applications_close_at
        if r.state is S.OPEN and closes is not None:
            if closes <= now:
                r = await self._rounds.close(r.community_id, r.name, actor=audit.SCHEDULER)
                steps.append("closed")
            elif closes - self._reminder <= now and await self._closing_soon(r):
                steps.append("closing reminder")
        if r.state is S.MATCHED and _passed(r.starts_at, now):
            r = await self._rounds.start(r.community_id, r.name, actor=audit.SCHEDULER)
            steps.append("started")
        if r.state is S.RUNNING:
            added = await self._delivery.enqueue_due_topics(r.id)
            if added:
                steps.append(f"topics: {added} actions")
            if self._surveys is not None:
                # Before finishing: the end survey opens a week before the end.
                steps += await self._surveys.advance(r.id)
            if _passed(r.ends_at, now):
                r = await self._rounds.finish(r.community_id, r.name, actor=audit.SCHEDULER)
                steps.append("finished")
            elif self._engagement is not None and (checked := await self._engagement.daily(r.id)):
                steps.append(checked)
        if r.state is S.FINISHED and self._surveys is not None:
            steps += await self._surveys.advance(r.id)
        return Advanced(round_id, tuple(steps))

    async def next_due(self, round_id: int) -> datetime | None:
        """Return the next moment after now when `advance` has work for the round."""
        now = self._clock.now()
        async with self._uow() as uow:
            r = await uow.rounds.get(round_id)
            topics = await calendar_topics(uow, r)
        times: list[datetime | None] = []
        if r.state is S.DRAFT:
            times.append(r.applications_open_at)
        if r.state is S.OPEN and r.applications_close_at is not None:
            times += [r.applications_close_at - self._reminder, r.applications_close_at]
        if r.state is S.MATCHED:
            times.append(r.starts_at)
        if r.state is S.RUNNING:
            times += [item.at for item in schedule(r, topics)]
            times.append(r.ends_at)
            if self._engagement is not None:
                times.append(await self._engagement.next_check(r.id))
        if self._surveys is not None and r.state in (S.RUNNING, S.FINISHED):
            times.append(await self._surveys.next_due(r.id))
        future = [t for t in times if t is not None and t > now]
        return min(future, default=None)

    async def _closing_soon(self, r: Round) -> bool:
        async with self._uow() as uow:
            community = await uow.communities.get(r.community_id)
            message = message_to_dict(
                messages.announcement(r, "closing", lang=community.settings.default_language)
            )
            added = await uow.outbox.enqueue(
                [
                    NewAction(
                        announce_key(r.id, "closing"),
                        community.id,
                        community.platform,
                        ActionKind.ANNOUNCE,
                        {"message": message},
                        self._clock.now(),
                        r.id,
                    )
                ]
            )
            await uow.commit()
        return added > 0


def _passed(at: datetime | None, now: datetime) -> bool:
    return at is not None and at <= now
