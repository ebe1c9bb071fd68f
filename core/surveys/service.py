"""Surveys: a mid-round check-in and an end-of-round survey, answered in a modal.

ILN's surveys (80-90% satisfaction) shaped its next rounds; here the bot runs them.
Each round has two surveys, `mid` and `end`, with the same seven default questions:
satisfaction 1-5, how often the pair talked, which topics they used, how they
communicated, whether they reached their goals, would they recommend the program,
and a comment. Organisers may reword, drop or add questions per round and survey
(`penpals survey ...`); once someone has answered, a question's kind and options
are fixed, only its wording may change.

The calendar (the database keeps any date an organiser set instead):

- mid: opens halfway through the round, closes 14 days later;
- end: opens 7 days before the round ends, closes 14 days after it ends;
- a reminder goes to those who have not answered 5 days before it closes.

The invitation is posted once in each pair space, with a button that opens the
modal; the reminder is a direct message to each member who has not answered yet.
A member has one response per survey and may change it until the survey closes.
Results are counted without names, and nothing is broken down below MIN_GROUP
responses (as in core.reports.service).

Default texts are English catalog messages (translated where they are shown); an
organiser's wording is not in the catalog and is shown as written.
"""

from __future__ import annotations

import enum
import logging
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from core import audit, times
from core.delivery.outbox import ActionKind, NewAction, space_key
from core.engagement.goals import goals_by_member
from core.errors import Conflict, InvalidValue, NotFound
from core.messages import i18n
from core.messages import render as messages
from core.messages.i18n import N_
from core.messages.languages import pair_language_of
from core.model import Community, MemberRef, Round, RoundState
from core.platform import message_to_dict
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.rounds import topics

log = logging.getLogger(__name__)

MIN_GROUP = 5
OPEN_FOR = timedelta(days=14)
END_OPENS_BEFORE_END = timedelta(days=7)
REMIND_BEFORE_CLOSE = timedelta(days=5)
TEXT_MAX = 1000
PAGE_SIZE = 5  # Discord modals hold at most five questions
ACTION_PREFIX = "survey:open:"
_ACTION = re.compile(r"^survey:open:(\d+)$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


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


def survey_action_id(survey_id: int) -> str:
    """Return the id of the button that opens survey *survey_id*'s modal."""
    return f"{ACTION_PREFIX}{survey_id}"


def parse_survey_action(action_id: str) -> int | None:
    """Return the survey id of a survey button's action id, else None."""
    found = _ACTION.match(action_id or "")
    return int(found.group(1)) if found else None


def window(round_: Round, survey: Survey) -> Window | None:
    """Return when the survey opens, reminds and closes; None when the round has no dates."""
    opens, closes = survey.opens_at, survey.closes_at
    if opens is None:
        if round_.starts_at is None or round_.ends_at is None:
            return None
        if survey.kind is SurveyKind.MID:
            half = (round_.ends_at - round_.starts_at) / 2
            opens = round_.starts_at + timedelta(days=half.days)
        else:
            opens = max(round_.ends_at - END_OPENS_BEFORE_END, round_.starts_at)
    if closes is None:
        if survey.kind is SurveyKind.END and round_.ends_at is not None:
            closes = max(round_.ends_at + OPEN_FOR, opens + OPEN_FOR)
        else:
            closes = opens + OPEN_FOR
    reminds = closes - REMIND_BEFORE_CLOSE
    if reminds <= opens:
        reminds = opens + (closes - opens) / 2
    return Window(opens, reminds, closes)


def localize(question: Question, lang: str, topic_titles: Sequence[str] = ()) -> Question:
    """Return *question* in *lang*; the topics question lists the round's topics."""
    _ = i18n.translator(lang).gettext
    options = question.options
    if question.key == TOPICS_KEY and question.type is QuestionType.MULTI and not options:
        options = (
            *(Option(str(n), f"{n}. {title}") for n, title in enumerate(topic_titles, 1)),
            Option(NONE_OF_THEM, N_("None of them")),
        )
    return replace(
        question,
        label=_(question.label),
        placeholder=_(question.placeholder) if question.placeholder else "",
        options=tuple(Option(o.key, _(o.label)) for o in options),
    )


def validate(
    questions: Sequence[Question], answers: Mapping[str, Any], lang: str
) -> dict[str, Answer]:
    """Return the answers cleaned, or raise SurveyInvalid naming each wrong one.

    Keys not among the questions are refused; an empty answer clears that question.
    """
    _ = i18n.translator(lang).gettext
    by_key = {q.key: q for q in questions}
    clean: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    for key, raw in answers.items():
        q = by_key.get(key)
        if q is None:
            errors[key] = _("there is no such question in this survey")
            continue
        keys = {o.key for o in q.options}
        if q.type is QuestionType.MULTI:
            values = (raw,) if isinstance(raw, str) else tuple(raw or ())
            values = tuple(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))
            wrong = [v for v in values if keys and v not in keys]
            if wrong:
                errors[key] = _("not one of the choices: {values}").format(values=", ".join(wrong))
            elif NONE_OF_THEM in values and len(values) > 1:
                errors[key] = _("choose topics or “none of them”, not both")
            else:
                clean[key] = values
            continue
        value = ("" if raw is None else str(raw)).strip()
        if q.type is QuestionType.TEXT:
            if len(value) > q.max_length:
                errors[key] = _("at most {limit} characters, please (this has {length})").format(
                    limit=q.max_length, length=len(value)
                )
            else:
                clean[key] = value
        elif value and value not in keys:
            errors[key] = _("not one of the choices: {values}").format(values=value)
        else:
            clean[key] = value
        if q.required and not value and key not in errors:
            errors[key] = _("please answer this question")
    if errors:
        raise SurveyInvalid(errors)
    return clean


