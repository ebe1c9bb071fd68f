"""Index candidates for the matcher: integer positions, bit masks, scores and types.

Everything the matcher asks millions of times (may these two meet, how good would
the pair be) is answered here, twice: with numpy over arrays of pairs and in plain
Python for one pair, both from the same masks so they always agree.

A *type* is a (separation, languages) combination. People of one type can never
meet each other and meet exactly the same other types, so the feasibility graph is
a blow-up of the much smaller type graph, minus previous-partner pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from core.matching import Candidate

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Words = npt.NDArray[np.uint64]

WISH_POINTS = 100.0
INTEREST_POINTS = 10.0
INTERESTS_COUNTED = 5
WORKDAY_START = 9.0
WORKDAY_HOURS = 8.0
# Winter and summer dates: averaging them makes the default season-neutral.
REFERENCE_DATES = (date(2025, 1, 15), date(2025, 7, 15))
_WORD = (1 << 64) - 1


@cache
def workday_start(zone: str, on: date) -> float:
    """Return the UTC hour (0..24) at which a 09:00 working day starts in *zone* on *on*."""
    local_noon = datetime(on.year, on.month, on.day, 12, tzinfo=ZoneInfo(zone))
    offset = local_noon.utcoffset()
    hours = offset.total_seconds() / 3600 if offset is not None else 0.0
    return (WORKDAY_START - hours) % 24.0


def dates_for(on: date | None) -> tuple[date, ...]:
    """Return the dates over which working-hour overlap is averaged."""
    return REFERENCE_DATES if on is None else (on,)


def common_hours(starts: Sequence[float]) -> float:
    """Return the hours that every working day starting at *starts* (UTC) has in common."""
    points = sorted(starts)
    gaps = [b - a for a, b in pairwise(points)]
    gaps.append(24.0 - (points[-1] - points[0]))
    # All days share time only if their starts fit in one arc shorter than a working day.
    arc = 24.0 - max(gaps)
    return max(0.0, WORKDAY_HOURS - arc)


def average_common_hours(zones: Sequence[str], dates: Sequence[date]) -> float:
    """Return the common working hours of *zones*, averaged over *dates*."""
    return sum(common_hours([workday_start(z, d) for z in zones]) for d in dates) / len(dates)


def _bits(values: Iterable[str], positions: dict[str, int]) -> int:
    mask = 0
    for value in values:
        position = positions.get(value)
        if position is not None:
            mask |= 1 << position
    return mask


def _positions(values: Iterable[str]) -> dict[str, int]:
    return {value: i for i, value in enumerate(sorted(set(values)))}


def _words(masks: Sequence[int], bits: int) -> Words:
    """Spread Python int masks of *bits* bits over uint64 columns."""
    out = np.zeros((len(masks), max(1, (bits + 63) // 64)), dtype=np.uint64)
    for k in range(out.shape[1]):
        out[:, k] = [(m >> (64 * k)) & _WORD for m in masks]
    return out


def _tokens(c: Candidate) -> list[str]:
    """Return what a partner can offer against a wish, as tokens."""
    return [f"s:{c.sector}", f"c:{c.career_stage}", f"n:{c.country}"] + [
        f"i:{tag}" for tag in c.interests
    ]


def _wish_tokens(c: Candidate) -> list[str]:
    w = c.wishes
    return (
        [f"s:{x}" for x in w.sectors]
        + [f"c:{x}" for x in w.career_stages]
        + [f"n:{x}" for x in w.countries]
        + [f"i:{x}" for x in w.interests]
    )


class Index:
    """Candidates as integer positions with masks for fast feasibility and scoring."""

    def __init__(self, people: Sequence[Candidate], *, on: date | None = None) -> None:
        self.people = people
        self.n = n = len(people)
        self.position: dict[str, int] = {}
        for i, c in enumerate(people):
            if c.id in self.position:
                raise ValueError(f"candidate id {c.id!r} appears twice: ids must be unique")
            self.position[c.id] = i

        seps: dict[str, int] = {}
        self.sep_of = [seps.setdefault(c.separation or c.country, len(seps)) for c in people]
        self.languages = _positions(lang for c in people for lang in c.languages)
        self.lang_of = [_bits(c.languages, self.languages) for c in people]
        self.interests = _positions(tag for c in people for tag in c.interests)
        self.interests_of = [_bits(c.interests, self.interests) for c in people]
        # Only tokens that someone wishes for matter to satisfaction.
        self.tokens = _positions(t for c in people for t in _wish_tokens(c))
        self.offer_of = [_bits(_tokens(c), self.tokens) for c in people]
        self.wish_of = [_bits(_wish_tokens(c), self.tokens) for c in people]
        dates = dates_for(on)
        self.starts_of = [tuple(workday_start(c.timezone, d) for d in dates) for c in people]
        self.prev: list[set[int]] = [set() for _ in range(n)]
        for i, c in enumerate(people):
            for other in c.previous_partners:
                j = self.position.get(other)
                if j is not None and j != i:
                    self.prev[i].add(j)
                    self.prev[j].add(i)

        self.sep = np.array(self.sep_of, dtype=np.int64)
        self.lang = _words(self.lang_of, len(self.languages))
        self.offer = _words(self.offer_of, len(self.tokens))
        self.wish = _words(self.wish_of, len(self.tokens))
        self.interest = _words(self.interests_of, len(self.interests))
        self.start = np.array(self.starts_of, dtype=np.float64).reshape(n, len(dates))
        self.wisher = np.array([bool(m) for m in self.wish_of], dtype=np.bool_)
        keys = sorted(i * n + j for i in range(n) for j in self.prev[i] if i < j)
        self.prev_keys = np.array(keys, dtype=np.int64)
        self._build_types()

    # --- one pair, plain Python ------------------------------------------------------

    def feasible(self, i: int, j: int) -> bool:
        """Tell whether i and j may be grouped (hard rules 1-3)."""
        return (
            self.sep_of[i] != self.sep_of[j]
            and self.lang_of[i] & self.lang_of[j] != 0
            and j not in self.prev[i]
        )

    def satisfies(self, i: int, j: int) -> bool:
        """Tell whether j meets at least one of i's wishes."""
        return self.wish_of[i] & self.offer_of[j] != 0

    def weight(self, i: int, j: int) -> float:
        """Return the score of the pair (i, j), as group_score computes it."""
        shared = (self.interests_of[i] & self.interests_of[j]).bit_count()
        hours = 0.0
        for a, b in zip(self.starts_of[i], self.starts_of[j], strict=True):
            d = abs(a - b)
            hours += max(0.0, WORKDAY_HOURS - min(d, 24.0 - d))
        return (
            WISH_POINTS * (self.satisfies(i, j) + self.satisfies(j, i))
            + INTEREST_POINTS * min(shared, INTERESTS_COUNTED)
            + hours / len(self.starts_of[i])
        )

    def group_weight(self, members: Sequence[int]) -> float:
        """Return the score of a group of any size, as group_score computes it."""
        met = 0
        for m in members:
            offered = 0
            for other in members:
                if other != m:
                    offered |= self.offer_of[other]
            met += self.wish_of[m] & offered != 0
        seen = twice = 0
        for m in members:
            twice |= seen & self.interests_of[m]
            seen |= self.interests_of[m]
        days = len(self.starts_of[members[0]])
        hours = sum(common_hours([self.starts_of[m][d] for m in members]) for d in range(days))
        return (
            WISH_POINTS * met
            + INTEREST_POINTS * min(twice.bit_count(), INTERESTS_COUNTED)
            + hours / days
        )

    # --- many pairs, numpy -----------------------------------------------------------

    def feasible_pairs(self, left: Ints, right: Ints) -> Bools:
        """Tell for each (left[k], right[k]) whether they may be grouped."""
        ok: Bools = (self.sep[left] != self.sep[right]) & (
            (self.lang[left] & self.lang[right]) != 0
        ).any(axis=1)
        if len(self.prev_keys):
            lo, hi = np.minimum(left, right), np.maximum(left, right)
            ok &= ~np.isin(lo * self.n + hi, self.prev_keys)
        return ok

    def satisfies_pairs(self, left: Ints, right: Ints) -> Bools:
        """Tell for each k whether right[k] meets one of left[k]'s wishes."""
        met: Bools = ((self.wish[left] & self.offer[right]) != 0).any(axis=1)
        return met

    def weight_pairs(self, left: Ints, right: Ints) -> Floats:
        """Return the pair score for each (left[k], right[k])."""
        shared = np.bitwise_count(self.interest[left] & self.interest[right]).sum(axis=1)
        d = np.abs(self.start[left] - self.start[right])
        hours = np.maximum(0.0, WORKDAY_HOURS - np.minimum(d, 24.0 - d)).mean(axis=1)
        sat = self.satisfies_pairs(left, right).astype(np.float64) + self.satisfies_pairs(
            right, left
        )
        out: Floats = (
            WISH_POINTS * sat
            + INTEREST_POINTS * np.minimum(shared, INTERESTS_COUNTED).astype(np.float64)
            + hours
        )
        return out

    # --- types -------------------------------------------------------------------------

    def _build_types(self) -> None:
        keys: dict[tuple[int, int], int] = {}
        pairs = zip(self.sep_of, self.lang_of, strict=True)
        self.type_of = [keys.setdefault(key, len(keys)) for key in pairs]
        self.members: list[list[int]] = [[] for _ in keys]
        for i, t in enumerate(self.type_of):
            self.members[t].append(i)
        self.type_sep = np.array([s for s, _ in keys], dtype=np.int64)
        self.type_lang = _words([m for _, m in keys], len(self.languages))
        self.type_size = np.array([len(m) for m in self.members], dtype=np.int64)
        self._rows: dict[int, tuple[bytes, list[int]]] = {}
        self._counts: dict[int, int] = {}
        # Rows are cached for the usual few hundred types; beyond that memory would grow
        # with the square of the number of types, so they are recomputed instead.
        self._cache_rows = len(keys) <= 4000

    def _row(self, t: int) -> tuple[bytes, list[int]]:
        found = self._rows.get(t)
        if found is None:
            row = (self.type_sep != self.type_sep[t]) & (
                (self.type_lang & self.type_lang[t]) != 0
            ).any(axis=1)
            found = (row.tobytes(), np.flatnonzero(row).tolist())
            if self._cache_rows:
                self._rows[t] = found
        return found

    def compatible_row(self, t: int) -> bytes:
        """Return, for each type, 1 if its members may meet members of type t, else 0."""
        return self._row(t)[0]

    def compatible_list(self, t: int) -> list[int]:
        """Return the types whose members may meet members of type t (ignoring past pairs)."""
        return self._row(t)[1]

    def feasible_types(self, t: int, u: int) -> bool:
        """Tell whether members of types t and u may meet (ignoring past pairs)."""
        return self._row(t)[0][u] != 0

    def compatible_count(self, t: int) -> int:
        """Return how many people a member of type t could meet, past partners included."""
        found = self._counts.get(t)
        if found is None:
            found = self._counts[t] = int(self.type_size[self.compatible_list(t)].sum())
        return found
