"""REST routes for channels, threads, thread members, messages and DMs, with the
permission checks, caps and errors of Discord's reference."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.adapters.discord import payloads as p
from tests.adapters.discord.standin_model import (
    GUILD_MEMBERS_INTENT,
    Refused,
    Request,
    check_content,
)
from tests.adapters.discord.standin_state import State


class Channels(State):
    """Channels, threads and messages, each in its own guild: the bot's permissions are
    those of its roles in the channel's guild, and thread caps count per guild."""

    def _channel(self, channel_id: int) -> dict[str, Any]:
        found = self.channels.get(channel_id)
        if found is None:
            raise Refused(404, 10003, "Unknown Channel")
        guild = self.guild_of(channel_id)
        if guild is not None and self.bot_id not in guild.members:
            raise Refused(403, 50001, "Missing Access")  # a server the bot is not in
        return found

    def _guild_id(self, where: Mapping[str, Any]) -> int | None:
        return int(where["guild_id"]) if where.get("guild_id") else None

    def _require(self, channel_id: int, *flags: str) -> None:
        bits = self.permissions_of(self.bot_id, channel_id)
        if any(not bits & p.PERMISSIONS[f] for f in flags):
            raise Refused(403, 50013, "Missing Permissions")

    def _wake(self, thread: dict[str, Any]) -> None:
        """Unarchive a thread, refusing past the active-thread cap as Discord does."""
        meta = thread["thread_metadata"]
        if not meta["archived"]:
            return
        guild = self._guild_id(thread)
        if self.active_threads(guild) >= self.max_active_threads:
            raise Refused(400, 160006, "Maximum number of active threads reached")
        meta["archived"] = False
        self._note_active(guild)

    async def _get_channel(self, r: Request) -> Any:
        return self._channel(r.id("cid"))

    async def _patch_channel(self, r: Request) -> Any:
        found = self._channel(r.id("cid"))
        if "thread_metadata" in found and "archived" in (r.body or {}):
            self._require(int(found["parent_id"]), "manage_threads")
            if r.body["archived"]:
                found["thread_metadata"]["archived"] = True
                found["thread_metadata"]["archive_timestamp"] = p.iso()
            else:
                self._wake(found)
        return found

    async def _new_thread(
        self,
        parent: dict[str, Any],
        name: str,
        kind: int,
        auto_archive: int,
        invitable: bool,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        guild = int(parent["guild_id"])
        if self.active_threads(guild) >= self.max_active_threads:
            raise Refused(400, 160006, "Maximum number of active threads reached")
        thread_id = thread_id or self.ids()
        made = p.thread(
            thread_id,
            guild,
            int(parent["id"]),
            self.bot_id,
            name,
            kind,
            auto_archive=auto_archive,
            invitable=invitable,
        )
        self.channels[thread_id] = made
        self.messages[thread_id] = []
        self.thread_members[thread_id] = {self.bot_id}
        self._note_active(guild)
        return made

    async def _create_thread(self, r: Request) -> Any:
        parent = self._channel(r.id("cid"))
        body = r.body or {}
        name = body["name"]
        if not 1 <= len(name) <= 100:
            raise Refused(400, 50035, "Invalid Form Body (name)")
        if parent["type"] == p.FORUM:
            self._require(int(parent["id"]), "view_channel", "send_messages")
            made = await self._new_thread(
                parent, name, p.PUBLIC_THREAD, body.get("auto_archive_duration", 4320), True
            )
            first = self._store_message(made, body["message"])
            return made | {"message": first}
        kind = body.get("type", p.PRIVATE_THREAD)
        flag = "create_private_threads" if kind == p.PRIVATE_THREAD else "create_public_threads"
        self._require(int(parent["id"]), "view_channel", flag)
        return await self._new_thread(
            parent,
            name,
            kind,
            body.get("auto_archive_duration", 4320),
            body.get("invitable", True),
        )

    async def _thread_from_message(self, r: Request) -> Any:
        parent = self._channel(r.id("cid"))
        self._require(int(parent["id"]), "create_public_threads")
        if r.id("mid") in self.channels:
            raise Refused(400, 160004, "A thread has already been created for this message")
        # A thread started from a message has the message's id, as on Discord.
        return await self._new_thread(
            parent,
            r.body["name"],
            p.PUBLIC_THREAD,
            r.body.get("auto_archive_duration", 4320),
            True,
            thread_id=r.id("mid"),
        )

    async def _add_to_thread(self, r: Request) -> Any:
        found = self._channel(r.id("cid"))
        user_id = r.id("uid")
        guild = self.guild_of(int(found["id"]))
        if guild is None or user_id not in guild.members:
            # Only a member of the thread's own server can be added to it.
            raise Refused(404, 10007, "Unknown Member")
        # "Requires the ability to send messages in the thread" (Add Thread Member).
        self._require(int(found["parent_id"]), "send_messages_in_threads")
        if found["thread_metadata"]["archived"]:
            raise Refused(400, 50083, "Thread is archived")
        self.thread_members[int(found["id"])].add(user_id)
        return None

    async def _remove_from_thread(self, r: Request) -> Any:
        found = self._channel(r.id("cid"))
        members = self.thread_members[int(found["id"])]
        if found["thread_metadata"]["archived"]:
            raise Refused(400, 50083, "Thread is archived")
        if r.id("uid") not in members:
            raise Refused(404, 10007, "Unknown Member")
        members.discard(r.id("uid"))
        return None

    async def _list_thread_members(self, r: Request) -> Any:
        thread_id = r.id("cid")
        self._channel(thread_id)
        # Discord: "restricted according to whether the GUILD_MEMBERS Privileged Intent
        # is enabled for your application".
        if not self.intents & GUILD_MEMBERS_INTENT:
            raise Refused(403, 50001, "Missing Access")
        return [
            {"id": str(thread_id), "user_id": str(u), "join_timestamp": p.iso(), "flags": 0}
            for u in sorted(self.thread_members.get(thread_id, ()))
        ]

    def _store_message(self, where: dict[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
        channel_id = int(where["id"])
        made = p.message(self.ids(), channel_id, self.bot, body, guild_id=self._guild_id(where))
        self.messages[channel_id].append(made)
        where["last_message_id"] = made["id"]
        return made

    async def _post_message(self, r: Request) -> Any:
        where = self._channel(r.id("cid"))
        body = r.body or {}
        check_content(body)
        if where["type"] == p.DM:
            recipient = int(where["recipients"][0]["id"])
            # Closed DMs, or no server shared with the bot any more (the member left).
            shared = any(
                recipient in g.members and self.bot_id in g.members for g in self.guilds.values()
            )
            if recipient in self.closed_dms or not shared:
                raise Refused(403, 50007, "Cannot send messages to this user")
        elif "thread_metadata" in where:
            self._require(int(where["parent_id"]), "send_messages_in_threads")
        else:
            self._require(int(where["id"]), "send_messages")
        if r.files and where["type"] != p.DM:
            parent = where.get("parent_id") if "thread_metadata" in where else where["id"]
            self._require(int(parent), "attach_files")
        if body.get("enforce_nonce") and body.get("nonce"):
            for m in self.bot_messages(int(where["id"])):
                if m.get("nonce") == body["nonce"]:
                    return m
        if "thread_metadata" in where:
            self._wake(where)
        made = self._store_message(where, body)
        made["attachments"] = [
            {
                "id": str(self.ids()),
                "filename": name,
                "size": len(content),
                "url": f"{self.api_url}/attachments/{name}",
                "proxy_url": f"{self.api_url}/attachments/{name}",
            }
            for name, content in r.files
        ]
        self.files[int(made["id"])] = list(r.files)
        return made

    async def _list_messages(self, r: Request) -> Any:
        channel_id = r.id("cid")
        self._channel(channel_id)
        limit = min(int(r.query.get("limit", 50)), 100)
        found = list(self.messages.get(channel_id, []))
        if "after" in r.query:
            after = int(r.query["after"])
            found = [m for m in found if int(m["id"]) > after][:limit]
        elif "before" in r.query:
            before = int(r.query["before"])
            found = [m for m in found if int(m["id"]) < before][-limit:]
        else:
            found = found[-limit:]
        return list(reversed(found))

    async def _open_dm(self, r: Request) -> Any:
        recipient = int(r.body["recipient_id"])
        if recipient not in self.users:
            raise Refused(400, 50033, "Invalid Recipient(s)")
        for c in self.channels.values():
            if c["type"] == p.DM and int(c["recipients"][0]["id"]) == recipient:
                return c
        channel_id = self.ids()
        self.channels[channel_id] = {
            "id": str(channel_id),
            "type": p.DM,
            "last_message_id": None,
            "flags": 0,
            "recipients": [self.users[recipient]],
        }
        self.messages[channel_id] = []
        return self.channels[channel_id]

    async def _active_threads(self, r: Request) -> Any:
        # Every active thread of that server, public and private, whoever made it.
        guild = self.guilds.get(r.id("gid"))
        if guild is None:
            raise Refused(404, 10004, "Unknown Guild")
        if self.bot_id not in guild.members:
            raise Refused(403, 50001, "Missing Access")
        found = self.threads(guild=guild.id)
        active = [t for t in found if not t["thread_metadata"]["archived"]]
        return {"threads": active, "members": []}

    def _archived_page(
        self, parent: int, kind: int, before: str | None, limit: int, *, mine: bool
    ) -> dict[str, Any]:
        found = [
            t
            for t in self.threads(kind)
            if int(t["parent_id"]) == parent
            and t["thread_metadata"]["archived"]
            and (not mine or self.bot_id in self.thread_members.get(int(t["id"]), ()))
        ]
        if mine:
            found.sort(key=lambda t: -int(t["id"]))
            if before:
                found = [t for t in found if int(t["id"]) < int(before)]
        else:
            found.sort(key=lambda t: t["thread_metadata"]["archive_timestamp"], reverse=True)
            if before:
                found = [t for t in found if t["thread_metadata"]["archive_timestamp"] < before]
        return {"threads": found[:limit], "members": [], "has_more": len(found) > limit}

    async def _my_archived_private(self, r: Request) -> Any:
        self._channel(r.id("cid"))
        limit = min(int(r.query.get("limit", 50)), 100)
        return self._archived_page(
            r.id("cid"), p.PRIVATE_THREAD, r.query.get("before"), limit, mine=True
        )

    async def _archived_public(self, r: Request) -> Any:
        self._channel(r.id("cid"))
        limit = min(int(r.query.get("limit", 50)), 100)
        return self._archived_page(
            r.id("cid"), p.PUBLIC_THREAD, r.query.get("before"), limit, mine=False
        )
