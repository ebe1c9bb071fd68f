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

from core import messages
from core.applications import A
from core.languages import pair_language, pair_language_of
from core.model import Community, Group, MemberRef, Platform, Round, RoundState, Topic
from core.outbox import (
    Action,
    ActionKind,
    ActionState,
    NewAction,
    space_key,
    topic_post_key,
    topic_thread_key,
)
from core.platform import ChatPlatform, DeliveryFailed, Message, SpaceRef, message_from_dict
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.topics import localize, schedule

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


class _Postpone(Exception):
    """A required action is not done yet: try again shortly without counting an attempt."""


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
                topics = await uow.topics.list(round_.community_id)
                due = [s for s in schedule(round_, topics) if s.at <= now]
                if not due:
                    continue
                groups = [g for g in await uow.groups.list(round_.id) if g.published]
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
                        if k >= first[g.number]
                    ]
                added += await uow.outbox.enqueue(actions)
            await uow.commit()
        return added

    # -- carrying it out ----------------------------------------------------------------

    async def run_due(self, *, limit: int | None = None, batch: int = 200) -> DeliveryReport:
        """Deliver due actions of the platforms this process serves; return the tally."""
        report = DeliveryReport()
        handled = 0
        while limit is None or handled < limit:
            size = batch if limit is None else min(batch, limit - handled)
            async with self._uow() as uow:
                due = await uow.outbox.due(
                    self._clock.now(), platforms=list(self._platforms), limit=size
                )
            if not due:
                break
            report += await self._deliver_batch(due)
            handled += len(due)
        return report

    async def _deliver_batch(self, due: list[Action]) -> DeliveryReport:
        """Deliver a batch: what others in it require first, in order; then the rest.

        Each action of a batch is delivered by one task only, and the next batch is
        read after this one is over, so an action is never in flight twice.
        """
        report = DeliveryReport()
        required = {key for action in due for key in action.requires}
        rest = []
        for action in due:
            if action.key in required or self._concurrency == 1:
                report += await self.deliver(action)
            else:
                rest.append(action)
        slots = {a.platform: asyncio.Semaphore(self._concurrency) for a in rest}

        async def deliver(action: Action) -> DeliveryReport:
            async with slots[action.platform]:
                return await self.deliver(action)

        async with asyncio.TaskGroup() as tasks:
            running = [tasks.create_task(deliver(action)) for action in rest]
        for task in running:
            report += task.result()
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

    async def deliver(self, action: Action) -> DeliveryReport:
        """Carry out one action and record its outcome."""
        now = self._clock.now()
        try:
            result = await self._carry_out(action)
        except _Postpone as why:
            async with self._uow() as uow:
                await uow.outbox.retry_later(
                    action.id, str(why), now + _REQUIREMENT_WAIT, count_attempt=False
                )
                await uow.commit()
            return DeliveryReport()
        except DeliveryFailed as exc:
            return await self._record_failure(action, str(exc), exc.permanent, exc.retry_after)
        except Exception as exc:  # an adapter bug or network fault must not stop other pairs
            log.exception("delivering %s failed", action.key)
            return await self._record_failure(action, f"{type(exc).__name__}: {exc}", False, None)
        async with self._uow() as uow:
            await uow.outbox.finish(action.id, result, self._clock.now())
            await uow.commit()
        return DeliveryReport(done=1)

    async def _record_failure(
        self, action: Action, error: str, permanent: bool, retry_after: float | None
    ) -> DeliveryReport:
        now = self._clock.now()
        async with self._uow() as uow:
            if permanent or action.attempts + 1 >= self._max_attempts:
                await uow.outbox.fail(action.id, error, now)
                # An alert that cannot be delivered is not alerted about again (no loop).
                if action.kind is not ActionKind.ALERT_ORGANISERS:
                    community = await uow.communities.get(action.community_id)
                    await uow.outbox.enqueue([_failure_alert(community, action, error, now)])
                await uow.commit()
                return DeliveryReport(failed=1)
            if retry_after is not None:
                wait = timedelta(seconds=retry_after)
            else:
                wait = self._backoff * (2**action.attempts)
            # A rate limit is the platform pacing us, not a failure of the action.
            await uow.outbox.retry_later(
                action.id, error, now + wait, count_attempt=retry_after is None
            )
            await uow.commit()
        return DeliveryReport(retried=1)

    async def _carry_out(self, action: Action) -> dict[str, str]:
        platform = self._platforms[action.platform]
        async with self._uow() as uow:
            community = await uow.communities.get(action.community_id)
            required = await uow.outbox.by_keys(action.requires)
            for key in action.requires:
                found = required.get(key)
                if found is None or found.state is ActionState.PENDING:
                    raise _Postpone(f"waiting for {key}")
            context = await _Context.load(uow, action, community, self._clock.now())
            # Committed before the call: if we die mid-call, the next attempt knows
            # the platform may already have the result and asks it first.
            await uow.outbox.mark_tried(action.id, self._clock.now())
            await uow.commit()
        return await context.run(platform, required, retry=action.tried_at is not None)


async def _first_topics(
    uow: UnitOfWork, round_id: int, groups: Sequence[Group], dates: Sequence[datetime]
) -> dict[int, int]:
    """Return, per group number, the first topic (index) the group should get.

    Pairs published before the round get every topic. A pair formed mid-round (a
    rematch, a rescue from the standby pool) starts with the most recent topic
    rather than receiving all the earlier ones at once.
    """
    spaces = await uow.outbox.by_keys(space_key(round_id, g.number) for g in groups)
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


