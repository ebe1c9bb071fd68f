"""Raising the pair score after placement (swaps, cycles) and the shifted trio."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.matching.candidates import candidate_edges, greedy
from core.matching.cardinality import maximise
from core.matching.cycles import improve_weight
from core.matching.index import Index
from core.matching.model import Candidate
from core.matching.swaps import swap_pairs
from core.matching.trio import deep_trio
from tests.unit.test_matching_properties import pools


def total(index: Index, mate: list[int]) -> float:
    return sum(index.weight(v, w) for v, w in enumerate(mate) if 0 <= v < w)


def check_matching(index: Index, mate: list[int]) -> None:
    for v, w in enumerate(mate):
        if w >= 0:
            assert mate[w] == v
            assert index.feasible(v, w)


@settings(max_examples=150, deadline=None)
@given(pools(), st.integers(0, 3), st.booleans(), st.data())
def test_raising_the_score_keeps_the_rules_the_number_placed_and_who_is_fixed(
    pool: list[Candidate], seed: int, cycles: bool, data: st.DataObject
) -> None:
    """Swaps and cycles place as many, never lower the total score, and leave *fixed* alone."""
    index = Index(pool)
    rng = np.random.default_rng(seed)
    edges = candidate_edges(index, rng)
    mate = greedy(index, edges, rng)
    maximise(index, mate)
    placed = sum(m >= 0 for m in mate)
    before = total(index, mate)
    pairs = [(v, w) for v, w in enumerate(mate) if 0 <= v < w]
    alone = [v for v, w in enumerate(mate) if w < 0]
    fixed: list[int] = []
    if pairs and data.draw(st.booleans()):
        fixed.append(data.draw(st.sampled_from(pairs))[data.draw(st.integers(0, 1))])
    if alone and data.draw(st.booleans()):
        fixed.append(data.draw(st.sampled_from(alone)))
    kept = {v: mate[v] for v in fixed}
    if cycles:
        improve_weight(index, edges, mate, rng, fixed)
    else:
        swap_pairs(index, edges, mate, fixed=fixed)
    check_matching(index, mate)
    assert sum(m >= 0 for m in mate) == placed
    assert total(index, mate) >= before - 1e-6
    assert {v: mate[v] for v in fixed} == kept


def person(id: str, country: str, *languages: str) -> Candidate:
    return Candidate(
        id=id,
        country=country,
        timezone="UTC",
        languages=frozenset(languages),
        sector="libraries",
        career_stage="early",
    )


def test_a_left_over_takes_a_place_and_the_one_displaced_joins_a_pair() -> None:
    """x fits no pair, but takes c's place beside d, and c joins (a, b): five placed."""
    pool = [
        person("x", "FI", "fi"),
        person("d", "SE", "fi", "en"),
        person("c", "BR", "en"),
        person("a", "US", "en"),
        person("b", "JP", "en"),
    ]
    index = Index(pool)
    x, d, c, a, b = range(5)
    mate = [-1, c, d, b, a]
    trio = deep_trio(index, mate)
    assert trio is not None
    third, p, q = trio
    check_matching(index, mate)
    assert mate[third] == -1 and mate[p] == q
    assert all(index.feasible(third, m) for m in (p, q))
    assert sum(m >= 0 for m in mate) + 1 == 5
    assert mate[x] == d
