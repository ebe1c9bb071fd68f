"""Pair goals on Slack: the introduction's "Set our goals" button opens a short modal.

core.engagement.goals owns the checks (only the pair's members), the storage and the texts in
the member's language; this module renders a GoalsForm as a modal with one
multi-line input, prefilled, and reads the submission back. The modal's
private_metadata carries the round id, the group number and the language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from adapters.slack import parsing
from adapters.slack.identity import Membership, presser
from adapters.slack.render import escape
from adapters.slack.texts import Locales, sentence
from core.engagement.goals import GoalsForm, parse_goals_action
from core.errors import NotAllowed, PenpalsError
from core.messages import i18n
from core.model import MemberRef, Platform

if TYPE_CHECKING:
    from adapters.slack.services import Services

CALLBACK_ID = "penpals_goals"
ACTION = re.compile(r"^goals:open:\d{1,10}:\d{1,6}$")
BLOCK = "goals"
TITLE_MAX = 24
# The core's own refusal (core.engagement.goals, penpals domain): translated where shown.
NOT_IN_PAIR = "only the members of this pair can set its goals"

Ack = Callable[..., Awaitable[Any]]
Json = dict[str, Any]


def _plain(text: str, limit: int) -> Json:
    clipped = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": clipped}


def goals_view(form: GoalsForm) -> Json:
    """Return the goals modal of a pair, prefilled with what it wrote so far."""
    element: Json = {
        "type": "plain_text_input",
        "action_id": "text",
        "multiline": True,
        "max_length": form.limit,
        "placeholder": _plain(form.placeholder, 150),
    }
    if form.text:
        element["initial_value"] = form.text
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(form.title, TITLE_MAX),
        "submit": _plain(form.submit, TITLE_MAX),
        "private_metadata": json.dumps(
            {"round": form.round_id, "group": form.number, "lang": form.lang}
        ),
        "blocks": [
            {
                "type": "input",
                "block_id": BLOCK,
                "optional": True,
                "label": _plain(form.label, 2000),
                "element": element,
            }
        ],
    }


def _notice(title: str, text: str) -> Json:
    return {
        "type": "modal",
        "title": _plain(title, TITLE_MAX),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}}],
    }


class GoalListeners:
    """The "Set our goals" button and the goals modal's submission."""

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
        """Open the goals modal for a member of the pair (trigger_id: 3 seconds)."""
        await ack()
        user = body["user"]["id"]
        found = parse_goals_action(str(action.get("action_id", "")))
        locale = await self._locales.of(user)
        try:
            if found is None or parsing.record_id(found[0]) is None:
                raise PenpalsError(f"unknown goals button {action.get('action_id')!r}")
            await self._check(body, found[0])
            form = await self._s.goals.form(
                MemberRef(Platform.SLACK, user), found[0], found[1], locale=locale
            )
        except PenpalsError as exc:
            text = exc.localized(i18n.pick(locale))
            await respond(replace_original=False, response_type="ephemeral", text=sentence(text))
            return
        await self._client.views_open(trigger_id=body["trigger_id"], view=goals_view(form))

    async def on_submit(self, ack: Ack, body: Json, view: Json) -> None:
        """Store the pair's goals; show the confirmation, or why not, in the member's language."""
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            meta = {}
        meta = meta if isinstance(meta, dict) else {}
        lang = i18n.pick(meta.get("lang"))
        round_id, number = (
            parsing.record_id(meta.get("round")),
            parsing.record_id(meta.get("group")),
        )
        state = (view.get("state") or {}).get("values") or {}
        text = str(((state.get(BLOCK) or {}).get("text") or {}).get("value") or "")
        user = body["user"]["id"]
        title = i18n.translator(lang).gettext("Our goals")
        try:
            if round_id is None or number is None:
                raise PenpalsError("this goals form is damaged: press the button again")
            await self._check(body, round_id)
            done = await self._s.goals.save(
                MemberRef(Platform.SLACK, user), round_id, number, text, locale=lang
            )
        except PenpalsError as exc:
            await ack(response_action="update", view=_notice(title, sentence(exc.localized(lang))))
            return
        await ack(response_action="update", view=_notice(title, done))

    async def _check(self, body: Json, round_id: int) -> None:
        """Refuse someone whose user id does not name a person of the round's workspace."""
        if not await self._membership.in_round(presser(body), round_id):
            raise NotAllowed(NOT_IN_PAIR)
