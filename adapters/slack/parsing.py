"""Read the words typed after /penpals: options, channel and user-group mentions, dates.

With "Escape channels, users, and links" on (see slack-manifest.yaml), Slack sends
a #channel as <#C123|name> and a @group as <!subteam^S123|@name>; raw ids work too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from core.errors import InvalidValue

# Database ids are 32-bit on PostgreSQL (64-bit on SQLite): a larger number in a
# button or a modal's metadata cannot name a record, so it is refused before a query.
MAX_RECORD_ID = 2**31 - 1
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$|^([CG][A-Z0-9]{6,})$")
_GROUP = re.compile(r"^<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>$|^(S[A-Z0-9]{6,})$")


def split_options(words: list[str], keys: frozenset[str]) -> tuple[list[str], dict[str, str]]:
    """Split words into positional ones and options given as key=value or "key value"."""
    positional: list[str] = []
    options: dict[str, str] = {}
    i = 0
    while i < len(words):
        word = words[i]
        key, sep, value = word.partition("=")
        key = key.lower().replace("-", "_")
        if sep and key in keys:
            options[key] = value
        elif word.lower().replace("-", "_") in keys and i + 1 < len(words):
            options[key] = words[i + 1]
            i += 1
        else:
            positional.append(word)
        i += 1
    return positional, options


def channel_id(token: str) -> str:
    """Return the channel id in a #channel mention or a raw id."""
    found = _CHANNEL.match(token.strip())
    if not found:
        raise InvalidValue(f"{token!r} is not a channel: type # and pick the channel")
    return found.group(1) or found.group(2)


def usergroup_id(token: str) -> str:
    """Return the user group id in a @group mention or a raw id."""
    found = _GROUP.match(token.strip())
    if not found:
        raise InvalidValue(f"{token!r} is not a user group: type @ and pick the group")
    return found.group(1) or found.group(2)


def when(value: str, what: str) -> datetime:
    """Return a date given as YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC unless it says)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidValue(
            f"{what} {value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def number(value: str, what: str) -> int:
    """Return a whole number typed as an option."""
    try:
        return int(value)
    except ValueError:
        raise InvalidValue(f"{what} must be a whole number, not {value!r}") from None


def record_id(value: object) -> int | None:
    """Return *value* as a database id (a whole number in range), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= 10):
            return None
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_RECORD_ID:
        return value
    return None
