"""The audit log: who decided, edited or published what in a community, and when.

Every service that changes a round, its applications, its groups, its topics or
surveys, or the community's settings writes an entry in the same unit of work as
the change (so an entry exists exactly when the change was committed). The actor is
whoever asked: on the command line the OS user or `--actor`, in chat the platform
user id the adapter passes. Services take ``actor`` with the default UNKNOWN, so a
caller that does not say who it is still works, and the log says it was not told.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import IO

from core.audit_entries import AuditEntry as AuditEntry
from core.audit_entries import NewAuditEntry as NewAuditEntry
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.rounds.lookup import find_round
from core.rounds.safe_csv import SafeWriter

UNKNOWN = "(not given)"
SCHEDULER = "scheduler"  # moves the round's calendar made automatically
ACTOR_MAX = 200
SUBJECT_IDS_SHOWN = 50  # ids named in one entry; the rest counted
AUDIT_COLUMNS = ("at", "actor", "action", "round", "subject", "detail")


def actor_name(actor: str | None) -> str:
    """Return the actor as stored: trimmed, bounded, UNKNOWN when empty."""
    text = " ".join((actor or "").split())
    return text[:ACTOR_MAX] if text else UNKNOWN


def ids(external_ids: Sequence[str]) -> str:
    """Name the members acted on: their ids, the first SUBJECT_IDS_SHOWN and a count."""
    shown = ", ".join(external_ids[:SUBJECT_IDS_SHOWN])
    more = len(external_ids) - SUBJECT_IDS_SHOWN
    count = f"{len(external_ids)} " + ("member" if len(external_ids) == 1 else "members")
    if not external_ids:
        return "nobody"
    return f"{count}: {shown}" + (f" and {more} more" if more > 0 else "")


async def record(
    uow: UnitOfWork,
    *,
    community_id: int,
    round_id: int | None,
    at: datetime,
    actor: str | None,
    action: str,
    subject: str,
    detail: str = "",
) -> None:
    """Add one entry to the unit of work (committed, or not, with the change itself)."""
    await uow.audit.add(
        [
            NewAuditEntry(
                community_id, round_id, at, actor_name(actor), action, subject, detail.strip()
            )
        ]
    )


class AuditService:
    def __init__(self, *, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def list(self, community_id: int, round_name: str | None = None) -> list[AuditEntry]:
        """Return the community's entries (or one round's), oldest first."""
        async with self._uow(read_only=True) as uow:
            round_id = None
            if round_name is not None:
                round_id = (await find_round(uow, community_id, round_name)).id
            return await uow.audit.list(community_id, round_id)


def write_audit(entries: Iterable[AuditEntry], out: IO[str] | io.TextIOBase) -> None:
    """Write the log as CSV (cells a spreadsheet would run are guarded)."""
    writer = SafeWriter(out)
    writer.writerow(AUDIT_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.at.isoformat(timespec="seconds"),
                e.actor,
                e.action,
                e.round_name,
                e.subject,
                e.detail,
            ]
        )
