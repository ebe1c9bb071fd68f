"""Localisation on Discord: command localisations at sync, replies in the member's language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.discord import texts
from bots.discord_main import sync_commands
from bots.settings import Settings
from core.engagement import rules as engagement
from core.model import MemberRef, Platform
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.rounds import FORM, SIGNUP, open_round
from tests.adapters.discord.standin import DiscordStandIn

LOCALES = ("fr", "es-ES", "es-419")


def walk(commands: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Yield every command, subcommand and option of a sync payload."""
    for c in commands:
        yield c
        yield from walk(c.get("options") or [])


async def synced(standin: DiscordStandIn) -> list[dict[str, Any]]:
    settings = Settings(
        _env_file=None,
        DISCORD_TOKEN="standin-token",
        discord_api_url=standin.api_url,
        discord_gateway_url=standin.gateway_url,
    )
    await sync_commands(settings)
    [put] = standin.calls("PUT", rf"/applications/{standin.application_id}/commands")
    return list(put.json)


async def test_sync_sends_french_and_spanish_localisations(standin: DiscordStandIn) -> None:
    """Member commands, their options and choices carry fr, es-ES and es-419 localisations."""
    commands = await synced(standin)
    signup = next(c for c in commands if c["name"] == "signup")
    for locale in LOCALES:
        assert locale in signup["name_localizations"]
        assert locale in signup["description_localizations"]
    assert signup["name_localizations"]["fr"] == "inscription"
    assert signup["name_localizations"]["es-ES"] == "inscribirse"
    assert signup["description_localizations"]["es-ES"].startswith("Solicitar plaza")
    options = {o["name"]: o for o in signup["options"]}
    assert options["country"]["name_localizations"] == {
        "fr": "pays",
        "es-ES": "país",
        "es-419": "país",
    }
    language = options["language"]
    assert not language["required"]
    assert [c["value"] for c in language["choices"]] == ["en", "fr", "es"]
    sector = {c["value"]: c for c in options["sector"]["choices"]}
    assert sector["public"]["name_localizations"]["fr"] == "Publique"

    penpals = next(c for c in commands if c["name"] == "penpals")
    subs = {o["name"]: o for o in penpals["options"]}
    assert subs["forget-me"]["name_localizations"]["fr"] == "oubliez-moi"
    assert subs["export-me"]["name_localizations"]["es-ES"] == "exportar-mis-datos"
    pause = next(c for c in commands if c["name"] == "pause")
    assert pause["description_localizations"]["fr"].startswith("Faire une pause")


async def test_every_localised_name_follows_discords_rules(standin: DiscordStandIn) -> None:
    """Localised command and option names are lowercase, 1-32 characters, without spaces."""
    commands = await synced(standin)
    names = [
        (item["name"], local)
        for item in walk(commands)
        if "value" not in item  # choices have values, and free-text names
        for local in (item.get("name_localizations") or {}).values()
    ]
    assert len(names) > 20
    for default, local in names:
        assert texts.valid_name(local), (default, local)
    for item in walk(commands):
        for local in (item.get("description_localizations") or {}).values():
            assert 1 <= len(local) <= 100, local


def test_name_rule_and_locale_mapping() -> None:
    """Discord's name rule is checked, and its French and Spanish locales map to fr and es."""
    assert texts.valid_name("étape_de_carrière") and texts.valid_name("forget-me")
    assert not texts.valid_name("Forget me") and not texts.valid_name("x" * 33)
    assert not texts.valid_name("")
    assert {str(k): v for k, v in texts.LOCALES.items()} == {
        "fr": "fr",
        "es-ES": "es",
        "es-419": "es",
    }


def test_pause_description_states_the_core_limit() -> None:
    """The /pause option's description (a fixed text, for the catalog) matches core's limit."""
    assert f"at most {engagement.MAX_PAUSE_DAYS} days" in texts.gettext("en")(
        "The day you will be back (YYYY-MM-DD, at most 60 days ahead)"
    )


@pytest.mark.parametrize(
    ("locale", "title", "label", "saved", "country"),
    [
        ("fr", "Candidature à la session 2027A", "Langues dans", "Candidature reçue", "Finlande"),
        ("es-419", "Solicitud para la ronda 2027A", "Idiomas", "Solicitud recibida", "Finlandia"),
    ],
)
async def test_signup_form_and_summary_follow_the_discord_language(
    bot: Bot, locale: str, title: str, label: str, saved: str, country: str
) -> None:
    """A member whose Discord is in French (or Spanish) gets the form and summary in it."""
    await open_round(bot)
    s, member = bot.standin, bot.server.member
    modal = await s.slash(member, "signup", SIGNUP, locale=locale)
    assert modal.data["title"] == title
    assert modal.data["components"][0]["label"].startswith(label)
    reply = await s.submit_modal(member, modal, FORM)
    assert saved in reply.text, reply.text
    assert f"{country} (FI)" in reply.text  # the country is named in the member's language


