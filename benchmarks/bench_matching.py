"""Benchmark core.matching.matcher.match on synthetic pools: speed, memory, cardinality, wishes.

Usage: python benchmarks/bench_matching.py [--sizes 1162,20000] [--seed N] [--skip-exact]
       [--shapes one-country,few-interests,many-wishes]

For each size it prints the wall time of match(), its peak memory, the number of
people placed against the maximum, the share of applicants with wishes whose
partner meets one of them, and per pair the mean shared interests and common
working hours, compared with a reference (the same pair scores: wishes 100 each,
10 per shared interest, 1 per common working hour, placement first):

- up to EXACT_LIMIT people: an exact maximum-weight maximum-cardinality matching
  (rustworkx.max_weight_matching over every feasible pair, same pair scores);
- above: exact matching is out of reach (about 10^8 feasible pairs at 20,000), so
  (a) pairs are compared with Tutte-Berge upper bounds (components rounded down to
  even, and with a barrier set that isolates crowded country-language groups);
  (b) the wish share is compared with an upper bound, the share of wishers who
  have at least one feasible partner meeting a wish, and (c) on SUBPOOLS random
  sub-pools of 1,162 people of the big pool, with the exact matching.

The feasibility and scores used as references are computed here, independently of
core/matching_*.py, from the rules of ../shared/specs/applicants-csv.md.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import rustworkx as rx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.matching.index import REFERENCE_DATES, workday_start
from core.matching.matcher import group_score, is_satisfied, match, violations
from core.matching.model import Candidate, Matching
from core.matching.synthetic import generate_pool

EXACT_LIMIT = 2500
SUBPOOLS = 2
SUBPOOL_SIZE = 1162
SHAPES_SIZE = 1000


def candidates_for(n: int, seed: int) -> list[Candidate]:
    """Return a synthetic pool of n candidates."""
    return [
        Candidate.from_profile(r.id, r.profile, previous_partners=r.previous_partners)
        for r in generate_pool(n, seed=seed)
    ]


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


def timed_match(
    people: Sequence[Candidate], seed: int
) -> tuple[Matching, float, float, float, float]:
    """Run match() for wall and CPU time and max RSS, then under tracemalloc for its peak."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    result = match(people, seed=seed)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gc.collect()
    tracemalloc.start()
    match(people, seed=seed)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, cpu, peak, rss


def pct(a: int, b: int) -> str:
    return f"{a}/{b} = {100 * a / b:.2f}%" if b else "n/a"


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


def compare_with_exact(people: Sequence[Candidate], result: Matching, label: str) -> None:
    """Print placed, wishes met, shared interests and hours against an exact matching."""
    ref = Reference(people)
    groups = check(people, result)
    met, wishers = satisfied_share(people, groups)
    pairs, best, secs = exact(ref)
    left = set(range(ref.n)) - {v for p in best for v in p}
    joinable = any(ref.feasible_row(x, np.array(p)).all() for x in left for p in best)
    emet, _ = satisfied_share(people, best)
    (shared, hours), (eshared, ehours) = pair_quality(ref, groups), pair_quality(ref, best)
    print(
        f"{label}: per pair (groups of two) shared interests ours {shared:.3f}, exact "
        f"{eshared:.3f} ({100 * shared / eshared if eshared else 100:.0f}%); common working "
        f"hours ours {hours:.2f}, exact {ehours:.2f}"
    )
    print(
        f"{label}: exact matching (rustworkx, {secs:.0f} s): {pairs} pairs, {2 * pairs} placed"
        f"{' (a left-over also fits one of its pairs)' if joinable else ''}; ours: "
        f"{len(groups)} groups, {result.placed} placed. Wishers satisfied: ours "
        f"{pct(met, wishers)}, exact {pct(emet, wishers)}, ours - exact = "
        f"{100 * (met - emet) / wishers:+.2f} points"
    )


