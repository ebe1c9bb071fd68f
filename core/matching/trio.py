"""Find the one group of three when, and only when, it places one more person.

With at most one trio, the most people placed is 2v or 2v + 1, where v is the size
of a maximum matching of the feasibility graph G: a trio T = {a, b, c} placed next
to pairs M' places 3 + 2|M'|, and |M'| <= v - 1 because M' plus one edge of T is a
matching. So the only question is whether some triangle T has v(G - T) = v - 1.

Theorem. Let D be the people left unmatched by at least one maximum matching
(Gallai-Edmonds). A trio places one more person iff some connected component K of
G[D] contains a triangle {a, b, c} such that K - {a, b, c} has a perfect matching.

Proof. (If) Gallai-Edmonds: every maximum matching M matches each component of
G[D] near-perfectly inside itself, at most one vertex of each to the neighbours
A of D, and every c in D is missed by some maximum matching M_c. In M_c the
component K of c is matched inside itself apart from c; replacing those
(|K| - 1)/2 pairs by a perfect matching of K - {a, b, c} and the pair ab keeps
|M_c| pairs, and c joins ab: 2v + 1 placed. (Only if) Take a trio T and pairs M'
with |M'| = v - 1 and M' disjoint from T. M = M' + ab is maximum and misses c, so
c is in D. A maximum matching never pairs two vertices of A, an A vertex with a
vertex outside D, or (in Gallai-Edmonds) c's component with anything but itself
apart from one vertex; since c is missed, K = comp(c) is matched inside itself
apart from c, and a, b are neighbours of c matched to each other: they are not
in the remainder C = V - D - A (no edges between D and C), not both in A (no A-A
pairs in M), and if one were in A the other would be in D matched to A, yet
adjacent to c, so in K, which is matched inside. So a, b are in K and
M restricted to K - {a, b, c} is a perfect matching of it.

Finding D and its components: after a maximum matching, grow an alternating
(Hungarian) tree from every unmatched person, deleting each tree once grown; the
outer vertices are D and the top-level outer blossoms are the components of
G[D] (Edmonds 1965; Lovasz-Plummer, Matching Theory, 3.2). Past trees can be
deleted because an outer vertex of a finished tree has every neighbour inside
it or among the inner vertices of an earlier one.

In practice the first test settles it: if an unmatched person of the final
matching fits one of its pairs (a triangle whose other two are matched to each
other), that is a trio of the theorem, and the best-scoring such one is taken
(matching_improve.choose_trio). Next, a left-over x may take the place of c beside
c's partner d while c joins a pair (each is a trio of the theorem too). Only when
neither works are the trees grown, and
then only the blossoms with three different separation values (the others hold
no triangle) are examined, each with a small blossom algorithm of its own.
"""

from __future__ import annotations

import numpy as np

from core.matching.cardinality import _OUTER, _Forest, _Live
from core.matching.exposed import Exposed
from core.matching.index import Index

Trio = tuple[int, int, int]  # (the third person, pair member, pair member)
SHIFT_TRIES = 200  # (left-over, partner) shifts tried before the general search


def deep_trio(index: Index, mate: list[int]) -> Trio | None:
    """Rearrange the maximum matching *mate* (in place) around a trio that places one more.

    Return (c, a, b) with a and b paired in *mate* and c unmatched, all three
    mutually compatible; or None, leaving *mate* as it was, when no trio adds anyone.
    """
    shifted = _shifted_trio(index, mate)
    if shifted is not None:
        return shifted
    live = _Live(index)
    nobody = Exposed(index, [0] * index.n)  # a maximum matching has no augmenting path
    for r in range(index.n):
        if mate[r] >= 0 or live.dead[r] or not index.compatible_count(index.type_of[r]):
            continue
        forest = _Forest(index, mate, live, r)
        if forest.search(nobody) >= 0:
            raise AssertionError("the matching given to deep_trio is not maximum")
        blossoms: dict[int, list[int]] = {}
        for v, label in forest.label.items():
            if label == _OUTER:
                blossoms.setdefault(forest.base(v), []).append(v)
        for base, members in sorted(blossoms.items()):
            if len(members) < 3 or len({index.sep_of[v] for v in members}) < 3:
                continue
            found = _good_triangle(index, mate, base, sorted(members))
            if found is not None:
                trio, inside = found
                _free_base(mate, forest.parent, base)
                for v in members:
                    mate[v] = -1
                for v, w in inside.items():
                    mate[v] = w
                _, a, b = trio
                mate[a], mate[b] = b, a
                return trio
        for v in forest.label:
            live.kill(v)
    return None


