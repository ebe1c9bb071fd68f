"""Translations of member-facing texts: gettext catalogs in core/locale.

The catalogs follow the standard layout (core/locale/<lang>/LC_MESSAGES/<domain>.po)
and are maintained with Babel (docs/translations.md). There is one domain per part
that owns texts: "penpals" for what core renders (messages, topics, surveys),
"discord" and "slack" for each adapter's commands, modals and replies; each domain's
sources are listed in babel/<domain>.cfg. At runtime only the standard
library is used: the compiled penpals.mo is read when it is present and up to date
(wheels built by setup.py carry one), otherwise the .po is compiled in memory. So a
plain install, an editable install and a bare checkout all translate, and a
read-only site-packages or an edited .po never leaves a stale or missing catalog.
"""

from __future__ import annotations

import ast
import gettext
import io
import struct
from functools import cache
from pathlib import Path

DOMAIN = "penpals"
DOMAINS: tuple[str, ...] = ("penpals", "discord", "slack")
SUPPORTED: tuple[str, ...] = ("en", "fr", "es")
SOURCE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:
    """Mark *message* for extraction without translating it (translated where it is used)."""
    return message


def normalize(lang: str) -> str:
    """Return the supported catalog for a language tag ('fr-CA' -> 'fr'), else English."""
    base = lang.strip().replace("-", "_").split("_")[0].lower()
    return base if base in SUPPORTED else SOURCE


def supported(lang: str | None) -> str | None:
    """Return the catalog for a language tag if we have one ('es-419' -> 'es'), else None."""
    if not lang:
        return None
    base = lang.strip().replace("-", "_").split("_")[0].lower()
    return base if base in SUPPORTED else None


def pick(*choices: str | None) -> str:
    """Return the first supported language of *choices*, else English.

    The order is the caller's precedence, e.g. pick(member's choice, platform
    locale, community default).
    """
    for choice in choices:
        if (code := supported(choice)) is not None:
            return code
    return SOURCE


@cache
def translator(lang: str = SOURCE, domain: str = DOMAIN) -> gettext.NullTranslations:
    """Return the translations for *lang*, falling back to English (the source texts)."""
    code = normalize(lang)
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    po, mo = folder / f"{domain}.po", folder / f"{domain}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        data = mo.read_bytes()
    elif po.is_file():
        data = compile_po(po.read_text(encoding="utf-8"))
    else:
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(data))


def read_po(text: str) -> dict[str, str]:
    """Return the translated, non-fuzzy messages of a .po file as {msgid: msgstr}.

    Covers what our catalogs use (msgctxt, multi-line strings, fuzzy flags, the
    header); plural forms are not used in penpals and are rejected.
    """
    messages: dict[str, str] = {}
    entry: dict[str, str] = {}
    fuzzy = False
    key = ""

    def flush() -> None:
        nonlocal entry, fuzzy
        # The header (msgid "") is kept even when fuzzy: it names the charset.
        if "msgid" in entry and entry.get("msgstr") and (not fuzzy or entry["msgid"] == ""):
            msgid = entry["msgid"]
            if "msgctxt" in entry:
                msgid = f"{entry['msgctxt']}\x04{msgid}"
            messages[msgid] = entry["msgstr"]
        entry, fuzzy = {}, False

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#,"):
            if "msgid" in entry:
                flush()
            fuzzy = "fuzzy" in (flag.strip() for flag in line[2:].split(","))
        elif not line or line.startswith("#"):
            if not line and "msgid" in entry:
                flush()
        elif line.startswith('"'):
            entry[key] += _unquote(line, number)
        else:
            word, _, rest = line.partition(" ")
            if word not in ("msgctxt", "msgid", "msgstr"):
                raise ValueError(f"line {number}: unsupported keyword {word!r}")
            if word in ("msgctxt", "msgid") and "msgstr" in entry:
                flush()
            key = word
            entry[key] = _unquote(rest.strip(), number)
    flush()
    return messages


def _unquote(token: str, number: int) -> str:
    if not (len(token) >= 2 and token[0] == token[-1] == '"'):
        raise ValueError(f"line {number}: expected a quoted string, got {token!r}")
    value = ast.literal_eval(token)
    assert isinstance(value, str)
    return value


def compile_po(text: str) -> bytes:
    """Return the GNU .mo bytes of a .po file (what `pybabel compile` writes)."""
    messages = read_po(text)
    header = messages.pop("", None)
    ordered = sorted(messages.items())
    if header is not None:
        ordered.insert(0, ("", header))
    ids = [k.encode("utf-8") for k, _ in ordered]
    strs = [v.encode("utf-8") for _, v in ordered]
    count = len(ordered)
    start = 7 * 4 + 16 * count  # header, then the two tables of (length, offset)
    offsets: list[int] = []
    blob = b""
    for data in ids + strs:
        offsets += [len(data), start + len(blob)]
        blob += data + b"\0"
    return (
        struct.pack("Iiiiiii", 0x950412DE, 0, count, 28, 28 + 8 * count, 0, 0)
        + struct.pack(f"{len(offsets)}i", *offsets)
        + blob
    )
