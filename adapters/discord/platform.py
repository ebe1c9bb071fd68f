"""DiscordPlatform: core.platform.ChatPlatform over discord.py's REST client.

Pair spaces are private threads (invitable off) in the community's pairs channel,
one per group, named for the round and group; topics open a forum post (or a
thread on a message when the channel is a text channel). Every action is safe to
repeat with the same key. A pair thread's id is recorded in the database the moment
Discord returns it (PlatformRecords), before members are added; a repeat re-uses the
recorded thread, or, when the process stopped before recording it, a thread that the
bot itself made (owner_id), private (type 12), with the pair's name and either no
message yet or the introduction carrying the pair's key. A thread someone else made
is never re-used, whatever its name. A message is found again by the reference in
its embed footer (and Discord's own nonce check for quick retries). Thread
creations go out at most once (rest.MaybeDone): after a server error or a lost
connection the platform looks for the thread before making another.
adapters.discord.keeper keeps the server under Discord's active-thread cap.

penpals needs the Guilds intent only: a pair thread's members (to mention them) come
from the database, never from Discord's member lists.

Rate limits (429) are waited out by discord.py's HTTP client; waits longer than
the client's max_ratelimit_timeout come back as DeliveryFailed(retry_after=...),
so the outbox reschedules the action instead of dropping it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable, Sequence

import discord
from discord.http import Route

from adapters.discord import failures, render
from adapters.discord.keeper import ThreadKeeper, ThreadPolicy
from adapters.discord.platform_common import (
    PENDING,
    PRIVATE_THREAD,
)
from adapters.discord.platform_common import channel_of as _channel
from adapters.discord.platform_common import url as _url
from adapters.discord.platform_messages import Messaging
from adapters.discord.platform_topics import TopicThreads
from adapters.discord.platform_upkeep import SpaceUpkeep
from adapters.discord.rest import MaybeDone, Rest
from adapters.discord.threads import ThreadBook, ThreadInfo
from core.model import Community, MemberRef, Platform
from core.platform import (
    DeliveryFailed,
    Message,
    PlatformRecords,
    SpaceRef,
)

log = logging.getLogger(__name__)


class DiscordPlatform(TopicThreads, Messaging, SpaceUpkeep):
    """Carry out the core's platform actions in Discord servers."""

    platform = Platform.DISCORD

    def __init__(
        self,
        client: discord.Client | None = None,
        *,
        records: PlatformRecords | None = None,
        policy: ThreadPolicy | None = None,
        topic_archive_minutes: int = 10080,
        history_window: int = 25,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._records = records
        self._rest = Rest(lambda: self.client)
        self.threads = ThreadKeeper(
            self._rest, policy or ThreadPolicy(), wall_clock, lambda: self.records
        )
        # Topic threads are public discussions: they may stay in the list for a week.
        self.topic_archive_minutes = topic_archive_minutes
        # How far back a retry looks for the message it may already have posted.
        self.history_window = history_window
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def bind(self, client: discord.Client, records: PlatformRecords | None = None) -> None:
        """Use *client* (its HTTP session and cache), and *records* if given, from now on."""
        self._client = client
        if records is not None:
            self._records = records

    @property
    def client(self) -> discord.Client:
        if self._client is None:
            raise RuntimeError("DiscordPlatform is not bound to a discord.Client yet")
        return self._client

    @property
    def records(self) -> PlatformRecords:
        if self._records is None:
            raise RuntimeError("DiscordPlatform has no PlatformRecords (the database) yet")
        return self._records

    # -- pair spaces -------------------------------------------------------------------

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
        """Create (or find again) the group's private thread, add its members, introduce them.

        A first attempt spends no call on looking unless the database has a thread
        recorded for *key*; a retry also lists the channel's threads for one the bot
        made but had no time to record.
        """
        guild_id = int(community.external_id)
        pairs = _channel(community, "pairs")
        name = render.thread_name(name)
        ids = tuple(m.external_id for m in members)
        async with self._lock(f"space:{key}"):
            book = await self.threads.book(guild_id)
            thread = await self._own_pair_thread(book, community.id, pairs, name, key)
            async with self.threads.capped(book, pairs):
                fresh = thread is None
                if thread is None:
                    thread = await self._new_pair_thread(book, community, pairs, name, key)
                elif thread.archived:
                    # Discord refuses to add members to an archived thread (50083).
                    await self.threads.wake(book, thread)
                thread.members = ids
                for user in ids:
                    await self._rest(
                        Route(
                            "PUT",
                            "/channels/{channel_id}/thread-members/{user_id}",
                            channel_id=thread.id,
                            user_id=user,
                        ),
                        doing=f"add a member to {name!r}",
                        needed=("send_messages_in_threads", "manage_threads"),
                        channel_id=pairs,
                    )
                posted = await self._send(
                    thread.id,
                    introduction,
                    key=key,
                    mentions=ids,
                    check_history=not fresh,
                    doing=f"post the introduction in {name!r}",
                    needed=("send_messages_in_threads", "embed_links"),
                    parent=pairs,
                )
            thread.last_message_id = int(posted)
            await self.threads.settle(book, thread)
            return SpaceRef(Platform.DISCORD, str(thread.id), name, _url(guild_id, thread.id))

    async def _own_pair_thread(
        self,
        book: ThreadBook,
        community_id: int,
        pairs: int,
        name: str,
        key: str,
        *,
        look: bool = False,
    ) -> ThreadInfo | None:
        """Return the pair's thread if the bot already made it, else None.

        The database says what was done. Nothing recorded for *key*: no creation was
        ever sent, there is nothing to find (no call spent, however often the action
        was deferred). A thread id: it is re-used if it still exists, is the bot's own,
        private and in the pairs channel; otherwise a new one is made. PENDING (a
        creation was sent and its answer never recorded), or *look*: threads listed
        under the channel (active, and the bot's archived private ones, asked afresh)
        are candidates: the bot's own private thread with the pair's name, not
        recorded for another pair, whose messages are none yet or carry *key* (the
        introduction).
        """
        recorded = await self.records.recorded_space(Platform.DISCORD, key)
        if recorded:
            found = await self._existing(book, int(recorded))
            if found is not None and self._is_pair_thread(found, pairs):
                return found
            return None
        if recorded is None and not look:
            return None
        await self.threads.refresh(book)
        await self.threads.load_parent(book, pairs, private=True, fresh=True)
        me = self._rest.me()
        for candidate in book.named(pairs, name, owner=me, kind=PRIVATE_THREAD):
            other = await self.records.space_key(Platform.DISCORD, str(candidate.id))
            if other not in (None, key):
                continue
            if await self._carries_or_empty(candidate.id, key):
                await self.records.record_space(
                    community_id, Platform.DISCORD, key, str(candidate.id)
                )
                await self.threads.spent(book, f"new:{key}", candidate.id)
                return candidate
        return None

    def _is_pair_thread(self, thread: ThreadInfo, pairs: int) -> bool:
        """Return whether *thread* is one the bot made as a pair thread in *pairs*."""
        me = self._rest.me()
        return (
            me is not None
            and thread.owner_id == me
            and thread.kind == PRIVATE_THREAD
            and thread.parent_id == pairs
        )

    async def _existing(self, book: ThreadBook, thread_id: int) -> ThreadInfo | None:
        """Return what Discord says of a thread, or None if it no longer exists."""
        try:
            data = await self._rest(
                Route("GET", "/channels/{channel_id}", channel_id=thread_id),
                doing="look up the recorded pair thread",
                passthrough=(failures.UNKNOWN_CHANNEL,),
            )
        except discord.HTTPException as exc:
            if exc.code != failures.UNKNOWN_CHANNEL:
                raise
            return None
        return self.threads.note(book, ThreadInfo.from_payload(data))

    async def _carries_or_empty(self, thread_id: int, key: str) -> bool:
        """Return whether the thread has no message yet, or the bot's message carrying *key*."""
        page = await self._rest(
            Route("GET", "/channels/{channel_id}/messages", channel_id=thread_id),
            doing="read a pair thread's first messages",
            needed=("read_message_history",),
            params={"limit": self.history_window},
        )
        me = self._rest.me()
        mine = [m for m in page if int((m.get("author") or {}).get("id", 0)) == me]
        return not page or any(render.carries(m, key) for m in mine)

    async def _new_pair_thread(
        self, book: ThreadBook, community: Community, pairs: int, name: str, key: str
    ) -> ThreadInfo:
        """Make the pair's private thread and record its id before anything else happens."""
        reservation = f"new:{key}"
        await self.threads.spend(book, reservation)
        await self.threads.make_room(book, pairs)
        # Recorded before sending: if no answer comes (or the process dies), the next
        # attempt knows Discord may have made the thread and looks for it.
        await self.records.record_space(community.id, Platform.DISCORD, key, PENDING)
        try:
            data = await self._rest(
                Route("POST", "/channels/{channel_id}/threads", channel_id=pairs),
                doing=f"create the private thread {name!r}",
                needed=("create_private_threads", "view_channel"),
                channel_id=pairs,
                once=True,
                json={
                    "name": name,
                    "type": PRIVATE_THREAD,
                    "invitable": False,
                    "auto_archive_duration": self.threads.policy.auto_archive_minutes,
                },
            )
        except MaybeDone:
            # Discord may have made it: look (fresh listings) before making another.
            found = await self._own_pair_thread(book, community.id, pairs, name, key, look=True)
            if found is None:
                raise
            return found
        except DeliveryFailed as exc:
            # Discord answered with a refusal: no thread was made.
            await self.records.forget_space(Platform.DISCORD, key)
            if exc.permanent:
                await self.threads.spent(book, reservation, None)
            raise
        made = self.threads.note(book, ThreadInfo.from_payload(data))
        await self.records.record_space(community.id, Platform.DISCORD, key, str(made.id))
        await self.threads.spent(book, reservation, made.id)
        return made

    async def post(
        self, space: SpaceRef, message: Message, *, key: str, retry: bool = False
    ) -> str:
        """Post to a pair thread once per key, waking it (within the budget and cap) if archived."""
        thread_id = int(space.id)
        async with self._lock(f"post:{key}"):
            book, thread = await self.threads.thread(thread_id)
            found = await self._find_posted(thread_id, key) if retry else None
            if found:
                return found
            members = thread.members or await self._members_of(space)
            woke = thread.archived
            async with self.threads.capped(book, thread.parent_id):
                if woke:
                    await self.threads.spend(book, str(thread_id))
                    await self.threads.make_room(book, thread.parent_id)
                message_id = await self._send(
                    thread_id,
                    message,
                    key=key,
                    mentions=members,
                    check_history=False,
                    doing=f"post in {thread.name or space.name!r}",
                    needed=("send_messages_in_threads", "embed_links"),
                    parent=thread.parent_id,
                )
            thread.archived = False
            thread.last_message_id = int(message_id)
            await self.threads.settle(book, thread)
            return message_id

    async def _channel_type(self, channel_id: int) -> int:
        cached = self._rest.channel_type(channel_id)
        if cached is not None:
            return cached
        data = await self._rest(
            Route("GET", "/channels/{channel_id}", channel_id=channel_id),
            doing="look up the topic channel",
        )
        return int(data["type"])

    def _lock(self, name: str) -> asyncio.Lock:
        # One action per key at a time in this process: a concurrent retry waits, then
        # finds the thread or message the first one made.
        lock = self._locks.get(name)
        if lock is None:
            lock = self._locks[name] = asyncio.Lock()
        return lock
