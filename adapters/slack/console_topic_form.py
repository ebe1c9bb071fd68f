"""A round's topic in one language, in a form: `/penpals topic NAME N LANG` with nothing after.

The modal holds the topic's title, prompt and questions (one a line) as written in that
language, empty where it has no translation yet (pairs then get another language's
text: core/rounds/round_topics.py). Submitting saves all three, audited with the
organiser; a refusal (a title too long, a sixth question, a topic already sent) is shown
on the form, which stays open. The one-line `/penpals topic NAME N LANG title | prompt`
(console_talk.py) stays for quick edits.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import access, parsing
from adapters.slack.console_matching import actor
from adapters.slack.texts import sentence
from adapters.slack.views import notice_view
from core.errors import InvalidValue, NotAllowed, NotFound, PenpalsError
from core.messages import vocab
from core.model import Community, Platform
from core.rounds.round_topics import PROMPT_MAX, QUESTION_MAX, QUESTIONS_MAX, TITLE_MAX
from core.rounds.topic_texts import TopicText

if TYPE_CHECKING:
    from adapters.slack.services import Services

Json = dict[str, Any]
CALLBACK_ID = "penpals_topic"
TITLE, PROMPT, QUESTIONS = "title", "prompt", "questions"
QUESTIONS_CHARS = QUESTIONS_MAX * (QUESTION_MAX + 1)


def _input(block: str, label: str, value: str, *, limit: int, multiline: bool) -> Json:
    element: Json = {
        "type": "plain_text_input",
        "action_id": block,
        "multiline": multiline,
        "max_length": limit,
    }
    if value:
        element["initial_value"] = value[:limit]
    return {
        "type": "input",
        "block_id": block,
        "optional": block != TITLE,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def topic_view(
    community: Community, round_name: str, position: int, lang: str, current: TopicText
) -> Json:
    """Return the modal holding topic *position* of *round_name* as written in *lang*."""
    meta = {"c": community.id, "r": round_name, "p": position, "l": lang}
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": {"type": "plain_text", "text": f"Topic {position} ({lang})"[:24]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(meta),
        "blocks": [
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"Round {round_name}, topic {position}, in {lang}. "
                        "A field left empty falls back to another language.",
                    }
                ],
            },
            _input(TITLE, "Title", current.title, limit=TITLE_MAX, multiline=False),
            _input(PROMPT, "Prompt", current.prompt, limit=PROMPT_MAX, multiline=True),
            _input(
                QUESTIONS,
                f"Questions, one a line (at most {QUESTIONS_MAX})",
                "\n".join(current.questions),
                limit=QUESTIONS_CHARS,
                multiline=True,
            ),
        ],
    }


async def open_form(
    services: Services,
    client: AsyncWebClient,
    community: Community,
    trigger_id: str,
    words: list[str],
) -> None:
    """Open the form of `/penpals topic NAME N LANG` (the round and topic must exist)."""
    name, position = words[0], parsing.number(words[1], "the topic's number")
    lang = vocab.community_language(words[2])  # refused before a form is opened
    listed = await services.round_topics.list(community.id, name)
    found = next((t for t in listed.topics if t.position == position), None)
    if found is None:
        raise NotFound(
            f"round {listed.round.name} has no topic {position}: see /penpals topics {name}"
        )
    current = found.texts.get(lang, TopicText())
    view = topic_view(community, listed.round.name, position, lang, current)
    await client.views_open(trigger_id=trigger_id, view=view)


def _value(values: Json, block: str) -> str:
    return str((values.get(block) or {}).get(block, {}).get("value") or "").strip()


def listener(services: Services) -> Any:
    """Return the view_submission listener of the topic form (organisers only)."""

    async def on_submit(ack: Any, body: Json, view: Json, client: AsyncWebClient) -> None:
        team, user = body["team"], body["user"]["id"]
        community = await services.communities.ensure(
            Platform.SLACK, team["id"], team.get("domain", "")
        )
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            if parsing.record_id(meta.get("c")) != community.id:
                raise NotAllowed("this form belongs to another community: nothing was changed")
            await access.check_organiser(client, community, user)
            values = view["state"]["values"]
            questions = [q.strip() for q in _value(values, QUESTIONS).splitlines() if q.strip()]
            if not isinstance(meta["p"], int):
                raise InvalidValue("this form names no topic")
            await services.round_topics.edit(
                community.id,
                str(meta["r"]),
                meta["p"],
                lang=str(meta["l"]),
                title=_value(values, TITLE),
                prompt=_value(values, PROMPT),
                questions=questions,
                actor=actor(user),
            )
        except PenpalsError as exc:
            await ack(response_action="errors", errors={TITLE: sentence(str(exc))[:2000]})
            return
        except (KeyError, ValueError, TypeError):
            text = "This form is not one penpals made: nothing was changed."
            await ack(response_action="update", view=notice_view("Topic", text))
            return
        text = f"Topic {meta['p']} of round {meta['r']} saved in {meta['l']}."
        await ack(response_action="update", view=notice_view("Topic saved", text))

    return on_submit
