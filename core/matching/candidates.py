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

from core.matching.index import WISH_POINTS, Bools, Floats, Index, Ints, bit_list

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


class _Buckets:
    """People by (language, offered token); token `any` holds everyone of a language.

    With *offers* (one bit mask per person) given, the tokens are those bits instead
    of what people offer against wishes (interests, for the interest draws).
    """

    def __init__(self, index: Index, offers: list[int] | None = None, width: int = 0) -> None:
        if offers is None:
            offers, width = index.offer_of, len(index.tokens)
        self.any = width
        stride = self.any + 1
        keys: list[int] = []
        people: list[int] = []
        seen: dict[tuple[int, int], list[int]] = {}  # (offer, languages) -> keys
        for j in range(index.n):
            both = (offers[j], index.lang_of[j])
            found = seen.get(both)
            if found is None:
                tokens = [*bit_list(offers[j]), self.any]
                found = seen[both] = [
                    lang * stride + t for lang in bit_list(index.lang_of[j]) for t in tokens
                ]
            keys.extend(found)
            people.extend([j] * len(found))
        key_array = np.array(keys, dtype=np.int64)
        order = np.argsort(key_array, kind="stable")
        self.people = np.array(people, dtype=np.int64)[order]
        self.keys, self.start, self.size = np.unique(
            key_array[order], return_index=True, return_counts=True
        )
        self.stride = stride

    def lookup(self, keys: list[int]) -> tuple[Ints, Ints]:
        """Return the start and size of each bucket (size 0 when absent)."""
        # Someone who draws belongs to buckets themselves, so there is at least one.
        wanted = np.array(keys, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        hit = self.keys[at] == wanted
        return self.start[at] * hit, self.size[at] * hit


def _interest_pairs(mask: int, tags: int) -> int:
    """Return a mask with one bit per pair of the interests in *mask*."""
    bits = bit_list(mask)
    out = 0
    for k, a in enumerate(bits):
        for b in bits[k + 1 :]:
            out |= 1 << (a * tags + b)
    return out


def _draw(
    buckets: _Buckets,
    owners: list[int],
    keys: list[int],
    draws: int,
    rng: np.random.Generator,
) -> tuple[Ints, Ints]:
    """Draw *draws* people per owner from the union of the owner's buckets, by size."""
    if not owners:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    owner = np.array(owners, dtype=np.int64)
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
    buckets = _Buckets(index)
    detailed = index.n <= DETAILED
    interest_draws = INTEREST_DRAWS if detailed else 0
    pair_draws = PAIR_DRAWS if detailed else BIG_PAIR_DRAWS
    tags = len(index.interests)
    known: dict[int, list[int]] = {}  # masks repeat: their bits, worked out once

    def bits(mask: int) -> list[int]:
        found = known.get(mask)
        if found is None:
            found = known[mask] = bit_list(mask)
        return found

    pairs_of: dict[int, int] = {}
    pair_of = [
        pairs_of[m] if m in pairs_of else pairs_of.setdefault(m, _interest_pairs(m, tags))
        for m in index.interests_of
    ]
    by_interest = _Buckets(index, index.interests_of, tags) if interest_draws else buckets
    by_pair = _Buckets(index, pair_of, tags * tags)
    tag_owners: list[int] = []
    tag_keys: list[int] = []
    pair_owners: list[int] = []
    pair_keys_: list[int] = []
    wish_owners: list[int] = []
    wish_keys: list[int] = []
    any_owners: list[int] = []
    any_keys: list[int] = []
    lefts: list[Ints] = []
    rights: list[Ints] = []
    small_left: list[int] = []
    small_right: list[int] = []
    for i in range(index.n):
        langs = bits(index.lang_of[i])
        t = index.type_of[i]
        if index.compatible_count(t) <= SMALL:
            everyone = index.compatible_people(t)
            small_right.extend(everyone)
            small_left.extend([i] * len(everyone))
            continue
        for lang in langs:
            any_owners.append(i)
            any_keys.append(lang * buckets.stride + buckets.any)
            for token in bits(index.wish_of[i]):
                wish_owners.append(i)
                wish_keys.append(lang * buckets.stride + token)
            for token in bits(index.interests_of[i]) if interest_draws else ():
                tag_owners.append(i)
                tag_keys.append(lang * by_interest.stride + token)
            for token in bits(pair_of[i]):
                pair_owners.append(i)
                pair_keys_.append(lang * by_pair.stride + token)
    for where, owners, keys, draws in (
        (buckets, wish_owners, wish_keys, WISH_DRAWS),
        (buckets, any_owners, any_keys, RANDOM_DRAWS if detailed else BIG_RANDOM_DRAWS),
        (by_interest, tag_owners, tag_keys, interest_draws),
        (by_pair, pair_owners, pair_keys_, pair_draws),
    ):
        left, right = _draw(where, owners, keys, draws, rng)
        lefts.append(left)
        rights.append(right)
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
