"""Member commands: /signup (options, then a modal), /profile and /withdraw.

Replies and the form are in the member's language (context.member_language); the
commands' names and descriptions are localised by Discord (texts.CommandTranslator).
"""

from __future__ import annotations

import re

import discord
from discord import app_commands

from adapters.discord import autocomplete, summaries, texts
from adapters.discord.context import (
    answer,
    community_of,
    defer,
    deps,
    member_language,
    member_ref,
    report_error,
)
from adapters.discord.render import clip, excerpt
from core.communities import practices as program
from core.errors import InvalidValue, PenpalsError
from core.messages import i18n, vocab
from core.messages.i18n import N_
from core.model import Profile, Round
from core.rounds.profiles import ProfileInvalid, build_profile

# The languages offered in the modal's select (Discord allows 25 options); others are typed.
COMMON_LANGUAGES = (
    "en", "es", "fr", "pt", "ar", "zh", "de", "ru", "ja", "hi", "it", "nl", "sv",
    "fi", "da", "no", "pl", "tr", "ko", "id", "ms", "sw", "el", "uk", "vi",
)  # fmt: skip
MAX_LANGUAGES = 10

SECTOR_CHOICES = [
    app_commands.Choice(name=summaries.SECTOR_NAMES[s], value=s) for s in vocab.SECTORS
]
STAGE_CHOICES = [
    app_commands.Choice(name=summaries.STAGE_NAMES[s], value=s) for s in vocab.CAREER_STAGES
]
# Each language is offered by its own name, whatever the member's Discord language.
LANGUAGE_CHOICES = [
    app_commands.Choice(name="English", value="en"),
    app_commands.Choice(name="Français", value="fr"),
    app_commands.Choice(name="Español", value="es"),
]


def split_list(text: str) -> list[str]:
    """Split what a member typed into items, on commas, semicolons or new lines."""
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


class SignupModal(discord.ui.Modal):
    """The second step of /signup: languages, interests, wishes and an introduction."""

    def __init__(
        self,
        *,
        options: dict[str, str],
        round_: Round,
        existing: Profile | None,
        lang: str = "en",
        language: str | None = None,
        commitment: str = "",
    ):
        _ = texts.gettext(lang)
        title = _("Apply to round {round}").format(round=round_.name)
        super().__init__(title=clip(title, 45), timeout=1800)
        self.options = options
        self.lang = lang
        self.language = language  # the member's choice for penpals' messages, if any
        known = set(existing.languages) if existing else set()
        self.languages: discord.ui.Select[discord.ui.View] = discord.ui.Select(
            custom_id="languages",
            options=[
                discord.SelectOption(
                    label=vocab.language_name(c, lang), value=c, default=c in known
                )
                for c in COMMON_LANGUAGES
            ],
            min_values=0,
            max_values=MAX_LANGUAGES,
            required=False,
        )
        others = [c for c in existing.languages if c not in COMMON_LANGUAGES] if existing else []
        self.other_languages = discord.ui.TextInput(
            custom_id="other_languages",
            required=False,
            max_length=100,
            placeholder=_("e.g. mi, haw, yo"),
            default=", ".join(others) or None,
        )
        self.interests = discord.ui.TextInput(
            custom_id="interests",
            required=False,
            max_length=400,
            placeholder=_("e.g. open access, makerspaces, children's services"),
            default=", ".join(existing.interests) if existing and existing.interests else None,
        )
        wished = set()
        if existing:
            wished = {f"sector:{s}" for s in existing.wishes.sectors}
            wished |= {f"stage:{s}" for s in existing.wishes.career_stages}
        wish_options = [
            discord.SelectOption(label=_(text), value=f"sector:{key}")
            for key, text in summaries.SECTOR_WISHES.items()
        ] + [
            discord.SelectOption(label=_(text), value=f"stage:{key}")
            for key, text in summaries.STAGE_WISHES.items()
        ]
        for option in wish_options:
            option.default = option.value in wished
        self.wishes: discord.ui.Select[discord.ui.View] = discord.ui.Select(
            custom_id="wishes",
            options=wish_options,
            min_values=0,
            max_values=len(wish_options),
            required=False,
        )
        self.introduction = discord.ui.TextInput(
            custom_id="introduction",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=1000,
            placeholder=_("Your library, your work, what you hope to learn"),
            default=existing.introduction if existing and existing.introduction else None,
        )
        for text, description, item in (
            (_("Languages you can talk in"), _("Pick all that apply"), self.languages),
            (
                _("Other languages"),
                _("Two-letter ISO 639-1 codes, comma-separated"),
                self.other_languages,
            ),
            (
                _("Your interests"),
                _("Comma-separated topics you would like to talk about"),
                self.interests,
            ),
            (
                _("A partner who is… (optional)"),
                _("Any one of these is enough"),
                self.wishes,
            ),
            (
                _("A short introduction"),
                # The modal holds five parts: the time asked is said under the last one.
                _("Shown to your partner. Time asked of you: {commitment}").format(
                    commitment=commitment
                )
                if commitment
                else _("Shown to your partner"),
                self.introduction,
            ),
        ):
            self.add_item(
                discord.ui.Label(text=text, description=clip(description, 100), component=item)
            )

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        """Validate the whole form, save it, and show what was saved."""
        wishes = self.wishes.values
        try:
            profile = build_profile(
                name=interaction.user.display_name,
                languages=[*self.languages.values, *split_list(self.other_languages.value)],
                interests=split_list(self.interests.value),
                introduction=self.introduction.value,
                wish_sectors=[w.removeprefix("sector:") for w in wishes if w.startswith("sector:")],
                wish_career_stages=[
                    w.removeprefix("stage:") for w in wishes if w.startswith("stage:")
                ],
                **self.options,
            )
        except ProfileInvalid as exc:
            await answer(interaction, summaries.invalid(exc.localized_fields(self.lang), self.lang))
            return
        await defer(interaction)  # the write may wait for another one (an import's batch)
        community = await community_of(interaction)
        result = await deps(interaction).services.applications.submit(
            community, member_ref(interaction), profile, language=self.language
        )
        await answer(interaction, embed=summaries.submitted(result, self.lang))

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await report_error(interaction, error, self.lang)


