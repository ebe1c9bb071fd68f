"""What a matching looks like to organisers: groups, unplaced, waitlisted, in one report.

Built from what a unit of work has already read (the round's groups and the
applications of their members and of the waitlisted), so that publishing 20,000
applicants reads them once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from core.matching import explanations
from core.matching.caps import CAP_PREFIX, cap_summary, community_cap
from core.model import Application, ApplicationStatus, Community, Group, Round

A = ApplicationStatus


@dataclass(frozen=True, slots=True)
class Person:
    member_id: int
    external_id: str
    name: str
    country: str


@dataclass(frozen=True, slots=True)
class GroupView:
    number: int
    members: tuple[Person, ...]
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MatchReport:
    round: Round
    groups: tuple[GroupView, ...]
    unplaced: tuple[tuple[Person, str], ...]
    over_cap: tuple[tuple[Person, str], ...]  # waitlisted (on publish) by the country cap
    published: bool
    # What the country cap did, in words (how many waitlisted, the largest share).
    cap_note: str = ""
    # For renderers in other languages (core.matching.preview_text): the unplaced's stored
    # reasons by external id, the cap applied, and those the organisers waitlisted.
    unplaced_codes: Mapping[str, str] = field(default_factory=dict)
    cap: float | None = None
    waitlisted: tuple[tuple[Person, str], ...] = ()

    @property
    def placed(self) -> int:
        return sum(len(g.members) for g in self.groups)


def person(app: Application) -> Person:
    """Return who an application is, as organisers see them."""
    return Person(app.member_id, app.member.external_id, app.profile.name, app.profile.country)


def build_report(
    round_: Round,
    groups: Iterable[Group],
    applications: Iterable[Application],
    *,
    published: bool,
    over: Sequence[tuple[Application, str]] = (),
    cap: Community | None = None,
    applied: bool = True,
) -> MatchReport:
    """Return the report of *groups*, given the round's approved and waitlisted applications."""
    ordered = sorted(groups, key=lambda g: g.number)
    apps = {a.member_id: a for a in applications}
    grouped = {m for g in ordered for m in g.member_ids}
    over_ids = {a.member_id for a, _ in over}
    views = tuple(
        GroupView(g.number, tuple(person(apps[m]) for m in g.member_ids), g.score, g.reasons)
        for g in ordered
    )
    free = [a for a in apps.values() if a.status is A.APPROVED and a.member_id not in grouped]
    unplaced = tuple(
        (person(a), explanations.split(a.note)[0].removeprefix("unplaced: ") or "not placed")
        for a in free
        if a.member_id not in over_ids
    )
    note = ""
    if cap is not None:
        placed = [p.country for g in views for p in g.members]
        note = cap_summary(placed, len(over), community_cap(cap), applied=applied)
    codes = {
        p.external_id: code
        for p, code in ((person(a), explanations.split(a.note)[1]) for a in free)
        if code
    }
    return MatchReport(
        round_,
        views,
        unplaced,
        tuple((person(a), why) for a, why in over),
        published,
        note,
        unplaced_codes=codes,
        cap=community_cap(cap) if cap is not None else None,
        waitlisted=tuple((person(a), a.note) for a in apps.values() if a.status is A.WAITLISTED),
    )


def over_cap(
    approved: Sequence[Application], groups: Sequence[Group]
) -> list[tuple[Application, str]]:
    """Return the approved the last preview held back by the country cap (from their note)."""
    grouped = {m for g in groups for m in g.member_ids}
    return [
        (a, a.note)
        for a in sorted(approved, key=lambda a: (a.submitted_at, a.id))
        if a.member_id not in grouped and a.note.startswith(CAP_PREFIX)
    ]