def _shifted_trio(index: Index, mate: list[int]) -> Trio | None:
    """Try the shortest rearrangement: a left-over x takes c's place beside d, c joins a pair.

    Left-overs have few compatible people, so this tries few (x, d); c, placed,
    usually has many and fits some pair. Return the trio with *mate* rearranged, or None.
    """
    pairs = np.array([(v, w) for v, w in enumerate(mate) if 0 <= v < w], dtype=np.int64)
    if not len(pairs):
        return None
    classes = np.array(index.class_of, dtype=np.int64)
    tries = 0
    for x in range(index.n):
        if mate[x] >= 0 or not index.compatible_count(index.type_of[x]):
            continue
        for d in index.compatible_people(index.type_of[x]):
            c = mate[d]
            if c < 0 or d in index.prev[x]:
                continue
            tries += 1
            if tries > SHIFT_TRIES:
                return None
            meets = np.zeros(len(index.class_mask), dtype=np.bool_)
            meets[index.overlapping(index.class_of[c])] = True
            a, b = pairs[:, 0], pairs[:, 1]
            sep = index.sep_of[c]
            fits = meets[classes[a]] & meets[classes[b]] & (index.sep[a] != sep)
            fits &= (index.sep[b] != sep) & (a != c) & (b != c) & (a != d) & (b != d)
            if index.prev[c]:
                past = np.array(sorted(index.prev[c]), dtype=np.int64)
                fits &= ~np.isin(a, past) & ~np.isin(b, past)
            if not fits.any():
                continue
            a, b = a[fits], b[fits]
            cs = np.full(len(a), c, dtype=np.int64)
            k = int(np.argmax(index.weight_pairs(cs, a) + index.weight_pairs(cs, b)))
            mate[x], mate[d], mate[c] = d, x, -1
            return c, int(a[k]), int(b[k])
    return None


def _free_base(mate: list[int], parent: dict[int, int], base: int) -> None:
    """Shift the tree path from the root to *base*, so that base is the one unmatched."""
    v = mate[base]
    if v < 0:
        return  # base is the root
    mate[base] = -1
    while v >= 0:  # v is inner: pair it with its parent, whose mate moves up next
        pv = parent[v]
        ppv = mate[pv]
        mate[v], mate[pv] = pv, v
        v = ppv


