"""Build a sparse graph of promising pairs and match it greedily.

Scoring every pair is quadratic (about 18 s at 20,000 people), so each person gets
a few dozen sampled candidates instead:

- wish draws: people who speak one of their languages *and* offer something they
  wished for, drawn from (language, wished token) buckets in proportion to size;
- random draws: people who speak one of their languages;
- everyone, for people whose whole compatible set is small (hard to place people
  must not depend on luck).

Draws are vectorised with numpy; infeasible, repeated and previous-partner pairs
are dropped, and the rest are scored with the exact pair score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.matching.index import WISH_POINTS, Bools, Floats, Index, Ints, Words

WISH_DRAWS = 40
RANDOM_DRAWS = 12
# Pools up to DETAILED people also draw partners sharing an interest and, more, a pair of
# interests (inverted indexes by language and interest) and are improved along
# alternating cycles (matching_cycles); bigger pools draw fewer (pairs of interests
# only, and fewer random partners) and are improved by two-pair exchanges
# (matching_swaps), to stay in their speed class.
DETAILED = 5000
INTEREST_DRAWS = 10
PAIR_DRAWS = 30
BIG_RANDOM_DRAWS = 6
BIG_PAIR_DRAWS = 10
SMALL = 48  # take every compatible person when there are at most this many


@dataclass(frozen=True, slots=True)
class Edges:
    """Candidate pairs (left < right), their scores and who satisfies whom."""

    left: Ints
    right: Ints
    weight: Floats
    left_met: Bools  # right meets one of left's wishes
    right_met: Bools


Entries = tuple[Ints, Ints]  # (person, value) pairs, by person, then value


def _set_bits(words: Words) -> Entries:
    """Return (person, bit) for every bit set in the per-person masks."""
    as_bytes = np.ascontiguousarray(words.astype("<u8", copy=False)).view(np.uint8)
    person, bit = np.nonzero(np.unpackbits(as_bytes, axis=1, bitorder="little"))
    return person.astype(np.int64), bit.astype(np.int64)


def _cross(first: Entries, second: Entries, n: int) -> tuple[Ints, Ints, Ints]:
    """Return (person, a, b) for each a of first's and b of second's entries of a person.

    By person, then a, then b (the order of two nested loops).
    """
    p1, a = first
    p2, b = second
    count = np.bincount(p2, minlength=n)
    start = np.cumsum(count) - count
    times = count[p1]
    entry = np.repeat(np.arange(len(p1)), times)
    offset = np.arange(len(entry)) - np.repeat(np.cumsum(times) - times, times)
    person = p1[entry]
    return person, a[entry], b[start[person] + offset]


class _Buckets:
    """People by (language, token): tokens are one per person's entry, and `any`.

    The tokens are what people offer against wishes, or their interests, or their
    pairs of interests; token `any` holds everyone of a language.
    """

    def __init__(self, n: int, langs: Entries, tokens: Entries, width: int) -> None:
        self.any = width
        self.stride = stride = width + 1
        person = np.concatenate([tokens[0], np.arange(n, dtype=np.int64)])
        token = np.concatenate([tokens[1], np.full(n, width, dtype=np.int64)])
        order = np.lexsort((token, person))
        people, lang, token = _cross(langs, (person[order], token[order]), n)
        key_array = lang * stride + token
        order = np.argsort(key_array, kind="stable")
        self.people = people[order]
        self.keys, self.start, self.size = np.unique(
            key_array[order], return_index=True, return_counts=True
        )

    def lookup(self, wanted: Ints) -> tuple[Ints, Ints]:
        """Return the start and size of each bucket (size 0 when absent)."""
        # Someone who draws belongs to buckets themselves, so there is at least one.
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        hit = self.keys[at] == wanted
        return self.start[at] * hit, self.size[at] * hit


def _draw(
    buckets: _Buckets,
    owner: Ints,
    keys: Ints,
    draws: int,
    rng: np.random.Generator,
) -> tuple[Ints, Ints]:
    """Draw *draws* people per owner from the union of the owner's buckets, by size."""
    if not len(owner):
        return owner, owner
    start, size = buckets.lookup(keys)
    ends = np.cumsum(size)
    first = np.r_[0, np.flatnonzero(owner[1:] != owner[:-1]) + 1]
    total = np.add.reduceat(size, first)
    base = ends[first] - size[first]
    owner_ids = owner[first]
    keep = total > 0
    owner_ids, total, base = owner_ids[keep], total[keep], base[keep]
    who = np.repeat(owner_ids, draws)
    at = np.repeat(base, draws) + (rng.random(len(who)) * np.repeat(total, draws)).astype(np.int64)
    entry = np.searchsorted(ends, at, side="right")
    offset = at - (ends[entry] - size[entry])
    return who, buckets.people[start[entry] + offset]


