"""The rehearsal's simulated world: its clock, pairs that talk, members who answer surveys,
and the calendar that moves the clock from one due moment to the next."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any, Protocol

from adapters.rehearsal import RehearsalPlatform
from bots.bootstrap import Services
from core.model import Round, RoundState
from core.rounds.lifecycle import TOPIC_COUNT

CADENCE_DAYS = 14
APPLICATION_WINDOW = timedelta(days=14)
MATCHING_WEEK = timedelta(days=7)  # between applications closing and the round start
ANSWER_BATCH = 5000  # simulated survey answers per transaction (each reads the round's pairs)


class Progress(Protocol):
    """progress(stage, done, total, unit): the CLI shows it, tests pass nothing.

    *unit* names what *done* and *total* count ("day"), when a reader should see them.
    """

    def __call__(self, stage: str, done: float, total: float, unit: str = "") -> None: ...


def quiet(stage: str, done: float, total: float, unit: str = "") -> None:
    """Ignore progress."""


# What the rehearsal is doing while the round is in each state.
_DOING = {
    RoundState.DRAFT: "planned",
    RoundState.OPEN: "applications open",
    RoundState.CLOSED: "applications closed, matching",
    RoundState.MATCHED: "pairs published, spaces made",
    RoundState.RUNNING: "pairs writing, topics every two weeks",
    RoundState.FINISHED: "round finished, goodbyes sent",
}


class SimulatedClock:
    """A clock that only moves when the rehearsal moves it, and only forward."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def travel(self, to: datetime) -> None:
        """Move to *to* unless that is in the past."""
        self._now = max(self._now, to)


class Chatter:
    """Simulate pairs talking in their spaces: most every few days, some fall silent.

    HOOK(nudges): the platform only counts these messages (who and when); they
    matter once the round engine counts activity, so that only the quiet pairs
    are nudged and the others are left alone.
    """

    QUIET_SHARE = 0.1  # pairs that stop talking at some point of the round
    EVERY = timedelta(days=4)

    def __init__(self, platform: RehearsalPlatform, seed: int) -> None:
        self._platform = platform
        self._rng = random.Random(seed)
        self._falls_silent: dict[str, datetime | None] = {}
        self._last: dict[str, datetime] = {}

    def talk(self, now: datetime) -> None:
        """Let every pair that still talks write every few days, up to *now*."""
        for space_id, space in self._platform.spaces.items():
            if space.archived:
                continue
            if space_id not in self._falls_silent:
                quiet = self._rng.random() < self.QUIET_SHARE
                after = timedelta(days=self._rng.choice((10, 30, 50)))
                self._falls_silent[space_id] = now + after if quiet else None
            silent_from = self._falls_silent[space_id]
            last = self._last.get(space_id)
            # The clock jumps from one due moment to the next (often two weeks apart), but
            # pairs write every few days in between: fill those days, as docs/demo.md says.
            at = now if last is None else last + self.EVERY
            while at <= now and (silent_from is None or at < silent_from):
                # Members take turns, so that nobody in a talking pair looks like the quiet one.
                author = space.members[len(space.said) % len(space.members)]
                self._platform.say(space_id, author, at)
                self._last[space_id] = at
                at += self.EVERY


