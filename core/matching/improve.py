"""Improve a maximum matching without losing anyone, then pick the one group of three.

Exchanges never change how many people are placed: partners are exchanged among
two or three pairs, or a placed person gives their place to an unplaced one. Each
exchange is searched for from a person whose wish is unmet, and is applied when it
raises the total score, the same total an exact maximum-weight matching maximises.
"""

from __future__ import annotations

import numpy as np

from core.matching.candidates import Edges
from core.matching.index import MAX_PAIR_SCORE, Floats, Index, Ints

ROUNDS = 2
# Three-way exchanges are tried through the first DEEP candidates meeting a wish, and
# with the NEAR best candidates of whoever is left alone: enough to match an exact
# optimiser's share of wishes met on realistic pools while keeping the work linear.
DEEP = 16
NEAR = 12
MEETING = 32  # candidates meeting a wish kept per person, for two-way exchanges
TRIO_SHORTLIST = 64  # pairs scored exactly per left-over person, best first by a quick estimate

Move = tuple[float, list[tuple[int, int]], list[int]]  # gain, new pairs, people involved
Scored = list[tuple[int, float]]  # candidates with the score of the pair, best first


class _Best(dict[int, "Scored"]):
    """Per person their *limit* best (candidate, score), best first, built when first asked."""

    def __init__(self, n: int, who: Ints, other: Ints, weight: Floats, limit: int) -> None:
        super().__init__()
        order = np.lexsort((-weight, who))
        who = who[order]
        first = np.searchsorted(who, who)  # where each person's run of candidates starts
        keep = np.arange(len(who)) - first < limit
        self.other = other[order][keep]
        self.weight = weight[order][keep]
        self.start = np.searchsorted(who[keep], np.arange(n + 1))
        self.count = np.diff(self.start)

    def __missing__(self, i: int) -> Scored:
        a, b = int(self.start[i]), int(self.start[i + 1])
        found = list(zip(self.other[a:b].tolist(), self.weight[a:b].tolist(), strict=True))
        self[i] = found
        return found


def _lists(index: Index, edges: Edges) -> tuple[_Best, _Best]:
    """Return per person their MEETING best candidates meeting a wish, and NEAR best ones."""
    who = np.concatenate([edges.left, edges.right])
    other = np.concatenate([edges.right, edges.left])
    weight = np.concatenate([edges.weight, edges.weight])
    met = np.concatenate([edges.left_met, edges.right_met])
    meeting = _Best(index.n, who[met], other[met], weight[met], MEETING)
    return meeting, _Best(index.n, who, other, weight, NEAR)


class _Exchanges:
    """Exchanges of partners among two or three pairs, or with an unplaced person."""

    def __init__(self, index: Index, edges: Edges, mate: list[int]) -> None:
        self.ix = index
        self.mate = mate
        self.meeting, self.near = _lists(index, edges)
        self.pair = [index.weight(v, m) if m >= 0 else 0.0 for v, m in enumerate(mate)]
        self.moves = 0
        self.touched = [0] * index.n  # move count when a person's partner last changed

    def best_for(self, i: int) -> Move:
        """Return the best exchange that gives i a partner meeting one of their wishes."""
        mate, pair, w, ok = self.mate, self.pair, self.ix.weight, self.ix.feasible
        j = mate[i]
        best: Move = (1e-9, [], [])
        for rank, (k, with_k) in enumerate(self.meeting[i]):
            partner = mate[k]
            if k == j or partner == i:
                continue
            if partner < 0:
                if j >= 0 and with_k - pair[i] > best[0]:  # i's partner is left over
                    best = (with_k - pair[i], [(i, k)], [i, j, k])
                continue
            if j < 0:
                if with_k - pair[k] > best[0]:  # k's partner is left over
                    best = (with_k - pair[k], [(i, k)], [i, k, partner])
                continue
            base = with_k - pair[i] - pair[k]
            people = [i, j, k, partner]
            if ok(j, partner) and base + w(j, partner) > best[0]:
                best = (base + w(j, partner), [(i, k), (j, partner)], people)
            if rank >= DEEP:
                continue
            # Three pairs: one of the two left alone takes someone else's partner, whose
            # partner in turn meets the other one (or stays unplaced, if they were).
            for lone, other in ((partner, j), (j, partner)):
                for k2, with_k2 in self.near[lone]:
                    p2 = mate[k2]
                    if k2 in people or p2 in people:
                        continue
                    gain = base + with_k2
                    if p2 < 0:
                        if gain > best[0]:
                            best = (gain, [(i, k), (lone, k2)], [*people, k2])
                    elif gain + MAX_PAIR_SCORE - pair[k2] > best[0] and ok(other, p2):
                        gain += w(other, p2) - pair[k2]
                        if gain > best[0]:
                            best = (gain, [(i, k), (lone, k2), (other, p2)], [*people, k2, p2])
        return best

    def apply(self, move: Move) -> None:
        _, pairs, people = move
        self.moves += 1
        for v in people:
            if v >= 0:
                self.mate[v] = -1
                self.pair[v] = 0.0
                self.touched[v] = self.moves
        for a, b in pairs:
            self.mate[a], self.mate[b] = b, a
            self.pair[a] = self.pair[b] = self.ix.weight(a, b)

    def worth_retrying(self, i: int, failed_at: int) -> bool:
        """Tell whether anything around i changed since a search for i found nothing."""
        touched, mate = self.touched, self.mate
        return touched[i] > failed_at or any(
            touched[k] > failed_at or (mate[k] >= 0 and touched[mate[k]] > failed_at)
            for k, _ in self.meeting[i]
        )


