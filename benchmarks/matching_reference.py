"""What bench_matching compares the matcher with, computed here from the rules of
../shared/specs/applicants-csv.md and independently of core/matching: feasibility and
pair scores (Reference), the hard rules checked on a result, an exact maximum-weight
matching (rustworkx), Tutte-Berge upper bounds on the pairs, the share of wishers who
could be satisfied at all, and per-pair shared interests and common hours."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import rustworkx as rx

from core.matching.index import REFERENCE_DATES, workday_start
from core.matching.matcher import is_satisfied, violations
from core.matching.model import Candidate, Matching


class Reference:
    """Feasibility and pair scores for a pool, straight from the spec."""

    def __init__(self, people: Sequence[Candidate]) -> None:
        self.people = people
        self.n = n = len(people)
        langs = sorted({x for c in people for x in c.languages})
        tags = sorted({x for c in people for x in c.interests})
        self.lang = np.array(
            [[x in c.languages for x in langs] for c in people], dtype=bool
        ).reshape(n, len(langs))
        self.tags = np.array(
            [[x in c.interests for x in tags] for c in people], dtype=bool
        ).reshape(n, len(tags))
        countries = {code: i for i, code in enumerate(sorted({c.country for c in people}))}
        self.country = np.array([countries[c.country] for c in people])
        position = {c.id: i for i, c in enumerate(people)}
        self.past = [set() for _ in people]
        for i, c in enumerate(people):
            for other in c.previous_partners:
                if other in position:
                    self.past[i].add(position[other])
                    self.past[position[other]].add(i)
        self.start = np.array(
            [[workday_start(c.timezone, d) for d in REFERENCE_DATES] for c in people]
        )
        # What each person offers against each kind of wish, as small integer codes.
        self.sector = [c.sector for c in people]
        self.stage = [c.career_stage for c in people]

    def meets(self, i: int, js: np.ndarray) -> np.ndarray:
        """Tell for each j in js whether j meets one of i's wishes."""
        w = self.people[i].wishes
        out = np.zeros(len(js), dtype=bool)
        if not w:
            return out
        ppl = self.people
        for k, j in enumerate(js.tolist()):
            p = ppl[j]
            out[k] = (
                p.sector in w.sectors
                or p.career_stage in w.career_stages
                or p.country in w.countries
                or any(t in p.interests for t in w.interests)
            )
        return out

    def feasible_row(self, i: int, js: np.ndarray, *, past: bool = True) -> np.ndarray:
        """Tell for each j in js whether i and j may be paired (past partners aside if asked)."""
        ok = (self.country[js] != self.country[i]) & (self.lang[js] & self.lang[i]).any(axis=1)
        ok &= js != i
        if past and self.past[i]:
            ok &= ~np.isin(js, list(self.past[i]))
        return ok

    def weight_row(self, i: int, js: np.ndarray) -> np.ndarray:
        """Return the pair score of i with each j in js."""
        met = self.meets(i, js).astype(float) + np.array(
            [self.meets(j, np.array([i]))[0] for j in js.tolist()], dtype=float
        )
        shared = (self.tags[js] & self.tags[i]).sum(axis=1)
        d = np.abs(self.start[js] - self.start[i])
        hours = np.maximum(0.0, 8.0 - np.minimum(d, 24.0 - d)).mean(axis=1)
        return 100.0 * met + 10.0 * np.minimum(shared, 5) + hours


def satisfied_share(
    people: Sequence[Candidate], groups: Sequence[Sequence[int]]
) -> tuple[int, int]:
    """Return (wishers satisfied, wishers) for groups given as positions."""
    wishers = sum(1 for c in people if c.wishes)
    met = 0
    for g in groups:
        members = [people[p] for p in g]
        for m in members:
            if m.wishes and is_satisfied(m, [o for o in members if o is not m]):
                met += 1
    return met, wishers


def check(people: Sequence[Candidate], result: Matching) -> list[tuple[int, ...]]:
    """Assert the hard rules and return the groups as positions."""
    position = {c.id: i for i, c in enumerate(people)}
    seen = [m for g in result.groups for m in g.members] + [u.id for u in result.unplaced]
    assert sorted(seen) == sorted(c.id for c in people), "every id exactly once"
    assert sum(len(g.members) == 3 for g in result.groups) <= 1, "at most one trio"
    groups = []
    for g in result.groups:
        members = [people[position[m]] for m in g.members]
        assert not violations(members), violations(members)
        groups.append(tuple(position[m] for m in g.members))
    return groups


def exact(ref: Reference) -> tuple[int, list[tuple[int, int]], float]:
    """Return (max cardinality, max-weight max-cardinality pairs, seconds)."""
    started = time.perf_counter()
    graph = rx.PyGraph()
    graph.add_nodes_from(range(ref.n))
    all_js = np.arange(ref.n)
    for i in range(ref.n):
        js = all_js[i + 1 :]
        js = js[ref.feasible_row(i, js)]
        if len(js):
            weights = np.rint(ref.weight_row(i, js) * 1000).astype(np.int64)
            graph.add_edges_from(
                list(zip([i] * len(js), js.tolist(), weights.tolist(), strict=True))
            )
    pairs = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=lambda w: int(w))
    return len(pairs), sorted(pairs), time.perf_counter() - started


