"""The Discord stand-in's vocabulary: recorded requests, faults, errors, interaction replies,
slash-command option values, and the message limits of Discord's reference it enforces."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

API = "/api/v10"
EPHEMERAL = 64
GUILD_MEMBERS_INTENT = 1 << 1  # privileged: Server Members
CONTENT_MAX = 2000  # characters of a message's content

Handler = Callable[["Request"], Awaitable[Any]]


@dataclass
class Recorded:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any
    status: int = 0
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (filename, content)


@dataclass
class Fault:
    """An error the stand-in answers instead of doing the request."""

    method: str
    pattern: re.Pattern[str]
    status: int
    code: int
    text: str
    times: int = 1
    retry_after: float = 0.0
    # "before": refuse without doing the request; "after": do it, then answer the error;
    # "drop": do it, then close the connection without answering.
    when: str = "before"


@dataclass
class Request:
    raw: web.Request
    params: dict[str, str]
    body: Any
    query: Mapping[str, str]
    files: list[tuple[str, bytes]] = field(default_factory=list)

    def id(self, name: str) -> int:
        return int(self.params[name])


class Refused(Exception):
    """Answer the request with a Discord error."""

    def __init__(self, status: int, code: int, text: str) -> None:
        super().__init__(text)
        self.status, self.code, self.text = status, code, text


@dataclass
class Reply:
    """What the bot answered to one interaction: the callback, then follow-ups and edits."""

    responses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def type(self) -> int:
        return int(self.responses[0]["type"])

    @property
    def data(self) -> dict[str, Any]:
        """Return the message (or modal, or choices) the member finally sees."""
        last = self.responses[-1]
        return dict(last.get("data") or {})

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.responses[0].get("data", {}).get("flags") or 0) & EPHEMERAL)

    @property
    def text(self) -> str:
        """Return the content and embed text of the final message, for assertions."""
        data = self.data
        parts = [data.get("content") or ""]
        for e in data.get("embeds") or []:
            parts += [e.get("title") or "", e.get("description") or ""]
            parts += [f"{f['name']}: {f['value']}" for f in e.get("fields", [])]
            parts.append((e.get("footer") or {}).get("text") or "")
        return "\n".join(x for x in parts if x)

    @property
    def files(self) -> list[tuple[str, bytes]]:
        """Return the files attached to the answer and its follow-ups, as (name, content)."""
        return [f for r in self.responses for f in r.get("files", [])]

    @property
    def choices(self) -> list[dict[str, Any]]:
        return list(self.data.get("choices") or [])

    def custom_ids(self) -> list[str]:
        return [
            c["custom_id"]
            for row in self.data.get("components") or []
            for c in row.get("components", [])
            if "custom_id" in c
        ]

    def final(self) -> bool:
        if not self.responses:
            return False
        kind = self.type
        return kind in (4, 7, 8, 9) or (kind in (5, 6) and len(self.responses) > 1)


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """Return JSON with Discord's exact content type (discord.py compares it verbatim)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


@dataclass(frozen=True)
class Channel:
    """A channel passed as a slash-command option."""

    id: int


@dataclass(frozen=True)
class Upload:
    """A file passed as an attachment option of a slash command."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class Role:
    """A role passed as a slash-command option."""

    id: int


EMBEDS_MAX = 10  # embeds in one message
ACK_SECONDS = 3.0  # an interaction must be answered or deferred within 3 seconds
MODAL_INPUTS_MAX = 5  # components of a modal
MODAL_TITLE_MAX = 45
EMBED_DESCRIPTION_MAX = 4096
EMBED_TOTAL_MAX = 6000  # characters over all of a message's embeds
ROWS_MAX = 5  # action rows in a message
ROW_BUTTONS_MAX = 5  # buttons in one action row (or a single select menu)
SELECT_OPTIONS_MAX = 25
CUSTOM_ID_MAX = 100


def layout_problem(data: Mapping[str, Any]) -> str:
    """Name the first limit of Discord's message reference the message breaks, if any."""
    embeds = data.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        return f"embeds: Must be {EMBEDS_MAX} or fewer in length."
    total = 0
    for e in embeds:
        description = e.get("description") or ""
        if len(description) > EMBED_DESCRIPTION_MAX:
            return f"embeds.description: Must be {EMBED_DESCRIPTION_MAX} or fewer in length."
        total += len(description) + len(e.get("title") or "")
        total += len((e.get("footer") or {}).get("text") or "")
        total += sum(len(f["name"]) + len(f["value"]) for f in e.get("fields") or [])
    if total > EMBED_TOTAL_MAX:
        return f"embeds: Embed size exceeds maximum size of {EMBED_TOTAL_MAX}"
    rows = [c for c in data.get("components") or [] if c.get("type") == 1]
    if len(rows) > ROWS_MAX:
        return f"components: Must be {ROWS_MAX} or fewer in length."
    for row in rows:
        inner = row.get("components") or []
        selects = [c for c in inner if c.get("type") in (3, 5, 6, 7, 8)]
        if len(inner) > ROW_BUTTONS_MAX or (selects and len(inner) > 1):
            return "components: an action row holds up to 5 buttons or one select menu"
        for c in inner:
            if len(c.get("custom_id") or "") > CUSTOM_ID_MAX:
                return f"custom_id: Must be {CUSTOM_ID_MAX} or fewer in length."
            if c.get("type") == 3 and len(c.get("options") or []) > SELECT_OPTIONS_MAX:
                return f"options: Must be {SELECT_OPTIONS_MAX} or fewer in length."
    return ""


def check_content(data: Mapping[str, Any] | None) -> None:
    """Refuse a message longer than Discord allows, as Discord does (50035)."""
    content = (data or {}).get("content") or ""
    if len(content) > CONTENT_MAX:
        raise Refused(
            400,
            50035,
            f"Invalid Form Body (content: Must be {CONTENT_MAX} or fewer in length.)",
        )
    problem = layout_problem(data or {})
    if problem:
        raise Refused(400, 50035, f"Invalid Form Body ({problem})")
