"""Reviewing applications at scale: filter, search by name, page with a total.

The chat consoles (and the CLI) show a page of a filtered set and can decide on the
whole filtered set at once (ApplicationService.decide with ``matching=``): the
confirmation states how many, and the decision is refused if the set changed since.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import InvalidValue
from core.model import Application, ApplicationStatus

PAGE_DEFAULT = 10
PAGE_MAX = 100
SEARCH_MAX = 100


def folded(text: str) -> str:
    """Return *text* for matching: case and accents ignored, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    """Which applications to show: every given criterion must hold (any value within one)."""

    statuses: tuple[ApplicationStatus, ...] = ()
    countries: tuple[str, ...] = ()  # ISO codes, as stored (e.g. "FI")
    sectors: tuple[str, ...] = ()
    career_stages: tuple[str, ...] = ()
    name: str = ""  # part of the name or of the member id; case and accents ignored

    def __post_init__(self) -> None:
        if len(self.name) > SEARCH_MAX:
            raise InvalidValue(f"a name search has at most {SEARCH_MAX} characters")
        object.__setattr__(self, "countries", tuple(c.strip().upper() for c in self.countries))
        object.__setattr__(self, "sectors", tuple(s.strip().lower() for s in self.sectors))
        object.__setattr__(
            self, "career_stages", tuple(s.strip().lower() for s in self.career_stages)
        )

    def matches(self, app: Application) -> bool:
        """Return whether the application passes every criterion."""
        p = app.profile
        if self.statuses and app.status not in self.statuses:
            return False
        if self.countries and p.country.upper() not in self.countries:
            return False
        if self.sectors and p.sector not in self.sectors:
            return False
        if self.career_stages and p.career_stage not in self.career_stages:
            return False
        wanted = folded(self.name)
        return not wanted or wanted in folded(p.name) or wanted in folded(app.member.external_id)

    def describe(self) -> str:
        """Say the filter in words (for confirmations and the audit log)."""
        parts = [
            f"{label} {', '.join(values)}"
            for label, values in (
                ("status", [s.value for s in self.statuses]),
                ("country", list(self.countries)),
                ("sector", list(self.sectors)),
                ("career stage", list(self.career_stages)),
            )
            if values
        ]
        if self.name.strip():
            parts.append(f"name contains {self.name.strip()!r}")
        return "; ".join(parts) or "all applications"


@dataclass(frozen=True, slots=True)
class ReviewPage:
    """One page of a filtered, ordered set of applications, with the set's size."""

    items: tuple[Application, ...]
    total: int
    offset: int
    limit: int

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def page(self) -> int:
        """Return the 1-based number of this page."""
        return self.offset // self.limit + 1


def page_of(
    apps: Sequence[Application],
    matching: ReviewFilter,
    *,
    offset: int = 0,
    limit: int = PAGE_DEFAULT,
) -> ReviewPage:
    """Return the page at *offset* of the matching applications, oldest submission first."""
    if not 1 <= limit <= PAGE_MAX:
        raise InvalidValue(f"a page holds 1 to {PAGE_MAX} applications")
    if offset < 0:
        raise InvalidValue("a page starts at 0 or later")
    found = sorted((a for a in apps if matching.matches(a)), key=lambda a: (a.submitted_at, a.id))
    return ReviewPage(tuple(found[offset : offset + limit]), len(found), offset, limit)
