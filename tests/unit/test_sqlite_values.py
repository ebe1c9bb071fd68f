"""The bulk writes' values are what SQLAlchemy's column types would store in SQLite."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.dialects import sqlite

from adapters.storage.orm import OutboxRow, PairActivityRow
from adapters.storage.sqlite_values import sqlite_json, sqlite_time

_DIALECT = sqlite.dialect()


def _stored(column: Any, value: Any) -> Any:
    process = column.type._cached_bind_processor(_DIALECT)
    return process(value) if process else value


@pytest.mark.parametrize(
    "value",
    [
        {"message": {"title": "Café ☕ «x»", "body": "a\nb"}, "k": 3, "none": None},
        {},
        ["r1:g1:space", "r1:t0:thread"],
    ],
)
def test_json_as_the_column_type_stores_it(value: Any) -> None:
    assert sqlite_json(value) == _stored(OutboxRow.__table__.c.payload, value)


@pytest.mark.parametrize(
    "at",
    [
        datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(2027, 1, 2, 3, 4, 5, 123, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_times_as_the_column_type_stores_them(at: datetime) -> None:
    assert sqlite_time(at) == _stored(OutboxRow.__table__.c.not_before, at)
    assert sqlite_time(at) == _stored(PairActivityRow.__table__.c.recorded_at, at)


def test_weeks_as_the_column_type_stores_them() -> None:
    week = date(2027, 1, 4)
    assert week.isoformat() == _stored(PairActivityRow.__table__.c.week, week)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        sqlite_time(datetime(2027, 1, 2))
