"""Pair goals on Discord: the introduction's "Set our goals" button opens a short modal.

The button's id is core.engagement.goals.goals_action_id; GoalsButton, a persistent DynamicItem,
routes a press by that id alone, so it works after a restart. The modal is prefilled
with what the pair wrote so far; core checks the presser is in the pair and answers
in their language.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from adapters.discord.context import answer, defer, deps, member_ref, report_error
from adapters.discord.render import clip
from adapters.discord.scope import ensure_round_here
from core.engagement.goals import GoalService, GoalsForm

MODAL_TITLE_MAX = 45
LABEL_MAX = 45
PLACEHOLDER_MAX = 100


def _goals(interaction: discord.Interaction) -> GoalService:
    return deps(interaction).services.goals


class GoalsModal(discord.ui.Modal):
    """One paragraph: the goals the pair agrees on."""

    def __init__(self, form: GoalsForm) -> None:
        super().__init__(
            title=clip(form.title, MODAL_TITLE_MAX),
            custom_id=f"goals:form:{form.round_id}:{form.number}",
            timeout=30 * 60.0,
        )
        self.form = form
        self.text: discord.ui.TextInput[GoalsModal] = discord.ui.TextInput(
            label=clip(form.label, LABEL_MAX),
            custom_id="goals",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=form.limit,
            placeholder=clip(form.placeholder, PLACEHOLDER_MAX),
            default=form.text or None,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        """Store the goals for the pair; say so in the member's language."""
        await defer(interaction)  # the write may wait for another one (an import's batch)
        done = await _goals(interaction).save(
            member_ref(interaction),
            self.form.round_id,
            self.form.number,
            self.text.value,
            locale=self.form.lang,  # answered in the language the form was shown in
        )
        await answer(interaction, done)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await report_error(interaction, error, self.form.lang)


class GoalsButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"goals:open:(?P<round>\d{1,10}):(?P<number>\d{1,6})",
):
    """The introduction's "Set our goals" button (core.engagement.goals.goals_action_id)."""

    def __init__(self, round_id: int, number: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Set our goals",
                style=discord.ButtonStyle.primary,
                custom_id=f"goals:open:{round_id}:{number}",
            )
        )
        self.round_id, self.number = round_id, number

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> GoalsButton:
        return cls(int(match["round"]), int(match["number"]))

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        try:
            await ensure_round_here(interaction, self.round_id)  # not another server's pair
            form = await _goals(interaction).form(
                member_ref(interaction), self.round_id, self.number, locale=str(interaction.locale)
            )
            await interaction.response.send_modal(GoalsModal(form))
        except Exception as exc:
            await report_error(interaction, exc)


DYNAMIC_ITEMS = (GoalsButton,)
