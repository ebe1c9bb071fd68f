"""The score-raising search follows alternating paths that only gain at their far end.

Found by the property test against an exact maximum-weight matching: with as many
placed and as many wishes met, a path from an unplaced person may first break even
(take someone whose partner was as good) or first lose (take someone out of a
wish-meeting pair that is rebuilt further on) before it gains.
"""

from __future__ import annotations

from core.matching.matcher import match
from core.model import Wishes
from tests.unit.matching_people import groups_of, person


def test_a_path_that_first_breaks_even_is_taken() -> None:
    """p1 takes p2 from p3 (a wish met either way), so p3 can join p4, who shares advocacy."""
    pool = [
        person("p0", "FI", separation="inst0"),
        person("p1", "FI", separation="inst0"),
        person("p2", "FI", separation="inst1", wishes=Wishes(countries=("FI",)), previous=("p0",)),
        person("p3", "FI", separation="inst0", interests=("advocacy",)),
        person("p4", "FI", separation="inst1", interests=("advocacy",)),
    ]
    for seed in range(4):
        assert groups_of(match(pool, seed=seed)) == {
            frozenset({"p1", "p2"}),
            frozenset({"p3", "p4"}),
        }


def test_a_path_that_first_loses_is_taken_from_its_other_end() -> None:
    """p8 meets p10's wish as p3 did, which frees p3 for p7, who shares advocacy."""
    fi = [person(f"p{k}", "FI") for k in (0, 1, 2, 4, 5, 6, 9)]
    pool = [
        *fi,
        person("p3", "SE", stage="early", interests=("advocacy",)),
        person("p7", "FI", interests=("advocacy",)),
        person("p8", "SE", stage="early"),
        person("p10", "FI", wishes=Wishes(career_stages=("early",))),
    ]
    for seed in range(4):
        groups = groups_of(match(pool, seed=seed))
        assert frozenset({"p3", "p7"}) in groups
        assert frozenset({"p8", "p10"}) in groups