def results(
    round_: Round,
    survey: Survey,
    responses: Sequence[Response],
    *,
    topic_titles: Sequence[str] = (),
    lang: str = "en",
    min_group: int = MIN_GROUP,
) -> SurveyResults:
    """Count the responses without names; below *min_group* only the totals are given."""
    w = window(round_, survey)
    counted = [r for r in responses if any(r.answers.values())]
    base = SurveyResults(
        round=round_.name,
        kind=survey.kind,
        invited=survey.invited,
        responses=len(counted),
        opens_at=w.opens if w else None,
        closes_at=w.closes if w else None,
        closed=survey.closed_at is not None,
    )
    broken_down = len(counted) >= min_group
    out: list[QuestionResult] = []
    for raw in survey.current_questions:
        q = localize(raw, lang, topic_titles)
        given = [r.answers.get(q.key) for r in counted if r.answers.get(q.key)]
        if not broken_down:
            out.append(QuestionResult(q.key, q.label, q.type, len(given)))
            continue
        if q.type is QuestionType.TEXT:
            texts = tuple(sorted(str(v) for v in given))
            out.append(QuestionResult(q.key, q.label, q.type, len(given), comments=texts))
            continue
        tally: Counter[str] = Counter()
        for v in given:
            tally.update((v,) if isinstance(v, str) else v)
        counts = tuple((o.label, tally[o.key]) for o in q.options)
        mean = None
        if q.type is QuestionType.SCALE and given:
            mean = round(sum(int(str(v)) for v in given) / len(given), 2)
        out.append(QuestionResult(q.key, q.label, q.type, len(given), counts, mean))
    return replace(base, questions=tuple(out), broken_down=broken_down)


