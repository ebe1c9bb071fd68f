"""Small pools are paired exactly: a maximum-weight matching of the largest size.

A community's round is often a few dozen people, and there the heuristic search of
matching_cycles can miss a better exchange that an exact method finds in
milliseconds. networkx's maximum-weight matching (Edmonds' blossom algorithm with
weights, O(n^3)) with maxcardinality=True places as many as possible, then
maximises the total pair score: wishes first (100 each), then shared interests and
common working hours, the priorities group_score gives. Scores are scaled to whole
numbers so that ties compare exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from core.matching.index import Index

EXACT_POOL = 60  # people, at most: networkx is pure Python and cubic in the pool


def pair_exactly(index: Index, mate: list[int], fixed: Sequence[int] = ()) -> int:
    """Re-pair everyone but *fixed* (and their partners) exactly, in place.

    Return how many people changed partner. Those in *fixed* keep their partner,
    or stay unplaced, as in raise_score.
    """
    import networkx as nx  # only small pools need it

    kept = set(fixed) | {mate[v] for v in fixed if mate[v] >= 0}
    free = [v for v in range(index.n) if v not in kept]
    graph = nx.Graph()
    graph.add_nodes_from(free)
    for i, j in combinations(free, 2):
        if index.feasible(i, j):
            graph.add_edge(i, j, weight=round(index.weight(i, j) * 100))
    pairs = nx.max_weight_matching(graph, maxcardinality=True)
    before = len([v for v in free if mate[v] >= 0])
    if 2 * len(pairs) < before:
        return 0  # never place fewer (cannot happen: the matching is of largest size)
    old = {v: mate[v] for v in free}
    for v in free:
        mate[v] = -1
    for a, b in sorted(tuple(sorted(p)) for p in pairs):
        mate[a], mate[b] = b, a
    return sum(mate[v] != old[v] for v in free)
