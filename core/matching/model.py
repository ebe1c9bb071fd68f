"""What the matcher takes and gives: a candidate, the groups it forms, who is left over.

Plain dataclasses with no numpy and no search, so callers (the matching service, the
index, the CLI) can name them without loading the matcher, and the matcher's helper
modules can name them without importing the matcher back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.model import PairingRule, Profile, Wishes

_NO_WISHES = Wishes()  # shared: Wishes is frozen


@dataclass(frozen=True, slots=True)
class Candidate:
    """One applicant as the matcher sees them."""

    id: str
    country: str  # ISO alpha-2, upper case
    timezone: str  # IANA
    languages: frozenset[str]
    sector: str
    career_stage: str
    interests: frozenset[str] = frozenset()
    wishes: Wishes = _NO_WISHES
    previous_partners: frozenset[str] = frozenset()
    separation: str = ""  # must differ within a group; "" means the country

    @classmethod
    def from_profile(
        cls,
        id: str,
        profile: Profile,
        *,
        previous_partners: Iterable[str] = (),
        rule: PairingRule = PairingRule.COUNTRY,
    ) -> Candidate:
        """Build a candidate from an applicant's profile."""
        return cls(
            id=id,
            country=profile.country,
            timezone=profile.timezone,
            languages=frozenset(profile.languages),
            sector=profile.sector,
            career_stage=profile.career_stage,
            interests=frozenset(profile.interests),
            wishes=profile.wishes,
            previous_partners=frozenset(previous_partners),
            separation=profile.separation_key(rule),
        )


@dataclass(frozen=True, slots=True)
class MatchedGroup:
    members: tuple[str, ...]  # ids: two, or three for the one trio
    score: float  # group_score of the members
    reasons: tuple[
        str, ...
    ]  # encoded core.matching.explanations.Reason codes, put into words per reader


@dataclass(frozen=True, slots=True)
class Unplaced:
    id: str
    reason: str  # one sentence for organisers, never containing ';'
    code: str = (
        ""  # the same as an encoded core.matching.explanations.Reason, put into words per reader
    )


@dataclass(frozen=True, slots=True)
class Matching:
    groups: tuple[MatchedGroup, ...]  # callers number them 1..n in this order
    unplaced: tuple[Unplaced, ...]

    @property
    def placed(self) -> int:
        """Return how many people are in a group."""
        return sum(len(g.members) for g in self.groups)
