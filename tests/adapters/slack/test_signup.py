"""Members apply through /penpals signup and its modal, over signed HTTP requests."""

from __future__ import annotations

from bots.bootstrap import Services
from core.model import ApplicationStatus, Community, RoundState
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import MEMBER
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import open_round
from tests.adapters.slack.standin import SlackStandIn
from tests.support import FixedClock


async def test_signup_end_to_end(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """Signup opens the modal in time, searches countries, shows field errors, then saves."""
    await open_round(services, community)

    status, _ = await http.command(payloads.command(slack, MEMBER, "signup"))

    assert status == 200
    view = await payloads.signup_form(slack)  # the loading modal, then the form in it
    assert len(slack.calls_to("views.open", ok=True)) == 1
    assert list(slack.views) == [view["id"]]
    name = next(b for b in view["blocks"] if b.get("block_id") == "name")
    assert name["element"]["initial_value"] == "Aino Virtanen"

    status, found = await http.interact(payloads.options(slack, MEMBER, view, "country", "finl"))
    assert status == 200
    assert [o["value"] for o in found["options"]] == ["FI"]
    status, found = await http.interact(payloads.options(slack, MEMBER, view, "timezone", "sao"))
    assert "America/Sao_Paulo" in [o["value"] for o in found["options"]]

    bad = payloads.signup_values(interests="open access, <b>!!</b>")
    status, answer = await http.interact(payloads.view_submission(slack, MEMBER, view, bad))
    assert status == 200
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"interests"}
    assert await services.applications.list(community.id, "2027A") == []

    good = payloads.signup_values()
    status, answer = await http.interact(payloads.view_submission(slack, MEMBER, view, good))
    assert answer["response_action"] == "update"  # "saving…", at once
    assert "Thank you, Aino Virtanen!" in await payloads.outcome(slack, view)
    [app] = await services.applications.list(community.id, "2027A")
    assert app.member.external_id == MEMBER
    assert (app.profile.country, app.profile.timezone) == ("FI", "Europe/Helsinki")
    assert app.profile.languages == ("fi", "en")
    assert app.profile.interests == ("open access", "reference")
    assert app.profile.wishes.countries == ("BR",)


async def test_signup_again_edits_the_application(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """Running signup again opens the modal filled in, and saving edits the same application."""
    await open_round(services, community)
    first = await payloads.open_signup(slack, http, MEMBER)
    await http.interact(payloads.view_submission(slack, MEMBER, first, payloads.signup_values()))
    await payloads.outcome(slack, first)

    await http.command(payloads.command(slack, MEMBER, "signup"))
    second = await payloads.signup_form(slack, 2)
    country = next(b for b in second["blocks"] if b.get("block_id") == "country")
    assert country["element"]["initial_option"]["value"] == "FI"
    edited = payloads.signup_values(career_stage="mid")
    await http.interact(payloads.view_submission(slack, MEMBER, second, edited))

    assert "updated" in await payloads.outcome(slack, second)
    [app] = await services.applications.list(community.id, "2027A")
    assert app.profile.career_stage == "mid"


async def test_signup_refused_without_an_open_round(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    clock: FixedClock,
) -> None:
    """No open round, or a closed window: the modal says why, and no form is shown."""
    await http.command(payloads.command(slack, MEMBER, "signup"))
    assert "no round is taking applications" in (await payloads.modal_text(slack)).lower()

    await services.rounds.create(community.id, "2027A", closes=clock.now().replace(day=20))
    await services.rounds.open(community.id, "2027A")
    clock.advance(days=15)
    await http.command(payloads.command(slack, MEMBER, "signup"))
    assert "closed" in await payloads.modal_text(slack, 2)
    assert payloads.signup_forms(slack) == []
    [round_] = await services.rounds.list(community.id)
    assert round_.round.state is RoundState.OPEN


async def test_profile_and_withdraw(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A member sees their application, then withdraws; both answers are ephemeral."""
    await open_round(services, community)
    _, none_yet = await http.command(payloads.command(slack, MEMBER, "profile"))
    view = await payloads.open_signup(slack, http, MEMBER)
    await http.interact(payloads.view_submission(slack, MEMBER, view, payloads.signup_values()))
    await payloads.outcome(slack, view)

    _, shown = await http.command(payloads.command(slack, MEMBER, "profile"))
    _, gone = await http.command(payloads.command(slack, MEMBER, "withdraw"))

    assert none_yet["text"].startswith("You have not applied yet")
    assert shown["response_type"] == "ephemeral"
    assert "*Aino Virtanen*, Finland (Europe/Helsinki): application pending" in shown["text"]
    assert gone["text"] == "You have withdrawn from round 2027A."
    [app] = await services.applications.list(community.id, "2027A")
    assert app.status is ApplicationStatus.WITHDRAWN
