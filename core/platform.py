"""The chat-platform port: what the core asks of Discord, Slack or a stand-in.

The core speaks in neutral terms (a pair space, a topic thread, a message with a
title, body and fields); adapters render those into embeds, threads, Block Kit and
channels. Every call that creates or posts takes an idempotency `key`, and `retry=True`
when an earlier attempt with that key may have gone through (the process died or
the connection dropped before the outcome was recorded). On a retry the adapter
first checks whether the platform already has the result (Discord: a thread named
for the group, a message carrying the key; Slack: a channel name, message
metadata) instead of doing it twice; on a first attempt it need not spend a call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from core import times
from core.model import Community, MemberRef, Platform


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action_id: str  # adapters route presses by this id (e.g. "survey:open:12")
    style: str = "primary"  # primary | secondary | danger


@dataclass(frozen=True, slots=True)
class Message:
    """A platform-neutral message: adapters render it (embed, Block Kit...)."""

    title: str
    body: str  # light markdown: **bold**, _italic_, bullet lines starting with "- "
    fields: tuple[tuple[str, str], ...] = ()
    footer: str = ""
    link: str = ""  # e.g. the public topic thread this pair message points to
    buttons: tuple[Button, ...] = ()

    def plain(self) -> str:
        """Return the message as plain text (fallback notifications, logs).

        Time tokens (core.times) are written out in the language they were made for.
        """
        parts = [self.title, self.body, *(f"{k}: {v}" for k, v in self.fields)]
        if self.link:
            parts.append(self.link)
        if self.footer:
            parts.append(self.footer)
        return times.plain("\n".join(p for p in parts if p))


def message_to_dict(message: Message) -> dict[str, Any]:
    """Return a JSON-able form of a message (for the outbox payload)."""
    data = asdict(message)
    data["fields"] = [list(f) for f in message.fields]
    return data


def message_from_dict(data: dict[str, Any]) -> Message:
    """Rebuild a message stored by message_to_dict."""
    return Message(
        title=data["title"],
        body=data["body"],
        fields=tuple((str(k), str(v)) for k, v in data.get("fields", ())),
        footer=data.get("footer", ""),
        link=data.get("link", ""),
        buttons=tuple(Button(**b) for b in data.get("buttons", ())),
    )


@dataclass(frozen=True, slots=True)
class SpaceRef:
    """A private pair space: a Discord private thread, a Slack private channel or group DM."""

    platform: Platform
    id: str
    name: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class ThreadRef:
    """A public discussion thread for one topic (forum post, thread, Slack parent message)."""

    platform: Platform
    id: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class Activity:
    """Counts of a pair space's messages per member since a time: never contents."""

    messages_by_member: dict[str, int] = field(default_factory=dict)  # external id -> count
    last_message_at: str | None = None  # ISO 8601 UTC

    @property
    def total(self) -> int:
        return sum(self.messages_by_member.values())


class DeliveryFailed(Exception):
    """A platform refused an action for good (missing permission, member gone...).

    `retry_after` is set instead when the refusal is temporary (rate limit): the
    caller waits and tries again; a permanent failure is recorded and shown to
    organisers without blocking other pairs.
    """

    def __init__(self, message: str, *, permanent: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class ChatPlatform(Protocol):
    platform: Platform

    async def create_pair_space(
        self,
        community: Community,
        name: str,
        members: Sequence[MemberRef],
        introduction: Message,
        *,
        key: str,
        retry: bool = False,
    ) -> SpaceRef:
        """Create (or find, if *key*'s space already exists) a private space for a group.

        Only the members (and organisers where configured) can see it; the
        introduction is its first message.
        """
        ...

    async def post(
        self, space: SpaceRef, message: Message, *, key: str, retry: bool = False
    ) -> str:
        """Post to a pair space once per *key*; return the message id."""
        ...

    async def open_topic_thread(
        self, community: Community, title: str, message: Message, *, key: str, retry: bool = False
    ) -> ThreadRef:
        """Open (once per *key*) the public discussion thread of a topic."""
        ...

    async def direct_message(
        self,
        community: Community,
        member: MemberRef,
        message: Message,
        *,
        key: str,
        retry: bool = False,
    ) -> bool:
        """Send a DM; return False when it had to fall back (DMs closed) to a mention."""
        ...

    async def archive_space(
        self, space: SpaceRef, goodbye: Message, *, key: str, retry: bool = False
    ) -> None:
        """Post the goodbye and archive (or leave) the pair space."""
        ...

    async def remove_member(
        self, space: SpaceRef, member: MemberRef, *, key: str, retry: bool = False
    ) -> None:
        """Remove a member from a pair space; removing someone already gone is not an error."""
        ...

    async def announce(
        self, community: Community, message: Message, *, key: str, retry: bool = False
    ) -> None:
        """Post a round announcement to the community's announcements channel."""
        ...

    async def alert_organisers(
        self, community: Community, message: Message, *, key: str, retry: bool = False
    ) -> None:
        """Post a notice to the organisers' channel (rematch needed, delivery failed...)."""
        ...

    async def activity(self, space: SpaceRef, *, since: str | None = None) -> Activity:
        """Return message counts per member in the space since an ISO time."""
        ...


class PlatformRecords(Protocol):
    """What a platform adapter keeps in the database about what it made on the platform.

    A pair space's platform id is recorded the moment the space exists, before the
    outbox records the action's outcome, so a retry after a crash re-uses only a
    space the bot made. Threads the bot made or woke are counted per server there
    too, so a daily budget survives restarts.
    """

    async def record_space(
        self, community_id: int, platform: Platform, key: str, space_id: str
    ) -> None:
        """Record that the space made for the action *key* has the platform id *space_id*."""
        ...

    async def recorded_space(self, platform: Platform, key: str) -> str | None:
        """Return the platform id recorded for the space of *key*, if any.

        An adapter may record an empty id before asking the platform to make the
        space, meaning "asked, outcome unknown".
        """
        ...

    async def forget_space(self, platform: Platform, key: str) -> None:
        """Forget what was recorded for *key* (the platform refused to make it)."""
        ...

    async def space_key(self, platform: Platform, space_id: str) -> str | None:
        """Return the key a space with this platform id was recorded for, if any."""
        ...

    async def space_members(self, platform: Platform, space_id: str) -> tuple[MemberRef, ...]:
        """Return the current members of the group whose recorded space is *space_id*."""
        ...

    async def take_wake(
        self,
        platform: Platform,
        place: str,
        thread: str,
        *,
        limit: int,
        since: datetime,
        now: datetime,
    ) -> datetime | None:
        """Count *thread* as made or woken at *now* within a budget of *limit* since *since*.

        A thread already counted since *since* costs nothing again. Return None when
        counted, else the time (a datetime) the oldest counted thread leaves the window.
        """
        ...

    async def move_wake(self, platform: Platform, place: str, old: str, new: str) -> None:
        """Count under the thread id *new* what was reserved as *old*."""
        ...

    async def drop_wake(self, platform: Platform, place: str, thread: str) -> None:
        """Forget a reservation that was not used (the thread could not be made)."""
        ...
