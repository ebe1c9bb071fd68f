"""Render core Messages as Discord embeds, components and REST payloads (pure functions).

The idempotency key of a message travels in two places: the message nonce (Discord
deduplicates a repeated nonce for a few minutes when enforce_nonce is set) and a
short reference at the end of the embed footer, which survives in the channel
history so a retry long after a crash can still see that the message went out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import discord

from core import times
from core.platform import Button, Message

COLOUR = 0x2B7A78
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
THREAD_NAME_MAX = 100
NONCE_MAX = 25
CONTENT_MAX = 2000  # a message's content (Discord refuses more with 50035)
EXCERPT_MAX = 40  # what an error quotes of a value a member typed

_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "danger": discord.ButtonStyle.danger,
    "success": discord.ButtonStyle.success,
}


def clip(text: str, limit: int) -> str:
    """Return *text* cut to *limit* characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def excerpt(value: str, limit: int = EXCERPT_MAX) -> str:
    """Quote what a member typed in an error, cut short: they may have typed 6,000 characters."""
    return repr(clip(value.strip(), limit))


def ref(key: str) -> str:
    """Return the short, stable reference of an idempotency key shown in footers."""
    return "ref " + hashlib.sha256(key.encode()).hexdigest()[:12]


def nonce(key: str) -> str:
    """Return a Discord message nonce (at most 25 characters) derived from *key*."""
    return hashlib.sha256(key.encode()).hexdigest()[:NONCE_MAX]


def thread_name(name: str) -> str:
    """Return a valid thread name (Discord allows 1 to 100 characters)."""
    return clip(" ".join(name.split()) or "penpals", THREAD_NAME_MAX)


def mention(user_id: str | int) -> str:
    return f"<@{user_id}>"


def embed(message: Message, *, key: str | None = None) -> discord.Embed:
    """Return *message* as an embed, its footer carrying the key's reference."""
    # Discord shows <t:unix:style> in each reader's clock, but not in titles, field
    # names or footers: those get the written-out time.
    out = discord.Embed(
        title=clip(times.plain(message.title), TITLE_MAX) or None,
        description=clip(times.discord(message.body), DESCRIPTION_MAX) or None,
        colour=COLOUR,
        url=message.link or None,
    )
    for name, value in message.fields[:FIELDS_MAX]:
        out.add_field(
            name=clip(times.plain(name), FIELD_NAME_MAX) or "\u200b",
            value=clip(times.discord(value), FIELD_VALUE_MAX) or "\u200b",
            inline=False,
        )
    # The reference goes last so that clipping a long footer never cuts it off.
    parts = [clip(times.plain(message.footer), FOOTER_MAX - 20)] if message.footer else []
    if key:
        parts.append(ref(key))
    if parts:
        out.set_footer(text=" · ".join(parts))
    _shrink(out)
    return out


def _shrink(out: discord.Embed) -> None:
    """Drop trailing fields until the embed fits Discord's 6,000-character total."""
    while len(out) > EMBED_TOTAL_MAX and out.fields:
        out.remove_field(len(out.fields) - 1)
    if len(out) > EMBED_TOTAL_MAX and out.description:
        over = len(out) - EMBED_TOTAL_MAX
        out.description = clip(out.description, max(1, len(out.description) - over))


def components(message: Message) -> list[dict[str, Any]]:
    """Return the action rows of *message*: its buttons and a link button to message.link."""
    items: list[dict[str, Any]] = [
        {
            "type": 2,
            "style": _STYLES.get(b.style, discord.ButtonStyle.primary).value,
            "label": clip(b.label, 80),
            "custom_id": clip(b.action_id, 100),
        }
        for b in message.buttons
    ]
    if message.link:
        items.append({"type": 2, "style": 5, "label": "Open the discussion", "url": message.link})
    return [{"type": 1, "components": items[i : i + 5]} for i in range(0, min(len(items), 25), 5)]


def view(message: Message) -> discord.ui.View | None:
    """Return the buttons of *message* as a view for interaction responses, if any."""
    if not message.buttons and not message.link:
        return None
    out = discord.ui.View(timeout=None)
    for b in message.buttons:
        out.add_item(_button(b))
    if message.link:
        out.add_item(discord.ui.Button(label="Open the discussion", url=message.link))
    return out


def _button(b: Button) -> discord.ui.Button[discord.ui.View]:
    return discord.ui.Button(
        label=clip(b.label, 80),
        custom_id=clip(b.action_id, 100),
        style=_STYLES.get(b.style, discord.ButtonStyle.primary),
    )


def message_payload(
    message: Message,
    *,
    key: str,
    content: str = "",
    mentions: Sequence[str] = (),
) -> dict[str, Any]:
    """Return the JSON body of POST /channels/{id}/messages for *message*."""
    payload: dict[str, Any] = {
        "embeds": [embed(message, key=key).to_dict()],
        "nonce": nonce(key),
        "enforce_nonce": True,
        # Only the people named may be pinged: never @everyone from stored text.
        "allowed_mentions": {"parse": [], "users": list(dict.fromkeys(mentions))[:100]},
    }
    if content:
        payload["content"] = clip(content, CONTENT_MAX)
    rows = components(message)
    if rows:
        payload["components"] = rows
    return payload


def carries(data: Mapping[str, Any], key: str) -> bool:
    """Return whether a message payload from Discord carries *key*'s reference."""
    wanted = ref(key)
    embeds: Iterable[Mapping[str, Any]] = data.get("embeds") or ()
    return any(wanted in ((e.get("footer") or {}).get("text") or "") for e in embeds)
