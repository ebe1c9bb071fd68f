"""Options of the signup modal's selects: countries, languages and time zones by search.

Block Kit allows at most 100 options in a select and ~250 countries, ~600 time
zones and ~180 languages exist, so these are external selects whose options Slack
loads from us as the member types (options_for), named in the modal's language.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pycountry

from core.messages import vocab

Json = dict[str, Any]
MAX_OPTIONS = 100
LABEL_MAX = 75


def _plain(text: str) -> Json:
    return {"type": "plain_text", "text": text[:LABEL_MAX] if len(text) > LABEL_MAX else text}


def option(label: str, value: str) -> Json:
    """Return a Block Kit option."""
    return {"text": _plain(label), "value": value}


def country_option(code: str, lang: str = "en") -> Json:
    """Return the option for a country code: "Finland (FI)", "Finlande (FI)"."""
    return option(f"{vocab.country_name(code, lang)} ({code})", code)


def language_option(code: str, lang: str = "en") -> Json:
    """Return the option for a language code: "Finnish (fi)", "finnois (fi)"."""
    return option(f"{vocab.language_name(code, lang)} ({code})", code)


def timezone_option(name: str, *, now: datetime | None = None) -> Json:
    """Return the option for a time zone, with its current UTC offset."""
    offset = (now or datetime.now(UTC)).astimezone(ZoneInfo(name)).strftime("%z")
    return option(f"{name.replace('_', ' ')} (UTC{offset[:3]}:{offset[3:]})", name)


def options_for(action_id: str, query: str, lang: str = "en") -> list[Json]:
    """Return up to 100 options of the searchable field *action_id* matching *query*."""
    if action_id in ("country", "wish_countries"):
        return _ranked(query, _countries(lang), lambda code: country_option(code, lang))
    if action_id == "languages":
        return _ranked(query, _languages(lang), lambda code: language_option(code, lang))
    if action_id == "timezone":
        now = datetime.now(UTC)
        return _ranked(
            query.replace(" ", "_"),
            [(tz, tz.replace("_", " ")) for tz in sorted(vocab.timezones()) if "/" in tz],
            lambda tz: timezone_option(tz, now=now),
        )
    return []


@cache
def _countries(lang: str) -> list[tuple[str, str]]:
    """Return (code, searchable text) of every country: its name in *lang* and in English."""
    return [
        (
            c.alpha_2,
            f"{vocab.country_name(c.alpha_2, lang)} {vocab.country_name(c.alpha_2)} "
            f"{c.name} {c.alpha_2}",
        )
        for c in pycountry.countries
    ]


@cache
def _languages(lang: str) -> list[tuple[str, str]]:
    """Return (code, searchable text) of every language: its name in *lang* and in English."""
    return [
        (item.alpha_2, f"{vocab.language_name(item.alpha_2, lang)} {item.name} {item.alpha_2}")
        for item in pycountry.languages
        if hasattr(item, "alpha_2")
    ]


def _ranked(query: str, items: list[tuple[str, str]], make: Any) -> list[Json]:
    """Return options for items whose text contains *query*: word starts first."""
    q = query.strip().casefold()
    scored = []
    for value, text in items:
        haystack = f"{value} {text}".casefold()
        if q and q not in haystack:
            continue
        words = re.split(r"[\s/_()-]+", haystack)
        rank = 0 if value.casefold() == q else 1 if any(w.startswith(q) for w in words) else 2
        scored.append((rank, text.casefold(), value))
    scored.sort()
    return [make(value) for _, _, value in scored[:MAX_OPTIONS]]
