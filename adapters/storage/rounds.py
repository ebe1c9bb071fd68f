"""The rounds repository: a community's rounds, named uniquely, mapped to core.model."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage.common import unique_or_conflict
from adapters.storage.mapping import round_from_row as round_from_row
from adapters.storage.orm import (
    RoundRow,
)
from core.errors import NotFound
from core.model import (
    Round,
    RoundState,
)
from core.ports import NewRound


def _round_taken(name: str) -> str:
    return f"this community already has a round named {name!r}: choose another name"


class SqlRoundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, new: NewRound) -> Round:
        """Create a round in the draft state."""
        row = RoundRow(
            community_id=new.community_id,
            name=new.name,
            state=RoundState.DRAFT.value,
            applications_open_at=new.applications_open_at,
            applications_close_at=new.applications_close_at,
            starts_at=new.starts_at,
            ends_at=new.ends_at,
            topic_cadence_days=new.topic_cadence_days,
            created_at=new.created_at,
        )
        async with unique_or_conflict(self._session, _round_taken(new.name)):
            self._session.add(row)
        return round_from_row(row)

    async def get(self, round_id: int) -> Round:
        """Return the round with id *round_id*."""
        return round_from_row(await self._row(round_id))

    async def find(self, community_id: int, name: str) -> Round | None:
        """Return the community's round called *name*, if any."""
        row = await self._session.scalar(
            select(RoundRow).where(RoundRow.community_id == community_id, RoundRow.name == name)
        )
        return None if row is None else round_from_row(row)

    async def list(self, community_id: int) -> list[Round]:
        """Return the community's rounds, oldest first."""
        rows = await self._session.scalars(
            select(RoundRow)
            .where(RoundRow.community_id == community_id)
            .order_by(RoundRow.created_at, RoundRow.id)
        )
        return [round_from_row(row) for row in rows]

    async def in_states(self, states: Sequence[RoundState]) -> list[Round]:
        """Return every community's rounds in *states*, oldest first."""
        rows = await self._session.scalars(
            select(RoundRow)
            .where(RoundRow.state.in_([s.value for s in states]))
            .order_by(RoundRow.created_at, RoundRow.id)
        )
        return [round_from_row(row) for row in rows]

    async def save(self, round_: Round) -> None:
        """Write every field of an existing round."""
        row = await self._row(round_.id)
        async with unique_or_conflict(self._session, _round_taken(round_.name)):
            row.community_id = round_.community_id
            row.name = round_.name
            row.state = round_.state.value
            row.applications_open_at = round_.applications_open_at
            row.applications_close_at = round_.applications_close_at
            row.starts_at = round_.starts_at
            row.ends_at = round_.ends_at
            row.topic_cadence_days = round_.topic_cadence_days
            if round_.created_at is not None:
                row.created_at = round_.created_at

    async def _row(self, round_id: int) -> RoundRow:
        row = await self._session.get(RoundRow, round_id)
        if row is None:
            raise NotFound(f"there is no round with id {round_id}: check the id")
        return row


# --- applications --------------------------------------------------------------
