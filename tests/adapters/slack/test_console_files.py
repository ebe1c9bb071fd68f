"""An applications CSV shared back from Slack: every row valid or nothing changes."""

from __future__ import annotations

from typing import Any

from bots.bootstrap import Services
from core.model import Community
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import ADMIN, MEMBER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.standin import SlackStandIn, wait_until

ROUND = "2027A"
HEADER = (
    "id,name,country,timezone,languages,sector,career_stage,interests,introduction,"
    "wish_sectors,wish_career_stages,wish_countries,previous_partners\n"
)
GOOD = (
    "UIMPORT001,Ana Souza,BR,America/Sao_Paulo,pt;en,academic,early,open access,Hi,,,,\n"
    "UIMPORT002,Jussi Koski,FI,Europe/Helsinki,fi;en,public,mid,makerspaces,Moi,,,,\n"
)
BAD = GOOD + "UIMPORT003,Bad Row,ZZ,Nowhere/City,xx,academic,early,,,,,,\n"


async def _open(slack: SlackStandIn, http: SignedClient, user: str) -> Any:
    seen = len(slack.views)
    _, answer = await http.command(payloads.command(slack, user, f"import {ROUND}"))
    return answer, (list(slack.views.values())[-1] if len(slack.views) > seen else None)


def _values(file: dict[str, Any]) -> dict[str, Any]:
    return {"csv": {"csv": {"type": "file_input", "files": [file]}}}


async def _submit(slack: SlackStandIn, http: SignedClient, user: str, view: Any, file: Any) -> str:
    await http.interact(payloads.view_submission(slack, user, view, _values(file)))
    # The "importing" answer goes back in the HTTP response; the outcome by views.update.
    await wait_until(lambda: "callback_id" not in slack.views[view["id"]])
    return str(slack.views[view["id"]]["blocks"][0]["text"]["text"])


async def test_a_valid_csv_is_imported_from_a_modal(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """The file is fetched from url_private with the bot token; both rows become pending."""
    await services.rounds.create(community.id, ROUND)
    answer, view = await _open(slack, http, ADMIN)
    assert view is not None and view["callback_id"] == "penpals_import", answer
    file = slack.add_file(ADMIN, "applicants.csv", (HEADER + GOOD).encode())
    text = await _submit(slack, http, ADMIN, view, file)
    assert text == f"Imported into round {ROUND}: 2 new, 0 updated.", text
    assert slack.downloads == [file["id"]]
    apps = await services.applications.list(community.id, ROUND)
    assert {a.member.external_id for a in apps} == {"UIMPORT001", "UIMPORT002"}
    entries = await services.audit.list(community.id, ROUND)
    assert any(e.action == "applications.import" and e.actor == f"slack:{ADMIN}" for e in entries)


async def test_one_bad_row_changes_nothing_and_is_named_by_line(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A file with one bad row imports nothing; the modal names line 4 and its fields."""
    await services.rounds.create(community.id, ROUND)
    _, view = await _open(slack, http, ADMIN)
    file = slack.add_file(ADMIN, "applicants.csv", (HEADER + BAD).encode())
    text = await _submit(slack, http, ADMIN, view, file)
    assert "nothing was changed" in text and "4" in text, text
    assert await services.applications.list(community.id, ROUND) == []


async def test_a_member_cannot_open_or_submit_the_import(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A member's /penpals import is refused; a submitted import form from a member too."""
    await services.rounds.create(community.id, ROUND)
    answer, view = await _open(slack, http, MEMBER)
    assert view is None and answer["text"].startswith("Only organisers")
    _, view = await _open(slack, http, ADMIN)
    file = slack.add_file(MEMBER, "applicants.csv", (HEADER + GOOD).encode())
    text = await _submit(slack, http, MEMBER, view, file)
    assert text.startswith("Only organisers"), text
    assert slack.downloads == []
    assert await services.applications.list(community.id, ROUND) == []
