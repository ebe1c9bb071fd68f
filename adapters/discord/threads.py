"""What this process knows of a server's threads: names under a parent, and which are active.

Discord caps active threads per server (about 1,000; error 160006) and any message
unarchives a thread, so the platform counts active threads before it wakes one
and parks (archives) pair threads it has just posted to once the server is busy.
The book is filled from REST (active threads, then archived ones of a parent when
a name is looked up) and kept current by the platform's own actions; threads that
Discord auto-archives stay counted until the next refresh, which errs on the safe
side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000


def snowflake_ms(snowflake: int) -> int:
    """Return the Unix time in milliseconds a snowflake was made."""
    return (snowflake >> 22) + DISCORD_EPOCH_MS


def snowflake_at(unix_ms: int) -> int:
    """Return the smallest snowflake made at *unix_ms* (for `after=` queries)."""
    return max(unix_ms - DISCORD_EPOCH_MS, 0) << 22


@dataclass(slots=True)
class ThreadInfo:
    id: int
    parent_id: int
    name: str
    archived: bool
    last_message_id: int | None = None
    members: tuple[str, ...] = ()  # external ids, when this process added them
    owner_id: int = 0  # who made it: only the bot's own threads are ever re-used
    kind: int = 0  # Discord's channel type: 11 public thread, 12 private thread

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> ThreadInfo:
        meta = data.get("thread_metadata") or {}
        last = data.get("last_message_id")
        return cls(
            id=int(data["id"]),
            parent_id=int(data.get("parent_id") or 0),
            name=str(data.get("name", "")),
            archived=bool(meta.get("archived", False)),
            last_message_id=int(last) if last else None,
            owner_id=int(data.get("owner_id") or 0),
            kind=int(data.get("type") or 0),
        )


@dataclass(slots=True)
class ThreadBook:
    """One server's threads as far as this process knows."""

    guild_id: int
    threads: dict[int, ThreadInfo] = field(default_factory=dict)
    loaded_parents: set[int] = field(default_factory=set)
    refreshed_at: float = float("-inf")  # Unix time of the last active-list refresh

    def note(self, info: ThreadInfo) -> ThreadInfo:
        """Record a thread (keeping members this process already knows)."""
        known = self.threads.get(info.id)
        if known is not None and not info.members:
            info.members = known.members
        self.threads[info.id] = info
        return info

    def named(
        self, parent_id: int, name: str, *, owner: int | None, kind: int | None = None
    ) -> list[ThreadInfo]:
        """Return the threads called *name* under *parent_id* made by *owner*, oldest first.

        Members may open threads with any name (the active list shows them all):
        only one made by *owner* (the bot) is a candidate, never someone else's.
        """
        found = [
            t
            for t in self.threads.values()
            if t.parent_id == parent_id
            and t.name == name
            and owner is not None
            and t.owner_id == owner
            and (kind is None or t.kind == kind)
        ]
        return sorted(found, key=lambda t: t.id)

    def active_count(self) -> int:
        return sum(1 for t in self.threads.values() if not t.archived)

    def refresh_active(self, payloads: Iterable[Mapping[str, Any]], now: float) -> None:
        """Replace what is known to be active with Discord's list of active threads."""
        for t in self.threads.values():
            t.archived = True
        for data in payloads:
            self.note(ThreadInfo.from_payload(data))
        self.refreshed_at = now

    def stale(self, max_age: float, now: float) -> bool:
        return now - self.refreshed_at > max_age

    def quiet(self, parent_id: int, older_than_ms: int) -> list[ThreadInfo]:
        """Return active threads under *parent_id* with no message since *older_than_ms*."""
        return [
            t
            for t in self.threads.values()
            if t.parent_id == parent_id
            and not t.archived
            and snowflake_ms(t.last_message_id or t.id) < older_than_ms
        ]

    def space_of(self, member: str) -> ThreadInfo | None:
        """Return the most recent thread this process added *member* to."""
        mine = [t for t in self.threads.values() if member in t.members]
        return max(mine, key=lambda t: t.id) if mine else None
