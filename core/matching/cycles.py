"""Raise the total pair score along alternating cycles and paths, placing as many.

A maximum matching is improved, without changing how many it places, only along
alternating structures: a cycle u0 - v0 = u1 - v1 = u2 ... = u0, where each u
takes a new partner v and v's old partner becomes the next u, or a path that
ends when some u takes an unplaced person (the first u's old partner then leaves
the matching in their place) or, from an unplaced u0, when some u is left alone.
An exact maximum-weight matching is one with no such structure of positive gain.

This searches for them depth first, Lin-Kernighan style, from every person: each
step goes through the person's LIST best candidates (by pair score) and follows the
first WIDTH[depth] of them that keep the gain so far positive, which loses no
positive cycle (some rotation of it has all partial sums positive); the closing
step may use any pair. Cycles of up to DEPTH new pairs are tried; the search from
a person stops after the first first-step candidate under which a gaining
structure was found, the best found is applied, and the people it touched are
searched from again. The score is the one group_score gives: wishes count 100,
each shared interest 10 and each hour of common working day 1, so a cycle that
meets more wishes always gains most.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np

from core.matching.candidates import DETAILED, Edges
from core.matching.exact import EXACT_POOL, pair_exactly
from core.matching.index import MAX_PAIR_SCORE, Index
from core.matching.swaps import swap_pairs

WIDTH = (8, 4, 3)  # gaining candidates followed at the first, second and third step
LIST = 40  # best candidates per person kept
DEPTH = len(WIDTH)  # new pairs in a cycle, at most
EPSILON = 1e-6
# Pools of at most SMALL_POOL people are searched wider and deeper (cheap there).
SMALL_POOL = 40
SMALL_WIDTH = (SMALL_POOL,) * 4

# gain, [u0, v0, u1, v1, ...], the last one's closing partner or -1, and u0's old
# partner's new (unplaced) partner or -1
Move = tuple[float, list[int], int, int]


def _best_lists(index: Index, edges: Edges) -> list[list[tuple[int, float]]]:
    """Return per person their LIST best (candidate, pair score), best first."""
    who = np.concatenate([edges.left, edges.right])
    other = np.concatenate([edges.right, edges.left])
    weight = np.concatenate([edges.weight, edges.weight])
    order = np.lexsort((-weight, who))
    who, other, weight = who[order], other[order], weight[order]
    keep = np.arange(len(who)) - np.searchsorted(who, who) < max(LIST, SMALL_POOL)
    out: list[list[tuple[int, float]]] = [[] for _ in range(index.n)]
    rows = zip(who[keep].tolist(), other[keep].tolist(), weight[keep].tolist(), strict=True)
    for i, k, w in rows:
        out[i].append((k, w))
    return out


class _Search:
    def __init__(self, index: Index, edges: Edges, mate: list[int]) -> None:
        self.ix = index
        self.mate = mate
        self.best = _best_lists(index, edges)
        self.pair = [index.weight(v, m) if m >= 0 else 0.0 for v, m in enumerate(mate)]
        self.small = index.n <= SMALL_POOL
        self.width = SMALL_WIDTH if self.small else WIDTH
        self.used = [False] * index.n

    def from_person(self, u0: int) -> Move | None:
        """Return the best positive structure starting at u0, or None."""
        mate, pair, best, used = self.mate, self.pair, self.best, self.used
        weight, feasible = self.ix.weight, self.ix.feasible
        width, last = self.width, len(self.width) - 1
        x0 = mate[u0]
        # A cycle has a rotation whose partial gains are all positive, but a path
        # (from an unplaced person, or ending at one) has no rotation: it may need a
        # step that only breaks even first (u takes v, as good a partner as v had,
        # then v's old partner gains). Steps that lose are still cut. Break-even
        # steps are followed from unplaced people only (from everyone they would
        # crowd gaining steps out of the search's width).
        floor = -EPSILON if x0 < 0 else EPSILON
        found: Move | None = None
        best_gain = EPSILON
        path = [u0]
        used[u0] = True
        if x0 >= 0:
            used[x0] = True
        lone = pair[u0] if x0 >= 0 else -1.0  # u takes an unplaced person, x0 leaves
        # Or x0 takes the best unplaced person it may, and the last one is left alone
        # (the same path as from that unplaced person, whose first step may lose).
        alt, alt_w = -1, 0.0
        if x0 >= 0:
            for k, w in best[x0]:
                if mate[k] < 0 and not used[k]:
                    alt, alt_w = k, w
                    break

        def extend(u: int, gain: float, depth: int) -> None:
            nonlocal found, best_gain
            left = width[depth]
            for v, w in best[u]:
                step = gain + w
                if step <= floor:
                    break  # the rest score no more: no step from here can gain
                if used[v]:
                    continue
                m = mate[v]
                if m < 0:
                    if lone >= 0 and step - lone > best_gain:
                        best_gain = step - lone
                        found = (best_gain, [*path, v], -1, -1)
                    continue
                step -= pair[v]
                if step <= floor or used[m]:
                    continue
                path.append(v)
                path.append(m)
                used[v] = used[m] = True
                if x0 < 0:
                    if step > best_gain:  # m is left alone, as u0 was
                        best_gain, found = step, (step, list(path), -1, -1)
                else:
                    if step + MAX_PAIR_SCORE - lone > best_gain and feasible(m, x0):
                        total = step + weight(m, x0) - lone
                        if total > best_gain:
                            best_gain, found = total, (total, list(path), x0, -1)
                    if alt >= 0 and step + alt_w - lone > best_gain:
                        best_gain = step + alt_w - lone
                        found = (best_gain, list(path), -1, alt)
                if depth < last:
                    extend(m, step, depth + 1)
                used[v] = used[m] = False
                del path[-2:]
                left -= 1
                if not left or (depth == 0 and found is not None):
                    break

        extend(u0, 0.0, 0)
        used[u0] = False
        if x0 >= 0:
            used[x0] = False
        return found

    def apply(self, move: Move) -> list[int]:
        """Rewire the matching along move; return everyone whose partner changed."""
        _, path, closing, settle = move
        mate, ix = self.mate, self.ix
        x0 = mate[path[0]]
        touched = [*path, x0] if x0 >= 0 else list(path)
        if settle >= 0:
            touched.append(settle)
        for v in touched:
            mate[v] = -1
            self.pair[v] = 0.0
        pairs = list(zip(path[0::2], path[1::2], strict=False))
        if closing >= 0:
            pairs.append((path[-1], closing))
        if settle >= 0:
            pairs.append((x0, settle))
        for a, b in pairs:
            mate[a], mate[b] = b, a
            self.pair[a] = self.pair[b] = ix.weight(a, b)
        return touched


def raise_score(
    index: Index, edges: Edges, mate: list[int], rng: np.random.Generator, fixed: Sequence[int] = ()
) -> int:
    """Raise the total pair score (in place) without placing fewer; return the moves made.

    Pools up to EXACT_POOL people are paired exactly (matching_exact), up to
    DETAILED people searched along alternating cycles and paths,
    bigger ones by two-pair exchanges (matching_swaps). People in *fixed* keep their
    partner, or stay unplaced.
    """
    if index.n <= EXACT_POOL:
        return pair_exactly(index, mate, fixed)
    if index.n <= DETAILED:
        return improve_weight(index, edges, mate, rng, fixed)
    return swap_pairs(index, edges, mate, fixed=fixed)


def improve_weight(
    index: Index, edges: Edges, mate: list[int], rng: np.random.Generator, fixed: Sequence[int] = ()
) -> int:
    """Apply positive alternating cycles and paths (in place); return how many."""
    search = _Search(index, edges, mate)
    queue = deque(rng.permutation(index.n).tolist())
    queued = [True] * index.n
    for v in fixed:  # never part of a move, nor searched from; nor their partners
        search.used[v] = True
        if mate[v] >= 0:
            search.used[mate[v]] = True
    moves = 0
    while queue:
        u = queue.popleft()
        queued[u] = False
        if search.used[u]:
            continue
        move = search.from_person(u)
        if move is None:
            continue
        moves += 1
        for v in search.apply(move):
            for w in (v, mate[v]):
                if w >= 0 and not queued[w]:
                    queued[w] = True
                    queue.append(w)
    return moves
