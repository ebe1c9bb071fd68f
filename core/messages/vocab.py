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

from core.errors import InvalidValue
from core.messages import i18n
from core.messages.i18n import N_

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
    import pycountry  # here, not at the top: `penpals --help` and `round list` skip it

    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def _language_codes() -> frozenset[str]:
    import pycountry

    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


@cache
def timezones() -> frozenset[str]:
    """Return every IANA time zone name known to zoneinfo."""
    return frozenset(available_timezones())


EXCERPT = 40


def excerpt(value: str, limit: int = EXCERPT) -> str:
    """Quote *value* for an error message, cut to *limit* characters.

    A member may type thousands of characters; the error quotes enough to recognise
    them, so a reply stays short (Discord refuses messages over 2,000 characters).
    """
    text = value.strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


def country(value: str) -> str:
    """Return the upper-case ISO 3166-1 alpha-2 code for *value*."""
    code = value.strip().upper()
    if code not in _country_codes():
        raise InvalidValue(
            N_("unknown country code {value}: use an ISO 3166-1 alpha-2 code such as FI, US or BR"),
            value=excerpt(value),
        )
    return code


_LOWER_CASE_LANGUAGE_NAMES = frozenset({"fr", "es"})


@cache
def _iso_translations(domain: str, lang: str) -> gettext.NullTranslations:
    """Return pycountry's own gettext catalog of *domain* in *lang* (English if none)."""
    if lang.lower().startswith("en"):
        return gettext.NullTranslations()
    import pycountry

    languages = [lang.replace("-", "_"), lang.replace("-", "_").split("_")[0]]
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=languages, fallback=True)


def country_name(code: str, lang: str = "en") -> str:
    """Return the short name of a country code in *lang* (English: 'Finland')."""
    import pycountry

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
            value=excerpt(value),
        )
    return code


@cache
def catalog_languages() -> tuple[str, ...]:
    """Return the languages penpals can write in: those with a catalog in core/locale."""
    found = {
        folder.name
        for folder in i18n.LOCALE_DIR.iterdir()
        if (folder / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").is_file()
    }
    return (i18n.SOURCE, *sorted(found - {i18n.SOURCE}))


def community_language(value: str) -> str:
    """Return *value* as a language penpals writes in (en, fr, es: the catalogs present)."""
    code = value.strip().lower()
    choices = catalog_languages()
    if code not in choices:
        raise InvalidValue(
            N_("penpals does not write in {value}: use one of {choices}"),
            value=excerpt(value),
            choices=", ".join(choices),
        )
    return code


def language_name(code: str, lang: str = "en") -> str:
    """Return the name of an ISO 639-1 code in *lang* (English: 'Finnish')."""
    import pycountry

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
    if name not in timezones() and not _loadable_zone(name):
        raise InvalidValue(
            N_(
                "unknown time zone {value}: use an IANA name such as Europe/Helsinki "
                "or America/Sao_Paulo"
            ),
            value=excerpt(name),
        )
    return name


# IANA names are at most 14 characters per part (tz-link.html) and short overall; the
# column that stores them holds 64.
MAX_ZONE_NAME = 64
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*")


def _loadable_zone(name: str) -> bool:
    """Return whether ZoneInfo loads *name* (a link available_timezones() may not list).

    ZoneInfo reads a file under the tzdata folder: a folder name ("Europe") raises
    IsADirectoryError, a long name "File name too long"; both mean "no such zone".
    """
    if len(name) > MAX_ZONE_NAME or not _ZONE_NAME.fullmatch(name):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def sector(value: str) -> str:
    """Return the canonical library sector for *value*."""
    name = value.strip().lower()
    if name not in SECTORS:
        raise InvalidValue(
            N_("unknown sector {value}: use one of {choices}"),
            value=excerpt(value),
            choices=", ".join(SECTORS),
        )
    return name


def career_stage(value: str) -> str:
    """Return the canonical career stage for *value*."""
    name = value.strip().lower()
    if name not in CAREER_STAGES:
        raise InvalidValue(
            N_("unknown career stage {value}: use one of {choices}"),
            value=excerpt(value),
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
            value=excerpt(value),
        )
    return name


# C0 controls (NUL included: PostgreSQL refuses it in text) and DEL; a multi-line
# text may hold line breaks and tabs.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value: str, *, multiline: bool = False) -> str:
    """Return *value* if it holds no control characters (NUL, escapes; line breaks if one line)."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    if found:
        raise InvalidValue(
            N_("remove the control character {code} (at position {position})"),
            code=f"U+{ord(found.group()):04X}",
            position=found.start() + 1,
        )
    return value


# Platform ids (Discord snowflakes, Slack U..., the CSV's own ids) fit the 64-character
# columns that store them; ';' separates ids in a list cell of the CSV files.
MAX_ID = 64


def member_id(value: str) -> str:
    """Return a member id trimmed, if it fits the database and the CSV files."""
    ident = value.strip()
    if not ident:
        raise InvalidValue(N_("an id is needed"))
    plain_text(ident)
    if len(ident) > MAX_ID:
        raise InvalidValue(
            N_("id {value} is {length} characters long: use at most {limit}"),
            value=excerpt(ident),
            length=len(ident),
            limit=MAX_ID,
        )
    if ";" in ident:
        raise InvalidValue(
            N_("id {value} contains ';', which separates the ids of a list: remove it"),
            value=excerpt(ident),
        )
    return ident


def each(validator: Callable[[str], str], values: Iterable[str]) -> tuple[str, ...]:
    """Validate every value with *validator*, dropping blanks and duplicates, keeping order."""
    out: dict[str, None] = {}
    for v in values:
        if v.strip():
            out[validator(v)] = None
    return tuple(out)
