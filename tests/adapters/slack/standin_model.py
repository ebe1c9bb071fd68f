"""The Slack stand-in's vocabulary: a refusal, a recorded call, a channel, the scopes
each method needs, and the layout checks Slack makes on blocks."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]
CHANNEL_NAME = re.compile(r"^[a-z0-9_-]{1,80}$")
RESPONSE_URL_USES = 5  # messages a response_url takes (Slack: five within 30 minutes)
TRIGGER_TTL = 3.0  # seconds a trigger_id can open a modal (Slack's docs: 3 seconds)


class Refusal(Exception):
    """Answer the current call with {"ok": false, "error": code}."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra


@dataclass
class Call:
    method: str
    args: Json
    at: float
    error: str | None = None
    status: int = 200


@dataclass
class Channel:
    id: str
    name: str
    creator: str
    is_private: bool = False
    is_mpim: bool = False
    is_im: bool = False
    is_archived: bool = False
    members: list[str] = field(default_factory=list)
    purpose: str = ""
    messages: list[Json] = field(default_factory=list)
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def kind(self) -> str:
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "groups" if self.is_private else "channels"

    def as_json(self, viewer: str) -> Json:
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not (self.is_private or self.is_im or self.is_mpim),
            "is_group": self.is_private and not self.is_mpim,
            "is_im": self.is_im,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_member": viewer in self.members,
            "created": self.created,
            "creator": self.creator,
            "purpose": {"value": self.purpose, "creator": self.creator if self.purpose else ""},
            "topic": {"value": "", "creator": ""},
        }


# Scopes a bot needs per method; "{kind}" is the channel's kind (channels, groups, mpim, im).
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "apps.connections.open": (),
    "conversations.create": ("{kind}:manage",),
    "conversations.invite": ("{kind}:manage",),
    "conversations.kick": ("{kind}:manage",),
    "conversations.setPurpose": ("{kind}:manage",),
    "conversations.archive": ("{kind}:manage",),
    "conversations.unarchive": ("{kind}:manage",),
    "conversations.close": ("{kind}:manage",),
    "conversations.list": ("{kind}:read",),
    "conversations.info": ("{kind}:read",),
    "conversations.members": ("{kind}:read",),
    "conversations.history": ("{kind}:history",),
    "conversations.open": ("{kind}:write",),
    "conversations.join": ("channels:join",),
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.getPermalink": (),
    "users.info": ("users:read",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "usergroups.users.list": ("usergroups:read",),
    "views.open": (),
    "views.update": (),
    "views.push": (),
    "views.publish": (),  # the Home tab; no scope (the Home tab must be enabled)
    "oauth.v2.access": (),  # no token: the app's client id and secret
}
# Slack names the write scope of private channels groups:write, not groups:manage.
SCOPE_ALIASES = {
    "groups:manage": "groups:write",
    "im:manage": "im:write",
    "mpim:manage": "mpim:write",
}


def truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


def check_blocks(raw: Any, *, limit: int) -> list[Json]:
    """Refuse layouts Slack refuses: too many blocks, long texts, repeated ids."""
    blocks = json.loads(raw) if isinstance(raw, str) else (raw or [])
    if len(blocks) > limit:
        raise Refusal("invalid_blocks", errors=[f"more than {limit} blocks"])
    action_ids: set[str] = set()
    block_ids: set[str] = set()
    for block in blocks:
        kind = block.get("type")
        if block.get("block_id"):
            if block["block_id"] in block_ids:
                raise Refusal("invalid_blocks", errors=["repeated block_id"])
            block_ids.add(block["block_id"])
        text = (block.get("text") or {}).get("text", "")
        if kind == "header" and (len(text) > 150 or block["text"].get("type") != "plain_text"):
            raise Refusal("invalid_blocks", errors=["header text"])
        if kind == "section" and (len(text) > 3000 or len(block.get("fields", [])) > 10):
            raise Refusal("invalid_blocks", errors=["section too long"])
        if kind == "section" and not text and not block.get("fields"):
            raise Refusal("invalid_blocks", errors=["empty section"])
        elements = block.get("elements", []) if kind == "actions" else []
        if kind == "input":
            elements = [block.get("element", {})]
            if not block.get("label"):
                raise Refusal("invalid_blocks", errors=["input without label"])
        if kind == "actions" and not 0 < len(elements) <= 25:
            raise Refusal("invalid_blocks", errors=["actions elements"])
        for element in elements:
            action_id = element.get("action_id")
            if action_id in action_ids:
                raise Refusal("invalid_blocks", errors=[f"repeated action_id {action_id}"])
            if action_id:
                action_ids.add(action_id)
            if element.get("type") == "button" and len(element["text"]["text"]) > 75:
                raise Refusal("invalid_blocks", errors=["button text"])
            options = element.get("options") or []
            if len(options) > 100:
                raise Refusal("invalid_blocks", errors=["more than 100 options"])
            if element.get("type") == "checkboxes" and len(options) > 10:
                raise Refusal("invalid_blocks", errors=["more than 10 checkboxes"])
            if any(len(o["text"]["text"]) > 75 for o in options):
                raise Refusal("invalid_blocks", errors=["option text longer than 75"])
            values = {o["value"] for o in options}
            chosen = element.get("initial_options") or (
                [element["initial_option"]] if element.get("initial_option") else []
            )
            if options and any(o not in options or o["value"] not in values for o in chosen):
                raise Refusal("invalid_blocks", errors=["initial option not among the options"])
    return blocks


def wait_until(predicate: Callable[[], bool], *, timeout: float = 5.0) -> Any:
    """Return a coroutine that waits (briefly polling) until *predicate* holds."""

    async def waiting() -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for the stand-in")
            await asyncio.sleep(0.01)

    return waiting()
