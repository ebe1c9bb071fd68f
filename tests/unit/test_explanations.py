"""Match explanations: structured reasons from the matcher, put into words per reader."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from core.matching import explanations
from core.matching.explanations import Person, Reason
from core.matching.matcher import group_score, match
from core.matching.model import Candidate
from core.messages import render as messages
from core.model import Round, RoundState, Wishes
from tests.support import profile

DISCORD_ID = "1578692236122521616"
ROUND = Round(
    1, 1, "2027-A", RoundState.RUNNING, None, None, datetime(2027, 3, 1, tzinfo=UTC), None
)
AINO = profile(
    "Aino",
    "FI",
    tz="Europe/Helsinki",
    languages=("fi", "en", "fr"),
    sector="academic",
    stage="senior",
    wishes=Wishes(sectors=("academic",)),
)
BRUNO = profile(
    "Bruno",
    "FR",
    tz="America/New_York",
    languages=("fr", "en"),
    sector="academic",
    stage="early",
    wishes=Wishes(sectors=("academic",)),
)
# Raw codes a member must never read: language and career codes, a platform id.
# ("en" and "es" are also French and Spanish words, so only codes that are not.)
RAW = re.compile(rf"\b(fr|fi|senior|early|mid|{DISCORD_ID}|U0[A-Z0-9]+)\b|wish met|=")


def reasons() -> tuple[str, ...]:
    pair = [Candidate.from_profile(DISCORD_ID, AINO), Candidate.from_profile("U0BRUNO", BRUNO)]
    return group_score(pair, on=date(2027, 3, 1))[1]


def people() -> list[Person]:
    return [Person(DISCORD_ID, AINO), Person("U0BRUNO", BRUNO)]


def test_reasons_are_structured_codes() -> None:
    """The matcher's reasons decode into codes with parameters, not sentences."""
    decoded = [Reason.decode(r) for r in reasons()]
    assert [r.code for r in decoded if r is not None] == [
        "wish",
        "wish",
        "languages",
        "hours",
    ]


@pytest.mark.parametrize(
    ("lang", "wish", "share", "hours"),
    [
        (
            "en",
            "You both hoped for a partner in academic libraries",
            "You share English and French",
            "Your working hours overlap about 1 hour (16:00\u2009–\u200917:00 your time)",
        ),
        (
            "fr",
            "Vous espériez tous les deux un ou une partenaire en bibliothèque universitaire",
            "Vous avez en commun anglais et français",
            "Vos horaires de travail se recoupent pendant environ 1 heure "
            "(16:00\u2009–\u200917:00, à votre heure)",
        ),
        (
            "es",
            "Los dos esperaban una persona que trabaje en bibliotecas universitarias",
            "Comparten inglés y francés",
            "Sus horarios de trabajo coinciden alrededor de 1 hora (16:00–17:00, en tu hora local)",
        ),
    ],
)
def test_reasons_in_words_for_a_reader(lang: str, wish: str, share: str, hours: str) -> None:
    """Each reader gets wishes, languages and hours in words, hours on their own clock."""
    words = explanations.describe(
        reasons(), people(), lang=lang, reader=DISCORD_ID, on=date(2027, 3, 1)
    )
    assert words == [wish, share, hours]
    assert not any(RAW.search(w) for w in words)


def test_one_sided_wish_names_the_person_not_their_id() -> None:
    """A wish met for one member names them; the reader's own wish says 'You'."""
    bruno = profile("Bruno", "FR", languages=("en",), stage="senior")
    pair = [Candidate.from_profile(DISCORD_ID, AINO), Candidate.from_profile("U0BRUNO", bruno)]
    stored = group_score(pair)[1]
    group = [Person(DISCORD_ID, AINO), Person("U0BRUNO", bruno)]
    assert "Aino hoped for" not in " ".join(explanations.describe(stored, group))
    aino = profile("Aino", "FI", stage="mid", wishes=Wishes(career_stages=("senior",)))
    pair = [Candidate.from_profile(DISCORD_ID, aino), Candidate.from_profile("U0BRUNO", bruno)]
    stored = group_score(pair)[1]
    group = [Person(DISCORD_ID, aino), Person("U0BRUNO", bruno)]
    for_pair = explanations.describe(stored, group)
    assert for_pair[0] == "Aino hoped for a partner with a long career behind them"
    assert explanations.describe(stored, group, reader=DISCORD_ID)[0].startswith("You hoped")
    assert not any(RAW.search(w) for w in for_pair)


def test_introduction_explains_in_words_without_ids_or_codes() -> None:
    """The pair space's introduction says why in words, in French too, with no raw id."""
    for lang in ("en", "fr", "es"):
        message = messages.introduction(
            ROUND,
            1,
            [AINO, BRUNO],
            reasons(),
            now=datetime(2027, 3, 2, 12, tzinfo=UTC),
            lang=lang,
            ids=[DISCORD_ID, "U0BRUNO"],
        )
        text = message.plain()
        assert DISCORD_ID not in text and "U0BRUNO" not in text
        assert "wish met" not in text and "common language" not in text
        why = dict(message.fields)[
            {"en": "Why you were matched", "fr": "Pourquoi vous avez été mis en relation"}.get(
                lang, "Por qué los emparejamos"
            )
        ]
        assert not RAW.search(why), why


def test_unplaced_reason_in_words() -> None:
    """An unplaced member's structured reason reads as a sentence in their language."""
    pool = [
        Candidate.from_profile("fi", profile("Aino", "FI", languages=("fi",))),
        Candidate.from_profile("a", profile("A", "US")),
        Candidate.from_profile("b", profile("B", "GB")),
    ]
    (left,) = match(pool).unplaced
    assert left.reason == "nobody in another country shares a language with them (fi)"
    assert (
        explanations.unplaced(left.code) == "nobody from another country this round speaks Finnish"
    )
    assert explanations.unplaced(left.code, lang="fr") == (
        "personne d'un autre pays ne parle finnois dans cette session"
    )


def test_organisers_read_names_and_words() -> None:
    """The organisers' preview line names people and says why, without ids."""
    line = explanations.for_organisers(reasons(), {DISCORD_ID: "Aino", "U0BRUNO": "Bruno"})
    assert line.startswith("Aino hoped for a partner in academic libraries; Bruno hoped for")
    assert DISCORD_ID not in line and "U0BRUNO" not in line


def test_free_text_reasons_of_older_rows_are_not_shown_to_members() -> None:
    """A reason stored as free text by an older version may hold an id: members never see it."""
    stored = [f"wish met for {DISCORD_ID} (career stage senior)", "common language: en"]
    assert explanations.describe(stored, people()) == []
    assert Reason.decode("hours value=3") == Reason.of("hours", value="3")


def test_a_member_reading_another_language_gets_the_reasons_in_theirs() -> None:
    """In an English pair space, the member who chose French reads why in French, their clock."""
    message = messages.introduction(
        ROUND,
        1,
        [AINO, BRUNO],
        reasons(),
        now=datetime(2027, 3, 2, 12, tzinfo=UTC),
        lang="en",
        ids=[DISCORD_ID, "U0BRUNO"],
        languages=["fr", None],
    )
    fields = dict(message.fields)
    assert "Why you were matched" in fields
    french = fields["Pourquoi vous avez été mis en relation · Aino"]
    assert "Vous avez en commun anglais et français" in french
    assert "(16:00\u2009–\u200917:00, à votre heure)" in french
    assert not any(k.endswith("· Bruno") for k in fields)
