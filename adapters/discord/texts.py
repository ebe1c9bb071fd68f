"""The Discord adapter's own texts: gettext domain "discord", and Discord's command localisations.

Replies, modals and summaries take the member's language (`member_language`) and
translate with `gettext(lang)`; command names, descriptions, option names and
choice names go to Discord as name_localizations / description_localizations,
filled by CommandTranslator when the commands are synced. Texts are marked with
`_()` (translated where written) or `N_()` (marked at module level, translated
where used) and extracted with babel/discord.cfg (docs/translations.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from core.messages import i18n
from core.model import Community

log = logging.getLogger(__name__)

DOMAIN = "discord"

# Discord's locales -> our catalogs (Discord has one French and two Spanish locales).
LOCALES: dict[discord.Locale, str] = {
    discord.Locale.french: "fr",
    discord.Locale.spain_spanish: "es",
    discord.Locale.latin_american_spanish: "es",
}

# Where Discord wants a name: lowercase, 1-32 letters, digits, "-" or "_".
NAME_LOCATIONS = (Where.command_name, Where.group_name, Where.parameter_name)
NAME_MAX = 32
DESCRIPTION_MAX = 100


def gettext(lang: str) -> Callable[[str], str]:
    """Return the translation function of *lang* for the adapter's texts (English if unknown)."""
    return i18n.translator(lang, DOMAIN).gettext


def valid_name(name: str) -> bool:
    """Return whether *name* is a valid command, group or option name for Discord."""
    return (
        1 <= len(name) <= NAME_MAX
        and name == name.lower()
        and all(ch.isalnum() or ch in "-_" for ch in name)
    )


class CommandTranslator(app_commands.Translator):
    """Localise command names, descriptions and choices from the "discord" catalogs."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        lang = LOCALES.get(locale)
        if lang is None:
            return None
        text = gettext(lang)(string.message)
        if text == string.message:
            return None  # not translated (or the same word): Discord shows the default
        if context.location in NAME_LOCATIONS:
            if not valid_name(text):
                log.warning("ignoring invalid %s command name %r for %r", lang, text, string)
                return None
        elif not 1 <= len(text) <= DESCRIPTION_MAX:
            log.warning("ignoring a %s translation over 100 characters: %r", lang, text)
            return None
        return text


def interaction_language(interaction: discord.Interaction, community: Community | None) -> str:
    """Return the language of the member's Discord client, else the community's."""
    default = community.settings.default_language if community is not None else None
    return i18n.pick(str(interaction.locale), default)
