"""A round's surveys from chat: /survey show, edit, add, reset and dates (organisers only)."""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord.console_matching import actor
from adapters.discord.context import answer, defer, deps, organiser_community
from adapters.discord.organisers import parse_date, round_names
from core.errors import InvalidValue
from core.surveys.model import QuestionType, Survey, SurveyKind, Window

KINDS = [app_commands.Choice(name=f"{k.value} survey", value=k.value) for k in SurveyKind]
TYPES = [app_commands.Choice(name=t.value, value=t.value) for t in QuestionType]


def _options(text: str | None) -> list[str] | None:
    """Read "a; b; c" as three options (None: unchanged)."""
    if text is None:
        return None
    return [x.strip() for x in text.split(";") if x.strip()]


def when(window: Window | None) -> str:
    """Say when a survey opens and closes (or that the round's dates are not set)."""
    if window is None:
        return "Dates: none yet (set the round's start and end, or /survey dates)."
    return f"Opens {window.opens:%Y-%m-%d %H:%M}, closes {window.closes:%Y-%m-%d %H:%M} (UTC)."


def shown(round_name: str, survey: Survey) -> discord.Embed:
    """List a survey's questions: key, type, label, options, whether required."""
    lines = [
        f"`{q.key}` ({q.type.value}{', required' if q.required else ''}): {q.label}"
        + (f" [{'; '.join(o.label for o in q.options)}]" if q.options else "")
        for q in survey.current_questions
    ]
    default = " (the default questions)" if survey.questions is None else ""
    return discord.Embed(
        title=f"Round {round_name}: {survey.kind.value} survey{default}",
        description="\n".join(lines)[:4096] or "No questions.",
    )


class SurveyCommands(app_commands.Group):
    """Edit a round's mid and end surveys (organisers only)."""

    def __init__(self) -> None:
        super().__init__(
            name="survey", description="Edit a round's surveys (organisers only)", guild_only=True
        )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        await organiser_community(interaction)
        return True

    @app_commands.command(description="Show a survey's questions")
    @app_commands.autocomplete(round=round_names)
    @app_commands.choices(kind=KINDS)
    async def show(self, interaction: discord.Interaction, round: str, kind: str) -> None:
        community = await organiser_community(interaction)
        await defer(interaction)
        surveys = deps(interaction).services.surveys
        survey = await surveys.show(community.id, round, SurveyKind(kind))
        embed = shown(round, survey)
        embed.set_footer(text=when(await surveys.window_of(community.id, round, SurveyKind(kind))))
        await answer(interaction, embed=embed)

    @app_commands.command(description="Reword, change or remove one question")
    @app_commands.autocomplete(round=round_names)
    @app_commands.choices(kind=KINDS)
    @app_commands.describe(
        key="The question's key (see /survey show)",
        label="The new wording",
        options="The options, separated by ;",
        required="Whether an answer is required",
        remove="Remove the question",
    )
    async def edit(
        self,
        interaction: discord.Interaction,
        round: str,
        kind: str,
        key: str,
        label: app_commands.Range[str, 1, 300] | None = None,
        options: app_commands.Range[str, 1, 1000] | None = None,
        required: bool | None = None,
        remove: bool = False,
    ) -> None:
        community = await organiser_community(interaction)
        await defer(interaction)
        survey = await deps(interaction).services.surveys.edit(
            community.id,
            round,
            SurveyKind(kind),
            key,
            label=label,
            options=_options(options),
            required=required,
            remove=remove,
            actor=actor(interaction),
        )
        await answer(interaction, embed=shown(round, survey))

    @app_commands.command(description="Add a question at the end")
    @app_commands.autocomplete(round=round_names)
    @app_commands.choices(kind=KINDS, type=TYPES)
    @app_commands.describe(key="A short key, e.g. favourite", options="Options, separated by ;")
    async def add(
        self,
        interaction: discord.Interaction,
        round: str,
        kind: str,
        key: app_commands.Range[str, 1, 40],
        type: str,
        label: app_commands.Range[str, 1, 300],
        options: app_commands.Range[str, 1, 1000] | None = None,
        required: bool = False,
    ) -> None:
        community = await organiser_community(interaction)
        await defer(interaction)
        survey = await deps(interaction).services.surveys.add_question(
            community.id,
            round,
            SurveyKind(kind),
            key,
            QuestionType(type),
            label,
            _options(options) or (),
            required=required,
            actor=actor(interaction),
        )
        await answer(interaction, embed=shown(round, survey))

    @app_commands.command(description="Go back to the default questions (before any answer)")
    @app_commands.autocomplete(round=round_names)
    @app_commands.choices(kind=KINDS)
    async def reset(self, interaction: discord.Interaction, round: str, kind: str) -> None:
        community = await organiser_community(interaction)
        await defer(interaction)
        survey = await deps(interaction).services.surveys.reset(
            community.id, round, SurveyKind(kind), actor=actor(interaction)
        )
        await answer(interaction, embed=shown(round, survey))

    @app_commands.command(description="Move when a survey opens or closes")
    @app_commands.autocomplete(round=round_names)
    @app_commands.choices(kind=KINDS)
    @app_commands.describe(
        opens="When it opens (YYYY-MM-DD; not once it was sent)",
        closes="When it closes (YYYY-MM-DD)",
    )
    async def dates(
        self,
        interaction: discord.Interaction,
        round: str,
        kind: str,
        opens: str | None = None,
        closes: str | None = None,
    ) -> None:
        community = await organiser_community(interaction)
        await defer(interaction)
        if opens is None and closes is None:
            raise InvalidValue("say when: give opens, closes or both")
        window = await deps(interaction).services.surveys.schedule(
            community.id,
            round,
            SurveyKind(kind),
            opens=parse_date(opens, "opening date"),
            closes=parse_date(closes, "closing date"),
            actor=actor(interaction),
        )
        await answer(interaction, f"Round {round}, {kind} survey: {when(window)}")
