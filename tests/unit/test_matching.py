"""Behaviour of the matcher: the hard rules, who is left unplaced and why, the soft goals,
and deterministic runs (scores: test_matching_scores; the trio: test_matching_trio)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.matching.matcher import is_satisfied, match
from core.model import Wishes
from tests.unit.matching_people import groups_of, person, reasons_of, sample_pool

ROOT = Path(__file__).resolve().parents[2]


# --- hard rules ----------------------------------------------------------------------


def test_pairs_people_from_different_countries() -> None:
    """Two Finns and two Swedes make two Finnish-Swedish pairs."""
    pool = [person("fi1", "FI"), person("fi2", "FI"), person("se1", "SE"), person("se2", "SE")]
    result = match(pool)
    assert len(result.groups) == 2
    for group in result.groups:
        assert {m[:2] for m in group.members} == {"fi", "se"}


def test_partners_share_a_language() -> None:
    """People are paired with someone they can talk to."""
    pool = [
        person("a", "FI", ("fi",)),
        person("b", "US", ("en",)),
        person("c", "SE", ("sv", "fi")),
        person("d", "GB", ("en",)),
    ]
    assert groups_of(match(pool)) == {frozenset({"a", "c"}), frozenset({"b", "d"})}


def test_never_pairs_previous_partners() -> None:
    """Earlier partners are kept apart, whichever of the two listed the other."""
    pool = [
        person("a", "FI"),
        person("b", "SE", previous=("a",)),
        person("c", "NO"),
        person("d", "DK", previous=("c",)),
    ]
    groups = groups_of(match(pool))
    assert len(groups) == 2  # everyone placed: a-c with b-d, or a-d with b-c
    assert frozenset({"a", "b"}) not in groups and frozenset({"c", "d"}) not in groups


def test_separation_value_replaces_country() -> None:
    """Under an institution rule, colleagues are kept apart even within one country."""
    pool = [
        person("a", "FI", separation="uni helsinki"),
        person("b", "FI", separation="uni helsinki"),
        person("c", "FI", separation="city library"),
        person("d", "FI", separation="city library"),
    ]
    for group in match(pool).groups:
        assert {m in ("a", "b") for m in group.members} == {True, False}


def test_odd_pool_gets_one_group_of_three() -> None:
    """Three people from three countries become one trio rather than a pair and a loner."""
    pool = [person("a", "FI"), person("b", "SE"), person("c", "NO")]
    result = match(pool)
    assert result.placed == 3
    assert [len(g.members) for g in result.groups] == [3]
    assert result.unplaced == ()


def test_at_most_one_group_of_three() -> None:
    """Two clusters that could each absorb an odd one out still get a single trio."""
    pool = [
        person("en1", "FI", ("en",)),
        person("en2", "SE", ("en",)),
        person("en3", "NO", ("en",)),
        person("es1", "ES", ("es",)),
        person("es2", "MX", ("es",)),
        person("es3", "AR", ("es",)),
    ]
    result = match(pool)
    assert sorted(len(g.members) for g in result.groups) == [2, 3]
    (left,) = result.unplaced
    assert "the one group of three went to" in left.reason


def test_everyone_placeable_is_placed_before_wishes() -> None:
    """A wish never costs a pair: the school librarian goes to the only Swedish speaker."""
    pool = [
        person("a", "FI", ("en",), wishes=Wishes(sectors=("school",))),
        person("b", "SE", ("en", "sv"), sector="school"),
        person("c", "NO", ("sv",)),
        person("d", "DK", ("en",)),
    ]
    for seed in range(5):
        assert groups_of(match(pool, seed=seed)) == {frozenset("bc"), frozenset("ad")}


# --- unplaced and why ----------------------------------------------------------------


def test_single_language_person_alone_in_their_language_is_unplaced() -> None:
    """A Finnish-only speaker among English speakers gets a reason naming the language."""
    pool = [person("fi", "FI", ("fi",)), person("a", "US"), person("b", "GB")]
    result = match(pool)
    assert reasons_of(result) == {
        "fi": "nobody in another country shares a language with them (fi)"
    }


def test_everyone_from_one_country_is_unplaced() -> None:
    """Nobody can be paired when everyone comes from the same country."""
    pool = [person(f"p{i}", "AU") for i in range(4)]
    result = match(pool)
    assert result.groups == ()
    assert set(reasons_of(result).values()) == {"no applicant from another country"}


def test_previous_partners_only_are_unplaced() -> None:
    """Two people who were partners before are not paired again."""
    pool = [person("a", "FI"), person("b", "SE", previous=("a",))]
    result = match(pool)
    assert reasons_of(result) == {
        "a": "everyone compatible was a previous partner",
        "b": "everyone compatible was a previous partner",
    }


def test_unplaced_when_compatible_people_are_taken() -> None:
    """Three Americans and one Briton: two Americans wait, and the reason says why."""
    pool = [person("us1", "US"), person("us2", "US"), person("us3", "US"), person("gb", "GB")]
    result = match(pool)
    assert len(result.groups) == 1
    reasons = reasons_of(result)
    assert len(reasons) == 2
    assert set(reasons.values()) == {"the only compatible applicant was needed in another pair"}


def test_reasons_contain_no_semicolon() -> None:
    """Reasons go into a ';'-separated cell, so they never contain one."""
    pool = [
        person("a;1", "FI", interests=("x",)),
        person("b;2", "SE", interests=("x",), wishes=Wishes(countries=("FI",))),
        person("c;3", "SE", ("sv",)),
    ]
    result = match(pool)
    texts = [r for g in result.groups for r in g.reasons] + [u.reason for u in result.unplaced]
    assert texts and all(";" not in t for t in texts)


# --- soft goals ----------------------------------------------------------------------


def test_wishes_are_preferred() -> None:
    """A librarian wishing for a school librarian gets the one school librarian."""
    pool = [
        person("a", "FI", wishes=Wishes(sectors=("school",))),
        person("b", "SE", sector="academic"),
        person("c", "NO", sector="academic"),
        person("d", "DK", sector="school"),
    ]
    for seed in range(10):
        assert frozenset({"a", "d"}) in groups_of(match(pool, seed=seed))


def test_mutual_wishes_beat_one_sided_ones() -> None:
    """Two people whose wishes are met by each other are paired together."""
    pool = [
        person("a", "FI", stage="early", wishes=Wishes(career_stages=("senior",))),
        person("b", "SE", stage="senior", wishes=Wishes(career_stages=("early",))),
        person("c", "NO", stage="senior"),
        person("d", "DK", stage="early"),
    ]
    for seed in range(10):
        assert frozenset({"a", "b"}) in groups_of(match(pool, seed=seed))


def test_shared_interests_then_hours_break_ties() -> None:
    """Without wishes, shared interests decide, and then overlapping working days."""
    pool = [
        person("a", "FI", interests=("archives", "spaces"), timezone="Europe/Helsinki"),
        person("b", "JP", interests=("archives", "spaces"), timezone="Asia/Tokyo"),
        person("c", "SE", timezone="Europe/Stockholm"),
        person("d", "NZ", timezone="Pacific/Auckland"),
    ]
    assert groups_of(match(pool)) == {frozenset({"a", "b"}), frozenset({"c", "d"})}
    pool = [
        person("a", "FI", timezone="Europe/Helsinki"),
        person("b", "JP", timezone="Asia/Tokyo"),
        person("c", "SE", timezone="Europe/Stockholm"),
        person("d", "KR", timezone="Asia/Seoul"),
    ]
    assert groups_of(match(pool)) == {frozenset({"a", "c"}), frozenset({"b", "d"})}


def test_is_satisfied_needs_a_wish_and_a_partner_meeting_it() -> None:
    """Any one wish met satisfies; no wish at all never counts as satisfied."""
    wisher = person("a", "FI", wishes=Wishes(sectors=("school",), countries=("BR",)))
    assert is_satisfied(wisher, [person("b", "BR")])
    assert is_satisfied(wisher, [person("b", "US"), person("c", "SE", sector="school")])
    assert not is_satisfied(wisher, [person("b", "US")])
    assert not is_satisfied(person("z", "FI"), [person("b", "BR")])


# --- determinism ---------------------------------------------------------------------


def test_same_input_and_seed_give_the_same_matching() -> None:
    """Running twice with the same seed gives identical groups, scores and reasons."""
    pool = sample_pool()
    assert match(pool, seed=3) == match(pool, seed=3)


def test_result_does_not_depend_on_hash_randomisation() -> None:
    """Two interpreters with different PYTHONHASHSEED produce the same matching."""
    script = (
        "import json\n"
        "from tests.unit.matching_people import sample_pool\n"
        "from core.matching.matcher import match\n"
        "m = match(sample_pool(), seed=1)\n"
        "print(json.dumps([[list(g.members), g.score, list(g.reasons)] for g in m.groups]"
        " + [[u.id, u.reason] for u in m.unplaced]))\n"
    )
    outputs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]


def test_progress_is_reported_up_to_the_total() -> None:
    """The progress callback counts up to its total."""
    calls: list[tuple[int, int]] = []
    match(sample_pool(20), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1][0] == calls[-1][1]
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_duplicate_ids_are_refused() -> None:
    """Ids must be unique."""
    with pytest.raises(ValueError, match="appears twice"):
        match([person("a", "FI"), person("a", "SE")])
