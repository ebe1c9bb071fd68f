"""The Slack stand-in's App Home: views.publish, the app_home_opened event, Home presses.

views.publish (docs.slack.dev/reference/methods/views.publish): user_id and a view
of type "home"; refused with not_enabled when the app's Home tab is off,
hash_conflict when a hash is given that is not the Home's current one,
view_too_large over 250 kB, invalid_arguments for a missing user or a view that
is not a Home view, invalid_blocks past Slack's layout limits (100 blocks a view,
private_metadata 3000 characters, callback_id 255, block_id and action_id 255, a
button's value 2000, an option's value 150, a placeholder 150, a confirmation's
title 100, text 300 and buttons 30). No scope is needed.

app_home_opened (docs.slack.dev/reference/events/app_home_opened) carries the
user, the tab and, once a Home was published for that user, the view as it stands.
A press on a Home element arrives as block_actions with the view (its
private_metadata and hash) and no response_url; the stand-in only sends presses
of elements that are on the person's Home, as Slack does.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.adapters.slack.standin_model import Json, Refusal, check_blocks
from tests.adapters.slack.standin_state import Workspace

VIEW_BYTES = 250_000  # "view_too_large: greater than 250kb"


def _length(what: str, value: Any, most: int) -> None:
    if isinstance(value, str) and len(value) > most:
        raise Refusal("invalid_blocks", errors=[f"{what} longer than {most}"])


def _text_of(obj: Any) -> str:
    return str((obj or {}).get("text", "")) if isinstance(obj, dict) else ""


def check_elements(blocks: list[Json]) -> None:
    """Refuse ids, values, placeholders and confirmations past Slack's lengths."""
    for block in blocks:
        _length("block_id", block.get("block_id"), 255)
        elements = list(block.get("elements", [])) if block.get("type") == "actions" else []
        if block.get("type") == "input":
            elements.append(block.get("element") or {})
            _length("label", _text_of(block.get("label")), 2000)
        if block.get("type") == "section" and block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            _length("action_id", element.get("action_id"), 255)
            _length("value", element.get("value"), 2000)
            _length("placeholder", _text_of(element.get("placeholder")), 150)
            for option in element.get("options") or []:
                _length("option value", option.get("value"), 150)
            confirm = element.get("confirm")
            if confirm:
                _length("confirm title", _text_of(confirm.get("title")), 100)
                _length("confirm text", _text_of(confirm.get("text")), 300)
                _length("confirm button", _text_of(confirm.get("confirm")), 30)
                _length("deny button", _text_of(confirm.get("deny")), 30)
                if not _text_of(confirm.get("text")):
                    raise Refusal("invalid_blocks", errors=["confirm without text"])


class Home(Workspace):
    """Home tabs per user, published by the app; what Slack sends when people use them."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.homes: dict[str, Json] = {}  # user id -> the Home view published for them
        self.home_tab_enabled = True  # the manifest's features.app_home.home_tab_enabled

    def _m_views_publish(self, args: Json) -> Json:
        user_id = str(args.get("user_id", ""))
        raw = args.get("view")
        if not user_id or raw is None:
            raise Refusal("invalid_arguments")
        if user_id not in self.users:
            raise Refusal("invalid_arguments", response_metadata={"messages": ["no such user"]})
        text = raw if isinstance(raw, str) else json.dumps(raw)
        if len(text.encode()) > VIEW_BYTES:
            raise Refusal("view_too_large")
        view = json.loads(text)
        if not isinstance(view, dict) or view.get("type") != "home":
            raise Refusal("invalid_arguments", response_metadata={"messages": ["not a home"]})
        if not self.home_tab_enabled:
            raise Refusal("not_enabled")
        current = self.homes.get(user_id)
        if args.get("hash") and (current is None or args["hash"] != current["hash"]):
            raise Refusal("hash_conflict")
        _length("private_metadata", view.get("private_metadata"), 3000)
        _length("callback_id", view.get("callback_id"), 255)
        blocks = check_blocks(view.get("blocks"), limit=100)
        check_elements(blocks)
        stored = {
            **view,
            "id": current["id"] if current else self._new_id("V"),
            "hash": f"{time.time():.0f}.{uuid.uuid4().hex[:8]}",
            "team_id": self.team_id,
            "app_id": "APENPALS",
            "bot_id": "BPENPALS",
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
        }
        self.homes[user_id] = stored
        return {"view": stored}

    # --- what Slack sends ---------------------------------------------------------

    def home_opened(self, user: str, *, tab: str = "home") -> Json:
        """Return the app_home_opened event callback of *user* opening the app's *tab*."""
        event: Json = {
            "type": "app_home_opened",
            "user": user,
            "channel": f"D{user[1:]}",
            "tab": tab,
            "event_ts": f"{time.time():.6f}",
        }
        if tab == "home" and user in self.homes:
            event["view"] = self.homes[user]
        return {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": "APENPALS",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
        }

    def home_element(self, user: str, action_id: str) -> tuple[Json, Json]:
        """Return the block and the element *action_id* on *user*'s Home (AssertionError if not)."""
        for block in self.homes[user]["blocks"]:
            elements = block.get("elements", []) if block["type"] == "actions" else []
            if block["type"] == "input":
                elements = [block["element"]]
            for element in elements:
                if element.get("action_id") == action_id:
                    return block, element
        raise AssertionError(f"{action_id} is not on the Home of {user}")

    def home_press(
        self, user: str, action_id: str, *, option: str | None = None, typed: str | None = None
    ) -> Json:
        """Return block_actions for *user* using the element *action_id* on their Home.

        A button sends its value; a select menu the option whose value is *option*
        (it must be one of its options); a text input what was *typed*.
        """
        block, element = self.home_element(user, action_id)
        action: Json = {
            "type": element["type"],
            "action_id": action_id,
            "block_id": block.get("block_id", ""),
            "action_ts": f"{time.time():.6f}",
        }
        if element["type"] == "button":
            action["value"] = element.get("value", "")
            action["text"] = element["text"]
        elif element["type"] == "static_select":
            picked = [o for o in element["options"] if o["value"] == option]
            assert picked, f"{option!r} is not an option of {action_id}"
            action["selected_option"] = picked[0]
        else:
            action["value"] = typed or ""
        return self.home_payload(user, action)

    def home_payload(self, user: str, action: Json) -> Json:
        """Return the block_actions payload of *action* on *user*'s Home, as Slack sends it."""
        view = self.homes.get(user) or {"type": "home", "id": "VNONE", "private_metadata": ""}
        return {
            "type": "block_actions",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": {"id": user, "username": self.users[user]["name"], "team_id": self.team_id},
            "api_app_id": "APENPALS",
            "token": "legacy-verification-token",
            "container": {"type": "view", "view_id": view["id"]},
            "trigger_id": f"{uuid.uuid4().int % 10**12}.x",
            "view": view,
            "actions": [action],
        }
