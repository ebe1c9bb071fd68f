"""Properties of the matcher on random pools, checked against networkx."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from itertools import combinations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from core.matching.index import WISH_POINTS, Index
from core.matching.matcher import group_score, match, violations
from core.matching.model import Candidate, Matching
from core.messages.vocab import CAREER_STAGES, SECTORS
from core.model import Wishes

COUNTRIES = ("FI", "SE", "BR", "PT", "US", "JP")
LANGUAGES = ("en", "fi", "sv", "pt", "es", "fr", "de", "ja", "ar", "zh", "sw", "hi")
ZONES = ("Europe/Helsinki", "America/Sao_Paulo", "Asia/Tokyo", "UTC", "Asia/Kolkata")
TAGS = ("advocacy", "spaces", "archives", "metadata")


@st.composite
def pools(draw: st.DrawFn, max_size: int = 30) -> list[Candidate]:
    """Draw a pool: sometimes one country, sometimes many languages, with past partners."""
    n = draw(st.integers(0, max_size))
    countries = draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=6, unique=True))
    languages = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=12, unique=True))
    ids = [f"p{i}" for i in range(n)]
    by_institution = draw(st.booleans()) and draw(st.booleans())
    pool = []
    for i in range(n):
        wishes = Wishes(
            sectors=tuple(draw(st.lists(st.sampled_from(SECTORS[:3]), max_size=1))),
            career_stages=tuple(draw(st.lists(st.sampled_from(CAREER_STAGES), max_size=1))),
            interests=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=1))),
            countries=tuple(draw(st.lists(st.sampled_from(countries), max_size=1))),
        )
        pool.append(
            Candidate(
                id=ids[i],
                country=draw(st.sampled_from(countries)),
                timezone=draw(st.sampled_from(ZONES)),
                languages=draw(st.frozensets(st.sampled_from(languages), min_size=1, max_size=3)),
                sector=draw(st.sampled_from(SECTORS[:3])),
                career_stage=draw(st.sampled_from(CAREER_STAGES)),
                interests=draw(st.frozensets(st.sampled_from(TAGS), max_size=3)),
                wishes=wishes,
                previous_partners=draw(st.frozensets(st.sampled_from(ids), max_size=3))
                if ids
                else frozenset(),
                separation=f"inst{draw(st.integers(0, 3))}" if by_institution else "",
            )
        )
    return pool


def feasible(a: Candidate, b: Candidate) -> bool:
    """Apply hard rules 1-3 to two people, straight from the spec."""
    return (
        (a.separation or a.country) != (b.separation or b.country)
        and bool(a.languages & b.languages)
        and a.id not in b.previous_partners
        and b.id not in a.previous_partners
    )


def most_pairs(pool: list[Candidate]) -> int:
    """Return the size of a maximum-cardinality matching of the feasibility graph."""
    graph = nx.Graph()
    graph.add_nodes_from(range(len(pool)))
    graph.add_edges_from(
        (i, j) for i, j in combinations(range(len(pool)), 2) if feasible(pool[i], pool[j])
    )
    return len(nx.max_weight_matching(graph, maxcardinality=True))


def most_placed(pool: list[Candidate]) -> int:
    """Return the most people placed in pairs and at most one trio, by brute force.

    Every triangle of the feasibility graph is tried as the trio, with a maximum
    matching of the others; no pair structure of core/matching_*.py is assumed.
    """
    graph = nx.Graph()
    graph.add_nodes_from(range(len(pool)))
    graph.add_edges_from(
        (i, j) for i, j in combinations(range(len(pool)), 2) if feasible(pool[i], pool[j])
    )
    pairs = len(nx.max_weight_matching(graph, maxcardinality=True))
    best = 2 * pairs
    for a, b in graph.edges:
        for c in set(graph[a]) & set(graph[b]):
            if c > max(a, b) and best < 2 * pairs + 1:
                rest = graph.subgraph(set(graph) - {a, b, c})
                best = max(best, 3 + 2 * len(nx.max_weight_matching(rest, maxcardinality=True)))
    return best


def check_hard_rules(pool: list[Candidate], result: Matching) -> None:
    by_id = {c.id: c for c in pool}
    seen = [m for g in result.groups for m in g.members] + [u.id for u in result.unplaced]
    assert sorted(seen) == sorted(by_id), "every applicant appears exactly once"
    for g in result.groups:
        assert violations([by_id[m] for m in g.members]) == []
    assert sum(len(g.members) == 3 for g in result.groups) <= 1


@settings(max_examples=200, deadline=None)
@given(pools(), st.integers(0, 3))
def test_hard_rules_hold_and_the_most_people_are_placed(pool: list[Candidate], seed: int) -> None:
    """No hard rule breaks, at most one trio, and the number of groups is maximum."""
    result = match(pool, seed=seed)
    check_hard_rules(pool, result)
    trios = sum(len(g.members) == 3 for g in result.groups)
    assert len(result.groups) == most_pairs(pool)
    assert result.placed == 2 * len(result.groups) + trios


@settings(max_examples=60, deadline=None)
@given(pools(max_size=80), st.integers(0, 3), st.floats(0.5, 0.8))
def test_the_most_are_placed_when_one_country_crowds_the_pool(
    pool: list[Candidate], seed: int, share: float
) -> None:
    """With most of the pool from one country and language, the number of pairs is maximum.

    Most of that country stays unplaced; the pairs that could take two of them are
    broken up for them first (matching_cardinality's short paths).
    """
    crowd = int(share * len(pool))
    pool = [
        replace(c, country="FI", separation="", languages=frozenset({"en"})) if i < crowd else c
        for i, c in enumerate(pool)
    ]
    result = match(pool, seed=seed)
    check_hard_rules(pool, result)
    assert len(result.groups) == most_pairs(pool)


@settings(max_examples=300, deadline=None)
@given(pools(max_size=14), st.integers(0, 3))
def test_the_most_people_are_placed_with_at_most_one_trio(pool: list[Candidate], seed: int) -> None:
    """The number placed equals the exact maximum over pairs and at most one trio."""
    result = match(pool, seed=seed)
    check_hard_rules(pool, result)
    assert result.placed == most_placed(pool)


@settings(max_examples=100, deadline=None)
@given(pools())
def test_a_left_over_who_fits_a_pair_gets_the_trio(pool: list[Candidate]) -> None:
    """When someone left over could join a pair, a group of three is formed."""
    result = match(pool)
    by_id = {c.id: c for c in pool}
    pairs = [g.members for g in result.groups if len(g.members) == 2]
    fits = any(
        feasible(by_id[u.id], by_id[a]) and feasible(by_id[u.id], by_id[b])
        for u in result.unplaced
        for a, b in pairs
    )
    if fits:
        assert any(len(g.members) == 3 for g in result.groups)


@settings(max_examples=100, deadline=None)
@given(pools(max_size=12))
def test_nobody_is_placed_in_a_one_country_pool(pool: list[Candidate]) -> None:
    """With everyone from one country (and no other separation), nobody is grouped."""
    pool = [replace(c, country="FI", separation="") for c in pool]
    result = match(pool)
    assert result.groups == ()
    assert {u.reason for u in result.unplaced} <= {"no applicant from another country"}


@settings(max_examples=50, deadline=None)
@given(pools(), st.integers(0, 5))
def test_same_seed_same_matching(pool: list[Candidate], seed: int) -> None:
    """The same pool and seed always give the same matching."""
    assert match(pool, seed=seed) == match(pool, seed=seed)


@settings(max_examples=100, deadline=None)
@given(pools(max_size=12))
def test_internal_pair_scores_agree_with_group_score(pool: list[Candidate]) -> None:
    """The matcher optimises exactly the score that group_score reports."""
    index = Index(pool)
    for i, j in combinations(range(len(pool)), 2):
        expected = group_score([pool[i], pool[j]])[0]
        assert round(index.weight(i, j), 2) == expected
        assert round(index.group_weight((i, j)), 2) == expected
    for trio in list(combinations(range(len(pool)), 3))[:20]:
        assert round(index.group_weight(trio), 2) == group_score([pool[k] for k in trio])[0]


def exact_pairs(pool: list[Candidate], index: Index) -> set[tuple[int, int]]:
    """Return an exact maximum-weight maximum-cardinality matching (pair scores x 100)."""
    graph = nx.Graph()
    graph.add_nodes_from(range(len(pool)))
    for i, j in combinations(range(len(pool)), 2):
        if feasible(pool[i], pool[j]):
            graph.add_edge(i, j, weight=round(index.weight(i, j) * 100))
    return nx.max_weight_matching(graph, maxcardinality=True)


@settings(max_examples=200, deadline=None)
@given(pools(), st.integers(0, 3))
def test_pairs_share_nearly_as_much_as_an_exact_maximum_weight_matching(
    pool: list[Candidate], seed: int
) -> None:
    """With as many wishes met as the exact optimum, interests and hours reach 90% of it."""
    result = match(pool, seed=seed)
    if any(len(g.members) == 3 for g in result.groups):
        return  # a trio is scored as a group, not comparable pair by pair
    index = Index(pool)
    at = {c.id: k for k, c in enumerate(pool)}
    ours = [(at[g.members[0]], at[g.members[1]]) for g in result.groups]
    best = exact_pairs(pool, index)

    def wishes(pairs: Iterable[tuple[int, int]]) -> int:
        return sum(index.satisfies(a, b) + index.satisfies(b, a) for a, b in pairs)

    def rest(pairs: Iterable[tuple[int, int]]) -> float:
        return sum(index.weight(a, b) for a, b in pairs) - WISH_POINTS * wishes(pairs)

    assert len(ours) == len(best)
    assert wishes(ours) >= wishes(best) - 1
    if wishes(ours) == wishes(best):
        assert rest(ours) >= 0.9 * rest(best) - 1e-6
