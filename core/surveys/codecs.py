"""Surveys' JSON codecs: answers and questions as stored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.surveys.model import TEXT_MAX, Answer, Option, Question, QuestionType


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
