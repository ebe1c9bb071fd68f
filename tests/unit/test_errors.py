"""Errors in the member's language: English str(), translated localized(), plain ones as is."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.errors import Conflict, InvalidValue, Moment, NotFound, PenpalsError
from core.messages import i18n, vocab
from core.messages.i18n import N_
from core.rounds.profiles import ProfileInvalid, build_profile

CLOSES = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
TEMPLATE = N_(
    "applications for round {round} closed on {closes} UTC: watch the announcements "
    "for the next round"
)


def test_a_template_is_english_in_str_and_translated_by_localized() -> None:
    """str() keeps the English sentence; localized() reads the "penpals" catalog."""
    error = Conflict(TEMPLATE, round="2027A", closes=Moment(CLOSES))
    assert str(error) == (
        "applications for round 2027A closed on 01 March 2027 12:00 UTC: watch the "
        "announcements for the next round"
    )
    assert error.localized("en") == str(error)
    french = error.localized("fr")
    assert french.startswith(
        "les inscriptions à la session 2027A ont fermé le 1 mars 2027, 12:00 UTC"
    )
    spanish = error.localized("es-419")
    assert spanish.startswith(
        "las inscripciones para la edición 2027A se cerraron el 1 de marzo de 2027, 12:00"
    )
    assert "March" not in french + spanish  # dates in the reader's language (Babel)
    assert error.localized("de") == str(error)  # no catalog: English


def test_a_template_without_parameters_is_translated_too() -> None:
    """A fixed sentence marked with N_() is looked up as it is."""
    error = NotFound(N_("you have not applied yet: use signup to apply"))
    assert str(error) == "you have not applied yet: use signup to apply"
    assert error.localized("fr").startswith("vous n'avez pas encore posé votre candidature")
    assert error.localized("es").startswith("todavía no has enviado tu solicitud")


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_plain_errors_are_unchanged(lang: str) -> None:
    """A plain message (organisers' errors, f-strings) is shown as it is, braces and all."""
    for error in (Conflict("plain text"), PenpalsError("a {literal} brace"), PenpalsError()):
        assert error.localized(lang) == str(error)
    assert Conflict("plain text").args == ("plain text",)
    assert PenpalsError("a {literal} brace").localized(lang) == "a {literal} brace"


def test_a_broken_translation_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A translation naming a parameter the error lacks never turns into a second error."""
    template = "unknown sector {value}: use one of {choices}"
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / f"{i18n.DOMAIN}.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'msgid "{template}"\nmsgstr "{{valeur}} : {{inconnu}}"\n',
        encoding="utf-8",
    )
    # The real catalog loader, reading a catalog with a broken translation.
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translator.cache_clear()
    try:
        assert i18n.translator("fr").gettext(template) == "{valeur} : {inconnu}"
        error = InvalidValue(N_(template), value="'x'", choices="a")
        assert isinstance(error, ValueError)
        assert error.localized("fr") == str(error) == "unknown sector 'x': use one of a"
    finally:
        i18n.translator.cache_clear()


def test_validators_raise_translatable_errors() -> None:
    """A vocabulary error names the value in every language."""
    with pytest.raises(InvalidValue) as caught:
        vocab.country("ZZ")
    assert str(caught.value).startswith("unknown country code 'ZZ': use an ISO 3166-1")
    assert caught.value.localized("fr").startswith("code de pays inconnu 'ZZ' : ")
    assert caught.value.localized("es").startswith("código de país desconocido 'ZZ': ")


def test_profile_errors_are_localized_field_by_field() -> None:
    """ProfileInvalid keeps English fields and says each field's problem in French."""
    with pytest.raises(ProfileInvalid) as caught:
        build_profile(
            name=" ",
            country="ZZ",
            timezone="Mars/Olympus",
            languages=[],
            sector="public",
            career_stage="mid",
            introduction="x" * 1001,
        )
    error = caught.value
    assert error.fields["timezone"].startswith("unknown time zone 'Mars/Olympus'")
    assert error.fields["introduction"] == "keep it under 1000 characters"
    french = error.localized_fields("fr")
    assert set(french) == set(error.fields)
    assert french["timezone"].startswith("fuseau horaire inconnu 'Mars/Olympus'")
    assert french["name"] == "un nom d'affichage est nécessaire"
    assert french["introduction"] == "ne dépassez pas 1000 caractères"
    assert french["languages"].startswith("indiquez au moins une langue")
    assert "timezone: fuseau horaire inconnu" in error.localized("fr")
    assert str(error).startswith("name: a display name is needed; ")


def test_profile_invalid_still_takes_plain_sentences() -> None:
    """ProfileInvalid built from plain strings (adapters, tests) works as before."""
    error = ProfileInvalid({"timezone": "unknown"})
    assert error.fields == {"timezone": "unknown"}
    assert error.localized_fields("fr") == {"timezone": "unknown"}
    assert str(error) == "timezone: unknown"