def improve(index: Index, edges: Edges, mate: list[int], rng: np.random.Generator) -> None:
    """Exchange partners (in place) while that meets more wishes or raises the score."""
    exchanges = _Exchanges(index, edges, mate)
    failed: dict[int, int] = {}  # person -> move count when a search for them found nothing
    for _ in range(ROUNDS):
        has_meeting = exchanges.meeting.count.tolist()
        unmet = [
            i
            for i in range(index.n)
            if has_meeting[i] and not (mate[i] >= 0 and index.satisfies(i, mate[i]))
        ]
        before = exchanges.moves
        for at in rng.permutation(len(unmet)).tolist():
            i = unmet[at]
            if mate[i] >= 0 and index.satisfies(i, mate[i]):
                continue  # an earlier exchange met this wish
            if i in failed and not exchanges.worth_retrying(i, failed[i]):
                continue
            move = exchanges.best_for(i)
            if move[1]:
                exchanges.apply(move)
            else:
                failed[i] = exchanges.moves
        if exchanges.moves == before:
            break


def _pairs_around(index: Index, mate: list[int], t: int) -> list[tuple[int, int]]:
    """Return the pairs whose two members type t may both meet, from t's few options."""
    found = set()
    for p in index.compatible_people(t):
        q = mate[p]
        if q >= 0 and index.types_meet(t, index.type_of[q]):
            found.add((min(p, q), max(p, q)))
    return sorted(found)


def choose_trio(index: Index, mate: list[int]) -> tuple[tuple[int, int, int] | None, set[int]]:
    """Pick (left-over, pair member, pair member) adding the most score.

    Also return the left-over people who could have joined some pair as a third.
    """
    left = np.array([v for v, w in enumerate(mate) if 0 <= v < w], dtype=np.int64)
    right = np.array([mate[v] for v in left.tolist()], dtype=np.int64)
    classes = np.array(index.class_of, dtype=np.int64)
    left_class, right_class = classes[left], classes[right]
    left_sep, right_sep = index.sep[left], index.sep[right]
    leftovers = sorted(
        (index.type_of[x], x)
        for x in range(index.n)
        if mate[x] < 0 and index.compatible_count(index.type_of[x])
    )
    best: tuple[float, int, int, int] | None = None
    could_join: set[int] = set()
    pair_weight: dict[int, float] = {}
    last_type, ok = -1, np.zeros(0, dtype=np.bool_)
    around: list[tuple[int, int]] = []
    for t, x in leftovers if len(left) else ():
        prev = index.prev[x]
        if 8 * index.compatible_count(t) < len(left):
            if t != last_type:  # people of one type fit the same pairs, past partners aside
                around = _pairs_around(index, mate, t)
                last_type = t
            pairs = [(p, q) for p, q in around if p not in prev and q not in prev]
            a = np.array([p for p, _ in pairs], dtype=np.int64)
            b = np.array([q for _, q in pairs], dtype=np.int64)
        else:
            if t != last_type:
                meets = np.zeros(len(index.class_mask), dtype=np.bool_)
                meets[index.overlapping(index.class_of[x])] = True
                sep = index.sep_of[x]
                ok = meets[left_class] & meets[right_class] & (left_sep != sep) & (right_sep != sep)
                last_type = t
            fits = ok
            if prev and ok.any():
                past = np.array(sorted(prev), dtype=np.int64)
                fits = ok & ~np.isin(left, past) & ~np.isin(right, past)
            a, b = left[fits], right[fits]
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
