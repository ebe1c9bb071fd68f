"""The country cap's limit: the largest round in which no country passes the cap."""

from __future__ import annotations

from collections import Counter
from itertools import product

from hypothesis import given
from hypothesis import strategies as st

from core.matching.service import cap_limit


def brute_force(counts: dict[str, int], cap: float) -> int:
    """Return the size of the largest sub-round keeping the cap, trying every choice."""
    best = 0
    for ks in product(*(range(n + 1) for n in counts.values())):
        total = sum(ks)
        if total and max(ks) <= cap * total + 1e-9:
            best = max(best, total)
    return best


@given(
    st.lists(st.integers(1, 6), min_size=1, max_size=5),
    st.sampled_from([0.2, 0.25, 0.34, 0.5]),
)
def test_cap_limit_gives_the_largest_round_that_keeps_the_cap(ns: list[int], cap: float) -> None:
    """min(n, L) from each country is as large as any round that keeps the cap."""
    counts = {f"c{i}": n for i, n in enumerate(ns)}
    limit = cap_limit(counts, cap)
    total = sum(min(n, limit) for n in counts.values())
    assert total == brute_force(counts, cap)
    if limit:
        assert limit <= cap * total + 1e-9


def test_the_old_check_that_gave_28_6_percent() -> None:
    """10 from one country, one from each of ten others: 2 of 12, not 4 of 14."""
    counts = Counter({"FI": 10, **{f"X{i}": 1 for i in range(10)}})
    assert cap_limit(counts, 0.2) == 2


def test_fewer_countries_than_the_cap_allows_admit_nobody() -> None:
    """With four countries a 20% cap cannot hold for any round: the limit is 0."""
    assert cap_limit({"FI": 5, "SE": 5, "NO": 5, "DK": 5}, 0.2) == 0
