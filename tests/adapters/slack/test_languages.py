"""Members read penpals in their language: stored choice, else Slack locale, else the default."""

from __future__ import annotations

from typing import Any

from bots.bootstrap import Services
from core.model import Community, MemberRef, Platform
from tests.adapters.slack import payloads
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import open_round
from tests.adapters.slack.standin import SlackStandIn

AMELIE = "UAMELIE001"


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def _language(value: str) -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": value}, "value": value}
    return {"language": {"language": {"type": "static_select", "selected_option": option}}}


async def test_a_french_member_gets_help_and_the_signup_modal_in_french(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A fr-FR Slack user reads help, the modal and country search in French."""
    slack.add_user(AMELIE, "Amélie Durand", locale="fr-FR")
    await open_round(services, community)

    _, shown = await http.command(payloads.command(slack, AMELIE, "help"))
    await http.command(payloads.command(slack, AMELIE, "signup"))

    assert "`/penpals signup` : postuler" in shown["text"], shown["text"]
    assert "*Organisers*" in shown["text"]  # organiser commands stay in English
    view = await payloads.signup_form(slack)
    assert view["submit"]["text"] == "Postuler"
    assert _block(view, "country")["label"]["text"] == "Pays où vous travaillez"
    language = _block(view, "language")["element"]
    assert [o["value"] for o in language["options"]] == ["en", "fr", "es"]
    assert language["initial_option"]["value"] == "fr"
    _, found = await http.interact(payloads.options(slack, AMELIE, view, "country", "allem"))
    assert [o["text"]["text"] for o in found["options"]] == ["Allemagne (DE)"]
    # One users.info with the locale, kept for the next requests.
    asked = [c for c in slack.calls_to("users.info") if c.args.get("include_locale")]
    assert len(asked) == 1


async def test_the_language_chosen_at_signup_wins_over_the_slack_locale(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """Choosing Español in the modal stores it: the thanks and later replies are in Spanish."""
    slack.add_user(AMELIE, "Amélie Durand", locale="fr-FR")
    await open_round(services, community)
    view = await payloads.open_signup(slack, http, AMELIE)
    values = {**payloads.signup_values(name="Amélie Durand"), **_language("es")}

    _, answer = await http.interact(payloads.view_submission(slack, AMELIE, view, values))
    thanks = await payloads.outcome(slack, view)
    _, profile = await http.command(payloads.command(slack, AMELIE, "profile"))
    _, gone = await http.command(payloads.command(slack, AMELIE, "withdraw"))

    assert answer["response_action"] == "update"
    assert thanks.startswith("¡Gracias, Amélie Durand!"), thanks
    member = MemberRef(Platform.SLACK, AMELIE)
    assert await services.applications.language(community, member, locale="fr-FR") == "es"
    assert "Finlandia (Europe/Helsinki)" in profile["text"], profile["text"]
    assert gone["text"] == "Te has retirado de la ronda 2027A."


async def test_an_unsupported_locale_falls_back_to_the_community_language(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A de-DE user in a French-speaking community reads French; an en-US user English."""
    slack.add_user(AMELIE, "Anna Schmidt", locale="de-DE")
    await services.communities.configure(community.id, default_language="fr")

    _, french = await http.command(payloads.command(slack, AMELIE, "help"))
    _, english = await http.command(payloads.command(slack, "UMEMBER001", "help"))

    assert french["text"].startswith("*penpals* forme des binômes"), french["text"]
    assert english["text"].startswith("*penpals* pairs members across countries")


async def test_a_french_member_is_refused_in_french(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """Core's refusals reach a fr-FR member in French: the modal's fields, /penpals resume."""
    slack.add_user(AMELIE, "Amélie Durand", locale="fr-FR")
    await open_round(services, community)
    view = await payloads.open_signup(slack, http, AMELIE)
    bad = payloads.signup_values(name="Amélie Durand", country="ZZ", timezone="Mars/Olympus")

    _, answer = await http.interact(payloads.view_submission(slack, AMELIE, view, bad))
    _, resumed = await http.command(payloads.command(slack, AMELIE, "resume"))
    _, english = await http.command(payloads.command(slack, "UMEMBER001", "resume"))

    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) == {"country", "timezone"}
    assert errors["country"].startswith("code de pays inconnu 'ZZ' : utilisez un code ISO")
    assert errors["timezone"].startswith("fuseau horaire inconnu 'Mars/Olympus' : ")
    assert await services.applications.list(community.id, "2027A") == []
    assert resumed["text"] == (
        "Vous ne participez à aucune session en cours : il n'y a donc rien à mettre en pause."
    ), resumed["text"]
    assert english["text"].startswith("You are not in a running round")


async def test_a_closed_round_is_explained_in_spanish(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """A Spanish member who runs /penpals signup after the round closed reads why in Spanish."""
    slack.add_user(AMELIE, "Amelia Duarte", locale="es-ES")
    await open_round(services, community)
    await services.rounds.close(community.id, "2027A")

    await http.command(payloads.command(slack, AMELIE, "signup"))

    text = await payloads.modal_text(slack)
    assert text.startswith("Las inscripciones para la edición 2027A"), text
    assert not payloads.signup_forms(slack)
