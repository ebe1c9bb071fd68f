"""The real clock; tests and rehearsals pass their own object with the same `now()`."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


def as_utc(at: datetime) -> datetime:
    """Return *at* in UTC, reading a naive datetime as UTC."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