def candidate_edges(index: Index, rng: np.random.Generator) -> Edges:
    """Sample promising feasible pairs and score them."""
    n = index.n
    detailed = n <= DETAILED
    interest_draws = INTEREST_DRAWS if detailed else 0
    pair_draws = PAIR_DRAWS if detailed else BIG_PAIR_DRAWS
    tags = len(index.interests)
    langs, tag_entries = _set_bits(index.lang), _set_bits(index.interest)
    person, a, b = _cross(tag_entries, tag_entries, n)
    pairs = (person[a < b], a[a < b] * tags + b[a < b])  # one token per pair of interests
    buckets = _Buckets(n, langs, _set_bits(index.offer), len(index.tokens))
    by_interest = _Buckets(n, langs, tag_entries, tags) if interest_draws else buckets
    by_pair = _Buckets(n, langs, pairs, tags * tags)
    few = [index.compatible_count(t) <= SMALL for t in range(len(index.members))]
    small = np.array(few, dtype=np.bool_)[np.array(index.type_of, dtype=np.int64)]
    drawing = (langs[0][~small[langs[0]]], langs[1][~small[langs[0]]])
    lefts: list[Ints] = []
    rights: list[Ints] = []
    for where, tokens, draws in (
        (buckets, _set_bits(index.wish), WISH_DRAWS),
        (buckets, None, RANDOM_DRAWS if detailed else BIG_RANDOM_DRAWS),
        (by_interest, tag_entries, interest_draws),
        (by_pair, pairs, pair_draws),
    ):
        if not draws:
            continue
        if tokens is None:  # anyone of the owner's languages
            owner, keys = drawing[0], drawing[1] * where.stride + where.any
        else:
            owner, lang, token = _cross(drawing, tokens, n)
            keys = lang * where.stride + token
        left, right = _draw(where, owner, keys, draws, rng)
        lefts.append(left)
        rights.append(right)
    small_left: list[int] = []
    small_right: list[int] = []
    for i in np.flatnonzero(small).tolist():
        everyone = index.compatible_people(index.type_of[i])
        small_right.extend(everyone)
        small_left.extend([i] * len(everyone))
    lefts.append(np.array(small_left, dtype=np.int64))
    rights.append(np.array(small_right, dtype=np.int64))
    a, b = np.concatenate(lefts), np.concatenate(rights)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pair_keys = np.sort(lo * index.n + hi)
    pair_keys = (
        pair_keys[np.r_[True, pair_keys[1:] != pair_keys[:-1]]] if len(pair_keys) else pair_keys
    )
    lo, hi = pair_keys // index.n, pair_keys % index.n
    ok = index.feasible_pairs(lo, hi)
    lo, hi = lo[ok], hi[ok]
    return Edges(
        left=lo,
        right=hi,
        weight=index.weight_pairs(lo, hi),
        left_met=index.satisfies_pairs(lo, hi),
        right_met=index.satisfies_pairs(hi, lo),
    )


def greedy(index: Index, edges: Edges, rng: np.random.Generator) -> list[int]:
    """Match by descending score; ties go to the pair whose members are hardest to place."""
    n = index.n
    degree = np.bincount(edges.left, minlength=n) + np.bincount(edges.right, minlength=n)
    scarcity = np.minimum(degree[edges.left], degree[edges.right])
    noise = rng.random(len(edges.weight))
    # Whole wish points first, then scarcity, then the rest of the score, then chance.
    level = np.floor(edges.weight / WISH_POINTS)
    order = np.lexsort((noise, -edges.weight, scarcity, -level))
    mate = [-1] * n
    for i, j in zip(edges.left[order].tolist(), edges.right[order].tolist(), strict=True):
        if mate[i] < 0 and mate[j] < 0:
            mate[i] = j
            mate[j] = i
    return mate
