"""A chat platform that lives in memory: for `penpals demo` rehearsals and tests.

It behaves like a careful real adapter: every call is idempotent per key (a second
call with the same key returns the first result and records nothing new), and it
can be told to refuse calls (rate limit, permanent error) to rehearse failures.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter

from core.model import Community, MemberRef, Platform
from core.platform import Activity, DeliveryFailed, Message, SpaceRef, ThreadRef


@dataclass
class Space:
    ref: SpaceRef
    members: tuple[str, ...]
    messages: list[tuple[str, Message]] = field(default_factory=list)  # (key, message)
    archived: bool = False
    # Members' messages as (author external id, when): who and when, never what.
    said: list[tuple[str, datetime]] = field(default_factory=list)
    said_in_order: bool = True  # `said` is by time: counts since a moment bisect it


class RehearsalPlatform:
    """Record pair spaces, threads, posts, DMs and removals; never do anything twice per key."""

    def __init__(
        self,
        platform: Platform = Platform.LOCAL,
        *,
        refuse: Callable[[str, str], DeliveryFailed | None] | None = None,
        closed_dms: Sequence[str] = (),
    ) -> None:
        self.platform = platform
        self.spaces: dict[str, Space] = {}  # by space id
        self.threads: dict[str, tuple[ThreadRef, str, Message]] = {}  # by key
        self.direct: list[tuple[str, Message]] = []
        self.announcements: list[Message] = []
        self.alerts: list[Message] = []
        self.removed: list[tuple[str, str]] = []  # (space id, member external id)
        self.calls: list[tuple[str, str]] = []  # (method, key) of every call, repeats included
        self._done: dict[str, object] = {}
        self._refuse = refuse
        self._closed_dms = set(closed_dms)

    def _check(self, method: str, key: str) -> object | None:
        self.calls.append((method, key))
        if self._refuse is not None:
            refusal = self._refuse(method, key)
            if refusal is not None:
                raise refusal
        return self._done.get(key)

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
        """Create a private space once per key."""
        done = self._check("create_pair_space", key)
        if isinstance(done, SpaceRef):
            return done
        ref = SpaceRef(self.platform, f"space-{len(self.spaces) + 1}", name, f"local://{name}")
        space = Space(ref, tuple(m.external_id for m in members))
        space.messages.append((key, introduction))
        self.spaces[ref.id] = space
        self._done[key] = ref
        return ref

    async def post(
        self, space: SpaceRef, message: Message, *, key: str, retry: bool = False
    ) -> str:
        """Post once per key."""
        done = self._check("post", key)
        if isinstance(done, str):
            return done
        target = self.spaces[space.id]
        if target.archived:
            raise DeliveryFailed(f"space {space.name} is archived")
        target.messages.append((key, message))
        message_id = f"{space.id}:{len(target.messages)}"
        self._done[key] = message_id
        return message_id

    async def open_topic_thread(
        self, community: Community, title: str, message: Message, *, key: str, retry: bool = False
    ) -> ThreadRef:
        """Open a public thread once per key."""
        done = self._check("open_topic_thread", key)
        if isinstance(done, ThreadRef):
            return done
        ref = ThreadRef(self.platform, f"thread-{len(self.threads) + 1}", f"local://thread/{key}")
        self.threads[key] = (ref, title, message)
        self._done[key] = ref
        return ref

    async def direct_message(
        self,
        community: Community,
        member: MemberRef,
        message: Message,
        *,
        key: str,
        retry: bool = False,
    ) -> bool:
        """DM once per key; members with closed DMs get the fallback (False)."""
        done = self._check("direct_message", key)
        if isinstance(done, bool):
            return done
        sent = member.external_id not in self._closed_dms
        self.direct.append((member.external_id, message))
        self._done[key] = sent
        return sent

    async def archive_space(
        self, space: SpaceRef, goodbye: Message, *, key: str, retry: bool = False
    ) -> None:
        """Post the goodbye and archive, once per key."""
        if self._check("archive_space", key) is not None:
            return
        target = self.spaces[space.id]
        target.messages.append((key, goodbye))
        target.archived = True
        self._done[key] = True

    async def remove_member(
        self, space: SpaceRef, member: MemberRef, *, key: str, retry: bool = False
    ) -> None:
        """Take a member out of a space once per key; one already gone is no error."""
        if self._check("remove_member", key) is not None:
            return
        target = self.spaces[space.id]
        who = member.external_id
        target.members = tuple(m for m in target.members if m != who)
        self.removed.append((space.id, who))
        self._done[key] = True

    async def announce(
        self, community: Community, message: Message, *, key: str, retry: bool = False
    ) -> None:
        """Announce once per key."""
        if self._check("announce", key) is None:
            self.announcements.append(message)
            self._done[key] = True

    async def alert_organisers(
        self, community: Community, message: Message, *, key: str, retry: bool = False
    ) -> None:
        """Alert organisers once per key."""
        if self._check("alert_organisers", key) is None:
            self.alerts.append(message)
            self._done[key] = True

    async def activity(self, space: SpaceRef, *, since: str | None = None) -> Activity:
        """Count the members' messages simulated with `say` since an ISO time."""
        start = datetime.fromisoformat(since) if since else None
        target = self.spaces.get(space.id)
        everything = target.said if target else []
        if start is None:
            said = everything
        elif target is not None and target.said_in_order:
            # The rehearsal asks every space each simulated day: skip the older messages.
            said = everything[bisect_left(everything, start, key=itemgetter(1)) :]
        else:
            said = [(who, at) for who, at in everything if at >= start]
        by_member: dict[str, int] = {}  # a plain dict: Counter costs more on a few messages
        last: datetime | None = None
        for who, at in said:
            by_member[who] = by_member.get(who, 0) + 1
            if last is None or at > last:
                last = at
        return Activity(by_member, last.isoformat() if last else None)

    def say(self, space_id: str, member_external_id: str, at: datetime) -> None:
        """Simulate a member writing in their pair space at *at* (counted, never stored)."""
        space = self.spaces[space_id]
        if space.said and at < space.said[-1][1]:
            space.said_in_order = False
        space.said.append((member_external_id, at))

    def posts(self, space_id: str) -> list[tuple[str, Message]]:
        """Return the (key, message) pairs posted to a space, introduction first."""
        return list(self.spaces[space_id].messages)
