"""Vocabularies and validators for profile values.

Countries are ISO 3166-1 alpha-2 (named with pycountry), languages ISO 639-1,
time zones IANA names (zoneinfo). Sectors and career stages are the closed lists
of ../shared/specs/applicants-csv.md. Each validator returns the canonical form or
raises InvalidValue with a message that says what to do.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Iterable
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pycountry

from core.errors import InvalidValue
from core.i18n import N_

SECTORS: tuple[str, ...] = (
    "academic",
    "public",
    "school",
    "special",
    "national",
    "government",
    "health",
    "other",
)
CAREER_STAGES: tuple[str, ...] = ("student", "early", "mid", "senior")

# Tags are free text but kept simple so they stay comparable across people.
_TAG = re.compile(r"^[\w][\w\- ]{0,39}$", re.UNICODE)


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def _language_codes() -> frozenset[str]:
    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


@cache
def timezones() -> frozenset[str]:
    """Return every IANA time zone name known to zoneinfo."""
    return frozenset(available_timezones())


def country(value: str) -> str:
    """Return the upper-case ISO 3166-1 alpha-2 code for *value*."""
    code = value.strip().upper()
    if code not in _country_codes():
        raise InvalidValue(
            N_("unknown country code {value}: use an ISO 3166-1 alpha-2 code such as FI, US or BR"),
            value=repr(value.strip()),
        )
    return code


_LOWER_CASE_LANGUAGE_NAMES = frozenset({"fr", "es"})


@cache
def _iso_translations(domain: str, lang: str) -> gettext.NullTranslations:
    """Return pycountry's own gettext catalog of *domain* in *lang* (English if none)."""
    if lang.lower().startswith("en"):
        return gettext.NullTranslations()
    languages = [lang.replace("-", "_"), lang.replace("-", "_").split("_")[0]]
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=languages, fallback=True)


def country_name(code: str, lang: str = "en") -> str:
    """Return the short name of a country code in *lang* (English: 'Finland')."""
    found = pycountry.countries.get(alpha_2=code.upper())
    if found is None:
        return code
    english = str(getattr(found, "common_name", None) or found.name)
    catalog = _iso_translations("iso3166-1", lang)
    translated = catalog.gettext(english)
    if translated == english and english != found.name:
        # The short name may be missing from a catalog (or the same word): the official
        # name's translation is used when it is short too ("Bolivie", not "Bolivia, ...").
        official = catalog.gettext(str(found.name))
        if official != found.name and ", " not in official:
            return official
    return translated


def language(value: str) -> str:
    """Return the lower-case ISO 639-1 code for *value*."""
    code = value.strip().lower()
    if code not in _language_codes():
        raise InvalidValue(
            N_(
                "unknown language code {value}: use ISO 639-1 two-letter codes such as en, fi or es"
            ),
            value=repr(value.strip()),
        )
    return code


def language_name(code: str, lang: str = "en") -> str:
    """Return the name of an ISO 639-1 code in *lang* (English: 'Finnish')."""
    found = pycountry.languages.get(alpha_2=code.lower())
    if found is None:
        return code
    name = _iso_translations("iso639-3", lang).gettext(str(found.name))
    if lang[:2].lower() in _LOWER_CASE_LANGUAGE_NAMES and name != found.name:
        # French and Spanish write language names in lower case ("parle finnois").
        name = name[:1].lower() + name[1:]
    return name


def timezone(value: str) -> str:
    """Return *value* if it names an IANA time zone."""
    name = value.strip()
    if name not in timezones():
        # available_timezones() can miss links that ZoneInfo still loads.
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidValue(
                N_(
                    "unknown time zone {value}: use an IANA name such as Europe/Helsinki "
                    "or America/Sao_Paulo"
                ),
                value=repr(name),
            ) from None
    return name


def sector(value: str) -> str:
    """Return the canonical library sector for *value*."""
    name = value.strip().lower()
    if name not in SECTORS:
        raise InvalidValue(
            N_("unknown sector {value}: use one of {choices}"),
            value=repr(value.strip()),
            choices=", ".join(SECTORS),
        )
    return name


def career_stage(value: str) -> str:
    """Return the canonical career stage for *value*."""
    name = value.strip().lower()
    if name not in CAREER_STAGES:
        raise InvalidValue(
            N_("unknown career stage {value}: use one of {choices}"),
            value=repr(value.strip()),
            choices=", ".join(CAREER_STAGES),
        )
    return name


def tag(value: str) -> str:
    """Return an interest tag in canonical (lower-case, trimmed) form."""
    name = " ".join(value.strip().lower().split())
    if not _TAG.match(name):
        raise InvalidValue(
            N_(
                "interest tag {value} is not valid: use words, digits, spaces or hyphens, "
                "at most 40 characters"
            ),
            value=repr(value.strip()),
        )
    return name


def each(validator: Callable[[str], str], values: Iterable[str]) -> tuple[str, ...]:
    """Validate every value with *validator*, dropping blanks and duplicates, keeping order."""
    out: dict[str, None] = {}
    for v in values:
        if v.strip():
            out[validator(v)] = None
    return tuple(out)
