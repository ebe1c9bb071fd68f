"""DiscordPlatform's topic threads: a forum post, or a thread on a message in a text channel."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.http import Route

from adapters.discord import failures, render
from adapters.discord.platform_common import FORUM, MEDIA, PUBLIC_THREAD
from adapters.discord.platform_common import url as _url
from adapters.discord.rest import MaybeDone
from adapters.discord.threads import ThreadBook, ThreadInfo
from core.model import Community, Platform
from core.platform import (
    DeliveryFailed,
    Message,
    ThreadRef,
)

log = logging.getLogger(__name__)


class TopicThreads:
    """Open a round's public topic thread once per key (mixed into DiscordPlatform)."""

    async def open_topic_thread(
        self, community: Community, title: str, message: Message, *, key: str, retry: bool = False
    ) -> ThreadRef:
        """Open a topic's public thread: a forum post, or a thread on a text channel message."""
        guild_id = int(community.external_id)
        channels = community.settings.channels
        where = channels.get("forum") or channels.get("announcements")
        if not where:
            raise DeliveryFailed(
                "no forum or announcements channel is set for topic threads: run /setup"
            )
        parent = int(where)
        pairs = int(channels["pairs"]) if channels.get("pairs") else None
        name = render.thread_name(title)
        async with self._lock(f"topic:{guild_id}:{parent}:{name}"):
            book = await self.threads.book(guild_id)
            kind = await self._channel_type(parent)
            if retry:
                await self.threads.load_parent(book, parent, private=False)
            found = self._own_topic_thread(book, parent, name)
            if found is None:
                async with self.threads.capped(book, pairs):
                    await self.threads.make_room(book, pairs)
                    if kind in (FORUM, MEDIA):
                        try:
                            data = await self._forum_post(parent, name, message, key=key)
                        except MaybeDone:
                            # Discord may have made it: look afresh before posting again.
                            await self.threads.refresh(book)
                            await self.threads.load_parent(book, parent, private=False, fresh=True)
                            found = self._own_topic_thread(book, parent, name)
                            if found is None:
                                raise
                    else:
                        data = await self._thread_on_message(
                            parent, name, message, key=key, retry=retry
                        )
                if found is None:
                    found = self.threads.note(book, ThreadInfo.from_payload(data))
            return ThreadRef(Platform.DISCORD, str(found.id), _url(guild_id, found.id))

    def _own_topic_thread(self, book: ThreadBook, parent: int, name: str) -> ThreadInfo | None:
        """Return the topic's public thread if the bot made it (a member's namesake is not it)."""
        found = book.named(parent, name, owner=self._rest.me(), kind=PUBLIC_THREAD)
        return found[0] if found else None

    async def _forum_post(self, forum: int, name: str, message: Message, *, key: str) -> Any:
        payload = render.message_payload(message, key=key)
        # A forum post's first message takes no nonce; the thread name is the key here.
        payload.pop("enforce_nonce")
        payload.pop("nonce")
        return await self._rest(
            Route("POST", "/channels/{channel_id}/threads", channel_id=forum),
            doing=f"open the forum post {name!r}",
            needed=("view_channel", "send_messages"),
            channel_id=forum,
            once=True,
            json={
                "name": name,
                "auto_archive_duration": self.topic_archive_minutes,
                "message": payload,
            },
        )

    async def _thread_on_message(
        self, channel_id: int, name: str, message: Message, *, key: str, retry: bool
    ) -> Any:
        first = await self._send(
            channel_id,
            message,
            key=key,
            check_history=retry,
            doing="post the topic",
            needed=("view_channel", "send_messages", "embed_links"),
        )
        try:
            return await self._rest(
                Route(
                    "POST",
                    "/channels/{channel_id}/messages/{message_id}/threads",
                    channel_id=channel_id,
                    message_id=first,
                ),
                doing=f"open the thread {name!r}",
                needed=("create_public_threads",),
                channel_id=channel_id,
                passthrough=(failures.THREAD_ALREADY_CREATED,),
                once=True,
                json={"name": name, "auto_archive_duration": self.topic_archive_minutes},
            )
        except (MaybeDone, discord.HTTPException) as exc:
            if isinstance(exc, discord.HTTPException) and exc.code != (
                failures.THREAD_ALREADY_CREATED
            ):
                raise
            # The message's thread, if Discord made it, has the message's id.
            try:
                return await self._rest(
                    Route("GET", "/channels/{channel_id}", channel_id=first),
                    doing=f"look up the thread {name!r}",
                    passthrough=(failures.UNKNOWN_CHANNEL,),
                )
            except discord.HTTPException as missing:
                if missing.code != failures.UNKNOWN_CHANNEL:
                    raise
                raise exc from None
