"""The audit log's entries: one to write and one as read back (core.audit uses them;
core.ports names them without importing core.audit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class NewAuditEntry:
    community_id: int
    round_id: int | None
    at: datetime
    actor: str
    action: str  # such as "applications.approve", "round.open", "match.publish"
    subject: str  # what it acted on, in words
    detail: str = ""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    community_id: int
    round_id: int | None
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str
    round_name: str = ""
