"""Keep a server's pair threads under Discord's active-thread cap.

Discord allows about 1,000 active threads per server (error 160006) and any
message unarchives a thread. The keeper counts active threads before the bot
makes or wakes one, parks (archives) pair threads right after posting once the
server is busy, archives quiet pair threads when the cap is near, and spreads a
big round's posts over days: each thread the bot makes or wakes may draw replies
that keep it active for a day, so at most `pings_per_day` distinct threads are made
or woken per auto-archive period. The budget is kept in the database (a restart does
not reset it), and a thread counts once however often it is woken within the period:
a pair thread made in the morning and parked, then woken by the day's topic, is one
thread of the day, not two. Parking loses nothing: the members were mentioned, and
their reply wakes the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from discord.http import Route

from adapters.discord import failures
from adapters.discord.rest import Rest
from adapters.discord.threads import ThreadBook, ThreadInfo
from core.model import Platform
from core.platform import DeliveryFailed, PlatformRecords


@dataclass(frozen=True, slots=True)
class ThreadPolicy:
    auto_archive_minutes: int = 1440  # pair threads archive after a quiet day
    thread_cap: int = 1000  # Discord's limit of active threads per server
    reserve: int = 100  # left for members' conversations and other channels' threads
    park_above: int = 500  # above this many active threads, park pair threads after posting
    pings_per_day: int | None = 600  # pair threads made or woken per auto-archive period
    quiet_after: float = 3600.0  # seconds without a message before a thread may be parked
    refresh_every: float = 600.0  # seconds before the active-thread list is asked again


class ThreadKeeper:
    """What this process knows of each server's threads, and the cap policy over them."""

    def __init__(
        self,
        rest: Rest,
        policy: ThreadPolicy,
        wall_clock: Callable[[], float],
        records: Callable[[], PlatformRecords],
    ):
        self._rest = rest
        self._records = records
        self.policy = policy
        self._time = wall_clock  # Unix seconds: Discord's archive timers run on real time
        self._books: dict[int, ThreadBook] = {}
        self._guild_of: dict[int, int] = {}  # thread id -> guild id
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    # -- knowing the threads -----------------------------------------------------------

    async def book(self, guild_id: int) -> ThreadBook:
        """Return the server's book, asking Discord for its active threads when stale."""
        book = self._books.get(guild_id)
        if book is None:
            book = self._books[guild_id] = ThreadBook(guild_id)
        if book.stale(self.policy.refresh_every, self._time()):
            await self.refresh(book)
        return book

    async def refresh(self, book: ThreadBook) -> None:
        async with self._lock(f"refresh:{book.guild_id}"):
            data = await self._rest(
                Route("GET", "/guilds/{guild_id}/threads/active", guild_id=book.guild_id),
                doing="list the server's active threads",
            )
            book.refresh_active(data.get("threads", ()), self._time())
            for t in data.get("threads", ()):
                self._guild_of[int(t["id"])] = book.guild_id

    async def load_parent(
        self, book: ThreadBook, parent: int, *, private: bool, fresh: bool = False
    ) -> None:
        """Learn the names of the parent's archived threads, once per process (or *fresh*)."""
        if parent in book.loaded_parents and not fresh:
            return
        async with self._lock(f"load:{parent}"):
            if parent in book.loaded_parents and not fresh:
                return
            # The bot is a member of every pair thread it made, so its own listing of
            # archived private threads suffices (no Manage Threads needed to read it).
            if private:
                path = "/channels/{channel_id}/users/@me/threads/archived/private"
            else:
                path = "/channels/{channel_id}/threads/archived/public"
            before: str | None = None
            while True:
                params: dict[str, Any] = {"limit": 100, **({"before": before} if before else {})}
                data = await self._rest(
                    Route("GET", path, channel_id=parent),
                    doing="list the channel's archived threads",
                    needed=("read_message_history",),
                    channel_id=parent,
                    params=params,
                )
                threads = data.get("threads", [])
                for t in threads:
                    if int(t["id"]) not in book.threads:
                        self.note(book, ThreadInfo.from_payload(t))
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

    def note(self, book: ThreadBook, info: ThreadInfo) -> ThreadInfo:
        """Record a thread the bot made or learned about."""
        self._guild_of[info.id] = book.guild_id
        return book.note(info)

    async def thread(self, thread_id: int) -> tuple[ThreadBook, ThreadInfo]:
        """Return a thread's server book and what is known of it (asking Discord if nothing)."""
        guild_id = self._guild_of.get(thread_id)
        if guild_id is not None:
            book = await self.book(guild_id)  # refreshed when stale: it may have auto-archived
            if thread_id in book.threads:
                return book, book.threads[thread_id]
        data = await self._rest(
            Route("GET", "/channels/{channel_id}", channel_id=thread_id),
            doing="look up the pair thread",
        )
        book = await self.book(int(data["guild_id"]))
        known = book.threads.get(thread_id) or self.note(book, ThreadInfo.from_payload(data))
        return book, known

    # -- the cap -----------------------------------------------------------------------

    async def spend(self, book: ThreadBook, thread: str) -> None:
        """Count *thread* (an id, or a reservation for one about to be made) in today's budget.

        Ask to be called later when `pings_per_day` other threads were already made
        or woken within the auto-archive period; a thread already counted in it is free.
        """
        limit = self.policy.pings_per_day
        if limit is None:
            return
        window = self.policy.auto_archive_minutes * 60.0
        now = self._time()
        full_until = await self._records().take_wake(
            Platform.DISCORD,
            str(book.guild_id),
            thread,
            limit=limit,
            since=_at(now - window),
            now=_at(now),
        )
        if full_until is None:
            return
        wait = max(60.0, full_until.timestamp() + window - now)
        raise DeliveryFailed(
            f"{limit} pair threads were already started or woken in the last "
            f"{window / 3600:.0f} h: this one follows in {wait / 3600:.1f} h to stay under "
            "Discord's active-thread limit",
            permanent=False,
            retry_after=wait,
        )

    async def spent(self, book: ThreadBook, reservation: str, thread: int | None) -> None:
        """Count a reservation as the thread made (or give it back when none was made)."""
        if self.policy.pings_per_day is None:
            return
        records, place = self._records(), str(book.guild_id)
        if thread is None:
            await records.drop_wake(Platform.DISCORD, place, reservation)
        else:
            await records.move_wake(Platform.DISCORD, place, reservation, str(thread))

    async def make_room(self, book: ThreadBook, parkable: int | None) -> None:
        """Make sure one more active thread fits under the cap, or ask to be called later."""
        limit = self.policy.thread_cap - self.policy.reserve
        if book.active_count() < limit:
            return
        await self.relieve(book, parkable)
        if book.active_count() < limit:
            return
        raise DeliveryFailed(
            f"the server has {book.active_count()} active threads, near Discord's limit of "
            f"{self.policy.thread_cap}: waiting for some to go quiet",
            permanent=False,
            retry_after=failures.THREAD_CAP_WAIT,
        )

    async def relieve(self, book: ThreadBook, parkable: int | None) -> int:
        """Recount active threads, archive the quiet pair threads under *parkable*; count them."""
        await self.refresh(book)
        if parkable is None:
            return 0
        cutoff = int((self._time() - self.policy.quiet_after) * 1000)
        quiet = book.quiet(parkable, cutoff)
        for thread in quiet:
            await self.archive(thread)
        return len(quiet)

    @contextlib.asynccontextmanager
    async def capped(self, book: ThreadBook, parkable: int | None) -> AsyncIterator[None]:
        """Turn Discord's 160006 into a retry after making what room can be made."""
        try:
            yield
        except failures.ThreadCapReached as exc:
            parked = await self.relieve(book, parkable)
            raise DeliveryFailed(
                f"{exc} ({parked} quiet pair threads archived to make room)",
                permanent=False,
                retry_after=failures.RELIEVED_WAIT if parked else failures.THREAD_CAP_WAIT,
            ) from exc

    async def settle(self, book: ThreadBook, thread: ThreadInfo) -> None:
        """Park the pair thread just posted to when the server has many active threads."""
        if book.active_count() > self.policy.park_above:
            await self.archive(thread)

    async def wake(self, book: ThreadBook, thread: ThreadInfo) -> None:
        """Unarchive a pair thread (within the budget and the cap)."""
        await self.spend(book, str(thread.id))
        await self.make_room(book, thread.parent_id)
        await self._rest(
            Route("PATCH", "/channels/{channel_id}", channel_id=thread.id),
            doing=f"unarchive {thread.name!r}",
            needed=("manage_threads",),
            channel_id=thread.parent_id,
            json={"archived": False},
        )
        thread.archived = False

    async def archive(self, thread: ThreadInfo) -> None:
        """Archive a thread, unlocked: a member's message wakes it again."""
        await self._rest(
            Route("PATCH", "/channels/{channel_id}", channel_id=thread.id),
            doing=f"archive {thread.name!r}",
            needed=("manage_threads",),
            channel_id=thread.parent_id,
            json={"archived": True},
        )
        thread.archived = True

    def _lock(self, name: str) -> asyncio.Lock:
        lock = self._locks.get(name)
        if lock is None:
            lock = self._locks[name] = asyncio.Lock()
        return lock


def _at(unix: float) -> datetime:
    return datetime.fromtimestamp(unix, UTC)
