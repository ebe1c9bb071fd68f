"""Pools up to a few thousand are paired exactly on the promising pairs.

The heuristic exchanges of matching_cycles reach about 90% of the shared interests
an exact maximum-weight matching finds; a round of a few thousand people deserves
the optimum. rustworkx's maximum-weight matching (Edmonds' blossom algorithm with
weights, in Rust) with max_cardinality=True places as many as possible, then
maximises the total pair score: wishes first (100 each), then shared interests and
common working hours, the priorities group_score gives. Scores are scaled to whole
numbers so that ties compare exactly.

Every feasible pair of a 1,162-person pool is half a million edges (five seconds),
so the graph keeps, for each person, a few of the best partners in each band of
the score (two wishes met, one, none) and in each eighth of the pool. Ranking by
the score alone is not enough: a person many others wish for ranks hundreds of
wishers first, yet may be best paired with someone who wishes for nothing, whose
pair scores in the lowest band; and the best partners of everyone are the same few
popular people, so the best of each eighth brings the variety the optimum draws
on. On the synthetic pools this reaches 99% of the exact optimum's shared
interests at 1,162 and 2,000 people and 97% at 2,500, where each person looks
among 2,000 others drawn at random (benchmarks/bench_matching.py compares them).
The current pairs are added to the graph, so the result never places fewer people
nor scores lower than the matching it replaces.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.matching.index import WISH_POINTS, Index, Ints

EXACT_POOL = 2500  # people, at most: about 1.5 s at 2,000 and 1.7 s at 2,500
BEST = 3  # partners kept per person, band of the score and part of the pool
BANDS = 3  # pairs meeting two wishes, one, none
PARTS = 8  # the pool split by position: the best of each part, for variety
# Beyond COLUMNS people, each looks among COLUMNS drawn at random, fewer per part:
# rustworkx's time grows with the people and the edges, and the scan as the square.
COLUMNS = 2000
BEST_BEYOND, PARTS_BEYOND = 3, 4
EVERY_PAIR = 250  # people, at most: every feasible pair is an edge, a few tens of ms
BLOCK = 1 << 20  # pairs scored at once: a few tens of MB of numpy arrays


def pair_exactly(index: Index, mate: list[int], fixed: Sequence[int] = ()) -> int:
    """Re-pair everyone but *fixed* (and their partners) exactly, in place.

    Return how many people changed partner. Those in *fixed* keep their partner,
    or stay unplaced, as in raise_score.
    """
    import rustworkx as rx  # only pools of up to EXACT_POOL need it

    kept = set(fixed) | {mate[v] for v in fixed if mate[v] >= 0}
    free = np.array([v for v in range(index.n) if v not in kept], dtype=np.int64)
    left, right = _promising_pairs(index, free, mate)
    weights = np.rint(index.weight_pairs(left, right) * 100).astype(np.int64)
    graph = rx.PyGraph()
    graph.add_nodes_from(range(index.n))
    graph.add_edges_from(list(zip(left.tolist(), right.tolist(), weights.tolist(), strict=True)))
    pairs = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    before = sum(mate[v] >= 0 for v in free.tolist())
    if 2 * len(pairs) < before:
        return 0  # never place fewer (cannot happen: the current pairs are in the graph)
    old = {v: mate[v] for v in free.tolist()}
    for v in old:
        mate[v] = -1
    for a, b in sorted(tuple(sorted(p)) for p in pairs):
        mate[a], mate[b] = b, a
    return sum(mate[v] != old[v] for v in old)


def _promising_pairs(index: Index, free: Ints, mate: list[int]) -> tuple[Ints, Ints]:
    """Return (left, right), left < right: each person's best per band and part, and
    the current pairs."""
    n = index.n
    if len(free) < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    among, parts, most = free, PARTS, BEST
    if len(free) > COLUMNS:
        rng = np.random.default_rng(len(free))  # the same pool, the same draw
        among = np.sort(rng.choice(free, size=COLUMNS, replace=False))
        parts, most = PARTS_BEYOND, BEST_BEYOND
    m = len(among)
    # Column c of a block is part c % parts: one argpartition per band finds the best
    # of every part at once.
    width = -(-m // parts)
    columns = np.concatenate([among, np.full(width * parts - m, -1, dtype=np.int64)])
    part = np.arange(parts)[None, :, None]
    # Small pools keep every feasible pair: the matching is then truly exact.
    keep = width if m <= EVERY_PAIR else min(most, width)
    rows = max(1, BLOCK // m)
    lefts, rights = [], []
    for start in range(0, len(free), rows):
        mine = free[start : start + rows]
        score = np.full((len(mine), width * parts), -1.0)
        score[:, :m] = index.weight_block(mine, among)
        band = np.floor_divide(score, WISH_POINTS)  # -1 for infeasible pairs
        for b in range(BANDS):
            in_band = np.where(band == b, score, -1.0).reshape(len(mine), width, parts)
            in_band = in_band.transpose(0, 2, 1)  # (person, part, column within the part)
            best = np.argpartition(-in_band, keep - 1, axis=2)[:, :, :keep]
            found = np.take_along_axis(in_band, best, axis=2) >= 0
            lefts.append(np.broadcast_to(mine[:, None, None], best.shape)[found])
            rights.append(columns[best * parts + part][found])
    paired = np.array([(v, w) for v, w in enumerate(mate) if v < w], dtype=np.int64)
    kept = np.isin(paired[:, 0], free) if len(paired) else np.zeros(0, dtype=np.bool_)
    if len(paired):
        lefts.append(paired[kept, 0])
        rights.append(paired[kept, 1])
    one, other = np.concatenate(lefts), np.concatenate(rights)
    keys = np.unique(np.minimum(one, other) * n + np.maximum(one, other))
    return keys // n, keys % n
