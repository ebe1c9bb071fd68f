"""Deliver the outbox: carry out due platform actions exactly once each.

The database says what is due; this service only asks the platform adapters to do
it and records the outcome. A temporary refusal (rate limit, thread cap) puts the
action back for later; a permanent one (missing permission, member gone) is
recorded for organisers and never blocks the other pairs.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.delivery.actions import ActionContext, ContextLoader
from core.delivery.outbox import (
    Action,
    ActionKind,
    ActionState,
    NewAction,
    space_key,
    topic_post_key,
    topic_thread_key,
)
from core.messages.languages import pair_language_of
from core.model import (
    Community,
    Platform,
    RoundState,
)
from core.platform import ChatPlatform, DeliveryFailed
from core.ports import Clock, GroupMembers, UnitOfWork, UnitOfWorkFactory
from core.rounds.round_topics import calendar_topics
from core.rounds.topics import schedule

log = logging.getLogger(__name__)

# Waiting for an action this one requires (the pair space before its topic).
_REQUIREMENT_WAIT = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    done: int = 0
    retried: int = 0
    failed: int = 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            self.done + other.done, self.retried + other.retried, self.failed + other.failed
        )


class DeliveryService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        platforms: Mapping[Platform, ChatPlatform],
        max_attempts: int = 8,
        backoff: timedelta = timedelta(seconds=30),
        concurrency: int = 1,
    ) -> None:
        self._uow = uow
        self._clock = clock
        # Kept by reference: adapters register themselves once connected.
        self._platforms = platforms
        self._max_attempts = max_attempts
        self._backoff = backoff
        # Deliveries in flight at once per platform: the database work of one overlaps
        # another's wait for its rate-limit slot, so a paced platform is kept busy.
        self._concurrency = max(1, concurrency)

    # -- what is due -------------------------------------------------------------------

    async def enqueue_due_topics(self, round_id: int | None = None) -> int:
        """Enqueue the topic thread and pair posts of running rounds' due topics."""
        now = self._clock.now()
        added = 0
        async with self._uow() as uow:
            for round_ in await uow.rounds.in_states([RoundState.RUNNING]):
                if round_id is not None and round_.id != round_id:
                    continue
                community = await uow.communities.get(round_.community_id)
                topics = await calendar_topics(uow, round_)
                due = [s for s in schedule(round_, topics) if s.at <= now]
                if not due:
                    continue
                # Numbers and members only: scores and reasons are not needed here.
                groups = await uow.groups.published_members(round_.id)
                # Only what is not stored yet is made again (enqueue still lets the key
                # decide): each call used to rebuild every due topic for every pair,
                # 90,000 actions a day for a 20,000-member round.
                known = await uow.outbox.keys_of(
                    round_.id, (ActionKind.OPEN_TOPIC_THREAD, ActionKind.POST_TOPIC)
                )
                posts = {
                    g.number: {
                        k
                        for k in range(len(due))
                        if topic_post_key(round_.id, g.number, k) not in known
                    }
                    for g in groups
                }
                groups = [g for g in groups if posts[g.number]]
                threads = {
                    k for k in range(len(due)) if topic_thread_key(round_.id, k) not in known
                }
                if not groups and not threads:
                    continue
                first = await _first_topics(uow, round_.id, groups, [item.at for item in due])
                chosen = await uow.members.languages(m for g in groups for m in g.member_ids)
                lang = {
                    g.number: pair_language_of([chosen.get(m) for m in g.member_ids], community)
                    for g in groups
                }
                actions = []
                for k, item in enumerate(due):
                    thread = topic_thread_key(round_.id, k)
                    common = {"round_id": round_.id, "k": k}
                    if k in threads:
                        actions.append(
                            NewAction(
                                thread,
                                community.id,
                                community.platform,
                                ActionKind.OPEN_TOPIC_THREAD,
                                common,
                                item.at,
                                round_.id,
                            )
                        )
                    actions += [
                        NewAction(
                            topic_post_key(round_.id, g.number, k),
                            community.id,
                            community.platform,
                            ActionKind.POST_TOPIC,
                            {**common, "group": g.number, "lang": lang[g.number]},
                            item.at,
                            round_.id,
                            requires=(space_key(round_.id, g.number), thread),
                        )
                        for g in groups
                        if k >= first[g.number] and k in posts[g.number]
                    ]
                added += await uow.outbox.enqueue(actions)
            await uow.commit()
        return added

    # -- carrying it out ----------------------------------------------------------------

    async def run_due(self, *, limit: int | None = None, batch: int = 200) -> DeliveryReport:
        """Deliver due actions of the platforms this process serves; return the tally.

        Each batch costs two transactions whatever its size: one claims the due
        actions (their context loaded, a try recorded for each), one records what
        the platform answered. A batch is over before the next one is read, so an
        action is never in flight twice.
        """
        report = DeliveryReport()
        handled = 0
        while limit is None or handled < limit:
            size = batch if limit is None else min(batch, limit - handled)
            claimed = await self._claim(size)
            if claimed is None:
                break
            seen, ready, failures = claimed
            report += await self._record(await self._call(ready), failures)
            handled += seen
        return report

    async def _claim(
        self, size: int
    ) -> tuple[int, list[ActionContext], list[tuple[Action, str]]] | None:
        """Claim up to *size* due actions in one transaction; None when nothing is due.

        Return how many were due, the contexts of those to carry out now (a try is
        recorded for each before the platform is called: if we die mid-call, the next
        attempt knows the platform may already have the result and asks it first),
        and those whose context could not be loaded, with why.
        """
        now = self._clock.now()
        async with self._uow() as uow:
            due = await uow.outbox.due(now, platforms=list(self._platforms), limit=size)
            if not due:
                return None
            in_batch = {action.key for action in due}
            required = await uow.outbox.outcomes(k for action in due for k in action.requires)
            loader = ContextLoader(uow, now)
            await loader.prefetch(due)
            ready: list[ActionContext] = []
            failures: list[tuple[Action, str]] = []
            waiting: list[ActionContext] = []
            for action in due:
                pending = [
                    key
                    for key in action.requires
                    if key not in required or required[key].state is ActionState.PENDING
                ]
                if any(key in in_batch for key in pending):
                    continue  # its requirement is delivered first; it comes in the next batch
                if pending:
                    await uow.outbox.retry_later(
                        action.id,
                        f"waiting for {pending[0]}",
                        now + _REQUIREMENT_WAIT,
                        count_attempt=False,
                    )
                    continue
                try:
                    context = await loader.load(action)
                except Exception as exc:  # a bad payload must not stop the other pairs
                    log.exception("loading %s failed", action.key)
                    failures.append((action, f"{type(exc).__name__}: {exc}"))
                    continue
                context.required = {k: required[k] for k in action.requires}
                (waiting if context.skip else ready).append(context)
            await uow.outbox.mark_tried_many((c.action.id for c in ready), now)
            await uow.commit()
        # Nothing to ask the platform for these: recorded as done with the reason.
        for context in waiting:
            context.outcome = {"skipped": context.skip}
        return len(due), ready + waiting, failures

    async def _call(self, contexts: list[ActionContext]) -> list[ActionContext]:
        """Ask the platform to carry out each claimed action; keep each outcome."""
        slots = {c.action.platform: asyncio.Semaphore(self._concurrency) for c in contexts}

        async def call(context: ActionContext) -> None:
            if context.outcome is not None:
                return
            async with slots[context.action.platform]:
                try:
                    context.outcome = await context.run(
                        self._platforms[context.action.platform],
                        retry=context.action.tried_at is not None,
                    )
                except DeliveryFailed as exc:
                    context.failure = exc
                except Exception as exc:  # an adapter bug or network fault must not stop others
                    log.exception("delivering %s failed", context.action.key)
                    context.failure = DeliveryFailed(f"{type(exc).__name__}: {exc}")

        if self._concurrency == 1:
            for context in contexts:
                await call(context)
        else:
            async with asyncio.TaskGroup() as tasks:
                for context in contexts:
                    tasks.create_task(call(context))
        return contexts

    async def _record(
        self, contexts: list[ActionContext], failures: list[tuple[Action, str]]
    ) -> DeliveryReport:
        """Record the outcomes of a batch in one transaction; return the tally."""
        now = self._clock.now()
        done = [(c.action.id, c.outcome) for c in contexts if c.outcome is not None]
        failed = [
            (c.action, str(c.failure), c.failure.permanent, c.failure.retry_after)
            for c in contexts
            if c.outcome is None and c.failure is not None
        ]
        failed += [(action, error, False, None) for action, error in failures]
        if not done and not failed:
            return DeliveryReport()
        report = DeliveryReport(done=len(done))
        async with self._uow() as uow:
            await uow.outbox.finish_many(done, now)
            communities: dict[int, Community] = {}
            for action, error, permanent, retry_after in failed:
                report += await self._record_failure(
                    uow, communities, action, error, permanent, retry_after, now
                )
            await uow.commit()
        return report

    async def progress(self, community_id: int, round_id: int) -> dict[ActionKind, Counter[str]]:
        """Return, per kind of action, how many of a round's actions are in each state."""
        async with self._uow() as uow:
            actions = await uow.outbox.list(community_id, round_id=round_id)
        tally: dict[ActionKind, Counter[str]] = {}
        for action in actions:
            tally.setdefault(action.kind, Counter())[action.state.value] += 1
        return tally

    async def next_due(self) -> datetime | None:
        """Return when the next pending action of the served platforms falls due."""
        if not self._platforms:
            return None
        async with self._uow() as uow:
            return await uow.outbox.next_due(platforms=list(self._platforms))

    async def _record_failure(
        self,
        uow: UnitOfWork,
        communities: dict[int, Community],
        action: Action,
        error: str,
        permanent: bool,
        retry_after: float | None,
        now: datetime,
    ) -> DeliveryReport:
        if permanent or action.attempts + 1 >= self._max_attempts:
            await uow.outbox.fail(action.id, error, now)
            # An alert that cannot be delivered is not alerted about again (no loop).
            if action.kind is not ActionKind.ALERT_ORGANISERS:
                if action.community_id not in communities:
                    communities[action.community_id] = await uow.communities.get(
                        action.community_id
                    )
                community = communities[action.community_id]
                await uow.outbox.enqueue([_failure_alert(community, action, error, now)])
            return DeliveryReport(failed=1)
        if retry_after is not None:
            wait = timedelta(seconds=retry_after)
        else:
            wait = self._backoff * (2**action.attempts)
        # A rate limit is the platform pacing us, not a failure of the action.
        await uow.outbox.retry_later(
            action.id, error, now + wait, count_attempt=retry_after is None
        )
        return DeliveryReport(retried=1)


async def _first_topics(
    uow: UnitOfWork, round_id: int, groups: Sequence[GroupMembers], dates: Sequence[datetime]
) -> dict[int, int]:
    """Return, per group number, the first topic (index) the group should get.

    Pairs published before the round get every topic. A pair formed mid-round (a
    rematch, a rescue from the standby pool) starts with the most recent topic
    rather than receiving all the earlier ones at once.
    """
    spaces = await uow.outbox.outcomes(space_key(round_id, g.number) for g in groups)
    first: dict[int, int] = {}
    for g in groups:
        made = spaces.get(space_key(round_id, g.number))
        passed = [k for k, at in enumerate(dates) if made is not None and at <= made.created_at]
        first[g.number] = max(passed, default=0)
    return first


def _failure_alert(community: Community, action: Action, error: str, now: datetime) -> NewAction:
    text = f"Could not {action.kind.value.replace('_', ' ')} ({action.key}): {error}"
    return NewAction(
        f"{action.key}:failed",
        community.id,
        community.platform,
        ActionKind.ALERT_ORGANISERS,
        {"message": {"title": "penpals: delivery failed", "body": text}},
        now,
        action.round_id,
    )
