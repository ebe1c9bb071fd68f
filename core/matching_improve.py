"""Improve a maximum matching without losing anyone, then pick the one group of three.

Swaps never change how many people are placed: a swap either exchanges partners
between two pairs, or replaces a placed person by an unplaced one.
"""

from __future__ import annotations

import numpy as np

from core.matching_candidates import Edges
from core.matching_index import Index

ROUNDS = 6
TRIO_SHORTLIST = 64  # pairs scored exactly per left-over person, best first by a quick estimate


def _meeting_lists(index: Index, edges: Edges) -> list[list[int]]:
    """Return, per person, the candidates who meet one of their wishes, best pair first."""
    who = np.concatenate([edges.left[edges.left_met], edges.right[edges.right_met]])
    other = np.concatenate([edges.right[edges.left_met], edges.left[edges.right_met]])
    weight = np.concatenate([edges.weight[edges.left_met], edges.weight[edges.right_met]])
    order = np.lexsort((-weight, who))
    lists: list[list[int]] = [[] for _ in range(index.n)]
    for i, k in zip(who[order].tolist(), other[order].tolist(), strict=True):
        lists[i].append(k)
    return lists


def improve(index: Index, edges: Edges, mate: list[int], rng: np.random.Generator) -> None:
    """Swap partners (in place) while that satisfies more wishes or raises the score."""
    lists = _meeting_lists(index, edges)
    weight, feasible = index.weight, index.feasible
    for _ in range(ROUNDS):
        unmet = [
            i
            for i in range(index.n)
            if index.wish_of[i] and lists[i] and not (mate[i] >= 0 and index.satisfies(i, mate[i]))
        ]
        changed = 0
        for i in rng.permutation(len(unmet)).tolist():
            i = unmet[i]
            j = mate[i]
            if j >= 0 and index.satisfies(i, j):
                continue  # an earlier swap fixed this one
            current = weight(i, j) if j >= 0 else 0.0
            best_gain, best = 1e-9, (-1, -1)
            for k in lists[i]:
                partner = mate[k]
                if k == j or partner == i:
                    continue
                if partner < 0:
                    if j < 0:
                        continue  # cannot happen in a maximum matching
                    gain = weight(i, k) - current  # i takes unplaced k, i's partner is left over
                elif j < 0:
                    gain = weight(i, k) - weight(k, partner)  # k's partner is left over
                elif feasible(j, partner):
                    gain = weight(i, k) + weight(j, partner) - current - weight(k, partner)
                else:
                    continue
                if gain > best_gain:
                    best_gain, best = gain, (k, partner)
            k, partner = best
            if k < 0:
                continue
            if j >= 0:
                mate[j] = -1
            if partner >= 0:
                mate[partner] = -1
            mate[i], mate[k] = k, i
            if j >= 0 and partner >= 0:
                mate[j], mate[partner] = partner, j
            changed += 1
        if not changed:
            break


def choose_trio(index: Index, mate: list[int]) -> tuple[tuple[int, int, int] | None, set[int]]:
    """Pick (left-over, pair member, pair member) adding the most score.

    Also return the left-over people who could have joined some pair as a third.
    """
    n = index.n
    left = np.array([v for v in range(n) if 0 <= v < mate[v]], dtype=np.int64)
    right = np.array([mate[v] for v in left.tolist()], dtype=np.int64)
    types = np.array(index.type_of, dtype=np.int64)
    best: tuple[float, int, int, int] | None = None
    could_join: set[int] = set()
    pair_weight: dict[int, float] = {}
    for x in range(n):
        if mate[x] >= 0 or not len(left):
            continue
        row = np.frombuffer(index.compatible_row(index.type_of[x]), dtype=np.bool_)
        ok = row[types[left]] & row[types[right]]
        if not ok.any():
            continue
        if index.prev[x]:
            past = np.array(sorted(index.prev[x]), dtype=np.int64)
            ok &= ~np.isin(left, past) & ~np.isin(right, past)
        a, b = left[ok], right[ok]
        if not len(a):
            continue
        could_join.add(x)
        xs = np.full(len(a), x, dtype=np.int64)
        estimate = index.weight_pairs(xs, a) + index.weight_pairs(xs, b)
        shortlist = np.argsort(-estimate, kind="stable")[:TRIO_SHORTLIST]
        for p, q in zip(a[shortlist].tolist(), b[shortlist].tolist(), strict=True):
            if p not in pair_weight:
                pair_weight[p] = index.group_weight((p, q))
            gain = index.group_weight((p, q, x)) - pair_weight[p]
            if best is None or gain > best[0]:
                best = (gain, x, p, q)
    return (None if best is None else best[1:]), could_join
