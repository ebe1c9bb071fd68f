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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.matching_reference import (
    Reference,
    check,
    exact,
    pair_bound,
    pair_quality,
    satisfiable,
    satisfied_share,
)
from core.matching.matcher import group_score, match
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
