"""Rows to core.model for the tables a quick read needs, without importing SQLAlchemy.

The repositories (communities.py, rounds.py) map their ORM rows with these; the
read-only SQLite reader of the CLI (sqlite_read.py) maps plain rows with the same
functions, so both give the same Community and Round.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.model import (
    Community,
    CommunitySettings,
    PairingRule,
    Platform,
    Practices,
    Round,
    RoundState,
)


def utc(moment: datetime) -> datetime:
    # Rows keep the datetimes given to them until reloaded; callers always get UTC.
    return moment.astimezone(UTC)


def utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else utc(moment)


def practices(stored: dict[str, str] | None) -> Practices:
    if not stored:
        return Practices()
    return Practices(
        contact=stored.get("contact", ""),
        hours_per_month=int(stored.get("hours_per_month") or Practices().hours_per_month),
        guidance=stored.get("guidance", ""),
    )


def community_from_row(row: Any) -> Community:
    """Map a communities row (orm.CommunityRow, or any object with its columns)."""
    return Community(
        id=row.id,
        platform=Platform(row.platform),
        external_id=row.external_id,
        name=row.name,
        settings=CommunitySettings(
            organiser_roles=tuple(row.organiser_roles),
            default_language=row.default_language,
            pairing_rule=PairingRule(row.pairing_rule),
            country_cap=row.country_cap,
            channels=dict(row.channels),
            practices=practices(row.practices),
        ),
    )


def round_from_row(row: Any) -> Round:
    """Map a rounds row (orm.RoundRow, or any object with its columns)."""
    return Round(
        id=row.id,
        community_id=row.community_id,
        name=row.name,
        state=RoundState(row.state),
        applications_open_at=utc_or_none(row.applications_open_at),
        applications_close_at=utc_or_none(row.applications_close_at),
        starts_at=utc_or_none(row.starts_at),
        ends_at=utc_or_none(row.ends_at),
        topic_cadence_days=row.topic_cadence_days,
        created_at=utc_or_none(row.created_at),
    )
