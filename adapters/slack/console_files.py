"""An applications CSV shared back from Slack: `/penpals import NAME` opens a modal with a
file input; the file is downloaded from its url_private with the bot's token (scope
files:read) and imported with the same rules as `penpals applications import`: every
row valid or nothing changes, the problems listed by line and field.

The modal is answered at once with "importing" (Slack wants an answer within three
seconds), then updated with the outcome.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import access, parsing
from adapters.slack.console_matching import actor
from adapters.slack.texts import sentence
from adapters.slack.views import notice_view
from core.errors import InvalidValue, NotAllowed, PenpalsError
from core.model import Community, Platform
from core.rounds.applicants_csv import CsvInvalid

if TYPE_CHECKING:
    from adapters.slack.services import Services

Json = dict[str, Any]
CALLBACK_ID = "penpals_import"
BLOCK = "csv"
PROBLEMS_SHOWN = 20
DOWNLOAD_MAX = 20 * 1024 * 1024


def import_view(community: Community, round_name: str) -> Json:
    """Return the modal that takes one CSV file for *round_name*."""
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": {"type": "plain_text", "text": "Import applications"},
        "submit": {"type": "plain_text", "text": "Import"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"c": community.id, "r": round_name}),
        "blocks": [
            {
                "type": "input",
                "block_id": BLOCK,
                "label": {"type": "plain_text", "text": f"applicants.csv for round {round_name}"},
                "element": {
                    "type": "file_input",
                    "action_id": BLOCK,
                    "filetypes": ["csv"],
                    "max_files": 1,
                },
            }
        ],
    }


async def open_import(
    services: Services, client: AsyncWebClient, community: Community, trigger_id: str, name: str
) -> None:
    """Open the import modal for an existing round."""
    round_ = await services.rounds.get(community.id, name)
    await client.views_open(trigger_id=trigger_id, view=import_view(community, round_.name))


async def download(client: AsyncWebClient, url: str) -> bytes:
    """Return a shared file's bytes: url_private wants the bot token as a bearer."""
    headers = {"Authorization": f"Bearer {client.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, headers=headers, allow_redirects=False) as resp,
    ):
        if resp.status != 200:
            raise InvalidValue(f"Slack would not hand over the file (HTTP {resp.status})")
        data = await resp.content.read(DOWNLOAD_MAX + 1)
    if len(data) > DOWNLOAD_MAX:
        raise InvalidValue("the file is larger than 20 MB: split it")
    return data


def outcome_text(exc: PenpalsError) -> str:
    """Say why an import changed nothing, with each bad row by line and field."""
    text = sentence(str(exc))
    if isinstance(exc, CsvInvalid):
        lines = [f"• {p}" for p in exc.problems[:PROBLEMS_SHOWN]]
        if len(exc.problems) > PROBLEMS_SHOWN:
            lines.append(f"• …and {len(exc.problems) - PROBLEMS_SHOWN} more")
        text += "\n" + "\n".join(lines)
    return text[:2900]


def listener(services: Services) -> Any:
    """Return the view_submission listener of the import modal (organisers only)."""

    async def on_submit(ack: Any, body: Json, view: Json, client: AsyncWebClient) -> None:
        await ack(response_action="update", view=notice_view("Import", "Importing the file…"))
        team = body["team"]
        community = await services.communities.ensure(
            Platform.SLACK, team["id"], team.get("domain", "")
        )
        user = body["user"]["id"]
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            if parsing.record_id(meta.get("c")) != community.id:
                raise NotAllowed("this form belongs to another community: nothing was changed")
            await access.check_organiser(client, community, user)
            state = view["state"]["values"][BLOCK][BLOCK]
            (shared,) = state.get("files") or [None]
            if not shared:
                raise InvalidValue("attach one CSV file")
            data = await download(client, str(shared["url_private"]))
            done = await services.files.import_applications_csv(
                community,
                str(meta["r"]),
                data,
                filename=str(shared.get("name") or "the file"),
                actor=actor(user),
            )
            text = f"Imported into round {meta['r']}: {done.created} new, {done.updated} updated."
        except PenpalsError as exc:
            text = outcome_text(exc)
        except (KeyError, ValueError, TypeError):
            text = "This form is not one penpals made: nothing was changed."
        await client.views_update(view_id=view["id"], view=notice_view("Import", text))

    return on_submit
