"""DiscordPlatform's upkeep of pair threads: archive one, remove a member who left (and
say so), and read a thread's activity since a message."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import discord
from discord.http import Route

from adapters.discord import failures
from adapters.discord.threads import snowflake_at, snowflake_ms
from core.model import MemberRef, Platform
from core.platform import (
    Activity,
    Message,
    SpaceRef,
)

log = logging.getLogger(__name__)


class SpaceUpkeep:
    """Archive, remove a member from, and read a pair thread (mixed into DiscordPlatform)."""

    async def archive_space(
        self, space: SpaceRef, goodbye: Message, *, key: str, retry: bool = False
    ) -> None:
        """Post the goodbye and archive the pair thread (unlocked: pairs may keep talking)."""
        await self.post(space, goodbye, key=key, retry=retry)
        _, thread = await self.threads.thread(int(space.id))
        await self.threads.archive(thread)

    async def remove_member(
        self, space: SpaceRef, member: MemberRef, *, key: str, retry: bool = False
    ) -> None:
        """Take a member out of the pair thread; one who is already gone (10007) is fine.

        Discord refuses to change an archived thread's members (50083): an archived
        thread is woken for the removal (within the budget and the cap) and archived again.
        """
        thread_id = int(space.id)
        user = member.external_id
        async with self._lock(f"members:{thread_id}"):
            book, thread = await self.threads.thread(thread_id)
            woke = thread.archived
            async with self.threads.capped(book, thread.parent_id):
                if woke:
                    await self.threads.wake(book, thread)
                try:
                    await self._rest(
                        Route(
                            "DELETE",
                            "/channels/{channel_id}/thread-members/{user_id}",
                            channel_id=thread_id,
                            user_id=user,
                        ),
                        doing=f"remove a member from {thread.name or space.name!r}",
                        needed=("manage_threads",),
                        channel_id=thread.parent_id,
                        passthrough=(failures.UNKNOWN_MEMBER,),
                    )
                except discord.HTTPException as exc:
                    if exc.code != failures.UNKNOWN_MEMBER:
                        raise
            thread.members = tuple(m for m in thread.members if m != user)
            if woke:
                await self.threads.archive(thread)

    async def activity(self, space: SpaceRef, *, since: str | None = None) -> Activity:
        """Count each member's messages in the thread since *since* (bots left out)."""
        thread_id = int(space.id)
        after = snowflake_at(int(datetime.fromisoformat(since).timestamp() * 1000)) if since else 0
        counts: dict[str, int] = {}
        last: int | None = None
        while True:
            page = await self._rest(
                Route("GET", "/channels/{channel_id}/messages", channel_id=thread_id),
                doing="read the pair thread's activity",
                needed=("read_message_history",),
                params={"after": after, "limit": 100},
            )
            for m in page:
                if not (m.get("author") or {}).get("bot"):
                    author = str(m["author"]["id"])
                    counts[author] = counts.get(author, 0) + 1
                    last = max(last or 0, int(m["id"]))
            if len(page) < 100:
                break
            after = max(int(m["id"]) for m in page)
        when = None
        if last is not None:
            when = datetime.fromtimestamp(snowflake_ms(last) / 1000, UTC).isoformat()
        return Activity(counts, when)

    # -- the community -----------------------------------------------------------------

    async def _members_of(self, space: SpaceRef) -> tuple[str, ...]:
        """Return the group's members (to mention them), from the database.

        Discord's list of a thread's members needs the privileged Server Members
        intent, which penpals does not ask for.
        """
        found = await self.records.space_members(Platform.DISCORD, space.id)
        members = tuple(m.external_id for m in found if m.platform is Platform.DISCORD)
        if not members:
            log.warning("no group is recorded for pair thread %s: no mentions", space.id)
        return members
