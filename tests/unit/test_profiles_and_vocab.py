"""Validating what members type: countries, zones, languages, sectors."""

import pytest

from core.errors import InvalidValue
from core.messages import vocab
from core.rounds.profiles import ProfileInvalid, build_profile


def test_codes_are_canonicalised_and_named() -> None:
    """Country and language codes are case-insensitive and named by pycountry."""
    assert vocab.country(" fi ") == "FI"
    assert vocab.country_name("FI") == "Finland"
    assert vocab.language("EN") == "en"
    assert vocab.language_name("fi") == "Finnish"
    assert vocab.timezone("America/Argentina/Buenos_Aires") == "America/Argentina/Buenos_Aires"


@pytest.mark.parametrize(
    ("check", "value", "hint"),
    [
        (vocab.country, "UK", "ISO 3166-1"),
        (vocab.timezone, "Europe/Helsinky", "IANA"),
        (vocab.language, "eng", "ISO 639-1"),
        (vocab.sector, "museum", "academic"),
        (vocab.career_stage, "retired", "student"),
    ],
)
def test_wrong_values_say_what_to_use(check, value, hint) -> None:  # type: ignore[no-untyped-def]
    """Each validator names the bad value and what to use instead."""
    with pytest.raises(InvalidValue) as caught:
        check(value)
    assert value in str(caught.value) and hint in str(caught.value)


def test_build_profile_reports_every_bad_field_at_once() -> None:
    """A form with several mistakes gets all of them back, field by field."""
    with pytest.raises(ProfileInvalid) as caught:
        build_profile(
            name=" ",
            country="ZZ",
            timezone="Nowhere/City",
            languages=[],
            sector="public",
            career_stage="mid",
        )
    assert set(caught.value.fields) == {"name", "country", "timezone", "languages"}


def test_build_profile_normalises_values() -> None:
    """Names are trimmed, codes canonical, duplicate tags dropped."""
    p = build_profile(
        name="  Ana   Souza ",
        country="br",
        timezone="America/Sao_Paulo",
        languages=["PT", "en", "pt"],
        sector="Academic",
        career_stage="MID",
        interests=["Open Access", "open access"],
        wish_countries=["fi"],
    )
    assert (p.name, p.country, p.languages, p.sector) == (
        "Ana Souza",
        "BR",
        ("pt", "en"),
        "academic",
    )
    assert p.interests == ("open access",)
    assert p.wishes.countries == ("FI",)
