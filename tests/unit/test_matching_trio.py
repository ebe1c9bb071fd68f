"""The matcher's one group of three: found by rearranging the pairs when it places one
more person, and only then."""

from __future__ import annotations

from core.matching.index import Index
from core.matching.matcher import match
from core.matching.model import Candidate
from core.matching.trio import deep_trio
from tests.unit.matching_people import person


def _by_edges(edges: str) -> list[Candidate]:
    """Build a pool whose feasibility graph has exactly these edges ("ab bc ...")."""
    speaks: dict[str, set[str]] = {}
    for k, edge in enumerate(edges.split()):
        for name in edge:
            speaks.setdefault(name, set()).add(f"l{k}")
    countries = ("FI", "SE", "NO", "DK", "IS", "EE", "LV", "LT", "PL", "DE", "FR")
    return [
        person(name, countries[k], tuple(sorted(langs)))
        for k, (name, langs) in enumerate(sorted(speaks.items()))
    ]


def test_deep_trio_rearranges_pairs_to_place_one_more() -> None:
    """x fits none of the pairs y-a and b-c, but x-y plus the trio a-b-c places all five."""
    pool = [
        person("x", "DE", ("de",)),
        person("y", "AT", ("de", "en")),
        person("a", "FI"),
        person("b", "SE"),
        person("c", "NO"),
    ]
    index = Index(pool)
    x, y, a, b, c = range(5)
    mate = [-1, a, y, c, b]
    trio = deep_trio(index, mate)
    assert trio is not None
    assert sorted(trio) == [a, b, c]
    assert mate[x] == y and mate[y] == x
    third, p, q = trio
    assert mate[third] == -1 and mate[p] == q


def test_no_trio_when_every_triangle_leaves_an_odd_rest() -> None:
    """The only triangle a-b-c would leave p-q-r and s-t-u unpairable: eight placed, no trio."""
    pool = _by_edges("ab bc ca ap pq qr rb bs st tu uc")
    result = match(pool)
    assert result.placed == 8
    assert all(len(g.members) == 2 for g in result.groups)
    index = Index(pool)
    mate = [-1] * len(pool)
    for g in result.groups:
        i, j = (index.position[m] for m in g.members)
        mate[i], mate[j] = j, i
    before = list(mate)
    assert deep_trio(index, mate) is None
    assert mate == before


def test_trio_found_beyond_the_left_overs_of_the_pairs() -> None:
    """A left-over who fits no pair does not stop a trio elsewhere from placing one more."""
    # x speaks only y's language; a, b, c all speak en: whichever pairs come first,
    # five people can be placed (x-y and a-b-c).
    pool = _by_edges("xy ya ab bc ca")
    for seed in range(5):
        result = match(pool, seed=seed)
        assert result.placed == 5
        assert sorted(len(g.members) for g in result.groups) == [2, 3]
