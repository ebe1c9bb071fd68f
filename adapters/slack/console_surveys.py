"""A round's survey questions from Slack: `/penpals survey NAME show|edit|add|reset ...`.

The same core service as Discord's /survey (core/surveys/editing.py), organisers only
(commands.py checks before dispatching), each change audited with the organiser:

    /penpals survey NAME show [mid|end]
    /penpals survey NAME edit mid|end KEY [new wording] [options=a; b; c] [required=yes|no]
    /penpals survey NAME edit mid|end KEY remove
    /penpals survey NAME add mid|end KEY scale|choice|multi|text wording [options=a; b]
    /penpals survey NAME reset mid|end
    /penpals survey NAME dates mid|end [opens=YYYY-MM-DD] [closes=YYYY-MM-DD]

A wording runs to the next `options=` or `required=`, so it may hold spaces.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from adapters.slack import parsing
from adapters.slack.console_matching import actor
from core.errors import InvalidValue
from core.model import Community
from core.surveys.model import QuestionType, Survey, SurveyKind, Window

if TYPE_CHECKING:
    from adapters.slack.services import Services

VERBS = ("show", "edit", "add", "reset", "dates")
USAGE = (
    "use /penpals survey NAME show [mid|end], survey NAME edit mid|end KEY [wording] "
    "[options=a; b] [required=yes|no], survey NAME edit mid|end KEY remove, "
    "survey NAME add mid|end KEY scale|choice|multi|text wording [options=a; b] "
    "[required=yes], survey NAME reset mid|end, "
    "or survey NAME dates mid|end opens=YYYY-MM-DD closes=YYYY-MM-DD"
)
TEXT_MAX = 3900  # an ephemeral answer stays one readable message
_MARKER = re.compile(r"(?:^|\s)(options|required)=", re.IGNORECASE)
_YES, _NO = frozenset({"yes", "true", "on", "1"}), frozenset({"no", "false", "off", "0"})


def fields(text: str) -> tuple[str, dict[str, str]]:
    """Split "wording options=a; b required=yes" into the wording and the named fields."""
    found = list(_MARKER.finditer(text))
    head = text[: found[0].start()] if found else text
    named: dict[str, str] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        named[m.group(1).lower()] = text[m.end() : end].strip()
    return head.strip(), named


def options(value: str | None) -> list[str] | None:
    """Read "a; b; c" as three options (None: unchanged)."""
    if value is None:
        return None
    return [x.strip() for x in value.split(";") if x.strip()]


def required(value: str | None) -> bool | None:
    """Read required=yes|no (None: unchanged)."""
    if value is None:
        return None
    if value.lower() in _YES:
        return True
    if value.lower() in _NO:
        return False
    raise InvalidValue(f"required={value!r}: say required=yes or required=no")


def kind(word: str) -> SurveyKind:
    """Return the survey a word names (mid or end)."""
    try:
        return SurveyKind(word.lower())
    except ValueError:
        raise InvalidValue(f"{word!r} is not a survey: say mid or end") from None


def question_type(word: str) -> QuestionType:
    """Return the question type a word names."""
    try:
        return QuestionType(word.lower())
    except ValueError:
        known = ", ".join(t.value for t in QuestionType)
        raise InvalidValue(f"{word!r} is not a question type: say one of {known}") from None


def when(window: Window | None) -> str:
    """Say when a survey opens and closes (or that the round's dates are not set)."""
    if window is None:
        return "Dates: none yet (set the round's start and end, or `survey NAME dates`)."
    return f"Opens {window.opens:%Y-%m-%d %H:%M}, closes {window.closes:%Y-%m-%d %H:%M} (UTC)."


def shown(round_name: str, survey: Survey, dates: str = "") -> str:
    """List a survey's questions: key, type, whether required, wording and options."""
    default = " (the default questions)" if survey.questions is None else ""
    lines = [f"*Round {round_name}: {survey.kind.value} survey{default}*"]
    if dates:
        lines.append(dates)
    for q in survey.current_questions:
        line = f"• `{q.key}` ({q.type.value}{', required' if q.required else ''}): {q.label}"
        if q.options:
            line += f" [{'; '.join(o.label for o in q.options)}]"
        lines.append(line)
    text = "\n".join(lines)
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1] + "…"
    return text


async def run(services: Services, community: Community, user_id: str, words: list[str]) -> str:
    """Show or change a round's survey; say the survey as it now stands."""
    if len(words) < 2 or words[1].lower() not in VERBS:
        raise InvalidValue(USAGE)
    name, verb, rest = words[0], words[1].lower(), words[2:]
    surveys = services.surveys
    if verb == "show":
        kinds = [kind(rest[0])] if rest else list(SurveyKind)
        shown_all = [
            shown(
                name,
                await surveys.show(community.id, name, k),
                when(await surveys.window_of(community.id, name, k)),
            )
            for k in kinds
        ]
        return "\n\n".join(shown_all)
    if not rest:
        raise InvalidValue(USAGE)
    which, who = kind(rest[0]), actor(user_id)
    if verb == "dates":
        _, opts = parsing.split_options(rest[1:], frozenset({"opens", "closes"}))
        if not opts:
            raise InvalidValue(f"say when: {USAGE}")
        window = await surveys.schedule(
            community.id,
            name,
            which,
            opens=parsing.when(opts["opens"], "opens") if "opens" in opts else None,
            closes=parsing.when(opts["closes"], "closes") if "closes" in opts else None,
            actor=who,
        )
        return f"Round {name}, {which.value} survey: {when(window)}"
    if verb == "reset":
        return shown(name, await surveys.reset(community.id, name, which, actor=who))
    if len(rest) < 2:
        raise InvalidValue(f"name the question: {USAGE}")
    key = rest[1]
    if verb == "edit":
        wording, named = fields(" ".join(rest[2:]))
        remove = wording.lower() == "remove" and not named
        if not remove and not wording and not named:
            raise InvalidValue(f"say what to change in question {key!r}: {USAGE}")
        survey = await surveys.edit(
            community.id,
            name,
            which,
            key,
            label=None if remove else wording or None,
            options=options(named.get("options")),
            required=required(named.get("required")),
            remove=remove,
            actor=who,
        )
        return shown(name, survey)
    if len(rest) < 4:
        raise InvalidValue(f"give the question's type and wording: {USAGE}")
    wording, named = fields(" ".join(rest[3:]))
    if not wording:
        raise InvalidValue(f"give the question's wording: {USAGE}")
    survey = await surveys.add_question(
        community.id,
        name,
        which,
        key,
        question_type(rest[2]),
        wording,
        options(named.get("options")) or (),
        required=bool(required(named.get("required"))),
        actor=who,
    )
    return shown(name, survey)
