"""People for the matcher's unit tests: one candidate from a few fields, a generated
pool, and the groups and reasons of a matching as plain sets and maps."""

from __future__ import annotations

from core.matching.model import Candidate, Matching
from core.model import Wishes


def person(
    id: str,
    country: str,
    languages: tuple[str, ...] = ("en",),
    *,
    timezone: str = "Europe/London",
    sector: str = "public",
    stage: str = "mid",
    interests: tuple[str, ...] = (),
    wishes: Wishes = Wishes(),
    previous: tuple[str, ...] = (),
    separation: str = "",
) -> Candidate:
    return Candidate(
        id=id,
        country=country,
        timezone=timezone,
        languages=frozenset(languages),
        sector=sector,
        career_stage=stage,
        interests=frozenset(interests),
        wishes=wishes,
        previous_partners=frozenset(previous),
        separation=separation,
    )


def groups_of(result: Matching) -> set[frozenset[str]]:
    return {frozenset(g.members) for g in result.groups}


def reasons_of(result: Matching) -> dict[str, str]:
    return {u.id: u.reason for u in result.unplaced}


def sample_pool(n: int = 80) -> list[Candidate]:
    from core.matching.synthetic import generate_pool

    return [
        Candidate.from_profile(r.id, r.profile, previous_partners=r.previous_partners)
        for r in generate_pool(n, seed=5)
    ]
