"""Organisers' side of the surveys service: show, reword, add, reset, schedule, results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from core import audit
from core.errors import Conflict, InvalidValue, NotFound
from core.model import Round
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.surveys.model import Question, QuestionType, Survey, SurveyKind, SurveyResults, Window
from core.surveys.queries import find_round, round_results
from core.surveys.rules import QUESTION_KEY, question_label, question_options, window


class SurveyEditing:
    """The organisers' operations of SurveyService."""

    _uow: UnitOfWorkFactory
    _clock: Clock

    async def show(self, community_id: int, round_name: str, kind: SurveyKind) -> Survey:
        """Return the round's survey of *kind* (created with the default questions)."""
        async with self._uow() as uow:
            r = await find_round(uow, community_id, round_name)
            survey = await uow.surveys.ensure(r.id, kind)
            await uow.commit()
            return survey

    async def window_of(
        self, community_id: int, round_name: str, kind: SurveyKind
    ) -> Window | None:
        async with self._uow() as uow:
            r = await find_round(uow, community_id, round_name)
            survey = await uow.surveys.ensure(r.id, kind)
            await uow.commit()
            return window(r, survey)

    async def edit(
        self,
        community_id: int,
        round_name: str,
        kind: SurveyKind,
        key: str,
        *,
        label: str | None = None,
        options: Sequence[str] | None = None,
        required: bool | None = None,
        remove: bool = False,
        actor: str = audit.UNKNOWN,
    ) -> Survey:
        """Reword, change or drop one question of a survey that has not closed."""
        async with self._uow() as uow:
            r, survey = await self._editable(uow, community_id, round_name, kind)
            questions = list(survey.current_questions)
            index = next((i for i, q in enumerate(questions) if q.key == key), None)
            if index is None:
                known = ", ".join(q.key for q in questions)
                raise NotFound(
                    f"the {kind} survey has no question {key!r}: the questions are {known}"
                )
            answered = await uow.surveys.respondents(survey.id)
            q = questions[index]
            if (remove or options is not None) and answered:
                raise Conflict(
                    f"{len(answered)} members have already answered the {kind} survey: "
                    "only the wording of a question can change now"
                )
            if remove:
                if len(questions) == 1:
                    raise Conflict("a survey needs at least one question: add another first")
                del questions[index]
            else:
                if label is not None:
                    q = replace(q, label=question_label(label))
                if options is not None:
                    q = replace(q, options=question_options(q.type, options))
                if required is not None:
                    q = replace(q, required=required)
                questions[index] = q
            survey = replace(survey, questions=tuple(questions))
            await uow.surveys.save(survey)
            changed = [
                n
                for n, v in (("label", label), ("options", options), ("required", required))
                if v is not None
            ]
            await self._audit(
                uow,
                r,
                actor,
                "survey.edit",
                f"{kind} survey, question {key}",
                "removed" if remove else f"changed {', '.join(changed) or 'nothing'}",
            )
            await uow.commit()
            return survey

    async def add_question(
        self,
        community_id: int,
        round_name: str,
        kind: SurveyKind,
        key: str,
        type_: QuestionType,
        label: str,
        options: Sequence[str] = (),
        *,
        required: bool = False,
        actor: str = audit.UNKNOWN,
    ) -> Survey:
        """Add a question at the end of a survey that has not closed."""
        async with self._uow() as uow:
            r, survey = await self._editable(uow, community_id, round_name, kind)
            if not QUESTION_KEY.match(key):
                raise InvalidValue(
                    f"question key {key!r}: use lowercase letters, digits and _ "
                    "(at most 32, starting with a letter), e.g. 'mentor_again'"
                )
            if any(q.key == key for q in survey.current_questions):
                raise Conflict(f"the {kind} survey already has a question {key!r}: edit it instead")
            if len(survey.current_questions) >= 20:
                raise Conflict("a survey holds at most 20 questions: drop one first")
            q = Question(
                key,
                type_,
                question_label(label),
                question_options(type_, options),
                required=required,
            )
            survey = replace(survey, questions=(*survey.current_questions, q))
            await uow.surveys.save(survey)
            await self._audit(
                uow, r, actor, "survey.add", f"{kind} survey, question {key}", f"{type_}: {label}"
            )
            await uow.commit()
            return survey

    async def reset(
        self, community_id: int, round_name: str, kind: SurveyKind, *, actor: str = audit.UNKNOWN
    ) -> Survey:
        """Go back to the default questions (before anyone answered)."""
        async with self._uow() as uow:
            r, survey = await self._editable(uow, community_id, round_name, kind)
            if await uow.surveys.respondents(survey.id):
                raise Conflict(
                    f"members have already answered the {kind} survey: it cannot be reset"
                )
            survey = replace(survey, questions=None)
            await uow.surveys.save(survey)
            await self._audit(uow, r, actor, "survey.reset", f"{kind} survey", "default questions")
            await uow.commit()
            return survey

    async def schedule(
        self,
        community_id: int,
        round_name: str,
        kind: SurveyKind,
        *,
        opens: datetime | None = None,
        closes: datetime | None = None,
        actor: str = audit.UNKNOWN,
    ) -> Window:
        """Set when a survey opens or closes (not once it has been sent, for opening)."""
        async with self._uow() as uow:
            r, survey = await self._editable(uow, community_id, round_name, kind)
            if opens is not None and survey.sent_at is not None:
                raise Conflict(
                    f"the {kind} survey was already sent: only its closing date can change"
                )
            survey = replace(
                survey,
                opens_at=opens if opens is not None else survey.opens_at,
                closes_at=closes if closes is not None else survey.closes_at,
            )
            w = window(r, survey)
            if w is None:
                raise Conflict(
                    f"round {r.name} has no start and end dates yet: set them first, "
                    "or give both --opens and --closes"
                )
            if w.closes <= w.opens:
                raise InvalidValue(
                    f"the survey would close ({w.closes:%Y-%m-%d %H:%M}) before it opens "
                    f"({w.opens:%Y-%m-%d %H:%M}): choose a later closing date"
                )
            await uow.surveys.save(survey)
            await self._audit(
                uow,
                r,
                actor,
                "survey.schedule",
                f"{kind} survey",
                f"opens {w.opens:%Y-%m-%d %H:%M}, closes {w.closes:%Y-%m-%d %H:%M} (UTC)",
            )
            await uow.commit()
            return w

    async def results(
        self, community_id: int, round_name: str | None, kind: SurveyKind
    ) -> SurveyResults:
        async with self._uow() as uow:
            if round_name is None:
                rounds = await uow.rounds.list(community_id)
                if not rounds:
                    raise NotFound("the community has no rounds yet")
                r = rounds[-1]
            else:
                r = await find_round(uow, community_id, round_name)
            community = await uow.communities.get(community_id)
            return await round_results(uow, community, r, kind)

    async def _audit(
        self, uow: UnitOfWork, r: Round, actor: str, action: str, subject: str, detail: str
    ) -> None:
        await audit.record(
            uow,
            community_id=r.community_id,
            round_id=r.id,
            at=self._clock.now(),
            actor=actor,
            action=action,
            subject=subject,
            detail=detail,
        )

    async def _editable(
        self, uow: UnitOfWork, community_id: int, round_name: str, kind: SurveyKind
    ) -> tuple[Round, Survey]:
        r = await find_round(uow, community_id, round_name)
        survey = await uow.surveys.ensure(r.id, kind)
        w = window(r, survey)
        if survey.closed_at is not None or (w is not None and w.closes <= self._clock.now()):
            raise Conflict(
                f"the {kind} survey of round {r.name} has closed: it can no longer change"
            )
        return r, survey
