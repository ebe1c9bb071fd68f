"""The matcher's judgement of one group: violations() names each broken hard rule, and
group_score() gives the points and the reasons; a candidate's separation value follows
the pairing rule."""

from __future__ import annotations

from datetime import date

from core.matching.explanations import Reason, listed
from core.matching.matcher import group_score, match, violations
from core.matching.model import Candidate
from core.model import PairingRule, Profile, Wishes
from tests.unit.matching_people import person, sample_pool


def test_violations_name_each_broken_rule() -> None:
    """Each broken hard rule is reported in words."""
    a = person("a", "FI", ("fi",))
    b = person("b", "FI", ("sv",), previous=("a",))
    assert violations([a, b]) == [
        "a and b are both from Finland",
        "a and b share no language (a: fi, b: sv)",
        "a and b were partners before",
    ]
    assert violations([a, person("c", "SE", ("fi",))]) == []


def test_violations_of_group_size_and_repeated_members() -> None:
    """A group has two or three different people."""
    a, b, c, d = (person(x, cc) for x, cc in zip("abcd", ("FI", "SE", "NO", "DK"), strict=True))
    assert violations([a]) == [
        "a group needs two members (three only to absorb an odd one out), not 1"
    ]
    assert violations([a, b, c]) == []
    assert "a group needs two members" in violations([a, b, c, d])[0]
    assert "a appears more than once" in violations([a, a, b])


def test_violations_under_an_institution_rule() -> None:
    """Colleagues from the same institution are reported as such."""
    a = person("a", "FI", separation="uni helsinki")
    b = person("b", "FI", separation="uni helsinki")
    assert violations([a, b]) == [
        "a and b are both from the same institution or region (uni helsinki)"
    ]


def test_group_score_gives_reasons_and_points() -> None:
    """Wishes met, shared interests, languages and hours appear in score and reasons."""
    a = person(
        "a17",
        "FI",
        ("en", "fi"),
        timezone="Europe/Helsinki",
        interests=("advocacy", "spaces", "metadata"),
        wishes=Wishes(sectors=("academic",)),
    )
    b = person(
        "b2",
        "SE",
        ("en", "sv"),
        timezone="Europe/Stockholm",
        sector="academic",
        interests=("spaces", "advocacy"),
    )
    score, reasons = group_score([a, b])
    assert [Reason.decode(r) for r in reasons] == [
        Reason.of("wish", who="a17", kind="sector", value="academic"),
        Reason.of("interests", tags=listed(["advocacy", "spaces"])),
        Reason.of("languages", codes="en"),
        Reason.of("hours", value="7"),
    ]
    assert score == 100 + 2 * 10 + 7


def test_group_score_caps_interests_and_counts_each_wisher_once() -> None:
    """At most five shared interests count, and a wisher scores once however many are met."""
    tags = tuple(f"t{i}" for i in range(7))
    a = person("a", "FI", interests=tags, wishes=Wishes(sectors=("public",), countries=("SE",)))
    b = person("b", "SE", interests=tags)
    score, reasons = group_score([a, b])
    assert score == 100 + 50 + 8
    assert Reason.decode(reasons[0]) == Reason.of("wish", who="a", kind="sector", value="public")


def test_overlap_depends_on_the_date() -> None:
    """Helsinki and Sydney share an hour in July, none in January; the default averages."""
    a = person("a", "FI", timezone="Europe/Helsinki")
    b = person("b", "AU", timezone="Australia/Sydney")
    assert group_score([a, b], on=date(2025, 7, 15)) == (
        1.0,
        ("languages codes=en", "hours value=1"),
    )
    assert group_score([a, b], on=date(2025, 1, 15))[1][-1] == "no_hours"
    assert group_score([a, b])[0] == 0.5


def test_trio_reasons_cover_all_three() -> None:
    """A trio's reasons show languages pair by pair when no language is common to all."""
    trio = [
        person("a", "FI", ("en", "fi")),
        person("b", "SE", ("en", "sv")),
        person("c", "NO", ("sv", "fi")),
    ]
    _, reasons = group_score(trio)
    assert [Reason.decode(r) for r in reasons[:3]] == [
        Reason.of("pair_languages", a="a", b="b", codes="en"),
        Reason.of("pair_languages", a="a", b="c", codes="fi"),
        Reason.of("pair_languages", a="b", b="c", codes="sv"),
    ]


def test_group_scores_in_a_matching_match_group_score() -> None:
    """Each group's score is what group_score says about its members."""
    pool = sample_pool(60)
    by_id = {c.id: c for c in pool}
    for g in match(pool).groups:
        assert (g.score, g.reasons) == group_score([by_id[m] for m in g.members])


def test_from_profile_uses_the_pairing_rule() -> None:
    """The separation value follows the community's pairing rule."""
    profile = Profile(
        name="Åsa Lindqvist",
        country="SE",
        timezone="Europe/Stockholm",
        languages=("sv", "en"),
        sector="academic",
        career_stage="mid",
        institution="Lund University",
    )
    by_country = Candidate.from_profile("a1", profile, previous_partners=["a2"])
    assert by_country.separation == "SE"
    assert by_country.previous_partners == frozenset({"a2"})
    assert by_country.languages == frozenset({"sv", "en"})
    by_institution = Candidate.from_profile("a1", profile, rule=PairingRule.INSTITUTION)
    assert by_institution.separation == "lund university"
