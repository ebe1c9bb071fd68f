"""The gettext catalogs: complete in French and Spanish, faithful placeholders, used."""

from __future__ import annotations

import gettext
import io
import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

from core.messages import i18n, nudges, vocab
from core.messages import render as messages
from core.model import Round, RoundState
from core.rounds.topics import DEFAULT_TOPICS, localized_topics
from tests.support import profile

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "core" / "locale"
TRANSLATED = ("fr", "es")
ROUND = Round(1, 1, "2027-A", RoundState.RUNNING, None, None, None, None)
NOW = datetime(2027, 3, 2, 12, 5, tzinfo=UTC)  # a Tuesday


def load(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


DOMAINS = sorted(p.stem for p in LOCALE.glob("*.pot"))
CATALOGS = [(d, lang) for d in DOMAINS for lang in ("en", *TRANSLATED)]


def po_path(lang: str, domain: str = i18n.DOMAIN) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"


def sources(domain: str) -> list[Path]:
    """Return the files babel/<domain>.cfg names for extraction."""
    cfg = (ROOT / "babel" / f"{domain}.cfg").read_text(encoding="utf-8")
    return [ROOT / m.strip() for m in re.findall(r"^\[python:\s*([^\]]+)\]", cfg, re.M)]


def placeholders(text: str) -> list[str]:
    """Return the named {placeholders} of a str.format template, sorted."""
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def template_ids(domain: str = i18n.DOMAIN) -> set[str]:
    return {m.id for m in load(LOCALE / f"{domain}.pot") if m.id}


def test_every_domain_is_known_to_the_runtime() -> None:
    """Each template in core/locale is a domain core.messages.i18n knows, with its babel config."""
    assert set(DOMAINS) <= set(i18n.DOMAINS)
    assert i18n.DOMAIN in DOMAINS
    assert all(sources(d) for d in DOMAINS)


@pytest.mark.parametrize("domain", DOMAINS)
def test_template_matches_the_sources(domain: str) -> None:
    """The .pot holds exactly the texts marked in the code (run pybabel extract if not)."""
    found = {
        message
        for source in sources(domain)
        for _, message, _, _ in extract_from_file("python", source, DEFAULT_KEYWORDS)
    }
    assert found == template_ids(domain)


@pytest.mark.parametrize(("domain", "lang"), CATALOGS)
def test_catalog_has_every_message_of_the_template(domain: str, lang: str) -> None:
    """Every catalog lists every message of the .pot and nothing obsolete."""
    catalog = load(po_path(lang, domain))
    assert {m.id for m in catalog if m.id} == template_ids(domain)
    assert not catalog.obsolete


@pytest.mark.parametrize(("domain", "lang"), [c for c in CATALOGS if c[1] != "en"])
def test_catalog_is_complete_and_not_fuzzy(domain: str, lang: str) -> None:
    """French and Spanish translate every message, with no fuzzy (unchecked) entry."""
    catalog = load(po_path(lang, domain))
    missing = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, f"untranslated in {lang}: {missing}"
    assert not fuzzy, f"fuzzy in {lang}: {fuzzy}"


@pytest.mark.parametrize(("domain", "lang"), [c for c in CATALOGS if c[1] != "en"])
def test_translations_keep_the_placeholders(domain: str, lang: str) -> None:
    """A translation uses exactly the {placeholders} of its English text."""
    catalog = load(po_path(lang, domain))
    wrong = [
        (m.id, m.string)
        for m in catalog
        if m.id and placeholders(str(m.id)) != placeholders(str(m.string))
    ]
    assert not wrong


def test_placeholder_check_catches_a_renamed_or_dropped_placeholder() -> None:
    """The placeholder comparison sees a renamed, dropped or duplicated field."""
    assert placeholders("Round {round}: {days} days") == ["days", "round"]
    assert placeholders("Session {ronde} : {days} jours") != ["days", "round"]
    assert placeholders("Session : {days} jours") != ["days", "round"]
    assert placeholders("{a} {a}") != placeholders("{a}")


@pytest.mark.parametrize(("domain", "lang"), CATALOGS)
def test_runtime_translations_are_babels(domain: str, lang: str) -> None:
    """core.messages.i18n compiles each catalog with Babel: each translation served as written."""
    expected = {
        str(m.id): str(m.string)
        for m in load(po_path(lang, domain))
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }
    i18n.translator.cache_clear()
    runtime = i18n.translator(lang, domain)
    assert all(runtime.gettext(k) == v for k, v in expected.items())
    mo = gettext.GNUTranslations(io.BytesIO(i18n.compile_po(po_path(lang, domain).read_bytes())))
    assert all(mo.gettext(k) == v for k, v in expected.items())


def test_hand_written_catalog_code_is_gone() -> None:
    """core.messages.i18n and setup.py use Babel's reader and writer, not a parser of their own."""
    source = (ROOT / "core" / "messages" / "i18n.py").read_text(encoding="utf-8")
    assert "struct.pack" not in source and "def read_po" not in source
    assert "babel.messages.mofile" in (ROOT / "setup.py").read_text(encoding="utf-8")


def test_unknown_languages_fall_back_to_english() -> None:
    """A language without a catalog, or a regional tag, resolves sensibly."""
    assert i18n.normalize("fr-CA") == "fr"
    assert i18n.normalize("es_419") == "es"
    assert i18n.normalize("de") == "en"
    assert i18n.translator("de").gettext("Checking in") == "Checking in"
    assert nudges.nudge(ROUND, 14, lang="pt-BR") == nudges.nudge(ROUND, 14)


def test_english_defaults_are_unchanged() -> None:
    """English stays the source: default topics and vocabulary names as before."""
    assert localized_topics("en") == DEFAULT_TOPICS
    assert vocab.country_name("FI") == "Finland"
    assert vocab.language_name("fi") == "Finnish"


@pytest.mark.parametrize(
    ("lang", "title", "finland", "weekday", "finnish"),
    [
        ("fr", "Faites connaissance avec votre partenaire", "Finlande", "mardi", "finnois"),
        ("es", "Conoce a tu colega", "Finlandia", "martes", "finés"),
    ],
)
def test_introduction_is_rendered_in_the_language(
    lang: str, title: str, finland: str, weekday: str, finnish: str
) -> None:
    """The introduction's texts, country, weekday and language names are translated."""
    pair = [
        profile("Aino", "FI", tz="Europe/Helsinki", languages=("fi", "en"), sector="academic"),
        profile("Bea", "BR", tz="America/Sao_Paulo", languages=("pt", "en")),
    ]
    english = messages.introduction(ROUND, 3, pair, ["x"], now=NOW, contact="@org")
    message = messages.introduction(ROUND, 3, pair, ["x"], now=NOW, contact="@org", lang=lang)
    assert message.title == title
    assert "Meet" not in message.title and "partner" not in message.title
    aino = dict(message.fields)["Aino"]
    assert aino.startswith(f"{finland} · ")
    assert weekday in aino and finnish in aino
    assert "library" not in aino and "career" not in aino
    assert message.body != english.body and "Welcome" not in message.body
    assert message.footer != english.footer and "Technical" not in str(message.footer)


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("fr", "Thème 2 sur 9 : Les espaces de la bibliothèque"),
        ("es", "Tema 2 de 9: Los espacios de la biblioteca"),
    ],
)
def test_topic_is_rendered_in_the_language(lang: str, title: str) -> None:
    """A default topic, stored in English, is posted in the community's language."""
    message = messages.topic_message(ROUND, DEFAULT_TOPICS[1], 1, 9, thread_url="u", lang=lang)
    assert message.title == title
    assert "library" not in message.body.lower()
    public = messages.public_topic_message(ROUND, DEFAULT_TOPICS[1], 1, 9, lang=lang)
    assert public.title == f"2027-A · {title}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_default_topic_is_translated(lang: str) -> None:
    """Each text of the nine default topics differs from its English original."""
    for english, local in zip(DEFAULT_TOPICS, localized_topics(lang), strict=True):
        assert local.position == english.position
        assert local.title != english.title and local.prompt != english.prompt
        assert all(a != b for a, b in zip(english.questions, local.questions, strict=True))
