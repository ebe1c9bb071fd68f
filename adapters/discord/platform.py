"""DiscordPlatform: core.platform.ChatPlatform over discord.py's REST client.

Pair spaces are private threads (invitable off) in the community's pairs channel,
one per group, named for the round and group; topics open a forum post (or a
thread on a message when the channel is a text channel). Every action is safe to
repeat with the same key: a thread is found again by its name, a message by the
reference in its embed footer (and Discord's own nonce check for quick retries).

Rate limits (429) are waited out by discord.py's HTTP client; waits longer than
the client's max_ratelimit_timeout come back as DeliveryFailed(retry_after=...),
so the outbox reschedules the action instead of dropping it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import discord
from discord.http import Route

from adapters.discord import failures, render
from adapters.discord.permissions import NEEDED, missing
from adapters.discord.threads import ThreadBook, ThreadInfo, snowflake_at, snowflake_ms
from core.model import Community, MemberRef, Platform
from core.platform import Activity, DeliveryFailed, Message, SpaceRef, ThreadRef

log = logging.getLogger(__name__)

PRIVATE_THREAD = 12
FORUM = 15
MEDIA = 16


class DiscordPlatform:
    """Carry out the core's platform actions in Discord servers."""

    platform = Platform.DISCORD

    def __init__(
        self,
        client: discord.Client | None = None,
        *,
        auto_archive_minutes: int = 1440,
        topic_archive_minutes: int = 10080,
        thread_cap: int = 1000,
        reserve: int = 100,
        park_above: int = 500,
        quiet_after: float = 3600.0,
        refresh_every: float = 600.0,
        history_window: int = 25,
    ) -> None:
        self._client = client
        self.auto_archive_minutes = auto_archive_minutes
        self.topic_archive_minutes = topic_archive_minutes
        # Discord's cap minus room left for members' own conversations and other threads.
        self.thread_cap = thread_cap
        self.reserve = reserve
        # Above this many active threads, pair threads are archived right after a post.
        self.park_above = park_above
        self.quiet_after = quiet_after
        self.refresh_every = refresh_every
        self.history_window = history_window
        self._books: dict[int, ThreadBook] = {}
        self._guild_of: dict[int, int] = {}  # thread id -> guild id
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    # -- wiring ------------------------------------------------------------------------

    def bind(self, client: discord.Client) -> None:
        """Use *client* (its HTTP session and cache) for every call from now on."""
        self._client = client

    @property
    def client(self) -> discord.Client:
        if self._client is None:
            raise RuntimeError("DiscordPlatform is not bound to a discord.Client yet")
        return self._client

    # -- the port ----------------------------------------------------------------------

    async def create_pair_space(
        self,
        community: Community,
        name: str,
        members: Sequence[MemberRef],
        introduction: Message,
        *,
        key: str,
    ) -> SpaceRef:
        """Create (or find again) the group's private thread, add its members, introduce them."""
        guild_id = int(community.external_id)
        pairs = self._channel(community, "pairs")
        name = render.thread_name(name)
        ids = tuple(m.external_id for m in members)
        async with self._lock(f"space:{guild_id}:{pairs}:{name}"):
            book = await self._book(guild_id)
            await self._load_parent(book, pairs, private=True)
            thread = book.find(pairs, name)
            fresh = thread is None
            if thread is None:
                await self._make_room(book, pairs)
                data = await self._request(
                    Route("POST", "/channels/{channel_id}/threads", channel_id=pairs),
                    doing=f"create the private thread {name!r}",
                    needed=("create_private_threads", "view_channel"),
                    channel_id=pairs,
                    json={
                        "name": name,
                        "type": PRIVATE_THREAD,
                        "invitable": False,
                        "auto_archive_duration": self.auto_archive_minutes,
                    },
                )
                thread = book.note(ThreadInfo.from_payload(data))
            elif thread.archived:
                # Discord refuses to add members to an archived thread (50083).
                await self._wake(book, thread)
            thread.members = ids
            self._guild_of[thread.id] = guild_id
            for user in ids:
                await self._request(
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
            thread.last_message_id = int(
                await self._send(
                    thread.id,
                    introduction,
                    key=key,
                    mentions=ids,
                    check_history=not fresh,
                    doing=f"post the introduction in {name!r}",
                    needed=("send_messages_in_threads", "embed_links"),
                    parent=pairs,
                )
            )
            await self._settle(book, thread)
            return SpaceRef(Platform.DISCORD, str(thread.id), name, self._url(guild_id, thread.id))

    async def post(self, space: SpaceRef, message: Message, *, key: str) -> str:
        """Post to a pair thread once per key, waking it (within the thread cap) if archived."""
        thread_id = int(space.id)
        async with self._lock(f"post:{key}"):
            book, thread = await self._thread(thread_id)
            found = await self._find_posted(thread_id, key)
            if found:
                return found
            if thread.archived:
                await self._make_room(book, thread.parent_id)
            members = thread.members or await self._thread_members(thread_id)
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
            await self._settle(book, thread)
            return message_id

    async def open_topic_thread(
        self, community: Community, title: str, message: Message, *, key: str
    ) -> ThreadRef:
        """Open a topic's public thread: a forum post, or a thread on a text channel message."""
        guild_id = int(community.external_id)
        where = community.settings.channels.get("forum") or community.settings.channels.get(
            "announcements"
        )
        if not where:
            raise DeliveryFailed(
                "no forum or announcements channel is set for topic threads: run /setup"
            )
        parent = int(where)
        name = render.thread_name(title)
        async with self._lock(f"topic:{guild_id}:{parent}:{name}"):
            book = await self._book(guild_id)
            kind = await self._channel_type(parent)
            await self._load_parent(book, parent, private=False)
            found = book.find(parent, name)
            if found is not None:
                return ThreadRef(Platform.DISCORD, str(found.id), self._url(guild_id, found.id))
            pairs = community.settings.channels.get("pairs")
            await self._make_room(book, int(pairs) if pairs else None)
            if kind in (FORUM, MEDIA):
                payload = render.message_payload(message, key=key)
                payload.pop("enforce_nonce")
                payload.pop("nonce")
                data = await self._request(
                    Route("POST", "/channels/{channel_id}/threads", channel_id=parent),
                    doing=f"open the forum post {name!r}",
                    needed=("view_channel", "send_messages"),
                    channel_id=parent,
                    json={
                        "name": name,
                        "auto_archive_duration": self.topic_archive_minutes,
                        "message": payload,
                    },
                )
            else:
                first = await self._send(
                    parent,
                    message,
                    key=key,
                    check_history=True,
                    doing="post the topic",
                    needed=("view_channel", "send_messages", "embed_links"),
                )
                data = await self._request(
                    Route(
                        "POST",
                        "/channels/{channel_id}/messages/{message_id}/threads",
                        channel_id=parent,
                        message_id=first,
                    ),
                    doing=f"open the thread {name!r}",
                    needed=("create_public_threads",),
                    channel_id=parent,
                    json={"name": name, "auto_archive_duration": self.topic_archive_minutes},
                )
            thread = book.note(ThreadInfo.from_payload(data))
            return ThreadRef(Platform.DISCORD, str(thread.id), self._url(guild_id, thread.id))

    async def direct_message(
        self, community: Community, member: MemberRef, message: Message, *, key: str
    ) -> bool:
        """DM a member; when their DMs are closed (50007) mention them somewhere private instead."""
        async with self._lock(f"dm:{key}"):
            channel = await self._request(
                Route("POST", "/users/@me/channels"),
                doing="open a direct message",
                json={"recipient_id": member.external_id},
            )
            dm = int(channel["id"])
            try:
                await self._send(
                    dm,
                    message,
                    key=key,
                    check_history=True,
                    doing="send a direct message",
                    passthrough=(failures.CANNOT_DM,),
                )
            except discord.HTTPException as exc:
                if exc.code != failures.CANNOT_DM:
                    raise
                await self._dm_fallback(community, member, message, key=key)
                return False
            return True

    async def archive_space(self, space: SpaceRef, goodbye: Message, *, key: str) -> None:
        """Post the goodbye and archive the pair thread (unlocked: pairs may keep talking)."""
        thread_id = int(space.id)
        await self.post(space, goodbye, key=key)
        _, thread = await self._thread(thread_id)
        await self._archive(thread)

    async def announce(self, community: Community, message: Message, *, key: str) -> None:
        """Post a round announcement in the announcements channel once per key."""
        channel = self._channel(community, "announcements")
        async with self._lock(f"announce:{key}"):
            await self._send(
                channel,
                message,
                key=key,
                check_history=True,
                doing="post the announcement",
                needed=NEEDED["announcements"],
            )

    async def alert_organisers(self, community: Community, message: Message, *, key: str) -> None:
        """Post a notice in the organisers' channel once per key (logged when there is none)."""
        where = community.settings.channels.get("organiser_alerts")
        if not where:
            # Failing here would make the outbox alert about the failed alert, forever.
            log.warning("no organiser alerts channel in %s: %s", community.name, message.plain())
            return
        async with self._lock(f"alert:{key}"):
            await self._send(
                int(where),
                message,
                key=key,
                check_history=True,
                doing="alert the organisers",
                needed=NEEDED["organiser_alerts"],
            )

    async def activity(self, space: SpaceRef, *, since: str | None = None) -> Activity:
        """Count each member's messages in the thread since *since* (bots left out)."""
        thread_id = int(space.id)
        after = snowflake_at(int(datetime.fromisoformat(since).timestamp() * 1000)) if since else 0
        counts: dict[str, int] = {}
        last: int | None = None
        while True:
            page = await self._request(
                Route("GET", "/channels/{channel_id}/messages", channel_id=thread_id),
                doing="read the pair thread's activity",
                needed=("read_message_history",),
                params={"after": after, "limit": 100},
            )
            if not page:
                break
            for m in page:
                if (m.get("author") or {}).get("bot"):
                    continue
                author = str(m["author"]["id"])
                counts[author] = counts.get(author, 0) + 1
                last = max(last or 0, int(m["id"]))
            after = max(int(m["id"]) for m in page)
            if len(page) < 100:
                break
        when = None
        if last is not None:
            when = datetime.fromtimestamp(snowflake_ms(last) / 1000, UTC).isoformat()
        return Activity(counts, when)

    # -- lookups used by the commands --------------------------------------------------

    async def find_pair_space(self, community: Community, name: str) -> SpaceRef | None:
        """Return the pair thread called *name*, if it exists."""
        guild_id = int(community.external_id)
        pairs = self._channel(community, "pairs")
        book = await self._book(guild_id)
        await self._load_parent(book, pairs, private=True)
        found = book.find(pairs, render.thread_name(name))
        if found is None:
            return None
        self._guild_of[found.id] = guild_id
        return SpaceRef(Platform.DISCORD, str(found.id), found.name, self._url(guild_id, found.id))

    def active_threads(self, guild_id: int) -> int:
        """Return how many of the server's threads this process believes are active."""
        book = self._books.get(guild_id)
        return book.active_count() if book else 0

    # -- threads and the active-thread cap -------------------------------------------

    async def _book(self, guild_id: int) -> ThreadBook:
        book = self._books.get(guild_id)
        if book is None:
            book = self._books[guild_id] = ThreadBook(guild_id)
        if book.stale(self.refresh_every):
            await self._refresh(book)
        return book

    async def _refresh(self, book: ThreadBook) -> None:
        async with self._lock(f"refresh:{book.guild_id}"):
            data = await self._request(
                Route("GET", "/guilds/{guild_id}/threads/active", guild_id=book.guild_id),
                doing="list the server's active threads",
            )
            book.refresh_active(data.get("threads", ()))
            for t in data.get("threads", ()):
                self._guild_of[int(t["id"])] = book.guild_id

    async def _load_parent(self, book: ThreadBook, parent: int, *, private: bool) -> None:
        """Learn the names of the parent's archived threads, once per process."""
        if parent in book.loaded_parents:
            return
        async with self._lock(f"load:{parent}"):
            if parent in book.loaded_parents:
                return
            if private:
                path = "/channels/{channel_id}/users/@me/threads/archived/private"
            else:
                path = "/channels/{channel_id}/threads/archived/public"
            before: str | None = None
            while True:
                params: dict[str, Any] = {"limit": 100}
                if before:
                    params["before"] = before
                data = await self._request(
                    Route("GET", path, channel_id=parent),
                    doing="list the channel's archived threads",
                    needed=("read_message_history",),
                    channel_id=parent,
                    params=params,
                )
                threads = data.get("threads", [])
                for t in threads:
                    if int(t["id"]) not in book.threads:
                        book.note(ThreadInfo.from_payload(t))
                    self._guild_of[int(t["id"])] = book.guild_id
                if not data.get("has_more") or not threads:
                    break
                last = threads[-1]
                # The @me listing pages by thread id, the public one by archive time.
                before = (
                    str(last["id"])
                    if private
                    else (last.get("thread_metadata") or {}).get("archive_timestamp")
                )
            book.loaded_parents.add(parent)

    async def _thread(self, thread_id: int) -> tuple[ThreadBook, ThreadInfo]:
        guild_id = self._guild_of.get(thread_id)
        book = self._books.get(guild_id) if guild_id else None
        if book is not None and thread_id in book.threads:
            return book, book.threads[thread_id]
        data = await self._request(
            Route("GET", "/channels/{channel_id}", channel_id=thread_id),
            doing="look up the pair thread",
        )
        guild_id = int(data["guild_id"])
        self._guild_of[thread_id] = guild_id
        book = await self._book(guild_id)
        known = book.threads.get(thread_id)
        if known is None:
            known = book.note(ThreadInfo.from_payload(data))
        return book, known

    async def _make_room(self, book: ThreadBook, parkable: int | None) -> None:
        """Make sure one more active thread fits under the cap, or ask to be called later.

        Near the cap, quiet pair threads under *parkable* (the pairs channel) are
        archived first: nothing is lost, a member's next message wakes them.
        """
        limit = self.thread_cap - self.reserve
        if book.active_count() < limit:
            return
        await self._refresh(book)
        if book.active_count() < limit:
            return
        cutoff = int(time.time() * 1000 - self.quiet_after * 1000)
        quiet = book.quiet(parkable, cutoff) if parkable else []
        for thread in quiet[: book.active_count() - limit + 1]:
            await self._archive(thread)
        if book.active_count() < limit:
            return
        raise DeliveryFailed(
            f"the server has {book.active_count()} active threads, near Discord's limit of "
            f"{self.thread_cap}: waiting for some to go quiet",
            permanent=False,
            retry_after=failures.THREAD_CAP_WAIT,
        )

    async def _settle(self, book: ThreadBook, thread: ThreadInfo) -> None:
        """Park the pair thread just posted to when the server has many active threads.

        Members still get the mention; their reply unarchives the thread.
        """
        self._guild_of[thread.id] = book.guild_id
        if book.active_count() > self.park_above:
            await self._archive(thread)

    async def _wake(self, book: ThreadBook, thread: ThreadInfo) -> None:
        await self._make_room(book, thread.parent_id)
        await self._request(
            Route("PATCH", "/channels/{channel_id}", channel_id=thread.id),
            doing=f"unarchive {thread.name!r}",
            needed=("manage_threads",),
            channel_id=thread.parent_id,
            json={"archived": False},
        )
        thread.archived = False

    async def _archive(self, thread: ThreadInfo) -> None:
        await self._request(
            Route("PATCH", "/channels/{channel_id}", channel_id=thread.id),
            doing=f"archive {thread.name!r}",
            needed=("manage_threads",),
            channel_id=thread.parent_id,
            json={"archived": True},
        )
        thread.archived = True

    async def _thread_members(self, thread_id: int) -> tuple[str, ...]:
        me = self.client.user.id if self.client.user else None
        data = await self._request(
            Route("GET", "/channels/{channel_id}/thread-members", channel_id=thread_id),
            doing="list the pair thread's members",
        )
        return tuple(str(m["user_id"]) for m in data if int(m["user_id"]) != me)

    # -- messages ----------------------------------------------------------------------

    async def _send(
        self,
        channel_id: int,
        message: Message,
        *,
        key: str,
        check_history: bool,
        doing: str,
        needed: Sequence[str] = (),
        mentions: Sequence[str] = (),
        parent: int | None = None,
        passthrough: Sequence[int] = (),
    ) -> str:
        """Post *message* unless the channel's recent history already has *key*; return its id."""
        if check_history:
            found = await self._find_posted(channel_id, key)
            if found:
                return found
        content = " ".join(render.mention(m) for m in mentions)
        data = await self._request(
            Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id),
            doing=doing,
            needed=needed,
            channel_id=parent or channel_id,
            passthrough=passthrough,
            json=render.message_payload(message, key=key, content=content, mentions=mentions),
        )
        return str(data["id"])

    async def _find_posted(self, channel_id: int, key: str) -> str | None:
        """Return the id of the bot's recent message carrying *key*, if there is one."""
        page = await self._request(
            Route("GET", "/channels/{channel_id}/messages", channel_id=channel_id),
            doing="read the channel's recent messages",
            needed=("read_message_history",),
            params={"limit": self.history_window},
        )
        me = self.client.user.id if self.client.user else None
        for m in page:
            if int((m.get("author") or {}).get("id", 0)) == me and render.carries(m, key):
                return str(m["id"])
        return None

    async def _dm_fallback(
        self, community: Community, member: MemberRef, message: Message, *, key: str
    ) -> None:
        """Tell a member whose DMs are closed: in full in their pair thread, else a bare mention."""
        book = await self._book(int(community.external_id))
        space = book.space_of(member.external_id)
        who = render.mention(member.external_id)
        if space is not None:
            await self._send(
                space.id,
                message,
                key=f"{key}:fallback",
                check_history=True,
                mentions=(member.external_id,),
                doing="mention a member whose DMs are closed",
                needed=("send_messages_in_threads", "embed_links"),
                parent=space.parent_id,
            )
            return
        # A public channel gets no content: DMs can be personal (a decision, a partner leaving).
        notice = Message(
            title="penpals could not send you a direct message",
            body=(
                f"{who}, your direct messages are closed. Allow direct messages from server "
                "members (Privacy Settings for this server) and use /profile to see your "
                "application."
            ),
        )
        await self._send(
            self._channel(community, "announcements"),
            notice,
            key=f"{key}:fallback",
            check_history=True,
            mentions=(member.external_id,),
            doing="mention a member whose DMs are closed",
            needed=NEEDED["announcements"],
        )

    # -- plumbing ----------------------------------------------------------------------

    async def _request(
        self,
        route: Route,
        *,
        doing: str,
        needed: Sequence[str] = (),
        channel_id: int | None = None,
        passthrough: Sequence[int] = (),
        **kwargs: Any,
    ) -> Any:
        """Make one REST call, turning Discord's refusals into DeliveryFailed."""
        try:
            return await self.client.http.request(route, **kwargs)
        except discord.RateLimited as exc:
            raise failures.rate_limited(exc, doing) from exc
        except discord.HTTPException as exc:
            if exc.code in passthrough:
                raise
            if exc.code == failures.MISSING_PERMISSIONS:
                needed = self._missing(channel_id, needed) or needed
            raise failures.failure(exc, doing, needed) from exc

    def _missing(self, channel_id: int | None, needed: Sequence[str]) -> list[str]:
        """Return which of *needed* the bot lacks in the channel, per the gateway cache."""
        if channel_id is None:
            return []
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel) or channel.guild.me is None:
            return []
        return missing(channel.permissions_for(channel.guild.me), needed)

    async def _channel_type(self, channel_id: int) -> int:
        cached = self.client.get_channel(channel_id)
        if cached is not None and hasattr(cached, "type"):
            return int(cached.type.value)
        data = await self._request(
            Route("GET", "/channels/{channel_id}", channel_id=channel_id),
            doing="look up the topic channel",
        )
        return int(data["type"])

    def _lock(self, name: str) -> asyncio.Lock:
        lock = self._locks.get(name)
        if lock is None:
            lock = self._locks[name] = asyncio.Lock()
        return lock

    @staticmethod
    def _channel(community: Community, role: str) -> int:
        found = community.settings.channels.get(role)
        if not found:
            raise DeliveryFailed(f"no {role.replace('_', ' ')} channel is set: run /setup")
        return int(found)

    @staticmethod
    def _url(guild_id: int, channel_id: int) -> str:
        return f"https://discord.com/channels/{guild_id}/{channel_id}"