class _Context:
    """What one action needs from the database, loaded in one transaction."""

    def __init__(self, action: Action, community: Community, now: datetime) -> None:
        self.action = action
        self.community = community
        self.now = now
        payload = action.payload.get("message")
        self.message: Message | None = message_from_dict(payload) if payload else None
        self.members: list[MemberRef] = []
        self.name = ""
        self.skip = ""
        self.topic: tuple[Round, Topic, int, int] | None = None
        # The community's language; a pair's own messages use the pair's (see load).
        self.lang = community.settings.default_language

    @classmethod
    async def load(
        cls, uow: UnitOfWork, action: Action, community: Community, now: datetime
    ) -> _Context:
        ctx = cls(action, community, now)
        p, kind = action.payload, action.kind
        pair_kinds = (ActionKind.CREATE_SPACE, ActionKind.POST_TOPIC, ActionKind.ARCHIVE_SPACE)
        if "lang" in p:  # decided when enqueued (topic posts: one query for the round)
            ctx.lang = p["lang"]
        elif kind in pair_kinds and "group" in p and "round_id" in p:
            group = await uow.groups.find(p["round_id"], p["group"])
            if group is not None:
                ctx.lang = await pair_language(uow, community, group.member_ids)
        if kind is ActionKind.CREATE_SPACE:
            await ctx._load_introduction(uow, await uow.rounds.get(p["round_id"]), p["group"])
        elif kind in (ActionKind.POST_TOPIC, ActionKind.OPEN_TOPIC_THREAD):
            round_ = await uow.rounds.get(p["round_id"])
            topics = sorted(await uow.topics.list(community.id), key=lambda t: t.position)
            ctx.topic = (round_, topics[p["k"]], p["k"], len(topics))
            ctx.name = f"{round_.name} · {localize(topics[p['k']], ctx.lang).title}"
        elif kind is ActionKind.ARCHIVE_SPACE:
            ctx.message = messages.goodbye(await uow.rounds.get(p["round_id"]), lang=ctx.lang)
        return ctx

    async def _load_introduction(self, uow: UnitOfWork, round_: Round, number: int) -> None:
        group = await uow.groups.find(round_.id, number)
        if group is None or not group.active:
            self.skip = "the group was dissolved before its space was made"
            return
        # The group's own applications, not the round's: listing them all made every
        # space cost as much as the whole round (minutes for a thousand pairs).
        found = [await uow.applications.find(round_.id, m) for m in group.member_ids]
        members = [a for a in found if a is not None and a.status is A.APPROVED]
        self.members = [a.member for a in members]
        settings = self.community.settings
        contact = settings.channels.get("contact") or f"the organisers of {self.community.name}"
        self.message = messages.introduction(
            round_,
            number,
            [a.profile for a in members],
            group.reasons,
            now=self.now,
            contact=contact,
            lang=self.lang,
        )
        self.name = f"{round_.name} pair {number}"

    async def run(
        self, platform: ChatPlatform, required: Mapping[str, Action], *, retry: bool
    ) -> dict[str, str]:
        a, key = self.action, self.action.key
        if self.skip:
            return {"skipped": self.skip}
        if a.kind is ActionKind.OPEN_TOPIC_THREAD:
            assert self.topic is not None
            thread = await platform.open_topic_thread(
                self.community,
                self.name,
                messages.public_topic_message(*self.topic, lang=self.lang),
                key=key,
                retry=retry,
            )
            return {"thread_id": thread.id, "url": thread.url}
        if a.kind is ActionKind.POST_TOPIC:
            assert self.topic is not None
            opened = next((r for r in required.values() if r.key.endswith(":thread")), None)
            url = opened.result.get("url", "") if opened else ""
            message = messages.topic_message(*self.topic, thread_url=url, lang=self.lang)
            return {
                "message_id": await platform.post(
                    self._space(required), message, key=key, retry=retry
                )
            }
        if a.kind is ActionKind.REMOVE_MEMBER:
            member = a.payload["member"]
            await platform.remove_member(
                self._space(required), MemberRef(a.platform, member), key=key, retry=retry
            )
            return {"removed": member}
        assert self.message is not None, f"{a.kind} needs a message"
        message = self.message
        if a.kind is ActionKind.CREATE_SPACE:
            space = await platform.create_pair_space(
                self.community, self.name, self.members, message, key=key, retry=retry
            )
            return {"space_id": space.id, "name": space.name, "url": space.url}
        if a.kind is ActionKind.POST:
            return {
                "message_id": await platform.post(
                    self._space(required), message, key=key, retry=retry
                )
            }
        if a.kind is ActionKind.ARCHIVE_SPACE:
            space = self._space(required)
            await platform.archive_space(space, message, key=key, retry=retry)
            return {"archived": space.id}
        if a.kind is ActionKind.DIRECT_MESSAGE:
            member = MemberRef(a.platform, a.payload["member"])
            sent = await platform.direct_message(
                self.community, member, message, key=key, retry=retry
            )
            return {"direct": "yes" if sent else "fell back"}
        if a.kind is ActionKind.ANNOUNCE:
            await platform.announce(self.community, message, key=key, retry=retry)
            return {}
        if a.kind is ActionKind.ALERT_ORGANISERS:
            await platform.alert_organisers(self.community, message, key=key, retry=retry)
            return {}
        raise DeliveryFailed(f"unknown action kind {a.kind}")

    def _space(self, required: Mapping[str, Action]) -> SpaceRef:
        """Return the pair space this action needs, or fail if it could not be made."""
        found = next((r for r in required.values() if r.key.endswith(":space")), None)
        if found is None or "space_id" not in found.result:
            raise DeliveryFailed("the pair space could not be created (see the earlier alert)")
        r = found.result
        return SpaceRef(self.action.platform, r["space_id"], r.get("name", ""), r.get("url", ""))