class Respondents:
    """Simulate members answering the surveys: most at once, some after the reminder.

    Answers go through SurveyService.answer, as a modal's submission does. The mix
    of satisfaction answers is a made-up one close to ILN's 80-90% satisfied.
    """

    AT_ONCE = 0.6  # of the members, when the survey arrives
    AFTER_REMINDER = 0.3  # of those who had not answered, after the reminder
    SATISFACTION = (("1", 2), ("2", 4), ("3", 10), ("4", 44), ("5", 40))

    def __init__(self, services: Services, round_: Round, seed: int) -> None:
        self._services = services
        self._round = round_
        self._rng = random.Random(seed + 1)
        self._seen: set[tuple[int, str]] = set()  # (survey id, "sent" | "reminded")
        self._answered: set[tuple[int, int]] = set()  # (survey id, member id)

    async def answer(self) -> None:
        """Answer what was sent or reminded since the last call (a cheap look otherwise)."""
        async with self._services.uow() as uow:
            surveys = await uow.surveys.for_round(self._round.id)
        due = [
            (survey, stage, share)
            for survey in surveys
            for stage, at, share in (
                ("sent", survey.sent_at, self.AT_ONCE),
                ("reminded", survey.reminded_at, self.AFTER_REMINDER),
            )
            if at is not None and survey.closed_at is None and (survey.id, stage) not in self._seen
        ]
        if not due:
            return
        async with self._services.uow() as uow:
            groups = await uow.groups.published_members(self._round.id)
            members = sorted({m for g in groups for m in g.member_ids})
            refs = await uow.members.refs(members)
        for survey, stage, share in due:
            self._seen.add((survey.id, stage))
            batch = []
            for member_id in members:
                if (survey.id, member_id) in self._answered or self._rng.random() >= share:
                    continue
                self._answered.add((survey.id, member_id))
                batch.append((refs[member_id], self._answers()))
            # Checked as each modal's submission is, written in one transaction.
            for start in range(0, len(batch), ANSWER_BATCH):
                await self._services.surveys.answer_many(
                    survey.id, batch[start : start + ANSWER_BATCH]
                )

    def _answers(self) -> dict[str, Any]:
        rng = self._rng
        scores, weights = zip(*self.SATISFACTION, strict=True)
        return {
            "satisfaction": rng.choices(scores, weights)[0],
            "frequency": rng.choice(("weekly", "fortnightly", "fortnightly", "monthly")),
            "topics": sorted(rng.sample([str(n) for n in range(1, TOPIC_COUNT + 1)], 3)),
            "modes": rng.sample(("chat", "email", "video"), rng.randint(1, 2)),
            "goals": rng.choice(("yes", "yes", "partly", "no", "none")),
            "recommend": rng.choice(("yes", "yes", "yes", "maybe", "no")),
        }


class Calendar:
    """Move the simulated clock from one due moment to the next, doing what falls due."""

    def __init__(
        self,
        services: Services,
        clock: SimulatedClock,
        round_: Round,
        chatter: Chatter,
        progress: Progress,
        respondents: Respondents | None = None,
    ) -> None:
        self._services = services
        self._clock = clock
        self._round = round_
        self._chatter = chatter
        self._respondents = respondents
        self._progress = progress
        self._first = clock.now()
        assert round_.ends_at is not None, "a planned round has an end"
        self._days = (round_.ends_at - self._first).days

    async def run_until(self, state: RoundState) -> None:
        """Advance and deliver at each due moment until the round reaches *state*, drained.

        A finished round is drained once its end survey has closed too.
        """
        automation, delivery = self._services.automation, self._services.delivery
        while True:
            self._chatter.talk(self._clock.now())
            await automation.advance(self._round.id)
            await delivery.run_due()
            if self._respondents is not None:
                await self._respondents.answer()
            current = await self._services.rounds.get(self._round.community_id, self._round.name)
            self._show(current)
            next_step = await automation.next_due(self._round.id)
            next_delivery = await delivery.next_due()
            finished_for_good = state is not RoundState.FINISHED or next_step is None
            if current.state is state and next_delivery is None and finished_for_good:
                return
            upcoming = [t for t in (next_step, next_delivery) if t is not None]
            if not upcoming:
                raise RuntimeError(
                    f"round {current.name} stopped at {current.state.value} before "
                    f"{state.value}: nothing more is due"
                )
            self._clock.travel(min(upcoming))

    def _show(self, current: Round) -> None:
        day = (self._clock.now() - self._first).days
        if day <= self._days:
            what = _DOING.get(current.state, current.state.value)
            self._progress(f"Round {current.name}: {what}", day, self._days, "day")
        else:  # the round is over; its end survey stays open a while longer
            stage = f"Round {current.name} ended on day {self._days}: end-of-round survey open"
            self._progress(stage, self._days, self._days)