class SurveyService:
    """Run the round's surveys: questions, invitations, reminders, answers, results."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    # -- organisers ------------------------------------------------------------------

    async def show(self, community_id: int, round_name: str, kind: SurveyKind) -> Survey:
        """Return the round's survey of *kind* (created with the default questions)."""
        async with self._uow() as uow:
            r = await _round(uow, community_id, round_name)
            survey = await uow.surveys.ensure(r.id, kind)
            await uow.commit()
            return survey

    async def window_of(
        self, community_id: int, round_name: str, kind: SurveyKind
    ) -> Window | None:
        async with self._uow() as uow:
            r = await _round(uow, community_id, round_name)
            survey = await uow.surveys.ensure(r.id, kind)
            await uow.commit()
            return window(r, survey)

    async def edit(
        self,
        community_id: int,
        round_name: str,
        kind: SurveyKind,
        key: str,
        *,
        label: str | None = None,
        options: Sequence[str] | None = None,
        required: bool | None = None,
        remove: bool = False,
        actor: str = audit.UNKNOWN,
    ) -> Survey:
        """Reword, change or drop one question of a survey that has not closed."""
        async with self._uow() as uow:
            r, survey = await self._editable(uow, community_id, round_name, kind)
            questions = list(survey.current_questions)
            index = next((i for i, q in enumerate(questions) if q.key == key), None)
            if index is None:
                known = ", ".join(q.key for q in questions)
                raise NotFound(
                    f"the {kind} survey has no question {key!r}: the questions are {known}"
                )
            answered = await uow.surveys.respondents(survey.id)
            q = questions[index]
            if (remove or options is not None) and answered:
                raise Conflict(
                    f"{len(answered)} members have already answered the {kind} survey: "
                    "only the wording of a question can change now"
                )
            if remove:
                if len(questions) == 1:
                    raise Conflict("a survey needs at least one question: add another first")
                del questions[index]
            else:
                if label is not None:
                    q = replace(q, label=_label(label))
                if options is not None:
                    q = replace(q, options=_options(q.type, options))
                if required is not None:
                    q = replace(q, required=required)
                questions[index] = q
            survey = replace(survey, questions=tuple(questions))
            await uow.surveys.save(survey)
            changed = [
                n
                for n, v in (("label", label), ("options", options), ("required", required))
                if v is not None
            ]
            await self._audit(
                uow,
                r,
                actor,
                "survey.edit",
                f"{kind} survey, question {key}",
                "removed" if remove else f"changed {', '.join(changed) or 'nothing'}",
            )
            await uow.commit()
            return survey

    async def add_question(
        self,
        community_id: int,
        round_name: str,
        kind: SurveyKind,
        key: str,
        type_: QuestionType,
        label: str,
        options: Sequence[str] = (),
        *,
        required: bool = False,
        actor: str = audit.UNKNOWN,
    ) -> Survey:
        """Add a question at the end of a survey that has not closed."""
        async with self._uow() as uow:
            r, survey = await self._editable(uow, community_id, round_name, kind)
            if not _KEY.match(key):
                raise InvalidValue(
                    f"question key {key!r}: use lowercase letters, digits and _ "
                    "(at most 32, starting with a letter), e.g. 'mentor_again'"
                )
            if any(q.key == key for q in survey.current_questions):
                raise Conflict(f"the {kind} survey already has a question {key!r}: edit it instead")
            if len(survey.current_questions) >= 20:
                raise Conflict("a survey holds at most 20 questions: drop one first")
            q = Question(key, type_, _label(label), _options(type_, options), required=required)
            survey = replace(survey, questions=(*survey.current_questions, q))
            await uow.surveys.save(survey)
            await self._audit(
                uow, r, actor, "survey.add", f"{kind} survey, question {key}", f"{type_}: {label}"
            )
            await uow.commit()
            return survey

    async def reset(
        self, community_id: int, round_name: str, kind: SurveyKind, *, actor: str = audit.UNKNOWN
    ) -> Survey:
        """Go back to the default questions (before anyone answered)."""
        async with self._uow() as uow:
            r, survey = await self._editable(uow, community_id, round_name, kind)
            if await uow.surveys.respondents(survey.id):
                raise Conflict(
                    f"members have already answered the {kind} survey: it cannot be reset"
                )
            survey = replace(survey, questions=None)
            await uow.surveys.save(survey)
            await self._audit(uow, r, actor, "survey.reset", f"{kind} survey", "default questions")
            await uow.commit()
            return survey

    async def schedule(
        self,
        community_id: int,
        round_name: str,
        kind: SurveyKind,
        *,
        opens: datetime | None = None,
        closes: datetime | None = None,
    ) -> Window:
        """Set when a survey opens or closes (not once it has been sent, for opening)."""
        async with self._uow() as uow:
            r, survey = await self._editable(uow, community_id, round_name, kind)
            if opens is not None and survey.sent_at is not None:
                raise Conflict(
                    f"the {kind} survey was already sent: only its closing date can change"
                )
            survey = replace(
                survey,
                opens_at=opens if opens is not None else survey.opens_at,
                closes_at=closes if closes is not None else survey.closes_at,
            )
            w = window(r, survey)
            if w is None:
                raise Conflict(
                    f"round {r.name} has no start and end dates yet: set them first, "
                    "or give both --opens and --closes"
                )
            if w.closes <= w.opens:
                raise InvalidValue(
                    f"the survey would close ({w.closes:%Y-%m-%d %H:%M}) before it opens "
                    f"({w.opens:%Y-%m-%d %H:%M}): choose a later closing date"
                )
            await uow.surveys.save(survey)
            await uow.commit()
            return w

    async def results(
        self, community_id: int, round_name: str | None, kind: SurveyKind
    ) -> SurveyResults:
        async with self._uow() as uow:
            if round_name is None:
                rounds = await uow.rounds.list(community_id)
                if not rounds:
                    raise NotFound("the community has no rounds yet")
                r = rounds[-1]
            else:
                r = await _round(uow, community_id, round_name)
            community = await uow.communities.get(community_id)
            return await round_results(uow, community, r, kind)

    async def _audit(
        self, uow: UnitOfWork, r: Round, actor: str, action: str, subject: str, detail: str
    ) -> None:
        await audit.record(
            uow,
            community_id=r.community_id,
            round_id=r.id,
            at=self._clock.now(),
            actor=actor,
            action=action,
            subject=subject,
            detail=detail,
        )

    async def _editable(
        self, uow: UnitOfWork, community_id: int, round_name: str, kind: SurveyKind
    ) -> tuple[Round, Survey]:
        r = await _round(uow, community_id, round_name)
        survey = await uow.surveys.ensure(r.id, kind)
        w = window(r, survey)
        if survey.closed_at is not None or (w is not None and w.closes <= self._clock.now()):
            raise Conflict(
                f"the {kind} survey of round {r.name} has closed: it can no longer change"
            )
        return r, survey

    # -- members ---------------------------------------------------------------------

    async def form(
        self, member: MemberRef, survey_id: int, *, locale: str | None = None
    ) -> SurveyForm:
        """Return the survey as *member* sees it, with their answers so far."""
        async with self._uow() as uow:
            survey, r, community, member_id, lang = await self._participant(
                uow, member, survey_id, locale
            )
            w = self._open_window(r, survey, lang)
            titles = await _topic_titles(uow, community.id, lang)
            earlier = await uow.surveys.response(survey.id, member_id)
        _ = i18n.translator(lang).gettext
        return SurveyForm(
            survey_id=survey.id,
            kind=survey.kind,
            round_name=r.name,
            title=_(TITLES[survey.kind]),
            intro=_(
                "Your answers are counted without your name. You can change them until "
                "{closes} (UTC)."
            ).format(closes=times.written(w.closes, lang=lang, named_zone=False)),
            questions=tuple(localize(q, lang, titles) for q in survey.current_questions),
            answers=dict(earlier.answers) if earlier else {},
            closes_at=w.closes,
            lang=lang,
            submit_label=_("Send"),
        )

    async def answer(
        self,
        member: MemberRef,
        survey_id: int,
        answers: Mapping[str, Any],
        *,
        locale: str | None = None,
    ) -> SurveyReceipt:
        """Store (or change) the member's answers; questions not given keep earlier answers."""
        async with self._uow() as uow:
            survey, r, community, member_id, lang = await self._participant(
                uow, member, survey_id, locale
            )
            w = self._open_window(r, survey, lang)
            titles = await _topic_titles(uow, community.id, lang)
            questions = [localize(q, lang, titles) for q in survey.current_questions]
            clean = validate(questions, answers, lang)
            earlier = await uow.surveys.response(survey.id, member_id)
            merged = {**(earlier.answers if earlier else {}), **clean}
            now = self._clock.now()
            await uow.surveys.put_response(survey.id, member_id, merged, now)
            await uow.commit()
        _ = i18n.translator(lang).gettext
        text = (
            _("Thank you! Your answers are saved. You can change them until {closes} (UTC).")
            if earlier is None
            else _("Your answers are updated. You can change them until {closes} (UTC).")
        ).format(closes=times.written(w.closes, lang=lang, named_zone=False))
        return SurveyReceipt(text, earlier is None, w.closes)

    async def answer_many(
        self, survey_id: int, answers: Sequence[tuple[MemberRef, Mapping[str, Any]]]
    ) -> int:
        """Store the answers of several members in one transaction; return how many members.

        Each member's answers are checked as `answer` checks them (a participant of the
        round, the survey open, valid answers in their language); one refusal refuses
        them all. Questions not given keep earlier answers.
        """
        if not answers:
            return 0
        async with self._uow() as uow:
            survey = await uow.surveys.get(survey_id)
            if survey is None:
                raise NotFound("this survey no longer exists: ask the organisers")
            r = await uow.rounds.get(survey.round_id)
            community = await uow.communities.get(r.community_id)
            ids = await uow.members.find_many(community.id, (m for m, _ in answers))
            participants = {
                m
                for g in await uow.groups.list(r.id, active_only=False)
                if g.published
                for m in g.member_ids
            }
            chosen = await uow.members.languages(ids.values())
            questions: dict[str, list[Question]] = {}
            clean: dict[int, dict[str, Answer]] = {}
            for member, given in answers:
                member_id = ids.get(member)
                lang = i18n.pick(
                    chosen.get(member_id) if member_id is not None else None,
                    community.settings.default_language,
                )
                if member_id is None or member_id not in participants:
                    _ = i18n.translator(lang).gettext
                    raise NotFound(
                        _(
                            "this survey is for the participants of round {round}: "
                            "you were not in it"
                        ).format(round=r.name)
                    )
                if lang not in questions:
                    self._open_window(r, survey, lang)
                    titles = await _topic_titles(uow, community.id, lang)
                    questions[lang] = [localize(q, lang, titles) for q in survey.current_questions]
                clean.setdefault(member_id, {}).update(validate(questions[lang], given, lang))
            earlier = await uow.surveys.responses_of(survey.id, clean)
            merged = {
                m: {**(earlier[m].answers if m in earlier else {}), **given}
                for m, given in clean.items()
            }
            await uow.surveys.put_responses(survey.id, merged, self._clock.now())
            await uow.commit()
        return len(merged)

    async def _participant(
        self, uow: UnitOfWork, member: MemberRef, survey_id: int, locale: str | None
    ) -> tuple[Survey, Round, Community, int, str]:
        survey = await uow.surveys.get(survey_id)
        if survey is None:
            raise NotFound("this survey no longer exists: ask the organisers")
        r = await uow.rounds.get(survey.round_id)
        community = await uow.communities.get(r.community_id)
        member_id = await uow.members.find(community.id, member)
        # The member's own groups, not the round's: listing a thousand pairs per
        # answer made every modal cost as much as the whole round.
        in_round = member_id is not None and any(
            m.round_id == r.id and m.published for m in await uow.privacy.memberships(member_id)
        )
        stored = None if member_id is None else await uow.members.language(member_id)
        lang = i18n.pick(stored, locale, community.settings.default_language)
        if not in_round or member_id is None:
            _ = i18n.translator(lang).gettext
            raise NotFound(
                _(
                    "this survey is for the participants of round {round}: you were not in it"
                ).format(round=r.name)
            )
        return survey, r, community, member_id, lang

    def _open_window(self, r: Round, survey: Survey, lang: str) -> Window:
        _ = i18n.translator(lang).gettext
        w = window(r, survey)
        now = self._clock.now()
        if w is None or (survey.sent_at is None and now < w.opens):
            raise Conflict(_("this survey is not open yet: you will get a message when it opens"))
        if survey.closed_at is not None or w.closes <= now:
            raise Conflict(
                _("this survey closed on {closed} (UTC): answers can no longer change").format(
                    closed=times.written(survey.closed_at or w.closes, lang=lang, named_zone=False)
                )
            )
        return w

    # -- the calendar ----------------------------------------------------------------

    async def advance(self, round_id: int) -> list[str]:
        """Send, remind and close what is due for the round's surveys; once each."""
        steps: list[str] = []
        now = self._clock.now()
        async with self._uow() as uow:
            r = await uow.rounds.get(round_id)
            if r.state not in (RoundState.RUNNING, RoundState.FINISHED):
                return steps
            community = await uow.communities.get(r.community_id)
            for kind in SurveyKind:
                survey = stored = await uow.surveys.ensure(r.id, kind)
                w = window(r, survey)
                if w is None or survey.closed_at is not None:
                    continue
                # A round finished by hand before its end survey went out: the pair
                # spaces are being archived, so the invitation goes by direct message.
                # A check-in the round never reached is not sent at all.
                finished = r.state is RoundState.FINISHED
                late = finished and kind is SurveyKind.MID
                if survey.sent_at is None and w.opens <= now and w.closes > now and not late:
                    invited, actions = await _invitations(
                        uow, community, r, survey, now, direct=finished
                    )
                    await uow.outbox.enqueue(actions)
                    survey = replace(survey, sent_at=now, invited=invited)
                    steps.append(f"{kind} survey sent to {invited} members")
                if (
                    survey.sent_at is not None
                    and survey.reminded_at is None
                    and w.reminds <= now < w.closes
                ):
                    actions = await _reminders(uow, community, r, survey, now)
                    await uow.outbox.enqueue(actions)
                    survey = replace(survey, reminded_at=now)
                    steps.append(f"{kind} survey reminder to {len(actions)} members")
                if w.closes <= now:
                    survey = replace(survey, closed_at=now)
                    if survey.sent_at is not None:
                        found = await round_results(uow, community, r, kind, survey=survey)
                        await uow.outbox.enqueue([_closed_alert(community, r, found, now)])
                    steps.append(f"{kind} survey closed")
                if survey != stored:
                    await uow.surveys.save(survey)
            await uow.commit()
        return steps

    async def next_due(self, round_id: int) -> datetime | None:
        """Return the next moment after now when `advance` has survey work for the round."""
        now = self._clock.now()
        async with self._uow() as uow:
            r = await uow.rounds.get(round_id)
            if r.state not in (RoundState.MATCHED, RoundState.RUNNING, RoundState.FINISHED):
                return None
            times: list[datetime] = []
            surveys = await uow.surveys.for_round(r.id)
            for survey in surveys:
                w = window(r, survey)
                if w is None or survey.closed_at is not None:
                    continue
                if survey.sent_at is None:
                    times.append(w.opens)
                if survey.reminded_at is None:
                    times.append(w.reminds)
                times.append(w.closes)
            if not surveys and r.starts_at and r.ends_at:
                # Not created yet: the round's default calendar still applies.
                for kind in SurveyKind:
                    if (w := window(r, Survey(0, r.id, kind))) is not None:
                        times.append(w.opens)
        future = [t for t in times if t > now]
        return min(future, default=None)


