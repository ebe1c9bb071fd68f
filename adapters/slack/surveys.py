"""Surveys on Slack: the "Answer the survey" button opens one modal with every question.

core.surveys owns the questions, the calendar, the checks and the thanks; this
module renders a SurveyForm as a modal (one input block per question, its block_id
the question's key, so core's SurveyInvalid maps straight onto response_action
"errors") and reads a submission back into answers. The modal's private_metadata
carries the survey id and the language it was shown in.

Block Kit: a modal holds 100 blocks (a survey at most 20 questions), a select at
most 100 options of 75 characters; a multiple choice of up to 10 options is shown
as checkboxes, a longer one as a multi-select.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from adapters.slack import parsing
from adapters.slack.identity import Membership, presser
from adapters.slack.render import escape
from adapters.slack.texts import Locales, sentence, translation
from core.errors import NotAllowed, PenpalsError
from core.messages import i18n
from core.model import MemberRef, Platform
from core.surveys.model import (
    ACTION_PREFIX,
    Answer,
    Question,
    QuestionType,
    SurveyForm,
    SurveyInvalid,
)
from core.surveys.rules import parse_survey_action

if TYPE_CHECKING:
    from adapters.slack.services import Services

CALLBACK_ID = "penpals_survey"
ACTION = re.compile(f"^{re.escape(ACTION_PREFIX)}\\d+$")
TITLE_MAX = 24
OPTION_MAX = 75
LABEL_MAX = 2000
CHECKBOXES_MAX = 10
SELECT_MAX = 100

Ack = Callable[..., Awaitable[Any]]
Json = dict[str, Any]


def _plain(text: str, limit: int) -> Json:
    clipped = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": clipped}


def _option(key: str, label: str) -> Json:
    return {"text": _plain(label, OPTION_MAX), "value": key}


def _element(q: Question, answer: Answer | None, lang: str) -> Json:
    """Return the input element of question *q*, showing *answer*."""
    _ = translation(lang)
    options = [_option(o.key, o.label) for o in q.options][:SELECT_MAX]
    if q.type is QuestionType.TEXT:
        element: Json = {"type": "plain_text_input", "multiline": True, "max_length": q.max_length}
        if isinstance(answer, str) and answer:
            element["initial_value"] = answer
        if q.placeholder:
            element["placeholder"] = _plain(q.placeholder, 150)
        return element
    if q.type is QuestionType.MULTI:
        chosen = set((answer,) if isinstance(answer, str) else (answer or ()))
        kind = "checkboxes" if len(options) <= CHECKBOXES_MAX else "multi_static_select"
        element = {"type": kind, "options": options}
        if kind != "checkboxes":
            element["placeholder"] = _plain(_("Choose any"), 150)
        initial = [o for o in options if o["value"] in chosen]
        if initial:
            element["initial_options"] = initial
        return element
    element = {"type": "static_select", "options": options}
    element["placeholder"] = _plain(_("Choose one"), 150)
    initial = [o for o in options if isinstance(answer, str) and o["value"] == answer]
    if initial:
        element["initial_option"] = initial[0]
    return element


def survey_view(form: SurveyForm) -> Json:
    """Return the modal of *form*: its intro, then one input per question, prefilled."""
    _ = translation(form.lang)
    intro = f"*{escape(form.round_name)}* · {escape(form.intro)}"
    blocks: list[Json] = [{"type": "section", "text": {"type": "mrkdwn", "text": intro}}]
    for q in form.questions:
        blocks.append(
            {
                "type": "input",
                "block_id": q.key,
                "label": _plain(q.label, LABEL_MAX),
                "element": {"action_id": q.key, **_element(q, form.answers.get(q.key), form.lang)},
                "optional": not q.required,
            }
        )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(form.title, TITLE_MAX),
        "submit": _plain(form.submit_label or _("Send"), TITLE_MAX),
        "close": _plain(_("Cancel"), TITLE_MAX),
        "private_metadata": json.dumps({"survey": form.survey_id, "lang": form.lang}),
        "blocks": blocks,
    }


def notice_view(title: str, text: str, lang: str) -> Json:
    """Return a modal that only tells the member something (after a submission)."""
    _ = translation(lang)
    return {
        "type": "modal",
        "title": _plain(title, TITLE_MAX),
        "close": _plain(_("Close"), TITLE_MAX),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}}],
    }


def metadata(view: Json) -> tuple[int | None, str]:
    """Return the survey id and language a survey modal carries."""
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        found = {}
    if not isinstance(found, dict):
        found = {}
    return parsing.record_id(found.get("survey")), i18n.pick(found.get("lang"))


def answers(values: Json) -> dict[str, Answer]:
    """Return the answers of a view_submission's state values, keyed by question."""
    out: dict[str, Answer] = {}
    for key, actions in values.items():
        state = next(iter((actions or {}).values()), {})
        kind = state.get("type", "")
        if kind in ("checkboxes", "multi_static_select"):
            out[key] = tuple(o["value"] for o in state.get("selected_options") or [])
        elif kind == "static_select":
            out[key] = (state.get("selected_option") or {}).get("value", "")
        else:
            out[key] = state.get("value") or ""
    return out