@app_commands.command(
    name=N_("signup"), description=N_("Apply to the current round, or edit your application")
)
@app_commands.guild_only()
@app_commands.rename(
    country=N_("country"),
    timezone=N_("timezone"),
    sector=N_("sector"),
    career_stage=N_("career_stage"),
    language=N_("language"),
)
@app_commands.describe(
    country=N_("The country you work in (type its name or code)"),
    timezone=N_("Your time zone (type a city, a country or its code)"),
    sector=N_("The kind of library you work in"),
    career_stage=N_("Where you are in your career"),
    language=N_("The language penpals writes to you in (default: your Discord language)"),
)
@app_commands.choices(sector=SECTOR_CHOICES, career_stage=STAGE_CHOICES, language=LANGUAGE_CHOICES)
async def signup(
    interaction: discord.Interaction,
    country: str,
    timezone: str,
    sector: app_commands.Choice[str],
    career_stage: app_commands.Choice[str],
    language: app_commands.Choice[str] | None = None,
) -> None:
    """Check the options and the round, then open the form."""
    community = await community_of(interaction)
    lang = language.value if language else await member_language(interaction, community)
    problems = {}
    for field, check, value in (
        ("country", vocab.country, country),
        ("timezone", vocab.timezone, timezone),
    ):
        try:
            check(value)
        except InvalidValue as exc:
            problems[field] = exc.localized(lang)
        except (OSError, ValueError, LookupError):
            # A name the zone database cannot even look up (a tzdata folder such as
            # "Europe", 300 characters...) is as unknown as any other.
            _ = texts.gettext(lang)
            problems[field] = _("unknown time zone {value}: choose one of the suggestions").format(
                value=excerpt(value)
            )
    if problems:
        await answer(interaction, summaries.invalid(problems, lang))
        return
    try:
        start = await deps(interaction).services.applications.start_signup(
            community, member_ref(interaction)
        )
    except PenpalsError as exc:  # in the language of the option, when one was given
        await report_error(interaction, exc, lang)
        return
    round_, existing = start.round, start.profile
    # Without the option, a first application takes the Discord language (when penpals has
    # it); an edit keeps what is stored, so an earlier choice is not overwritten.
    chosen = language.value if language else None
    if chosen is None and existing is None:
        chosen = i18n.supported(str(interaction.locale))
    options = {
        "country": country,
        "timezone": timezone,
        "sector": sector.value,
        "career_stage": career_stage.value,
    }
    await interaction.response.send_modal(
        SignupModal(
            options=options,
            round_=round_,
            existing=existing,
            lang=lang,
            language=chosen,
            commitment=program.commitment(community.settings.practices, lang=lang),
        )
    )


@signup.autocomplete("country")
async def _country_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=name, value=value)
        for name, value in autocomplete.countries(current, interaction.locale.value)
    ]


@signup.autocomplete("timezone")
async def _timezone_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    country = getattr(interaction.namespace, "country", None) or ""
    return [
        app_commands.Choice(name=name, value=value)
        for name, value in autocomplete.timezones(current, str(country), interaction.locale.value)
    ]


@app_commands.command(name=N_("profile"), description=N_("Show your application"))
@app_commands.guild_only()
async def profile(interaction: discord.Interaction) -> None:
    """Show the member's most recent application."""
    await defer(interaction)
    d = deps(interaction)
    community = await community_of(interaction)
    app = await d.services.applications.mine(community, member_ref(interaction))
    lang = await member_language(interaction, community)
    names = {s.round.id: s.round.name for s in await d.services.rounds.list(community.id)}
    await answer(interaction, embed=summaries.application(app, names.get(app.round_id, "?"), lang))


@app_commands.command(name=N_("withdraw"), description=N_("Leave the current round"))
@app_commands.guild_only()
async def withdraw(interaction: discord.Interaction) -> None:
    """Withdraw; the core tells the partner kindly and alerts the organisers."""
    await defer(interaction)  # the write may wait for another one (an import's batch)
    d = deps(interaction)
    community = await community_of(interaction)
    lang = await member_language(interaction, community)
    result = await d.services.applications.withdraw(community, member_ref(interaction))
    await answer(interaction, summaries.withdrawn(result, lang))
    # The partner's note and the organisers' alert are in the outbox already.
    d.wake(result.round.id)


COMMANDS = (signup, profile, withdraw)
