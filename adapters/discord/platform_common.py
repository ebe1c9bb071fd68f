"""Helpers shared by DiscordPlatform's parts: a community's channel, a message link."""

from __future__ import annotations

from core.model import Community
from core.platform import DeliveryFailed

PUBLIC_THREAD = 11
PENDING = ""  # the recorded id of a pair thread asked for but not (yet) known
PRIVATE_THREAD = 12
FORUM = 15
MEDIA = 16


def channel_of(community: Community, role: str) -> int:
    """Return the id of the community's channel for *role*, or refuse to deliver."""
    found = community.settings.channels.get(role)
    if not found:
        raise DeliveryFailed(f"no {role.replace('_', ' ')} channel is set: run /setup")
    return int(found)


def url(guild_id: int, channel_id: int) -> str:
    """Return a link to a channel."""
    return f"https://discord.com/channels/{guild_id}/{channel_id}"
