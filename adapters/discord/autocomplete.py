"""Suggestions for slash-command options: countries, time zones, languages.

Discord shows at most 25 suggestions and re-asks on every keystroke, so these are
pure, cached lookups. Country names follow the member's Discord locale where
pycountry ships a translation (iso3166-1 gettext catalogues); codes always match.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

import pycountry

from core.messages import vocab

MAX_CHOICES = 25

# Discord locale -> gettext catalogue names to try, most specific first.
_LOCALE_ALIASES = {"no": ("nb_NO", "nn"), "es-419": ("es",), "sv-SE": ("sv",), "es-ES": ("es",)}

Choice = tuple[str, str]  # (what the member sees, the value the command receives)


@cache
def _translator(locale: str) -> Callable[[str], str]:
    """Return the country-name translation function for a Discord locale (identity if none)."""
    if not locale or locale.startswith("en"):
        return str
    names = _LOCALE_ALIASES.get(locale, (locale.replace("-", "_"), locale.split("-")[0]))
    try:
        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=list(names))
    except OSError:
        return str
    return catalogue.gettext


@cache
def _countries(locale: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Return (code, display name, lower-cased search terms) for every country."""
    translate = _translator(locale)
    out = []
    for c in pycountry.countries:
        english = [c.name, getattr(c, "common_name", ""), getattr(c, "official_name", "")]
        local = translate(c.name)
        shown = local if local != c.name else vocab.country_name(c.alpha_2)
        terms = {t.casefold() for t in [*english, local, shown] if t}
        out.append((c.alpha_2, shown, tuple(sorted(terms))))
    return tuple(sorted(out, key=lambda item: item[1].casefold()))


def _rank(query: str, code_terms: Iterable[str], name_terms: Iterable[str]) -> int | None:
    """Return 0 for an exact code, 1 for a name prefix, 2 for a word prefix, 3 anywhere."""
    if not query:
        return 3
    if query in code_terms:
        return 0
    names = list(name_terms)
    if any(n.startswith(query) for n in names):
        return 1
    if any(w.startswith(query) for n in names for w in n.replace("/", " ").split()):
        return 2
    if any(query in n for n in names):
        return 3
    return None


def countries(query: str, locale: str = "en-US") -> list[Choice]:
    """Return up to 25 countries whose name (in *locale* or English) or code matches."""
    q = query.strip().casefold()
    ranked = []
    for code, shown, terms in _countries(locale):
        rank = _rank(q, (code.casefold(), _alpha3(code)), terms)
        if rank is not None:
            ranked.append((rank, shown.casefold(), (f"{shown} ({code})", code)))
    return [choice for *_, choice in sorted(ranked)[:MAX_CHOICES]]


@cache
def _alpha3(code: str) -> str:
    found = pycountry.countries.get(alpha_2=code)
    return found.alpha_3.casefold() if found is not None else ""


@cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    """Return the IANA zones of each country code, from tzdata's zone.tab."""
    text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            cols = line.split("\t")
            out.setdefault(cols[0], []).append(cols[2])
    return {code: tuple(zones) for code, zones in out.items()}


@cache
def _canonical_zones() -> tuple[str, ...]:
    """Return the time zones worth suggesting: region/city names, not legacy aliases."""
    listed = {z for zones in _zones_by_country().values() for z in zones}
    listed |= {"UTC"}
    return tuple(sorted(z for z in vocab.timezones() if z in listed))


def utc_offset(zone: str, at: datetime | None = None) -> str:
    """Return a zone's current offset as 'UTC+05:30'."""
    offset = (at or datetime.now(UTC)).astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _countries_named(query: str, locale: str) -> dict[str, int]:
    """Return the countries a query names, ranked: 0 by code, 2 by a name prefix (3+ letters)."""
    text = query.replace("_", " ")
    out: dict[str, int] = {}
    for code, _, terms in _countries(locale):
        if text == code.casefold():
            out[code] = 0
        elif len(text) >= 3 and any(t.startswith(text) for t in terms):
            out[code] = 2
    return out


def timezones(
    query: str, country: str = "", locale: str = "en-US", *, at: datetime | None = None
) -> list[Choice]:
    """Return up to 25 time zones matching *query*, the chosen country's zones first.

    A country code or name as the query lists that country's zones (typing "FI" or
    "Finland" finds Europe/Helsinki).
    """
    q = query.strip().casefold().replace(" ", "_")
    by_country = _zones_by_country()
    home = set(by_country.get(country.strip().upper(), ()))
    named = {
        zone: rank
        for code, rank in _countries_named(q, locale).items()
        for zone in by_country.get(code, ())
    }
    ranked = []
    for zone in _canonical_zones():
        z = zone.casefold()
        ranks = [named.get(zone), _rank(q, (), (z, z.rsplit("/", 1)[-1]))]
        best = min((r for r in ranks if r is not None), default=None)
        if best is not None:
            ranked.append((0 if zone in home else 1, best, zone))
    return [(f"{zone} ({utc_offset(zone, at)})", zone) for *_, zone in sorted(ranked)[:MAX_CHOICES]]


@cache
def _languages() -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(
            (lang.alpha_2, str(lang.name))
            for lang in pycountry.languages
            if hasattr(lang, "alpha_2")
        )
    )


def languages(query: str) -> list[Choice]:
    """Return up to 25 ISO 639-1 languages whose English name or code matches."""
    q = query.strip().casefold()
    ranked = []
    for code, name in _languages():
        rank = _rank(q, (code,), (name.casefold(),))
        if rank is not None:
            ranked.append((rank, name, (f"{name} ({code})", code)))
    return [choice for *_, choice in sorted(ranked)[:MAX_CHOICES]]
