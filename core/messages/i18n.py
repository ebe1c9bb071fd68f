"""Translations of member-facing texts: gettext catalogs in core/locale.

The catalogs follow the standard layout (core/locale/<lang>/LC_MESSAGES/<domain>.po)
and are maintained with Babel (docs/translations.md). There is one domain per part
that owns texts: "penpals" for what core renders (messages, topics, surveys),
"discord" and "slack" for each adapter's commands, modals and replies; each domain's
sources are listed in babel/<domain>.cfg. Babel reads and compiles them: the
compiled <domain>.mo is read when it is present and up to date (wheels built by
setup.py carry one), otherwise Babel compiles the .po in memory. So a plain
install, an editable install and a bare checkout all translate, and a read-only
site-packages or an edited .po never leaves a stale or missing catalog. Plural
forms come from each catalog's Plural-Forms header (ngettext).
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DOMAIN = "penpals"
DOMAINS: tuple[str, ...] = ("penpals", "discord", "slack")
SUPPORTED: tuple[str, ...] = ("en", "fr", "es")
SOURCE = "en"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


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
    """Return the translations for *lang*, falling back to English (the source texts).

    The result is a babel.support.Translations: gettext, ngettext (plural forms from
    the catalog's Plural-Forms header), pgettext.
    """
    code = normalize(lang)
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    po, mo = folder / f"{domain}.po", folder / f"{domain}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        data = mo.read_bytes()
    elif po.is_file():
        data = compile_po(po.read_bytes(), locale=code, domain=domain)
    else:
        return gettext.NullTranslations()
    return Translations(io.BytesIO(data), domain=domain)


def compile_po(source: bytes | str, *, locale: str | None = None, domain: str = DOMAIN) -> bytes:
    """Return the .mo bytes of a .po file, read and written by Babel (as `pybabel compile`).

    Fuzzy entries are left out, as `pybabel compile` does without --use-fuzzy.
    """
    raw = source.encode("utf-8") if isinstance(source, str) else source
    catalog = read_po(io.BytesIO(raw), locale=locale, domain=domain)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()
