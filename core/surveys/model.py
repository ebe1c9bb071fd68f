"""Surveys' vocabulary: kinds, questions, the default questions, a survey, its window,
what a member sees and gets back, and counted results."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.errors import InvalidValue
from core.messages.i18n import N_

MIN_GROUP = 5
OPEN_FOR = timedelta(days=14)
END_OPENS_BEFORE_END = timedelta(days=7)
REMIND_BEFORE_CLOSE = timedelta(days=5)
TEXT_MAX = 1000
PAGE_SIZE = 5  # Discord modals hold at most five questions
ACTION_PREFIX = "survey:open:"


class SurveyKind(enum.StrEnum):
    MID = "mid"
    END = "end"


class QuestionType(enum.StrEnum):
    SCALE = "scale"  # 1 to 5
    CHOICE = "choice"  # one of the options
    MULTI = "multi"  # any of the options
    TEXT = "text"  # free text, at most max_length characters


@dataclass(frozen=True, slots=True)
class Option:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    type: QuestionType
    label: str
    options: tuple[Option, ...] = ()
    required: bool = False
    max_length: int = TEXT_MAX
    placeholder: str = ""


Answer = str | tuple[str, ...]

# The topics question lists the round's topics when it is shown: no stored options.
TOPICS_KEY = "topics"
SATISFACTION_KEY = "satisfaction"
NONE_OF_THEM = "none"

SCALE_OPTIONS = (
    Option("1", N_("1 · not at all satisfied")),
    Option("2", N_("2 · not very satisfied")),
    Option("3", N_("3 · somewhat satisfied")),
    Option("4", N_("4 · satisfied")),
    Option("5", N_("5 · very satisfied")),
)

DEFAULT_QUESTIONS = (
    Question(
        SATISFACTION_KEY,
        QuestionType.SCALE,
        N_("How satisfied are you with the program so far?"),
        SCALE_OPTIONS,
        required=True,
    ),
    Question(
        "frequency",
        QuestionType.CHOICE,
        N_("How often did you and your partner talk?"),
        (
            Option("weekly", N_("About every week")),
            Option("fortnightly", N_("About every two weeks")),
            Option("monthly", N_("About once a month")),
            Option("rarely", N_("Less often")),
            Option("never", N_("Not yet")),
        ),
    ),
    Question(TOPICS_KEY, QuestionType.MULTI, N_("Which suggested topics did you use?")),
    Question(
        "modes",
        QuestionType.MULTI,
        N_("How did you communicate?"),
        (
            Option("chat", N_("Chat")),
            Option("email", N_("Email")),
            Option("video", N_("Video call")),
            Option("other", N_("Other")),
        ),
    ),
    Question(
        "goals",
        QuestionType.CHOICE,
        N_("Did you reach the goals you set together?"),
        (
            Option("yes", N_("Yes")),
            Option("partly", N_("Partly")),
            Option("no", N_("Not really")),
            Option("none", N_("We did not set goals")),
        ),
    ),
    Question(
        "recommend",
        QuestionType.CHOICE,
        N_("Would you recommend the program to a colleague?"),
        (Option("yes", N_("Yes")), Option("maybe", N_("Maybe")), Option("no", N_("No"))),
    ),
    Question(
        "comment",
        QuestionType.TEXT,
        N_("Anything you would like to tell the organisers?"),
        placeholder=N_("What worked, what did not, what to change next round"),
    ),
)

TITLES = {
    SurveyKind.MID: N_("Mid-round check-in"),
    SurveyKind.END: N_("End-of-round survey"),
}


@dataclass(frozen=True, slots=True)
class Survey:
    """One survey of a round, as stored; `questions` None means the defaults."""

    id: int
    round_id: int
    kind: SurveyKind
    questions: tuple[Question, ...] | None = None
    opens_at: datetime | None = None  # None: from the round's calendar
    closes_at: datetime | None = None
    invited: int = 0
    sent_at: datetime | None = None
    reminded_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def current_questions(self) -> tuple[Question, ...]:
        return DEFAULT_QUESTIONS if self.questions is None else self.questions


@dataclass(frozen=True, slots=True)
class Response:
    survey_id: int
    member_id: int
    answers: dict[str, Answer]
    submitted_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Window:
    opens: datetime
    reminds: datetime
    closes: datetime


@dataclass(frozen=True, slots=True)
class SurveyForm:
    """What a modal shows one member: localized questions and their current answers."""

    survey_id: int
    kind: SurveyKind
    round_name: str
    title: str
    intro: str
    questions: tuple[Question, ...]
    answers: Mapping[str, Answer]
    closes_at: datetime
    lang: str
    submit_label: str

    def pages(self, size: int = PAGE_SIZE) -> list[tuple[Question, ...]]:
        """Return the questions in pages of at most *size* (one modal each on Discord)."""
        qs = self.questions
        return [qs[i : i + size] for i in range(0, len(qs), size)] or [()]


@dataclass(frozen=True, slots=True)
class SurveyReceipt:
    text: str  # thanks, in the member's language
    first: bool  # the member's first answer to this survey
    closes_at: datetime


class SurveyInvalid(InvalidValue):
    """Answers that cannot be stored; `errors` maps a question key to what was wrong."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass(frozen=True, slots=True)
class QuestionResult:
    key: str
    label: str
    type: QuestionType
    answered: int
    # (option label, count) in the question's order; empty when not broken down.
    counts: tuple[tuple[str, int], ...] = ()
    mean: float | None = None  # scale questions
    comments: tuple[str, ...] = ()  # text questions, sorted, no names


@dataclass(frozen=True, slots=True)
class SurveyResults:
    round: str
    kind: SurveyKind
    invited: int
    responses: int
    opens_at: datetime | None
    closes_at: datetime | None
    closed: bool
    questions: tuple[QuestionResult, ...] = field(default=())
    broken_down: bool = False  # False below MIN_GROUP responses

    @property
    def response_rate(self) -> float | None:
        return round(self.responses / self.invited, 3) if self.invited else None

    @property
    def satisfaction(self) -> float | None:
        for q in self.questions:
            if q.key == SATISFACTION_KEY:
                return q.mean
        return None

    def distribution(self) -> tuple[tuple[str, int], ...]:
        for q in self.questions:
            if q.key == SATISFACTION_KEY:
                return q.counts
        return ()
