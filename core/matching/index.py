"""Index candidates for the matcher: integer positions, bit masks, scores and types.

Everything the matcher asks millions of times (may these two meet, how good would
the pair be) is answered here, twice: with numpy over arrays of pairs and in plain
Python for one pair, both from the same masks so they always agree.

A language *class* is a set of languages, and a *type* a class with a separation
value (a country, usually). People of one type can never meet each other and meet
exactly the same people, past partners aside, so the feasibility graph is a
blow-up of the much smaller type graph minus previous-partner pairs: "who could
meet type t" is answered from the classes that share a language with t's class.
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
    from core.matching.model import Candidate

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Words = npt.NDArray[np.uint64]

WISH_POINTS = 100.0
INTEREST_POINTS = 10.0
INTERESTS_COUNTED = 5
WORKDAY_START = 9.0
WORKDAY_HOURS = 8.0
MAX_PAIR_SCORE = 2 * WISH_POINTS + INTERESTS_COUNTED * INTEREST_POINTS + WORKDAY_HOURS
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


def _pair_hours(a: Sequence[float], b: Sequence[float]) -> float:
    """Return the common working hours of two clocks (working-day starts per date)."""
    return sum(common_hours([x, y]) for x, y in zip(a, b, strict=True)) / len(a)


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


def bit_list(mask: int) -> list[int]:
    """Return the positions of the set bits of mask, lowest first."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


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

        self.most_past_partners = max((len(p) for p in self.prev), default=0)
        self.sep = np.array(self.sep_of, dtype=np.int64)
        self.lang = _words(self.lang_of, len(self.languages))
        self.offer = _words(self.offer_of, len(self.tokens))
        self.wish = _words(self.wish_of, len(self.tokens))
        self.interest = _words(self.interests_of, len(self.interests))
        # Working-hour overlap depends only on the two clocks: tabulate it once.
        clocks: dict[tuple[float, ...], int] = {}
        self.clock_of = [clocks.setdefault(starts, len(clocks)) for starts in self.starts_of]
        self.hours = [[_pair_hours(a, b) for b in clocks] for a in clocks]
        self.clock = np.array(self.clock_of, dtype=np.int64)
        self.hours_array = np.array(self.hours, dtype=np.float64).reshape(len(clocks), len(clocks))
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
        return (
            WISH_POINTS
            * (
                (self.wish_of[i] & self.offer_of[j] != 0)
                + (self.wish_of[j] & self.offer_of[i] != 0)
            )
            + INTEREST_POINTS * min(shared, INTERESTS_COUNTED)
            + self.hours[self.clock_of[i]][self.clock_of[j]]
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
        hours = self.hours_array[self.clock[left], self.clock[right]]
        sat = self.satisfies_pairs(left, right).astype(np.float64) + self.satisfies_pairs(
            right, left
        )
        out: Floats = (
            WISH_POINTS * sat
            + INTEREST_POINTS * np.minimum(shared, INTERESTS_COUNTED).astype(np.float64)
            + hours
        )
        return out

    def weight_block(self, rows: Ints, cols: Ints) -> Floats:
        """Return the pair score of every (rows[r], cols[c]) as a matrix; -1 where infeasible.

        The same scores as weight_pairs, by broadcasting one word of the masks at a
        time: a block of a few hundred people against a pool of thousands is millions
        of pairs, and gathering an index pair for each would cost five times as much.
        """

        def meet(a: Words, b: Words, x: Ints, y: Ints) -> Bools:
            out = np.zeros((len(x), len(y)), dtype=np.bool_)
            for k in range(a.shape[1]):
                out |= (a[x, k][:, None] & b[y, k][None, :]) != 0
            return out

        ok = (self.sep[rows][:, None] != self.sep[cols][None, :]) & meet(
            self.lang, self.lang, rows, cols
        )
        column = {int(v): c for c, v in enumerate(cols.tolist())}
        for r, v in enumerate(rows.tolist()):
            for p in self.prev[v]:
                if (c := column.get(p)) is not None:
                    ok[r, c] = False
        met = meet(self.wish, self.offer, rows, cols).astype(np.float64)
        met += meet(self.offer, self.wish, rows, cols)
        shared = np.zeros((len(rows), len(cols)), dtype=np.int64)
        for k in range(self.interest.shape[1]):
            both = self.interest[rows, k][:, None] & self.interest[cols, k][None, :]
            shared += np.bitwise_count(both)
        score: Floats = (
            WISH_POINTS * met
            + INTEREST_POINTS * np.minimum(shared, INTERESTS_COUNTED)
            + self.hours_array[self.clock[rows][:, None], self.clock[cols][None, :]]
        )
        return np.where(ok, score, -1.0)

    # --- classes and types ------------------------------------------------------------

    def _build_types(self) -> None:
        classes: dict[int, int] = {}
        self.class_of = [classes.setdefault(m, len(classes)) for m in self.lang_of]
        self.class_mask = list(classes)
        types: dict[tuple[int, int], int] = {}
        pairs = zip(self.sep_of, self.class_of, strict=True)
        self.type_of = [types.setdefault(key, len(types)) for key in pairs]
        self.type_sep = [s for s, _ in types]
        self.type_class = [c for _, c in types]
        self.members: list[list[int]] = [[] for _ in types]
        for i, t in enumerate(self.type_of):
            self.members[t].append(i)
        self.class_types: list[list[int]] = [[] for _ in classes]
        for t, (_, c) in enumerate(types):
            self.class_types[c].append(t)
        self.class_size = [0] * len(classes)
        for c in self.class_of:
            self.class_size[c] += 1
        self.sep_size: dict[int, int] = {}
        for sep in self.sep_of:
            self.sep_size[sep] = self.sep_size.get(sep, 0) + 1
        self.classes_with: list[list[int]] = [[] for _ in self.languages]
        for c, mask in enumerate(self.class_mask):
            for lang in bit_list(mask):
                self.classes_with[lang].append(c)
        self.type_at = {key: t for t, key in enumerate(types)}
        self._overlapping: dict[int, list[int]] = {}
        self._cached = 0
        self._counts: dict[int, int] = {}

    def overlapping(self, c: int) -> list[int]:
        """Return the language classes that share a language with class c (c included)."""
        found = self._overlapping.get(c)
        if found is None:
            langs = bit_list(self.class_mask[c])
            if len(langs) == 1:
                return self.classes_with[langs[0]]
            found = sorted(set().union(*(self.classes_with[lang] for lang in langs)))
            # Bounded: thousands of language combinations would otherwise fill memory.
            if self._cached < 5_000_000:
                self._overlapping[c] = found
                self._cached += len(found)
        return found

    def types_meet(self, t: int, u: int) -> bool:
        """Tell whether members of types t and u may meet (ignoring past pairs)."""
        return (
            self.type_sep[t] != self.type_sep[u]
            and self.class_mask[self.type_class[t]] & self.class_mask[self.type_class[u]] != 0
        )

    def compatible_count(self, t: int) -> int:
        """Return how many people a member of type t could meet, past partners included."""
        found = self._counts.get(t)
        if found is None:
            sep, type_at, members = self.type_sep[t], self.type_at, self.members
            found = 0
            for c in self.overlapping(self.type_class[t]):
                own = type_at.get((sep, c))
                found += self.class_size[c] - (len(members[own]) if own is not None else 0)
            self._counts[t] = found
        return found

    def compatible_people(self, t: int) -> list[int]:
        """Return everyone a member of type t could meet, past partners included."""
        sep = self.type_sep[t]
        return [
            v
            for c in self.overlapping(self.type_class[t])
            for u in self.class_types[c]
            if self.type_sep[u] != sep
            for v in self.members[u]
        ]