def shaped(people: list[Candidate], shape: str, seed: int) -> list[Candidate]:
    """Return the pool reshaped: 60% from one country, few interests, or many wishes."""
    rng = np.random.default_rng(seed)
    if shape == "one-country":
        return [
            replace(
                c,
                country="US",
                separation="US",
                timezone="America/New_York",
                languages=frozenset({"en"}),
            )
            if rng.random() < 0.6
            else c
            for c in people
        ]
    if shape == "few-interests":
        tags = sorted({t for c in people for t in c.interests})[:4]
        return [replace(c, interests=c.interests & frozenset(tags)) for c in people]
    if shape == "many-wishes":
        wishes = [c.wishes for c in people if c.wishes]
        return [
            c if c.wishes else replace(c, wishes=wishes[int(rng.integers(len(wishes)))])
            for c in people
        ]
    return people


def run(n: int, seed: int, skip_exact: bool, shape: str = "") -> None:
    people = shaped(candidates_for(n, seed), shape, seed)
    result, seconds, cpu, peak, rss = timed_match(people, seed)
    groups = check(people, result)
    trios = sum(len(g) == 3 for g in groups)
    met, wishers = satisfied_share(people, groups)
    print(
        f"\n== {n} applicants{f' ({shape})' if shape else ''} (pool seed {seed}, "
        f"{len({c.country for c in people})} countries)"
    )
    print(
        f"match(): {seconds:.3f} s wall ({cpu:.3f} s CPU); peak memory {peak:.0f} MB "
        f"(tracemalloc), process max RSS {rss:.0f} MB (pool included)"
    )
    print(
        f"groups: {len(groups)} ({trios} of three), placed {result.placed}, "
        f"unplaced {len(result.unplaced)}; hard rules hold in every group"
    )
    print(f"wishers satisfied: {pct(met, wishers)}")
    ref = Reference(people)
    sample = np.arange(min(n, 200))
    differ = 0
    for i in sample.tolist():
        row = sample[ref.feasible_row(i, sample)][:5]
        for j, w in zip(row.tolist(), ref.weight_row(i, row).tolist(), strict=True):
            differ += abs(group_score([people[i], people[j]])[0] - round(w, 2)) > 1e-6
    print(f"reference pair scores equal group_score on a sample: {'yes' if not differ else 'NO'}")
    if skip_exact:
        return
    if n <= EXACT_LIMIT:
        compare_with_exact(people, result, "whole pool")
        return
    by_components, by_barrier = pair_bound(ref)
    bound = min(by_components, by_barrier)
    print(
        f"pairs {len(groups)} vs upper bound {bound} (Tutte-Berge: components rounded down "
        f"{by_components}, with a barrier {by_barrier}); placed {result.placed} vs <= "
        f"{2 * bound + 1}"
    )
    possible = satisfiable(ref)
    print(
        f"wishers with a feasible partner meeting a wish (upper bound): {pct(possible, wishers)}; "
        f"ours - bound = {100 * (met - possible) / wishers:+.2f} points"
    )
    rng = np.random.default_rng(seed)
    for k in range(SUBPOOLS):
        pick = np.sort(rng.choice(n, size=SUBPOOL_SIZE, replace=False))
        sub = [people[i] for i in pick.tolist()]
        compare_with_exact(sub, match(sub, seed=seed), f"random sub-pool {k + 1} of {SUBPOOL_SIZE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1162,20000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-exact", action="store_true")
    parser.add_argument(
        "--shapes",
        default="",
        help="also run pools of SHAPES_SIZE shaped so: one-country,few-interests,many-wishes",
    )
    args = parser.parse_args()
    print(__doc__.split("\n\n")[1])
    for size in (int(s) for s in args.sizes.split(",")):
        run(size, args.seed, args.skip_exact)
    for shape in filter(None, args.shapes.split(",")):
        run(SHAPES_SIZE, args.seed, args.skip_exact, shape)


if __name__ == "__main__":
    main()
