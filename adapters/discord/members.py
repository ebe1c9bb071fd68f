"""Member commands: /signup (options, then a modal), /profile and /withdraw."""

from __future__ import annotations

import re

import discord
from discord import app_commands

from adapters.discord import autocomplete, summaries
from adapters.discord.context import (
    answer,
    community_of,
    deps,
    member_ref,
    report_error,
)
from adapters.discord.render import clip
from core import vocab
from core.errors import InvalidValue
from core.model import Profile, Round
from core.profiles import ProfileInvalid, build_profile

# The languages offered in the modal's select (Discord allows 25 options); others are typed.
COMMON_LANGUAGES = (
    "en", "es", "fr", "pt", "ar", "zh", "de", "ru", "ja", "hi", "it", "nl", "sv",
    "fi", "da", "no", "pl", "tr", "ko", "id", "ms", "sw", "el", "uk", "vi",
)  # fmt: skip
MAX_LANGUAGES = 10

SECTOR_CHOICES = [app_commands.Choice(name=s.capitalize(), value=s) for s in vocab.SECTORS]
STAGE_CHOICES = [app_commands.Choice(name=s.capitalize(), value=s) for s in vocab.CAREER_STAGES]


def split_list(text: str) -> list[str]:
    """Split what a member typed into items, on commas, semicolons or new lines."""
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


class SignupModal(discord.ui.Modal):
    """The second step of /signup: languages, interests, wishes and an introduction."""

    def __init__(self, *, options: dict[str, str], round_: Round, existing: Profile | None):
        super().__init__(title=clip(f"Apply to round {round_.name}", 45), timeout=1800)
        self.options = options
        known = set(existing.languages) if existing else set()
        self.languages: discord.ui.Select[discord.ui.View] = discord.ui.Select(
            custom_id="languages",
            options=[
                discord.SelectOption(label=vocab.language_name(c), value=c, default=c in known)
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
            placeholder="e.g. mi, haw, yo",
            default=", ".join(others) or None,
        )
        self.interests = discord.ui.TextInput(
            custom_id="interests",
            required=False,
            max_length=400,
            placeholder="e.g. open access, makerspaces, children's services",
            default=", ".join(existing.interests) if existing and existing.interests else None,
        )
        wished = set()
        if existing:
            wished = {f"sector:{s}" for s in existing.wishes.sectors}
            wished |= {f"stage:{s}" for s in existing.wishes.career_stages}
        wish_options = [
            discord.SelectOption(label=f"In a {s} library", value=f"sector:{s}")
            for s in vocab.SECTORS
        ] + [
            discord.SelectOption(label=f"At the {s} career stage", value=f"stage:{s}")
            for s in vocab.CAREER_STAGES
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
            placeholder="Your library, your work, what you hope to learn",
            default=existing.introduction if existing and existing.introduction else None,
        )
        for text, description, item in (
            ("Languages you can talk in", "Pick all that apply", self.languages),
            (
                "Other languages",
                "Two-letter ISO 639-1 codes, comma-separated",
                self.other_languages,
            ),
            (
                "Your interests",
                "Comma-separated topics you would like to talk about",
                self.interests,
            ),
            ("A partner who is… (optional)", "Any one of these is enough", self.wishes),
            ("A short introduction", "Shown to your partner", self.introduction),
        ):
            self.add_item(discord.ui.Label(text=text, description=description, component=item))

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
            await answer(interaction, summaries.invalid(exc.fields))
            return
        community = await community_of(interaction)
        result = await deps(interaction).services.applications.submit(
            community, member_ref(interaction), profile
        )
        await answer(interaction, embed=summaries.submitted(result))

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await report_error(interaction, error)


@app_commands.command(
    name="signup", description="Apply to the current round, or edit your application"
)
@app_commands.guild_only()
@app_commands.describe(
    country="The country you work in (type its name or code)",
    timezone="Your time zone (type a city, a country or its code)",
    sector="The kind of library you work in",
    career_stage="Where you are in your career",
)
@app_commands.choices(sector=SECTOR_CHOICES, career_stage=STAGE_CHOICES)
async def signup(
    interaction: discord.Interaction,
    country: str,
    timezone: str,
    sector: app_commands.Choice[str],
    career_stage: app_commands.Choice[str],
) -> None:
    """Check the options and the round, then open the form."""
    problems = {}
    for field, check, value in (
        ("country", vocab.country, country),
        ("timezone", vocab.timezone, timezone),
    ):
        try:
            check(value)
        except InvalidValue as exc:
            problems[field] = str(exc)
    if problems:
        await answer(interaction, summaries.invalid(problems))
        return
    community = await community_of(interaction)
    start = await deps(interaction).services.applications.start_signup(
        community, member_ref(interaction)
    )
    round_, existing = start.round, start.profile
    options = {
        "country": country,
        "timezone": timezone,
        "sector": sector.value,
        "career_stage": career_stage.value,
    }
    await interaction.response.send_modal(
        SignupModal(options=options, round_=round_, existing=existing)
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


@app_commands.command(name="profile", description="Show your application")
@app_commands.guild_only()
async def profile(interaction: discord.Interaction) -> None:
    """Show the member's most recent application."""
    d = deps(interaction)
    community = await community_of(interaction)
    app = await d.services.applications.mine(community, member_ref(interaction))
    names = {s.round.id: s.round.name for s in await d.services.rounds.list(community.id)}
    await answer(interaction, embed=summaries.application(app, names.get(app.round_id, "?")))


@app_commands.command(name="withdraw", description="Leave the current round")
@app_commands.guild_only()
async def withdraw(interaction: discord.Interaction) -> None:
    """Withdraw; the core tells the partner kindly and alerts the organisers."""
    d = deps(interaction)
    community = await community_of(interaction)
    result = await d.services.applications.withdraw(community, member_ref(interaction))
    await answer(interaction, summaries.withdrawn(result))
    # The partner's note and the organisers' alert are in the outbox already.
    d.wake(result.round.id)


COMMANDS = (signup, profile, withdraw)
