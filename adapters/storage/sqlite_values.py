"""Values as SQLAlchemy stores them in SQLite, for the bulk writes that hand rows to the
driver as they are (weekly counts, new outbox actions): converting each row through the
column types cost most of those writes' time (orm_base.UTCDateTime, JSON)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any


def sqlite_time(at: datetime) -> str:
    """Return *at* as SQLAlchemy stores a UTC datetime in SQLite (orm_base.UTCDateTime)."""
    if at.tzinfo is None:
        raise ValueError(f"refusing to store the naive datetime {at.isoformat()}")
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def sqlite_json(value: Any) -> str:
    """Return *value* as SQLAlchemy's JSON type stores it (its default serializer)."""
    return json.dumps(value)
