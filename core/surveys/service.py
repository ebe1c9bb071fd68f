"""Surveys: a mid-round check-in and an end-of-round survey, answered in a modal.

ILN's surveys (80-90% satisfaction) shaped its next rounds; here the bot runs them.
Each round has two surveys, `mid` and `end`, with the same seven default questions:
satisfaction 1-5, how often the pair talked, which topics they used, how they
communicated, whether they reached their goals, would they recommend the program,
and a comment. Organisers may reword, drop or add questions per round and survey
(`penpals survey ...`); once someone has answered, a question's kind and options
are fixed, only its wording may change.

The calendar (the database keeps any date an organiser set instead):

- mid: opens halfway through the round, closes 14 days later;
- end: opens 7 days before the round ends, closes 14 days after it ends;
- a reminder goes to those who have not answered 5 days before it closes.

The invitation is posted once in each pair space, with a button that opens the
modal; the reminder is a direct message to each member who has not answered yet.
A member has one response per survey and may change it until the survey closes.
Results are counted without names, and nothing is broken down below MIN_GROUP
responses (as in core.reports.service).

Default texts are English catalog messages (translated where they are shown); an
organiser's wording is not in the catalog and is shown as written.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.model import RoundState
from core.ports import Clock, UnitOfWorkFactory
from core.surveys.answers import SurveyAnswers
from core.surveys.editing import SurveyEditing
from core.surveys.invitations import closed_alert, invitations, reminders
from core.surveys.model import Survey, SurveyKind
from core.surveys.queries import round_results
from core.surveys.rules import window


class SurveyService(SurveyEditing, SurveyAnswers):
    """Run the round's surveys: questions, invitations, reminders, answers, results."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    # -- the calendar ----------------------------------------------------------------

    async def advance(self, round_id: int) -> list[str]:
        """Send, remind and close what is due for the round's surveys; once each."""
        steps: list[str] = []
        now = self._clock.now()
        async with self._uow() as uow:
            r = await uow.rounds.get(round_id)
            if r.state not in (RoundState.RUNNING, RoundState.FINISHED):
                return steps
            community = await uow.communities.get(r.community_id)
            for kind in SurveyKind:
                survey = stored = await uow.surveys.ensure(r.id, kind)
                w = window(r, survey)
                if w is None or survey.closed_at is not None:
                    continue
                # A round finished by hand before its end survey went out: the pair
                # spaces are being archived, so the invitation goes by direct message.
                # A check-in the round never reached is not sent at all.
                finished = r.state is RoundState.FINISHED
                late = finished and kind is SurveyKind.MID
                if survey.sent_at is None and w.opens <= now and w.closes > now and not late:
                    invited, actions = await invitations(
                        uow, community, r, survey, now, direct=finished
                    )
                    await uow.outbox.enqueue(actions)
                    survey = replace(survey, sent_at=now, invited=invited)
                    steps.append(f"{kind} survey sent to {invited} members")
                if (
                    survey.sent_at is not None
                    and survey.reminded_at is None
                    and w.reminds <= now < w.closes
                ):
                    actions = await reminders(uow, community, r, survey, now)
                    await uow.outbox.enqueue(actions)
                    survey = replace(survey, reminded_at=now)
                    steps.append(f"{kind} survey reminder to {len(actions)} members")
                if w.closes <= now:
                    survey = replace(survey, closed_at=now)
                    if survey.sent_at is not None:
                        found = await round_results(uow, community, r, kind, survey=survey)
                        await uow.outbox.enqueue([closed_alert(community, r, found, now)])
                    steps.append(f"{kind} survey closed")
                if survey != stored:
                    await uow.surveys.save(survey)
            await uow.commit()
        return steps

    async def next_due(self, round_id: int) -> datetime | None:
        """Return the next moment after now when `advance` has survey work for the round."""
        now = self._clock.now()
        async with self._uow() as uow:
            r = await uow.rounds.get(round_id)
            if r.state not in (RoundState.MATCHED, RoundState.RUNNING, RoundState.FINISHED):
                return None
            times: list[datetime] = []
            surveys = await uow.surveys.for_round(r.id)
            for survey in surveys:
                w = window(r, survey)
                if w is None or survey.closed_at is not None:
                    continue
                if survey.sent_at is None:
                    times.append(w.opens)
                if survey.reminded_at is None:
                    times.append(w.reminds)
                times.append(w.closes)
            if not surveys and r.starts_at and r.ends_at:
                # Not created yet: the round's default calendar still applies.
                for kind in SurveyKind:
                    if (w := window(r, Survey(0, r.id, kind))) is not None:
                        times.append(w.opens)
        future = [t for t in times if t > now]
        return min(future, default=None)