def _good_triangle(
    index: Index, mate: list[int], base: int, members: list[int]
) -> tuple[Trio, dict[int, int]] | None:
    """Find a triangle of the blossom whose removal leaves a perfectly matchable rest.

    Return the trio and the perfect matching of the rest (both directions), or None.
    The blossom is matched inside itself apart from its base, so removing a
    triangle leaves at most four people unmatched: a couple of augmentations each.
    """
    inside = set(members)
    near = {v: mate[v] for v in members if v != base}
    # The base, unmatched inside, joining one of the blossom's own pairs needs no search:
    # in a dense pool that settles almost every blossom at once.
    for a in members:
        b = near.get(a, -1)
        if a < b and index.feasible(base, a) and index.feasible(base, b):
            rest = {v: w for v, w in near.items() if v not in (a, b)}
            return (base, a, b), rest
    adjacency = _Adjacency(index, members)
    # Or a pair (a, b) takes c as its third, and c's partner d pairs with the base:
    # in a big blossom this also settles it after a few neighbour scans.
    for d in adjacency[base]:
        c = near.get(d, -1)
        if c < 0:
            continue
        around_c = set(adjacency[c])
        for a in adjacency[c]:
            b = near.get(a, -1)
            if b in around_c and a not in (c, d) and b not in (c, d):
                rest = {v: w for v, w in near.items() if v not in (a, b, c, d)}
                rest[d], rest[base] = base, d
                return (c, a, b), rest
    tried: set[tuple[int, ...]] = set()  # triangles, whoever plays the third
    # Pairs of the matching first (a one-step repair), then any other edge.
    for matched_first in (True, False):
        for a in members:
            for b in adjacency[a]:
                if b <= a or (near.get(a) == b) != matched_first:
                    continue
                around_b = set(adjacency[b])
                for c in adjacency[a]:
                    if c not in around_b or c in (a, b):
                        continue
                    key = tuple(sorted((a, b, c)))
                    if key in tried:
                        continue
                    tried.add(key)
                    perfect = _perfect(adjacency, inside - {a, b, c}, near)
                    if perfect is not None:
                        return (c, a, b), perfect
    return None


class _Adjacency(dict[int, list[int]]):
    """Neighbours inside a blossom, computed (with numpy) when first asked for."""

    def __init__(self, index: Index, members: list[int]) -> None:
        super().__init__()
        self.ix = index
        self.members = np.array(members, dtype=np.int64)

    def __missing__(self, v: int) -> list[int]:
        others = self.members[self.members != v]
        found: list[int] = others[
            self.ix.feasible_pairs(np.full(len(others), v, dtype=np.int64), others)
        ].tolist()
        self[v] = found
        return found


def _perfect(
    adjacency: dict[int, list[int]], vertices: set[int], start: dict[int, int]
) -> dict[int, int] | None:
    """Return a perfect matching of the graph induced on *vertices*, or None.

    Starts from the pairs of *start* inside *vertices* and augments with the
    classic single-root blossom search (e-maxx's formulation).
    """
    mate = {v: -1 for v in vertices}
    for v in vertices:
        w = start.get(v, -1)
        if w in vertices:
            mate[v] = w
    for root in sorted(vertices):
        if mate[root] < 0 and not _augment_from(adjacency, vertices, mate, root):
            return None
    return mate


def _augment_from(
    adjacency: dict[int, list[int]], vertices: set[int], mate: dict[int, int], root: int
) -> bool:
    base = {v: v for v in vertices}
    parent: dict[int, int] = {}
    outer = {root}
    queue = [root]

    def lca(a: int, b: int) -> int:
        seen = set()
        while True:
            a = base[a]
            seen.add(a)
            if mate[a] < 0:
                break
            a = parent[mate[a]]
        while True:
            b = base[b]
            if b in seen:
                return b
            b = parent[mate[b]]

    def mark(v: int, top: int, child: int, blossom: set[int]) -> None:
        while base[v] != top:
            blossom.add(base[v])
            blossom.add(base[mate[v]])
            parent[v] = child
            child = mate[v]
            v = parent[mate[v]]

    head = 0
    while head < len(queue):
        v = queue[head]
        head += 1
        for to in adjacency[v]:
            if to not in vertices or base[v] == base[to] or mate[v] == to:
                continue
            if to == root or (mate[to] >= 0 and mate[to] in parent):
                top = lca(v, to)
                blossom: set[int] = set()
                mark(v, top, to, blossom)
                mark(to, top, v, blossom)
                for u in vertices:
                    if base[u] in blossom:
                        base[u] = top
                        if u not in outer:
                            outer.add(u)
                            queue.append(u)
            elif to not in parent:
                parent[to] = v
                if mate[to] < 0:
                    while to >= 0:
                        pv = parent[to]
                        ppv = mate[pv]
                        mate[to], mate[pv] = pv, to
                        to = ppv
                    return True
                outer.add(mate[to])
                queue.append(mate[to])
    return False
