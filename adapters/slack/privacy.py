"""A member's own data on Slack: `/penpals export-me` and `/penpals forget-me`.

export-me sends core.privacy.service's export as a JSON file in a direct message
(files_upload_v2). forget-me first shows a confirmation only the member sees; the
red button (with Slack's own "are you sure" dialog) then calls core.privacy.service.forget.
What is kept after forgetting, and why, is core.privacy.service's business (docs/privacy.md).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.texts import Locales, member_language, sentence, translation
from core.errors import NotFound, PenpalsError
from core.model import Community, MemberRef, Platform

if TYPE_CHECKING:
    from adapters.slack.services import Services

FORGET_ACTION = "privacy:forget"
KEEP_ACTION = "privacy:keep"
ACTIONS = (FORGET_ACTION, KEEP_ACTION)
EXPORT_FILENAME = "penpals-my-data.json"

Ack = Callable[..., Awaitable[Any]]
Json = dict[str, Any]


def nothing_stored(lang: str) -> str:
    _ = translation(lang)
    return _("Nothing is stored about you in penpals, so there is nothing to send or forget.")


def forget_prompt(lang: str) -> tuple[str, list[Json]]:
    """Return the confirmation shown before forgetting: text and blocks with two buttons."""
    _ = translation(lang)
    text = _(
        "*Forget you?* penpals will erase your name, introduction, interests and wishes, "
        "and withdraw you from any round not matched yet. Only anonymous counts stay "
        "(your country, sector and career stage) so that the program's reports still add "
        "up. This cannot be undone. Want a copy first? Run `/penpals export-me`."
    )
    confirm = {
        "title": {"type": "plain_text", "text": _("Forget me")[:100]},
        "text": {"type": "plain_text", "text": _("Erase your data from penpals for good?")},
        "confirm": {"type": "plain_text", "text": _("Forget me")},
        "deny": {"type": "plain_text", "text": _("Cancel")},
        "style": "danger",
    }
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "actions",
            "block_id": "privacy_forget",
            "elements": [
                {
                    "type": "button",
                    "action_id": FORGET_ACTION,
                    "text": {"type": "plain_text", "text": _("Forget me")},
                    "style": "danger",
                    "value": "forget",
                    "confirm": confirm,
                },
                {
                    "type": "button",
                    "action_id": KEEP_ACTION,
                    "text": {"type": "plain_text", "text": _("Keep my data")},
                    "value": "keep",
                },
            ],
        },
    ]
    return _("Forget you? Confirm with the button."), blocks


class Privacy:
    """export-me and forget-me, bound to the services and the bot's Web API client."""

    def __init__(self, *, services: Services, client: AsyncWebClient) -> None:
        self._s = services
        self._client = client

    async def export(self, community: Community, member: MemberRef, lang: str) -> str:
        """DM the member everything stored about them as a JSON file; return the reply."""
        _ = translation(lang)
        try:
            data = await self._s.privacy.export(community, member)
        except NotFound:
            return nothing_stored(lang)
        body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        opened = await self._client.conversations_open(users=member.external_id)
        await self._client.files_upload_v2(
            channel=opened["channel"]["id"],
            content=body.encode("utf-8"),
            filename=EXPORT_FILENAME,
            title=_("Your data in penpals"),
            initial_comment=_(
                "Here is everything penpals stores about you, as JSON. To erase it, run "
                "`/penpals forget-me`."
            ),
        )
        return _("Sent: your data is in your direct messages with penpals, as a JSON file.")

    async def forget(self, community: Community, member: MemberRef, lang: str) -> str:
        """Forget the member (after they confirmed); return what to tell them."""
        _ = translation(lang)
        try:
            done = await self._s.privacy.forget(community, member)
        except NotFound:
            return nothing_stored(lang)
        # Whatever delivery the forgetting cancelled or changed, let the engine see it now.
        self._s.wake()
        text = _(
            "Done: penpals has forgotten you. Your name, introduction, interests and wishes "
            "are erased; only anonymous counts remain."
        )
        if done.withdrawn:
            text += " " + _("You are withdrawn from the rounds not matched yet.")
        return text


def listener(services: Services, client: AsyncWebClient, locales: Locales) -> Ack:
    """Return the bolt listener of the forget-me confirmation buttons."""
    privacy = Privacy(services=services, client=client)

    async def on_forget(ack: Ack, body: Json, action: Json, respond: Ack) -> None:
        await ack()  # forgetting rewrites the outbox: it may take longer than Slack's 3 s
        team = body["team"]
        community = await services.communities.ensure(
            Platform.SLACK, team["id"], team.get("domain", "")
        )
        member = MemberRef(Platform.SLACK, body["user"]["id"])
        # Asked before forgetting: afterwards the member's stored choice is gone.
        lang = await member_language(
            services, community, member, await locales.of(member.external_id)
        )
        _ = translation(lang)
        if action.get("action_id") != FORGET_ACTION:
            text = _("Nothing was changed: penpals keeps your data.")
        else:
            try:
                text = await privacy.forget(community, member, lang)
            except PenpalsError as exc:
                text = sentence(exc.localized(lang))
        await respond(replace_original=True, response_type="ephemeral", text=text)

    return on_forget