async def test_the_language_option_overrides_the_discord_language(bot: Bot) -> None:
    """/signup language:es answers in Spanish even from an English Discord."""
    await open_round(bot)
    s, member = bot.standin, bot.server.member
    modal = await s.slash(member, "signup", {**SIGNUP, "language": "es"})
    assert modal.data["title"] == "Solicitud para la ronda 2027A"
    reply = await s.submit_modal(member, modal, FORM)
    assert "Solicitud recibida: ronda 2027A" in reply.text
    assert "Finlandia (FI)" in reply.text


async def test_member_replies_are_translated(bot: Bot) -> None:
    """/penpals export-me and forget-me answer in the member's Discord language."""
    await bot.configure()
    s, member = bot.standin, bot.server.member
    nothing = await s.slash(member, "penpals", sub="export-me", locale="fr")
    assert nothing.ephemeral and nothing.text == "penpals ne conserve rien vous concernant."
    asked = await s.slash(member, "penpals", sub="forget-me", locale="es-ES")
    assert asked.text.startswith("penpals sustituirá tu nombre"), asked.text
    [button] = [c for row in asked.data["components"] for c in row["components"]]
    assert button["label"] == "Olvídame" and button["style"] == 4  # danger


async def test_the_chosen_language_is_stored_and_used_later(bot: Bot) -> None:
    """/signup language:es is kept: /profile answers in Spanish from an English Discord."""
    await open_round(bot)
    s, member = bot.standin, bot.server.member
    modal = await s.slash(member, "signup", {**SIGNUP, "language": "es"})
    await s.submit_modal(member, modal, FORM)
    community = await bot.community()
    ref = MemberRef(Platform.DISCORD, str(member))
    assert await bot.services.applications.language(community, ref, locale="fr") == "es"
    shown = await s.slash(member, "profile", locale="en-US")
    assert "Tu solicitud para la ronda 2027A" in shown.text, shown.text
    assert "Estado: pendiente" in shown.text


async def test_editing_without_the_option_keeps_the_chosen_language(bot: Bot) -> None:
    """A first /signup from a French Discord stores fr; an edit from English keeps it."""
    await open_round(bot)
    s, member = bot.standin, bot.server.member
    await s.submit_modal(member, await s.slash(member, "signup", SIGNUP, locale="fr"), FORM)
    community = await bot.community()
    ref = MemberRef(Platform.DISCORD, str(member))
    assert await bot.services.applications.language(community, ref) == "fr"
    edit = await s.slash(member, "signup", SIGNUP, locale="en-US")
    assert edit.data["title"] == "Candidature à la session 2027A"
    await s.submit_modal(member, edit, FORM)
    assert await bot.services.applications.language(community, ref) == "fr"


async def test_a_french_member_is_refused_in_french(bot: Bot) -> None:
    """Core's refusals reach a French member in French: signup fields, the form, /resume."""
    await open_round(bot)
    s, member = bot.standin, bot.server.member
    bad_zone = await s.slash(member, "signup", {**SIGNUP, "timezone": "Mars/Olympus"}, locale="fr")
    assert bad_zone.type == 4 and bad_zone.ephemeral
    assert "**Fuseau horaire**: fuseau horaire inconnu 'Mars/Olympus' : utilisez un nom IANA" in (
        bad_zone.text
    ), bad_zone.text
    assert "unknown" not in bad_zone.text

    modal = await s.slash(member, "signup", SIGNUP, locale="fr")
    form = {**FORM, "languages": [], "other_languages": "xx"}
    reply = await s.submit_modal(member, modal, form, locale="fr")
    assert "code de langue inconnu 'xx' : utilisez des codes ISO 639-1" in reply.text, reply.text

    resumed = await s.slash(member, "resume", locale="fr")
    assert resumed.ephemeral
    assert resumed.text == (
        "Vous ne participez à aucune session en cours : il n'y a donc rien à mettre en pause"
    ), resumed.text
    english = await s.slash(member, "resume", locale="en-US")
    assert english.text.startswith("You are not in a running round")
    not_a_date = await s.slash(member, "pause", {"until": "2027-02-30"}, locale="fr")
    assert not_a_date.text == "'2027-02-30' n'est pas une date : utilisez AAAA-MM-JJ"
    past = await s.slash(member, "pause", {"until": "2000-01-01"}, locale="fr")
    assert past.text.startswith("Le 1 janvier 2000 n'est pas dans le futur"), past.text


async def test_a_closed_round_is_explained_in_the_language_option(bot: Bot) -> None:
    """/signup language:es after the window closed says so in Spanish, from an English Discord."""
    await open_round(bot)
    await bot.standin.slash(bot.server.organiser, "round", {"name": "2027A"}, sub="close")
    reply = await bot.standin.slash(bot.server.member, "signup", {**SIGNUP, "language": "es"})
    assert reply.type == 4 and reply.ephemeral
    assert reply.text.startswith("Las inscripciones para la edición 2027A"), reply.text
