"""A round's survey questions from chat: /survey show, edit, add and reset (organisers only)."""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord.console_matching import actor
from adapters.discord.context import answer, defer, deps, organiser_community
from adapters.discord.organisers import round_names
from core.surveys.model import QuestionType, Survey, SurveyKind

KINDS = [app_commands.Choice(name=f"{k.value} survey", value=k.value) for k in SurveyKind]
TYPES = [app_commands.Choice(name=t.value, value=t.value) for t in QuestionType]


def _options(text: str | None) -> list[str] | None:
    """Read "a; b; c" as three options (None: unchanged)."""
    if text is None:
        return None
    return [x.strip() for x in text.split(";") if x.strip()]


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
        survey = await deps(interaction).services.surveys.show(
            community.id, round, SurveyKind(kind)
        )
        await answer(interaction, embed=shown(round, survey))

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