async def round_results(
    uow: UnitOfWork,
    community: Community,
    r: Round,
    kind: SurveyKind,
    *,
    survey: Survey | None = None,
    lang: str | None = None,
) -> SurveyResults:
    """Return the counted results of one survey of round *r* (no survey yet: zeros)."""
    if survey is None:
        found = [s for s in await uow.surveys.for_round(r.id) if s.kind is kind]
        survey = found[0] if found else Survey(0, r.id, kind)
    lang = lang or community.settings.default_language
    titles = await _topic_titles(uow, community.id, lang)
    answers = await uow.surveys.responses(survey.id) if survey.id else []
    return results(r, survey, answers, topic_titles=titles, lang=lang)


async def _round(uow: UnitOfWork, community_id: int, name: str) -> Round:
    r = await uow.rounds.find(community_id, name)
    if r is None:
        raise NotFound(f"there is no round {name!r}: see `penpals round list`")
    return r


async def _topic_titles(uow: UnitOfWork, community_id: int, lang: str) -> list[str]:
    library = await uow.topics.list(community_id)
    return [topics.localize(t, lang).title for t in library]


def _label(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise InvalidValue("a question needs some words: give --label 'How ...?'")
    if len(text) > 45 * 4:
        raise InvalidValue(f"a question has at most 180 characters (this has {len(text)})")
    return text


def _options(type_: QuestionType, labels: Sequence[str]) -> tuple[Option, ...]:
    if type_ is QuestionType.TEXT:
        if labels:
            raise InvalidValue("a text question has no options: drop --options")
        return ()
    if type_ is QuestionType.SCALE:
        if labels:
            raise InvalidValue("a scale question always runs from 1 to 5: drop --options")
        return SCALE_OPTIONS
    cleaned = [" ".join(label.split()) for label in labels if label.strip()]
    if not 2 <= len(cleaned) <= 10:
        raise InvalidValue(
            f"a {type_} question needs 2 to 10 options separated by ';' (got {len(cleaned)})"
        )
    if len(set(cleaned)) != len(cleaned):
        raise InvalidValue("two options have the same text: make each option different")
    if too_long := [c for c in cleaned if len(c) > 75]:
        raise InvalidValue(f"an option has at most 75 characters: {too_long[0][:40]!r}...")
    return tuple(Option(f"o{i}", label) for i, label in enumerate(cleaned, 1))


async def _participants(uow: UnitOfWork, r: Round) -> list[tuple[int, tuple[int, ...]]]:
    """Return (group number, member ids) of the round's active published groups."""
    return [
        (g.number, g.member_ids) for g in await uow.groups.list(r.id) if g.published and g.active
    ]


async def _invitations(
    uow: UnitOfWork,
    community: Community,
    r: Round,
    survey: Survey,
    now: datetime,
    *,
    direct: bool = False,
) -> tuple[int, list[NewAction]]:
    """Return how many are invited and the actions: a post per pair space, or DMs."""
    w = window(r, survey)
    assert w is not None
    groups = await _participants(uow, r)
    invited = sum(len(member_ids) for _, member_ids in groups)
    if direct:
        everyone = [m for _, member_ids in groups for m in member_ids]
        return invited, await _direct(uow, community, r, survey, everyone, now, reminder=False)
    chosen = await uow.members.languages(m for _, member_ids in groups for m in member_ids)
    goals = await goals_by_member(uow, r.id)
    actions = []
    for number, member_ids in groups:
        lang = pair_language_of([chosen.get(m) for m in member_ids], community)
        message = messages.survey_invitation(
            r,
            survey.kind.value,
            survey_action_id(survey.id),
            w.closes,
            lang=lang,
            goals=goals.get(member_ids[0], "") if member_ids else "",
        )
        actions.append(
            NewAction(
                f"r{r.id}:g{number}:survey:{survey.kind}",
                community.id,
                community.platform,
                ActionKind.POST,
                {"message": message_to_dict(message), "group": number},
                now,
                r.id,
                requires=(space_key(r.id, number),),
            )
        )
    return invited, actions


async def _reminders(
    uow: UnitOfWork, community: Community, r: Round, survey: Survey, now: datetime
) -> list[NewAction]:
    """Return a reminder by DM to each participant who has not answered."""
    answered = await uow.surveys.respondents(survey.id)
    member_ids = [m for _, ms in await _participants(uow, r) for m in ms if m not in answered]
    return await _direct(uow, community, r, survey, member_ids, now, reminder=True)


async def _direct(
    uow: UnitOfWork,
    community: Community,
    r: Round,
    survey: Survey,
    member_ids: Sequence[int],
    now: datetime,
    *,
    reminder: bool,
) -> list[NewAction]:
    """Return a direct message with the survey's button to each member, in their language."""
    w = window(r, survey)
    assert w is not None
    refs = await uow.members.refs(member_ids)
    chosen = await uow.members.languages(member_ids)
    render = messages.survey_reminder if reminder else messages.survey_invitation
    suffix = ":reminder" if reminder else ""
    goals = await goals_by_member(uow, r.id)
    actions = []
    for member_id in member_ids:
        ref = refs.get(member_id)
        if ref is None or ref.forgotten:
            continue
        lang = i18n.pick(chosen.get(member_id), community.settings.default_language)
        message = render(
            r,
            survey.kind.value,
            survey_action_id(survey.id),
            w.closes,
            lang=lang,
            goals=goals.get(member_id, ""),
        )
        actions.append(
            NewAction(
                f"r{r.id}:m{member_id}:survey:{survey.kind}{suffix}",
                community.id,
                community.platform,
                ActionKind.DIRECT_MESSAGE,
                {"member": ref.external_id, "message": message_to_dict(message)},
                now,
                r.id,
            )
        )
    return actions


def _closed_alert(community: Community, r: Round, found: SurveyResults, now: datetime) -> NewAction:
    message = messages.survey_closed_alert(
        r,
        found.kind.value,
        found.responses,
        found.invited,
        found.satisfaction,
        lang=community.settings.default_language,
    )
    return NewAction(
        f"r{r.id}:survey:{found.kind}:closed",
        community.id,
        community.platform,
        ActionKind.ALERT_ORGANISERS,
        {"message": message_to_dict(message)},
        now,
        r.id,
    )


def answers_to_json(answers: Mapping[str, Answer]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in answers.items()}


def answers_from_json(data: Mapping[str, Any]) -> dict[str, Answer]:
    return {k: tuple(v) if isinstance(v, list) else str(v) for k, v in data.items()}


def question_to_json(q: Question) -> dict[str, Any]:
    return {
        "key": q.key,
        "type": q.type.value,
        "label": q.label,
        "options": [[o.key, o.label] for o in q.options],
        "required": q.required,
        "max_length": q.max_length,
        "placeholder": q.placeholder,
    }


def question_from_json(data: Mapping[str, Any]) -> Question:
    return Question(
        key=str(data["key"]),
        type=QuestionType(data["type"]),
        label=str(data["label"]),
        options=tuple(Option(str(k), str(v)) for k, v in data.get("options", ())),
        required=bool(data.get("required", False)),
        max_length=int(data.get("max_length", TEXT_MAX)),
        placeholder=str(data.get("placeholder", "")),
    )
