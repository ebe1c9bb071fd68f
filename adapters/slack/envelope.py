"""Check the shape of what reaches the Slack endpoint before bolt or a listener reads it.

A request that is not what Slack sends (a header that is not a number, a payload
that is not JSON, a missing user or team, a field of the wrong type) is answered
with 401 or 400 and changes nothing: it never reaches a listener, so it can
neither raise a traceback (HTTP 500) nor write half a change. The rules follow
the payload references of slash commands, block_actions, view_submission and
block_suggestion; fields penpals does not read are not checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

# Slack ids (T…, U…, W…, C…, V…) are upper-case letters and digits; 40 leaves room.
_ID = re.compile(r"^[A-Z0-9]{1,40}$")
MAX_ID_TEXT = 255  # action_id, block_id, callback_id: Slack allows 255 characters
MAX_VALUE = 2000  # a button's value: Slack allows 2000 characters
# What a member types is not limited here: the signup and survey checks refuse an
# over-long field next to the field (a 400 would only show Slack's generic error).
MAX_TYPED = 1_000_000
MAX_METADATA = 3000  # private_metadata: Slack allows 3000 characters

Json = dict[str, Any]


class Malformed(ValueError):
    """The request is not shaped as Slack sends it; the message says what is wrong."""


def timestamp_ok(value: str | None) -> bool:
    """Return whether X-Slack-Request-Timestamp is a whole number of seconds."""
    return bool(value) and value.isascii() and value.isdigit() and len(value) <= 12  # type: ignore[union-attr]


def parse(raw: str, content_type: str | None) -> Json:
    """Return the body as bolt reads it, or raise Malformed."""
    try:
        if content_type == "application/json" or raw.startswith("{"):
            body = json.loads(raw) if raw else {}
        else:
            fields = dict(parse_qsl(raw, keep_blank_values=True))
            body = json.loads(fields["payload"]) if "payload" in fields else fields
    except (ValueError, RecursionError):
        raise Malformed("the body or its payload is not JSON") from None
    if not isinstance(body, dict):
        raise Malformed("the payload is not a JSON object")
    check(body)
    return body


def check(body: Any) -> None:
    """Raise Malformed unless *body* has the fields penpals reads, with their types."""
    if not isinstance(body, dict):
        raise Malformed("the payload is not a JSON object")
    if "command" in body:
        _check_command(body)
        return
    kind = body.get("type")
    if kind == "block_actions":
        _team_user(body)
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            raise Malformed("actions must be a non-empty list")
        for action in actions:
            if not isinstance(action, dict):
                raise Malformed("each action must be an object")
            _text(action, "action_id", MAX_ID_TEXT, required=True)
            _text(action, "value", MAX_VALUE)
        _text(body, "trigger_id", MAX_ID_TEXT)
        _text(body, "response_url", MAX_VALUE)
        if "view" in body:
            _view(body["view"], with_state=False)
    elif kind in ("view_submission", "view_closed"):
        _team_user(body)
        _text(body, "trigger_id", MAX_ID_TEXT)
        _view(body.get("view"), with_state=kind == "view_submission")
    elif kind == "block_suggestion":
        _team_user(body)
        _text(body, "action_id", MAX_ID_TEXT, required=True)
        _text(body, "value", MAX_TYPED)
        if "view" in body:
            _view(body["view"], with_state=False)
    elif kind is not None and not isinstance(kind, str):
        raise Malformed("type must be a string")


def _check_command(body: Mapping[str, Any]) -> None:
    for name in ("team_id", "user_id"):
        value = body.get(name)
        if not isinstance(value, str) or not _ID.match(value):
            raise Malformed(f"{name} must be a Slack id")
    for name, limit in (("text", MAX_TYPED), ("trigger_id", MAX_ID_TEXT)):
        _text(body, name, limit)
    for name in ("channel_id", "team_domain", "response_url", "command"):
        _text(body, name, MAX_VALUE)


def _team_user(body: Mapping[str, Any]) -> None:
    for name in ("team", "user"):
        part = body.get(name)
        if not isinstance(part, dict):
            raise Malformed(f"{name} must be an object")
        if not isinstance(part.get("id"), str) or not _ID.match(part["id"]):
            raise Malformed(f"{name}.id must be a Slack id")
    _text(body["team"], "domain", MAX_ID_TEXT)


def _view(view: Any, *, with_state: bool) -> None:
    if not isinstance(view, dict):
        raise Malformed("view must be an object")
    for name in ("id", "callback_id", "hash"):
        _text(view, name, MAX_ID_TEXT)
    _text(view, "private_metadata", MAX_METADATA)
    state = view.get("state")
    if state is None and not with_state:
        return
    if not isinstance(state, dict) or not isinstance(state.get("values"), dict):
        raise Malformed("view.state.values must be an object")
    for block in state["values"].values():
        if not isinstance(block, dict):
            raise Malformed("each block of view.state.values must be an object")
        for element in block.values():
            _element(element)


def _element(element: Any) -> None:
    if not isinstance(element, dict):
        raise Malformed("each input's state must be an object")
    _text(element, "type", MAX_ID_TEXT)
    _text(element, "value", MAX_TYPED)
    chosen = element.get("selected_option")
    if chosen is not None:
        _option(chosen)
    many = element.get("selected_options")
    if many is not None:
        if not isinstance(many, list):
            raise Malformed("selected_options must be a list")
        for option in many:
            _option(option)


def _option(option: Any) -> None:
    if not isinstance(option, dict) or not isinstance(option.get("value"), str):
        raise Malformed("an option must be an object with a string value")
    if len(option["value"]) > MAX_ID_TEXT:
        raise Malformed("an option's value is longer than Slack allows")


def _text(part: Mapping[str, Any], name: str, limit: int, *, required: bool = False) -> None:
    value = part.get(name)
    if value is None:
        if required:
            raise Malformed(f"{name} is missing")
        return
    if not isinstance(value, str):
        raise Malformed(f"{name} must be a string")
    if len(value) > limit:
        raise Malformed(f"{name} is longer than Slack allows")
