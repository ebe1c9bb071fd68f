"""Discord-shaped JSON payloads for the stand-in: users, members, channels, messages, interactions.

Shapes follow Discord's API reference (v10) closely enough for discord.py 2.x to
parse them as it parses Discord's own.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
PERMISSIONS = {
    "view_channel": 1 << 10,
    "send_messages": 1 << 11,
    "manage_threads": 1 << 34,
    "create_public_threads": 1 << 35,
    "create_private_threads": 1 << 36,
    "send_messages_in_threads": 1 << 38,
    "embed_links": 1 << 14,
    "read_message_history": 1 << 16,
    "attach_files": 1 << 15,
    "manage_guild": 1 << 5,
}
BOT_PERMISSIONS = sum(v for k, v in PERMISSIONS.items() if k != "manage_guild")

TEXT, DM, ANNOUNCEMENT, PUBLIC_THREAD, PRIVATE_THREAD, FORUM = 0, 1, 5, 11, 12, 15


class Snowflakes:
    """Make increasing snowflakes from the wall clock, as Discord does."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._last = 0

    def __call__(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (next(self._counter) & 0x3FFFFF)
        self._last = max(self._last + 1, value)
        return self._last


def iso(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).isoformat()


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "flags": 0,
        "public_flags": 0,
    }


def member(data: Mapping[str, Any], roles: Iterable[int], *, permissions: int = 0) -> dict:
    return {
        "user": dict(data),
        "roles": [str(r) for r in roles],
        "joined_at": iso(),
        "nick": None,
        "avatar": None,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "permissions": str(permissions),
    }


def role(role_id: int, name: str, permissions: int, position: int) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def channel(
    channel_id: int,
    guild_id: int,
    name: str,
    kind: int,
    *,
    position: int = 0,
    overwrites: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(channel_id),
        "guild_id": str(guild_id),
        "name": name,
        "type": kind,
        "position": position,
        "parent_id": None,
        "permission_overwrites": list(overwrites),
        "nsfw": False,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }
    if kind == FORUM:
        out |= {
            "available_tags": [],
            "default_reaction_emoji": None,
            "default_sort_order": None,
            "default_forum_layout": 0,
            "default_thread_rate_limit_per_user": 0,
        }
    return out


def thread(
    thread_id: int,
    guild_id: int,
    parent_id: int,
    owner_id: int,
    name: str,
    kind: int,
    *,
    auto_archive: int,
    invitable: bool = True,
) -> dict[str, Any]:
    return {
        "id": str(thread_id),
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "type": kind,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 0,
        "total_message_sent": 0,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": auto_archive,
            "archive_timestamp": iso(),
            "locked": False,
            "invitable": invitable,
            "create_timestamp": iso(),
        },
    }


def message(
    message_id: int,
    channel_id: int,
    author: Mapping[str, Any],
    body: Mapping[str, Any],
    *,
    guild_id: int | None = None,
    flags: int = 0,
) -> dict[str, Any]:
    out = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": dict(author),
        "content": body.get("content", ""),
        "timestamp": iso(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": list(body.get("embeds") or []),
        "components": list(body.get("components") or []),
        "pinned": False,
        "type": 0,
        "flags": flags | int(body.get("flags") or 0),
        "nonce": body.get("nonce"),
    }
    if guild_id is not None:
        out["guild_id"] = str(guild_id)
    return out


def error(code: int, text: str) -> dict[str, Any]:
    return {"message": text, "code": code}
