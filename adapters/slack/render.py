"""Render core Messages as Block Kit: pure functions, no Slack calls.

Slack's mrkdwn differs from the core's light markdown (*bold* instead of **bold**)
and needs &, < and > escaped; Block Kit caps a header at 150 characters, a section
at 3000 and a message at 50 blocks, so long text is split rather than refused.
"""

from __future__ import annotations

import re
from typing import Any

from core import times
from core.platform import Button, Message

HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
FIELDS_PER_SECTION = 10
BUTTON_TEXT_MAX = 75
BLOCKS_MAX = 50

Block = dict[str, Any]
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]{2,20})(?:\|[^&|]*)?&gt;")


def escape(text: str) -> str:
    """Escape the three characters Slack reserves for its own markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """Convert the core's light markdown to Slack mrkdwn, escaping user text.

    Time tokens (core.times) become Slack date tokens, shown in each reader's clock;
    a user mention (<@U123>, e.g. the program's contact) stays a mention, shown by name.
    """
    out = times.slack(_BOLD.sub(lambda m: f"*{m.group(1)}*", escape(text)))
    out = _MENTION.sub(lambda m: f"<@{m.group(1)}>", out)
    return "\n".join(
        f"• {line.lstrip()[2:]}" if line.lstrip().startswith("- ") else line
        for line in out.split("\n")
    )


def _chunks(text: str, size: int) -> list[str]:
    """Split *text* into pieces of at most *size*, at line breaks where possible."""
    pieces: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > 0 else size
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text:
        pieces.append(text)
    return pieces


def _plain(text: str, limit: int) -> dict[str, Any]:
    text = times.plain(text)  # plain_text shows no date token: the written-out time
    clipped = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": clipped, "emoji": True}


def button(b: Button, value: str = "") -> Block:
    """Render a core Button as a Block Kit button element."""
    element: Block = {
        "type": "button",
        "text": _plain(b.label, BUTTON_TEXT_MAX),
        "action_id": b.action_id,
    }
    if value:
        element["value"] = value
    if b.style in ("primary", "danger"):  # Slack's default look is "secondary"
        element["style"] = b.style
    return element


def blocks(message: Message) -> list[Block]:
    """Render *message* as Block Kit blocks."""
    out: list[Block] = []
    if message.title:
        out.append({"type": "header", "text": _plain(message.title, HEADER_MAX)})
    for piece in _chunks(mrkdwn(message.body), SECTION_MAX):
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": piece}})
    fields = [
        {"type": "mrkdwn", "text": f"*{escape(k)}*\n{mrkdwn(v)}"[:FIELD_MAX]}
        for k, v in message.fields
    ]
    for i in range(0, len(fields), FIELDS_PER_SECTION):
        out.append({"type": "section", "fields": fields[i : i + FIELDS_PER_SECTION]})
    if message.link:
        out.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"<{message.link}|Join the public discussion>"},
            }
        )
    if message.buttons:
        out.append({"type": "actions", "elements": [button(b) for b in message.buttons[:25]]})
    if message.footer:
        out.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn(message.footer)}]}
        )
    return out[:BLOCKS_MAX]


def fallback_text(message: Message) -> str:
    """Return the notification text Slack shows where blocks cannot be (push, search)."""
    return escape(message.plain())[:SECTION_MAX]
