"""`/penpals setup`: the community's channels, organiser groups, language and practices.

Channels are checked first (the bot must see them; it joins public ones); the
organiser who saves them is the audit log's actor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import parsing
from adapters.slack.platform import GROUP_DM, PRIVATE_CHANNEL
from core.errors import InvalidValue
from core.model import Community, CommunitySettings

if TYPE_CHECKING:
    from adapters.slack.services import Services


class Caller(Protocol):
    community: Community
    user_id: str


SETUP_OPTIONS = frozenset(
    {
        "announcements",
        "community",
        "alerts",
        "organisers",
        "language",
        "pair_mode",
        "hours",
        "cap",
        "pairing",
    }
)
# Setup options whose value is several words: each takes the words up to the next option.
SETUP_TEXTS = ("contact", "guidance")
# Where each setup option is stored in the community's channels setting.
SETUP_CHANNELS = {
    "announcements": "announcements",
    "community": "community",
    "alerts": "organiser_alerts",
}


async def setup(
    services: Services, client: AsyncWebClient, caller: Caller, words: list[str]
) -> str:
    """Save the settings given in *words* (none: show them); return what to say."""
    words, texts = _setup_texts(words)
    positional, opts = parsing.split_options(words, SETUP_OPTIONS)
    if positional:
        raise InvalidValue(f"setup does not understand {' '.join(positional)!r}: see /penpals help")
    community = caller.community
    channels: dict[str, str] = {}
    for option, place in SETUP_CHANNELS.items():
        if option in opts:
            channels[place] = await _usable_channel(client, parsing.channel_id(opts[option]))
    if "pair_mode" in opts:
        mode = opts["pair_mode"].lower().replace("-", "_")
        mode = {"private": PRIVATE_CHANNEL, "group_dm": GROUP_DM, "dm": GROUP_DM}.get(mode, mode)
        if mode not in (PRIVATE_CHANNEL, GROUP_DM):
            raise InvalidValue("pair-mode is private (a private channel per pair) or group-dm")
        channels["pair_mode"] = mode
    organisers = None
    if "organisers" in opts:
        organisers = tuple(parsing.usergroup_id(t) for t in opts["organisers"].split(",") if t)
    settings = await services.communities.configure(
        community.id,
        default_language=opts.get("language"),
        organiser_roles=organisers,
        channels=channels or None,
        contact=texts.get("contact"),
        hours_per_month=opts.get("hours"),
        guidance=texts.get("guidance"),
        pairing_rule=opts.get("pairing"),
        country_cap=_cap(opts["cap"]) if "cap" in opts else "unchanged",
        actor=f"slack:{caller.user_id}",
    )
    head = "Saved." if opts or texts else "Current settings:"
    return f"{head}\n{settings_text(settings)}"


async def _usable_channel(client: AsyncWebClient, channel: str) -> str:
    """Return *channel* once the bot can post there (joining it when public)."""
    try:
        info = (await client.conversations_info(channel=channel))["channel"]
    except SlackApiError:
        raise InvalidValue(
            f"the bot cannot see <#{channel}>: for a private channel, /invite @penpals there first"
        ) from None
    if info.get("is_archived"):
        raise InvalidValue(f"<#{channel}> is archived: choose another channel")
    if not info.get("is_member"):
        if info.get("is_private"):
            raise InvalidValue(f"invite the bot to <#{channel}> first (/invite @penpals)")
        await client.conversations_join(channel=channel)
    return channel


def _setup_texts(words: list[str]) -> tuple[list[str], dict[str, str]]:
    """Take contact=... and guidance=... (several words each) out of the setup words."""
    rest: list[str] = []
    texts: dict[str, list[str]] = {}
    current: list[str] | None = None
    for word in words:
        key, sep, value = word.partition("=")
        key = key.lower()
        if sep and key in SETUP_TEXTS:
            current = texts.setdefault(key, [])
            if value:
                current.append(value)
        elif sep and key.replace("-", "_") in SETUP_OPTIONS:
            current = None
            rest.append(word)
        elif current is not None:
            current.append(word)
        else:
            rest.append(word)
    return rest, {k: " ".join(v) for k, v in texts.items()}


def settings_text(settings: CommunitySettings) -> str:
    """Return the community's Slack settings as organisers see them."""
    channels = settings.channels

    def at(key: str) -> str:
        return f"<#{channels[key]}>" if channels.get(key) else "not set"

    groups = ", ".join(f"<!subteam^{g}>" for g in settings.organiser_roles) or "admins only"
    mode = "group DMs" if channels.get("pair_mode") == GROUP_DM else "private channels"
    return "\n".join(
        [
            f"• announcements: {at('announcements')}",
            f"• community (public topic threads): {at('community')}",
            f"• organiser alerts: {at('organiser_alerts')}",
            f"• organisers: {groups}",
            f"• language: {settings.default_language}",
            f"• pairing rule: partners differ by {settings.pairing_rule.value}",
            "• country cap: "
            + (f"{settings.country_cap:.0%} of the matched" if settings.country_cap else "none"),
            f"• pair spaces: {mode}",
            f"• contact shown to members: {settings.practices.contact or 'the organisers'}",
            f"• time commitment: {settings.practices.hours_per_month} hours a month",
            f"• guidance of your own: {'yes' if settings.practices.guidance else 'none'}",
        ]
    )


def _cap(text: str) -> float | None:
    """Return a country cap typed as 20%, 0.2 or none."""
    value = text.strip().lower()
    if value in ("none", "off", "no"):
        return None
    try:
        return float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        raise InvalidValue(f"cap {text!r} is a share like 20% or 0.2, or none") from None
