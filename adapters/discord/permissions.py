"""Who may run organiser commands, and which bot permissions are missing, by name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import discord
from discord import app_commands

from core.communities.service import is_organiser
from core.model import CommunitySettings

# Discord's own names for the permissions (as shown in Server Settings).
_NAMES = {
    "view_channel": "View Channels",
    "send_messages": "Send Messages",
    "send_messages_in_threads": "Send Messages in Threads",
    "create_private_threads": "Create Private Threads",
    "create_public_threads": "Create Public Threads",
    "manage_threads": "Manage Threads",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
    "attach_files": "Attach Files",
    "manage_guild": "Manage Server",
}

# What the bot needs in each configured channel, by the role the channel plays.
NEEDED: Mapping[str, tuple[str, ...]] = {
    "pairs": (
        "view_channel",
        "create_private_threads",
        "send_messages_in_threads",
        "manage_threads",
        "embed_links",
        "read_message_history",
    ),
    "forum": (
        "view_channel",
        "send_messages",
        "create_public_threads",
        "send_messages_in_threads",
        "embed_links",
        "read_message_history",
    ),
    "announcements": ("view_channel", "send_messages", "embed_links", "read_message_history"),
    # Added to the announcements channel's needs when no forum is set: topic threads
    # then open on a message there.
    "topic_threads": ("create_public_threads", "send_messages_in_threads"),
    # Attach Files: /penpals report posts its charts there.
    "organiser_alerts": (
        "view_channel",
        "send_messages",
        "embed_links",
        "read_message_history",
        "attach_files",
    ),
}

# The permissions to ask for when inviting the bot (docs/discord.md lists the same).
INVITE = discord.Permissions(**{flag: True for flag in _NAMES if flag != "manage_guild"})


def name(flag: str) -> str:
    """Return Discord's display name of a permission flag ('create_private_threads')."""
    return _NAMES.get(flag, flag.replace("_", " ").title())


def names(flags: Iterable[str]) -> str:
    """Return permission names as 'A, B and C'."""
    shown = [name(f) for f in flags]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def missing(granted: discord.Permissions, needed: Iterable[str]) -> list[str]:
    """Return the flags of *needed* that *granted* lacks, in the order asked."""
    return [flag for flag in needed if not getattr(granted, flag)]


def missing_in(channel: discord.abc.GuildChannel, needed: str | Iterable[str]) -> list[str]:
    """Return the permissions the bot lacks in *channel*: for the job a role names, or *needed*."""
    me = channel.guild.me
    if me is None:
        return []
    return missing(
        channel.permissions_for(me), NEEDED[needed] if isinstance(needed, str) else needed
    )


class NotOrganiser(app_commands.CheckFailure):
    """Raised by organiser commands for anyone else; its message is shown as it is."""


def ensure_organiser(interaction: discord.Interaction, settings: CommunitySettings) -> None:
    """Raise NotOrganiser unless the member has an organiser role or Manage Server."""
    member = interaction.user
    roles = [str(r.id) for r in getattr(member, "roles", ())]
    if is_organiser(settings, roles, platform_admin=interaction.permissions.manage_guild):
        return
    if settings.organiser_roles:
        who = " or ".join(f"<@&{r}>" for r in settings.organiser_roles)
        raise NotOrganiser(f"only organisers ({who} or Manage Server) can do this: nothing changed")
    raise NotOrganiser(
        "only members with Manage Server can do this until /setup names an organiser role: "
        "nothing changed"
    )
