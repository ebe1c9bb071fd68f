"""Surveys' rules: button ids, when a survey opens, reminds and closes, questions in a
language, answers checked, results counted, an organiser's question checked."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from core.errors import InvalidValue
from core.messages import i18n
from core.messages.i18n import N_
from core.model import Round
from core.surveys.model import (
    ACTION_PREFIX,
    END_OPENS_BEFORE_END,
    MIN_GROUP,
    NONE_OF_THEM,
    OPEN_FOR,
    REMIND_BEFORE_CLOSE,
    SCALE_OPTIONS,
    TOPICS_KEY,
    Answer,
    Option,
    Question,
    QuestionResult,
    QuestionType,
    Response,
    Survey,
    SurveyInvalid,
    SurveyKind,
    SurveyResults,
    Window,
)

_ACTION = re.compile(r"^survey:open:(\d+)$")
QUESTION_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


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


def question_label(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise InvalidValue("a question needs some words: give --label 'How ...?'")
    if len(text) > 45 * 4:
        raise InvalidValue(f"a question has at most 180 characters (this has {len(text)})")
    return text


def question_options(type_: QuestionType, labels: Sequence[str]) -> tuple[Option, ...]:
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
