"""The outbox repository: durable, idempotent records of platform actions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage.orm import OutboxRow
from adapters.storage.sqlite_values import sqlite_json, sqlite_time
from core.delivery.outbox import Action, ActionKind, ActionState, MadeSpace, NewAction, Outcome
from core.model import Platform

_CHUNK = 500  # keys per IN (...) and rows per INSERT: well inside SQLite's variable limit


_TABLE = OutboxRow.__table__
# enqueue's INSERT in SQLite's words; as on PostgreSQL, a key stored meanwhile by another
# process decides, quietly.
_SQLITE_INSERT = (
    "INSERT INTO outbox (key, community_id, platform, round_id, kind, payload, requires, "
    "state, attempts, not_before, created_at, done_at, tried_at, last_error, result) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING"
)
_SQLITE_FINISH = (
    "UPDATE outbox SET state = ?, result = ?, done_at = ?, last_error = '' WHERE id = ?"
)


def _action(row: Any) -> Action:
    """Map an outbox row (a plain row of its columns: cheaper than ORM objects) to an Action."""
    return Action(
        id=row.id,
        key=row.key,
        community_id=row.community_id,
        platform=Platform(row.platform),
        round_id=row.round_id,
        kind=ActionKind(row.kind),
        payload=dict(row.payload),
        requires=tuple(row.requires),
        state=ActionState(row.state),
        attempts=row.attempts,
        not_before=row.not_before,
        created_at=row.created_at,
        done_at=row.done_at,
        tried_at=row.tried_at,
        last_error=row.last_error,
        result=dict(row.result),
    )


class SqlOutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(self, actions: Sequence[NewAction]) -> int:
        """Store the actions whose key is new; return how many were stored."""
        fresh = {a.key: a for a in actions}
        keys = list(fresh)
        for start in range(0, len(keys), _CHUNK):
            known = await self._session.scalars(
                select(OutboxRow.key).where(OutboxRow.key.in_(keys[start : start + _CHUNK]))
            )
            for key in known:
                fresh.pop(key)
        if not fresh:
            return 0
        dialect = self._session.get_bind().dialect.name
        if dialect == "sqlite":
            # The same INSERT with its values as SQLAlchemy writes them, straight to the
            # driver: converting each row's JSON and times cost half of enqueueing a
            # 20,000-member round's topic (10,000 posts).
            connection = await self._session.connection()
            await connection.exec_driver_sql(
                _SQLITE_INSERT,
                [
                    (
                        a.key,
                        a.community_id,
                        a.platform.value,
                        a.round_id,
                        a.kind.value,
                        sqlite_json(a.payload),
                        sqlite_json(list(a.requires)),
                        ActionState.PENDING.value,
                        0,
                        sqlite_time(a.not_before),
                        sqlite_time(a.not_before),
                        None,
                        None,
                        "",
                        sqlite_json({}),
                    )
                    for a in fresh.values()
                ],
            )
            return len(fresh)
        rows = [
            {
                "key": a.key,
                "community_id": a.community_id,
                "platform": a.platform.value,
                "round_id": a.round_id,
                "kind": a.kind.value,
                "payload": a.payload,
                "requires": list(a.requires),
                "state": ActionState.PENDING.value,
                "attempts": 0,
                "not_before": a.not_before,
                "created_at": a.not_before,
                "done_at": None,
                "tried_at": None,
                "last_error": "",
                "result": {},
            }
            for a in fresh.values()
        ]
        # Another process may enqueue the same key meanwhile: the key decides, quietly.
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        # One statement run for every row (executemany): compiled once, not per batch.
        stmt = pg_insert(OutboxRow.__table__).on_conflict_do_nothing(index_elements=["key"])
        await self._session.execute(stmt, rows)
        return len(rows)

    async def due(
        self, now: datetime, *, platforms: Sequence[Platform], limit: int
    ) -> list[Action]:
        """Return pending actions for *platforms* whose time has come, by time then id."""
        rows = await self._session.execute(
            select(_TABLE)
            .where(
                OutboxRow.state == ActionState.PENDING.value,
                OutboxRow.not_before <= now,
                OutboxRow.platform.in_([p.value for p in platforms]),
            )
            .order_by(OutboxRow.not_before, OutboxRow.id)
            .limit(limit)
        )
        return [_action(row) for row in rows]

    async def next_due(self, *, platforms: Sequence[Platform]) -> datetime | None:
        """Return when the earliest pending action for *platforms* falls due."""
        found: datetime | None = await self._session.scalar(
            select(func.min(OutboxRow.not_before)).where(
                OutboxRow.state == ActionState.PENDING.value,
                OutboxRow.platform.in_([p.value for p in platforms]),
            )
        )
        # SQLite's MIN() hands back the stored text's datetime without its zone.
        return None if found is None else found.replace(tzinfo=found.tzinfo or UTC)

    async def by_keys(self, keys: Iterable[str]) -> dict[str, Action]:
        """Return the stored actions among *keys*."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Action] = {}
        for start in range(0, len(wanted), _CHUNK):
            rows = await self._session.execute(
                select(_TABLE).where(OutboxRow.key.in_(wanted[start : start + _CHUNK]))
            )
            found.update((row.key, _action(row)) for row in rows)
        return found

    async def outcomes(self, keys: Iterable[str]) -> dict[str, Outcome]:
        """Return the state, reply and creation time of the stored actions among *keys*.

        Four columns, not whole actions: a batch of topic posts needs its pair spaces'
        replies, not the introductions they were created with.
        """
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Outcome] = {}
        columns = (OutboxRow.key, OutboxRow.state, OutboxRow.result, OutboxRow.created_at)
        for start in range(0, len(wanted), _CHUNK):
            rows = await self._session.execute(
                select(*columns).where(OutboxRow.key.in_(wanted[start : start + _CHUNK]))
            )
            found.update(
                (key, Outcome(key, ActionState(state), dict(result), created_at))
                for key, state, result, created_at in rows
            )
        return found

    async def payloads(
        self, round_id: int, kind: ActionKind, state: ActionState
    ) -> list[dict[str, Any]]:
        """Return the payloads of the round's actions of *kind* in *state*, in creation order.

        One column, not whole actions: a report counts a 20,000-member round's 87,000
        topic posts by topic.
        """
        rows = await self._session.execute(
            select(OutboxRow.payload)
            .where(
                OutboxRow.round_id == round_id,
                OutboxRow.kind == kind.value,
                OutboxRow.state == state.value,
            )
            .order_by(OutboxRow.id)
        )
        return [dict(payload) for (payload,) in rows]

    async def keys_of(self, round_id: int, kinds: Iterable[ActionKind]) -> set[str]:
        """Return the keys of the round's stored actions of these kinds, whatever their state."""
        found = await self._session.scalars(
            select(OutboxRow.key).where(
                OutboxRow.round_id == round_id, OutboxRow.kind.in_([k.value for k in kinds])
            )
        )
        return set(found)

    async def made_spaces(self, round_id: int) -> dict[str, MadeSpace]:
        """Return, by key, the round's done pair-space creations (their replies, not payloads).

        Four columns of the round's space actions, not whole actions: engagement reads
        them at every tick, and a 20,000-member round has 10,000.
        """
        # The state is checked here, not in SQL: given state = 'done', SQLite walks the
        # (state, not_before) index through every done action of the database (200,000
        # at the end of a 20,000-member round) instead of the round's space actions.
        rows = await self._session.execute(
            select(
                OutboxRow.key,
                OutboxRow.platform,
                OutboxRow.state,
                OutboxRow.result,
                OutboxRow.done_at,
                OutboxRow.created_at,
            ).where(
                OutboxRow.round_id == round_id,
                OutboxRow.kind == ActionKind.CREATE_SPACE.value,
            )
        )
        done = ActionState.DONE.value
        return {
            key: MadeSpace(key, Platform(platform), dict(result), done_at or created_at)
            for key, platform, state, result, done_at, created_at in rows
            if state == done
        }

    async def mark_tried(self, action_id: int, at: datetime) -> None:
        """Record that the platform is about to be called for this action."""
        await self._set(action_id, tried_at=at)

    async def mark_tried_many(self, action_ids: Iterable[int], at: datetime) -> None:
        """Record that the platform is about to be called for each of these actions."""
        ids = list(action_ids)
        for start in range(0, len(ids), _CHUNK):
            await self._session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(ids[start : start + _CHUNK]))
                .values(tried_at=at)
                .execution_options(synchronize_session=False)
            )

    async def finish(self, action_id: int, result: Mapping[str, str], at: datetime) -> None:
        """Mark an action done with what the platform returned."""
        await self._set(
            action_id, state=ActionState.DONE.value, result=dict(result), done_at=at, last_error=""
        )

    async def finish_many(
        self, results: Sequence[tuple[int, Mapping[str, str]]], at: datetime
    ) -> None:
        """Mark several actions done, each with what the platform returned for it."""
        if not results:
            return
        if self._session.get_bind().dialect.name == "sqlite":
            # The same UPDATE, its values as SQLAlchemy writes them (see enqueue).
            connection = await self._session.connection()
            done_at = sqlite_time(at)
            await connection.exec_driver_sql(
                _SQLITE_FINISH,
                [
                    (ActionState.DONE.value, sqlite_json(dict(result)), done_at, action_id)
                    for action_id, result in results
                ],
            )
            return
        # One statement run for every row (executemany): a round trip per batch.
        table = OutboxRow.__table__
        await self._session.execute(
            update(table)
            .where(table.c.id == bindparam("action_id"))
            .values(
                state=ActionState.DONE.value,
                result=bindparam("new_result", type_=table.c.result.type),
                done_at=at,
                last_error="",
            ),
            [{"action_id": action_id, "new_result": dict(result)} for action_id, result in results],
        )

    async def retry_later(
        self, action_id: int, error: str, not_before: datetime, *, count_attempt: bool = True
    ) -> None:
        """Put the action back for later, counting a failed attempt unless told not to."""
        values: dict[str, object] = {"not_before": not_before, "last_error": error[:2000]}
        if count_attempt:
            values["attempts"] = OutboxRow.attempts + 1
        await self._set(action_id, **values)

    async def fail(self, action_id: int, error: str, at: datetime) -> None:
        """Give up on an action for good."""
        await self._set(
            action_id,
            state=ActionState.FAILED.value,
            last_error=error[:2000],
            done_at=at,
            attempts=OutboxRow.attempts + 1,
        )

    async def list(
        self,
        community_id: int,
        *,
        round_id: int | None = None,
        kinds: Sequence[ActionKind] | None = None,
        states: Sequence[ActionState] | None = None,
    ) -> list[Action]:
        """Return a community's actions, filtered, in creation order."""
        query = select(_TABLE).where(OutboxRow.community_id == community_id)
        if round_id is not None:
            query = query.where(OutboxRow.round_id == round_id)
        if kinds:
            query = query.where(OutboxRow.kind.in_([k.value for k in kinds]))
        if states:
            query = query.where(OutboxRow.state.in_([s.value for s in states]))
        rows = await self._session.execute(query.order_by(OutboxRow.id))
        return [_action(row) for row in rows]

    async def _set(self, action_id: int, **values: object) -> None:
        await self._session.execute(
            update(OutboxRow).where(OutboxRow.id == action_id).values(**values)
        )