def field_errors(exc: SurveyInvalid, values: Mapping[str, Any]) -> dict[str, str]:
    """Map SurveyInvalid's errors onto the modal's blocks (unknown keys: the first block)."""
    blocks = list(values)
    errors: dict[str, str] = {}
    for key, why in exc.errors.items():
        block = key if key in values else (blocks[0] if blocks else key)
        text = sentence(why) if block == key else sentence(f"{key}: {why}")
        errors[block] = f"{errors[block]} {text}" if block in errors else text
    return errors


class SurveyListeners:
    """The survey button and the survey modal's submission."""

    def __init__(
        self,
        *,
        services: Services,
        client: Any,
        locales: Locales,
        membership: Membership | None = None,
    ) -> None:
        self._s = services
        self._client = client
        self._locales = locales
        self._membership = membership or Membership(uow=services.uow)

    async def on_open(self, ack: Ack, body: Json, action: Json, respond: Ack) -> None:
        """Open the survey modal for the member who pressed the button (trigger_id: 3 s)."""
        await ack()
        survey_id = parsing.record_id(parse_survey_action(action.get("action_id", "")))
        user = body["user"]["id"]
        member = MemberRef(Platform.SLACK, user)
        locale = await self._locales.of(user)
        try:
            if survey_id is None:
                raise PenpalsError(f"unknown survey button {action.get('action_id')!r}")
            await self._check(body, survey_id, locale)
            form = await self._s.surveys.form(member, survey_id, locale=locale)
        except PenpalsError as exc:
            await respond(
                replace_original=False, response_type="ephemeral", text=sentence(str(exc))
            )
            return
        await self._client.views_open(trigger_id=body["trigger_id"], view=survey_view(form))

    async def on_submit(self, ack: Ack, body: Json, view: Json) -> None:
        """Store the answers; show what to fix next to the questions, or the thanks."""
        values = view["state"]["values"]
        survey_id, lang = metadata(view)
        _ = translation(lang)
        user = body["user"]["id"]
        member = MemberRef(Platform.SLACK, user)
        if survey_id is None:
            await ack(
                response_action="update",
                view=notice_view(_("Not saved"), _("This survey form is damaged."), lang),
            )
            return
        locale = await self._locales.of(user)
        try:
            await self._check(body, survey_id, lang)
            receipt = await self._s.surveys.answer(
                member, survey_id, answers(values), locale=locale
            )
        except SurveyInvalid as exc:
            await ack(response_action="errors", errors=field_errors(exc, values))
            return
        except PenpalsError as exc:  # closed (Conflict), not a participant (NotFound)
            notice = notice_view(_("Not saved"), sentence(str(exc)), lang)
            await ack(response_action="update", view=notice)
            return
        await ack(response_action="update", view=notice_view(_("Thank you"), receipt.text, lang))

    async def _check(self, body: Json, survey_id: int, locale: str | None) -> None:
        """Refuse someone whose user id does not name a person of the survey's workspace."""
        refused = await self._membership.survey_refused(presser(body), survey_id)
        if refused is not None:
            # The core's own refusal (penpals domain), already in every catalog.
            core_text = i18n.translator(i18n.pick(locale)).gettext
            raise NotAllowed(core_text(NOT_IN_ROUND).format(round=refused))


NOT_IN_ROUND = "this survey is for the participants of round {round}: you were not in it"
