"""Generate realistic applicant pools for demos, tests and benchmarks.

The shape follows an International Librarians Network round: a skewed spread of
countries (a few big anglophone ones, none above about 13%, a long tail), most
people speaking English plus a national language, a few speaking only their
national language, academic and early/mid-career librarians over-represented,
about half stating wishes, and some repeat participants whose earlier partners are
in the pool. Everything is drawn from one seeded generator, so a seed always gives
the same pool.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate

from core.matching.synthetic_data import (
    COUNTRIES,
    FAMILY_FIRST,
    INTERESTS,
    NAMES,
    SECOND_LANGUAGES,
    SECTOR_WEIGHTS,
    STAGE_WEIGHTS,
    ZONES,
)
from core.messages.vocab import CAREER_STAGES, SECTORS
from core.model import Profile, Wishes
from core.rounds.applicants_csv import ApplicantRow


@dataclass(frozen=True, slots=True)
class _Country:
    code: str
    weight: float
    english: float  # share of applicants who speak English
    languages: tuple[str, ...]  # national languages, the main one first
    given: tuple[str, ...]
    family: tuple[str, ...]
    native: tuple[str, ...]  # full names written in a native script
    zones: tuple[str, ...]
    zone_weights: tuple[float, ...]


@cache
def _zone_tab() -> dict[str, tuple[str, ...]]:
    """Return the zones of each country from tzdata's zone.tab."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, name = line.split("\t")[:3]
            zones.setdefault(code, []).append(name)
    return {code: tuple(names) for code, names in zones.items()}


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.replace("_", " ") for word in text.split())


@cache
def _countries() -> tuple[_Country, ...]:
    """Parse the country table once."""
    out = []
    for entry in COUNTRIES.replace("\n", "|").split("|"):
        if not entry.strip():
            continue
        code, weight, english, langs, style = entry.split()
        given, family, native = NAMES[style]
        weighted = [z.split(":") for z in ZONES.get(code, "").split()]
        out.append(
            _Country(
                code=code,
                weight=float(weight),
                english=float(english),
                languages=tuple(langs.split(",")),
                given=_words(given),
                family=_words(family),
                native=_words(native),
                # zone.tab lists a country's most populous zone first for most countries.
                zones=tuple(z for z, _ in weighted) or _zone_tab()[code][:1],
                zone_weights=tuple(float(w) for _, w in weighted) or (1.0,),
            )
        )
    return tuple(out)


def _name(rng: random.Random, country: _Country) -> str:
    if country.native and rng.random() < 0.05:
        return rng.choice(country.native)
    given, family = rng.choice(country.given), rng.choice(country.family)
    if country.code in FAMILY_FIRST:
        return f"{family} {given}"
    if rng.random() < 0.03:
        return f"{family}, {given}"  # some people write the family name first, with a comma
    return f"{given} {family}"


def _languages(rng: random.Random, country: _Country) -> tuple[str, ...]:
    langs: list[str] = []
    native = country.languages
    if native[0] == "en":
        langs.append("en")
        # Anglophone countries: some also speak a second national language.
        if len(native) > 1 and rng.random() < 0.25:
            langs.append(rng.choice(native[1:]))
    else:
        langs.append(native[0] if rng.random() < 0.8 or len(native) == 1 else rng.choice(native))
        if rng.random() < country.english:
            langs.append("en")
    if rng.random() < 0.1:
        langs.append(rng.choice(SECOND_LANGUAGES))
    return tuple(dict.fromkeys(langs))


def _wishes(
    rng: random.Random, sector: str, own: str, codes: tuple[str, ...], big: tuple[str, ...]
) -> Wishes:
    if rng.random() >= 0.5:
        return Wishes()
    while True:
        sectors: tuple[str, ...] = ()
        stages: tuple[str, ...] = ()
        interests: tuple[str, ...] = ()
        countries: tuple[str, ...] = ()
        if rng.random() < 0.45:
            # Most ask for their own sector, a few for another one.
            sectors = (sector,) if rng.random() < 0.75 else (rng.choice(SECTORS),)
        if rng.random() < 0.35:
            stages = tuple(rng.sample(CAREER_STAGES[1:], rng.choice((1, 1, 2))))
        if rng.random() < 0.4:
            interests = tuple(rng.sample(INTERESTS, rng.choice((1, 1, 2, 3))))
        if rng.random() < 0.25:
            pool = big if rng.random() < 0.7 else codes
            picked = rng.sample(pool, rng.choice((1, 1, 2)))
            countries = tuple(code for code in picked if code != own)
        wishes = Wishes(sectors, stages, interests, countries)
        if wishes:
            return wishes


def generate_pool(n: int, *, seed: int = 0, repeat_share: float = 0.15) -> list[ApplicantRow]:
    """Generate *n* realistic applicants, the same for the same seed."""
    rng = random.Random(seed)
    countries = _countries()
    cum_weights = list(accumulate(c.weight for c in countries))
    codes = tuple(c.code for c in countries)
    big = tuple(c.code for c in countries if c.weight >= 10)
    width = max(4, len(str(n)))
    rows: list[ApplicantRow] = []
    for i in range(n):
        country = rng.choices(countries, cum_weights=cum_weights)[0]
        sector = rng.choices(SECTORS, weights=SECTOR_WEIGHTS)[0]
        interests = tuple(rng.sample(INTERESTS, rng.choice((0, 1, 2, 2, 3, 3, 4, 5))))
        profile = Profile(
            name=_name(rng, country),
            country=country.code,
            timezone=rng.choices(country.zones, weights=country.zone_weights)[0],
            languages=_languages(rng, country),
            sector=sector,
            career_stage=rng.choices(CAREER_STAGES, weights=STAGE_WEIGHTS)[0],
            interests=interests,
            wishes=_wishes(rng, sector, country.code, codes, big),
        )
        rows.append(
            ApplicantRow(
                id=f"a{i + 1:0{width}d}", profile=profile, previous_partners=(), line=i + 2
            )
        )
    return _with_previous_partners(rows, rng, repeat_share)


def _with_previous_partners(
    rows: list[ApplicantRow], rng: random.Random, share: float
) -> list[ApplicantRow]:
    """Pair up repeat participants as earlier partners (cross-country, a shared language)."""
    repeaters = [i for i in range(len(rows)) if rng.random() < share]
    partners: dict[int, list[int]] = {i: [] for i in repeaters}
    for _ in range(2):  # up to two earlier rounds each
        order = repeaters[:]
        rng.shuffle(order)
        for a, b in zip(order[::2], order[1::2], strict=False):
            pa, pb = rows[a].profile, rows[b].profile
            shared = set(pa.languages) & set(pb.languages)
            if pa.country != pb.country and shared and b not in partners[a]:
                partners[a].append(b)
                partners[b].append(a)
    out = []
    for i, row in enumerate(rows):
        ids = tuple(rows[j].id for j in partners.get(i, ()))
        out.append(
            ApplicantRow(id=row.id, profile=row.profile, previous_partners=ids, line=row.line)
        )
    return out
