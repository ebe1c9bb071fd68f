"""The surveys repository: a round's surveys and one response per member per survey."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage.common import is_unique_violation
from adapters.storage.orm import SurveyResponseRow, SurveyRow
from core.errors import NotFound
from core.surveys.codecs import (
    answers_from_json,
    answers_to_json,
    question_from_json,
    question_to_json,
)
from core.surveys.model import Answer, Response, Survey, SurveyKind

_CHUNK = 500  # ids per IN (...): well inside SQLite's variable limit


def _survey(row: SurveyRow) -> Survey:
    return Survey(
        id=row.id,
        round_id=row.round_id,
        kind=SurveyKind(row.kind),
        questions=(
            None if row.questions is None else tuple(question_from_json(q) for q in row.questions)
        ),
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        invited=row.invited,
        sent_at=row.sent_at,
        reminded_at=row.reminded_at,
        closed_at=row.closed_at,
    )


def _response(row: Any) -> Response:
    """Map a response (its ORM row, or a plain row of its columns) to a Response."""
    return Response(
        row.survey_id,
        row.member_id,
        answers_from_json(row.answers),
        row.submitted_at,
        row.updated_at,
    )


class SqlSurveyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ensure(self, round_id: int, kind: SurveyKind) -> Survey:
        row = await self._find(round_id, kind)
        if row is None:
            row = SurveyRow(round_id=round_id, kind=kind.value, questions=None, invited=0)
            try:
                async with self._session.begin_nested():
                    self._session.add(row)
            except IntegrityError as error:
                if not is_unique_violation(error):
                    raise
                row = await self._find(round_id, kind)  # made by a concurrent transaction
                if row is None:
                    raise
        return _survey(row)

    async def get(self, survey_id: int) -> Survey | None:
        row = await self._session.get(SurveyRow, survey_id)
        return None if row is None else _survey(row)

    async def for_round(self, round_id: int) -> list[Survey]:
        rows = await self._session.scalars(
            select(SurveyRow).where(SurveyRow.round_id == round_id).order_by(SurveyRow.id)
        )
        return [_survey(r) for r in rows]

    async def save(self, survey: Survey) -> None:
        row = await self._session.get(SurveyRow, survey.id)
        if row is None:
            raise NotFound(f"survey {survey.id} does not exist")
        row.questions = (
            None if survey.questions is None else [question_to_json(q) for q in survey.questions]
        )
        row.opens_at = survey.opens_at
        row.closes_at = survey.closes_at
        row.invited = survey.invited
        row.sent_at = survey.sent_at
        row.reminded_at = survey.reminded_at
        row.closed_at = survey.closed_at
        await self._session.flush()

    async def unclosed_round_ids(self) -> list[int]:
        rows = await self._session.scalars(
            select(SurveyRow.round_id).where(SurveyRow.closed_at.is_(None)).distinct()
        )
        return sorted(rows)

    async def response(self, survey_id: int, member_id: int) -> Response | None:
        row = await self._response_row(survey_id, member_id)
        return None if row is None else _response(row)

    async def put_response(
        self, survey_id: int, member_id: int, answers: Mapping[str, Answer], at: datetime
    ) -> None:
        data = answers_to_json(answers)
        row = await self._response_row(survey_id, member_id)
        if row is None:
            row = SurveyResponseRow(
                survey_id=survey_id,
                member_id=member_id,
                answers=data,
                submitted_at=at,
                updated_at=at,
            )
            try:
                async with self._session.begin_nested():
                    self._session.add(row)
                return
            except IntegrityError as error:
                if not is_unique_violation(error):
                    raise
                row = await self._response_row(survey_id, member_id)
                if row is None:
                    raise
        row.answers = data
        row.updated_at = at
        await self._session.flush()

    async def responses_of(self, survey_id: int, member_ids: Iterable[int]) -> dict[int, Response]:
        """Return, by member id, the responses of these members to the survey."""
        ids = list(dict.fromkeys(member_ids))
        found: dict[int, Response] = {}
        for start in range(0, len(ids), _CHUNK):
            rows = await self._session.scalars(
                select(SurveyResponseRow).where(
                    SurveyResponseRow.survey_id == survey_id,
                    SurveyResponseRow.member_id.in_(ids[start : start + _CHUNK]),
                )
            )
            found.update((row.member_id, _response(row)) for row in rows)
        return found

    async def put_responses(
        self, survey_id: int, answers: Mapping[int, Mapping[str, Answer]], at: datetime
    ) -> None:
        """Create or replace the responses of several members, by member id, at once."""
        if not answers:
            return
        table = SurveyResponseRow.__table__
        if self._session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        stmt = insert(table)
        # One statement run for every member: the (survey, member) key decides.
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=["survey_id", "member_id"],
                set_={"answers": stmt.excluded.answers, "updated_at": stmt.excluded.updated_at},
            ),
            [
                {
                    "survey_id": survey_id,
                    "member_id": member_id,
                    "answers": answers_to_json(given),
                    "submitted_at": at,
                    "updated_at": at,
                }
                for member_id, given in answers.items()
            ],
        )

    async def responses(self, survey_id: int) -> list[Response]:
        # Plain rows of the columns, not ORM objects: a survey of a 20,000-member round
        # has some 14,000 responses, read at each reminder and result.
        table = SurveyResponseRow.__table__
        rows = await self._session.execute(
            select(table).where(table.c.survey_id == survey_id).order_by(table.c.id)
        )
        return [_response(r) for r in rows]

    async def respondents(self, survey_id: int) -> set[int]:
        table = SurveyResponseRow.__table__
        rows = await self._session.execute(
            select(table.c.member_id, table.c.answers).where(table.c.survey_id == survey_id)
        )
        return {
            member_id
            for member_id, answers in rows
            if any(v for v in answers_from_json(answers).values())
        }

    async def member_responses(self, member_id: int) -> list[tuple[Survey, Response]]:
        rows = await self._session.execute(
            select(SurveyRow, SurveyResponseRow)
            .join(SurveyResponseRow, SurveyResponseRow.survey_id == SurveyRow.id)
            .where(SurveyResponseRow.member_id == member_id)
            .order_by(SurveyRow.id)
        )
        return [(_survey(s), _response(r)) for s, r in rows]

    async def _find(self, round_id: int, kind: SurveyKind) -> SurveyRow | None:
        return await self._session.scalar(
            select(SurveyRow).where(SurveyRow.round_id == round_id, SurveyRow.kind == kind.value)
        )

    async def _response_row(self, survey_id: int, member_id: int) -> SurveyResponseRow | None:
        return await self._session.scalar(
            select(SurveyResponseRow).where(
                SurveyResponseRow.survey_id == survey_id,
                SurveyResponseRow.member_id == member_id,
            )
        )
