"""DiscordPlatform's messages: announcements, organiser alerts, direct messages (with the
fallback when a member's DMs are closed), each found again by its key before it is sent."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord
from discord.http import Route

from adapters.discord import failures, render
from adapters.discord.permissions import NEEDED
from adapters.discord.platform_common import channel_of as _channel
from core.model import Community, MemberRef
from core.platform import (
    Message,
)

log = logging.getLogger(__name__)


class Messaging:
    """Send each message once per key (mixed into DiscordPlatform)."""

    async def announce(
        self, community: Community, message: Message, *, key: str, retry: bool = False
    ) -> None:
        """Post a round announcement in the announcements channel once per key."""
        async with self._lock(f"announce:{key}"):
            await self._send(
                _channel(community, "announcements"),
                message,
                key=key,
                check_history=retry,
                doing="post the announcement",
                needed=NEEDED["announcements"],
            )

    async def alert_organisers(
        self, community: Community, message: Message, *, key: str, retry: bool = False
    ) -> None:
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
                check_history=retry,
                doing="alert the organisers",
                needed=NEEDED["organiser_alerts"],
            )

    # -- members -----------------------------------------------------------------------

    async def direct_message(
        self,
        community: Community,
        member: MemberRef,
        message: Message,
        *,
        key: str,
        retry: bool = False,
    ) -> bool:
        """DM a member; when their DMs are closed (50007) mention them somewhere instead."""
        async with self._lock(f"dm:{key}"):
            channel = await self._rest(
                Route("POST", "/users/@me/channels"),
                doing="open a direct message",
                json={"recipient_id": member.external_id},
            )
            try:
                await self._send(
                    int(channel["id"]),
                    message,
                    key=key,
                    check_history=retry,
                    doing="send a direct message",
                    passthrough=(failures.CANNOT_DM,),
                )
            except discord.HTTPException as exc:
                if exc.code != failures.CANNOT_DM:
                    raise
                await self._dm_fallback(community, member, message, key=key, retry=retry)
                return False
            return True

    async def _dm_fallback(
        self, community: Community, member: MemberRef, message: Message, *, key: str, retry: bool
    ) -> None:
        """Tell a member whose DMs are closed: in full in their pair thread, else a bare mention."""
        book = await self.threads.book(int(community.external_id))
        space = book.space_of(member.external_id)
        if space is not None:
            await self._send(
                space.id,
                message,
                key=f"{key}:fallback",
                check_history=retry,
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
                f"{render.mention(member.external_id)}, your direct messages are closed. Allow "
                "direct messages from server members (Privacy Settings for this server) and "
                "use /profile to see your application."
            ),
        )
        await self._send(
            _channel(community, "announcements"),
            notice,
            key=f"{key}:fallback",
            check_history=retry,
            mentions=(member.external_id,),
            doing="mention a member whose DMs are closed",
            needed=NEEDED["announcements"],
        )

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
        data = await self._rest(
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
        page = await self._rest(
            Route("GET", "/channels/{channel_id}/messages", channel_id=channel_id),
            doing="read the channel's recent messages",
            needed=("read_message_history",),
            params={"limit": self.history_window},
        )
        me = self._rest.me()
        for m in page:
            if int((m.get("author") or {}).get("id", 0)) == me and render.carries(m, key):
                return str(m["id"])
        return None