def pair_bound(ref: Reference) -> tuple[int, int]:
    """Return two upper bounds on the number of pairs, from the Tutte-Berge formula.

    nu(G) <= (n + |S| - odd(G - S)) / 2 for any set S, where odd() counts the odd
    components. With S empty this is "each component, rounded down to even"; the
    second bound takes S = everyone who could meet a "crowded" type (a country and
    language set with more members than possible partners), which leaves each member
    of such a type alone. Past partners are ignored, which only raises the bounds.
    """
    n = ref.n
    members: dict[tuple[int, bytes], list[int]] = {}
    for i in range(n):
        members.setdefault((int(ref.country[i]), ref.lang[i].tobytes()), []).append(i)
    groups = list(members.values())
    reps = np.array([g[0] for g in groups])
    everyone = np.arange(n)
    meets = np.array([ref.feasible_row(g[0], reps, past=False) for g in groups])
    crowded = np.zeros(n, dtype=bool)
    for g in groups:
        row = ref.feasible_row(g[0], everyone, past=False)
        if len(g) > row.sum():
            crowded |= row

    def bound(removed: np.ndarray) -> int:
        parent = list(range(n))

        def find(v: int) -> int:
            while parent[v] != v:
                parent[v] = parent[parent[v]]
                v = parent[v]
            return v

        alive = [[v for v in g if not removed[v]] for g in groups]
        for t, group in enumerate(alive):
            for u in np.flatnonzero(meets[t]).tolist():
                if group and alive[u]:
                    # Every live member of t meets every live member of u.
                    for v in group:
                        a, b = find(v), find(alive[u][0])
                        if a != b:
                            parent[a] = b
        sizes: dict[int, int] = {}
        for v in range(n):
            if not removed[v]:
                sizes[find(v)] = sizes.get(find(v), 0) + 1
        odd = sum(size % 2 for size in sizes.values())
        return (n + int(removed.sum()) - odd) // 2

    return bound(np.zeros(n, dtype=bool)), bound(crowded)


def satisfiable(ref: Reference, block: int = 256) -> int:
    """Count wishers with at least one feasible partner who meets one of their wishes."""
    people = ref.people
    # Vectorise "j meets i's wish" with token masks.
    tokens: dict[str, int] = {}
    for c in people:
        w = c.wishes
        for t in (
            [f"s{x}" for x in w.sectors]
            + [f"c{x}" for x in w.career_stages]
            + [f"n{x}" for x in w.countries]
            + [f"i{x}" for x in w.interests]
        ):
            tokens.setdefault(t, len(tokens))
    offer = np.zeros((ref.n, max(1, len(tokens))), dtype=bool)
    wish = np.zeros_like(offer)
    for i, c in enumerate(people):
        for t in [f"s{c.sector}", f"c{c.career_stage}", f"n{c.country}"] + [
            f"i{x}" for x in c.interests
        ]:
            if t in tokens:
                offer[i, tokens[t]] = True
        w = c.wishes
        for t in (
            [f"s{x}" for x in w.sectors]
            + [f"c{x}" for x in w.career_stages]
            + [f"n{x}" for x in w.countries]
            + [f"i{x}" for x in w.interests]
        ):
            wish[i, tokens[t]] = True
    wishers = np.flatnonzero(wish.any(axis=1))
    offer_f = offer.astype(np.float32)
    count = 0
    for s in range(0, len(wishers), block):
        rows = wishers[s : s + block]
        meets = (wish[rows].astype(np.float32) @ offer_f.T) > 0
        feasible = (ref.country[rows, None] != ref.country[None, :]) & (
            (ref.lang[rows].astype(np.float32) @ ref.lang.astype(np.float32).T) > 0
        )
        both = meets & feasible
        for k, i in enumerate(rows.tolist()):
            if ref.past[i]:
                both[k, list(ref.past[i])] = False
        count += int(both.any(axis=1).sum())
    return count


def pair_quality(ref: Reference, groups: Sequence[Sequence[int]]) -> tuple[float, float]:
    """Return the mean shared interests and mean common working hours over the groups' pairs."""
    shared, hours, count = 0, 0.0, 0
    for g in groups:
        for a, b in ((g[0], g[1]),) if len(g) == 2 else ():
            shared += int((ref.tags[a] & ref.tags[b]).sum())
            d = np.abs(ref.start[a] - ref.start[b])
            hours += float(np.maximum(0.0, 8.0 - np.minimum(d, 24.0 - d)).mean())
            count += 1
    return (shared / count, hours / count) if count else (0.0, 0.0)
