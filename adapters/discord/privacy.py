"""/penpals export-me and /penpals forget-me: a member's own data, in their language.

export-me sends the member everything penpals stores about them as a JSON file,
privately. forget-me asks first; the danger button then calls core.privacy.service, which
replaces the personal data with anonymous placeholders. The button carries the
member's id, so it works after a restart and only for the member who asked.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import discord
from discord import app_commands

from adapters.discord import texts
from adapters.discord.context import (
    answer,
    community_of,
    defer,
    deps,
    member_language,
    member_ref,
    report_error,
    show,
)
from core.errors import NotFound
from core.messages.i18n import N_
from core.privacy.service import PrivacyService


def privacy_service(interaction: discord.Interaction) -> PrivacyService:
    return deps(interaction).services.privacy


@app_commands.guild_only()
class PenpalsCommands(
    app_commands.Group,
    name="penpals",
    description=N_("Your data in penpals, and the organisers' report"),
):
    """The /penpals group: members' privacy commands; /penpals report is added by reports."""

    @app_commands.command(
        name=N_("export-me"), description=N_("Get everything penpals stores about you")
    )
    async def export_me(self, interaction: discord.Interaction) -> None:
        await defer(interaction)  # everything stored about the member is read
        community = await community_of(interaction)
        _ = texts.gettext(await member_language(interaction, community))
        me = member_ref(interaction)
        try:
            data = await privacy_service(interaction).export(community, me)
        except NotFound:
            await answer(interaction, _("Nothing is stored about you in penpals."))
            return
        body = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
        name = f"penpals-{_safe(me.external_id)}.json"
        await answer(
            interaction,
            _(
                "Here is everything penpals stores about you. Partners appear only by round "
                "and group number: their data is theirs."
            ),
            files=[discord.File(io.BytesIO(body), filename=name)],
        )

    @app_commands.command(
        name=N_("forget-me"), description=N_("Ask penpals to forget your personal data")
    )
    async def forget_me(self, interaction: discord.Interaction) -> None:
        await defer(interaction)
        community = await community_of(interaction)
        lang = await member_language(interaction, community)
        _ = texts.gettext(lang)
        view = discord.ui.View(timeout=None)
        view.add_item(ForgetButton(interaction.user.id, lang))
        await answer(
            interaction,
            _(
                "penpals will replace your name, introduction, interests and wishes with "
                "anonymous placeholders and withdraw you from rounds not yet matched. Counts "
                "(your country, your pair's message numbers) stay in the reports, without your "
                "name. This cannot be undone. Use /penpals export-me first for a copy."
            ),
            view=view,
        )


class ForgetButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"privacy:forget:(?P<user>\d+):(?P<lang>[a-z]{2})",
):
    """Confirm /penpals forget-me (the member's id and language are in the custom id)."""

    def __init__(self, user_id: int, lang: str = "en") -> None:
        _ = texts.gettext(lang)
        super().__init__(
            discord.ui.Button(
                label=_("Forget me"),
                style=discord.ButtonStyle.danger,
                custom_id=f"privacy:forget:{user_id}:{lang}",
            )
        )
        self.user_id, self.lang = user_id, lang

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ForgetButton:
        return cls(int(match["user"]), match["lang"])

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        _ = texts.gettext(self.lang)
        try:
            if interaction.user.id != self.user_id:
                await answer(interaction, _("This button is for the member who asked."))
                return
            await defer(interaction, update=True)  # the write may wait for another one
            community = await community_of(interaction)
            try:
                await privacy_service(interaction).forget(community, member_ref(interaction))
            except NotFound:
                text = _("Nothing is stored about you in penpals.")
            else:
                text = _(
                    "Done: penpals has forgotten your personal data. You are welcome to apply "
                    "again in a later round."
                )
            # Replace the question, so the button cannot be pressed twice.
            await show(interaction, content=text, view=None)
        except Exception as exc:
            await report_error(interaction, exc, self.lang)


def _safe(text: str) -> str:
    return re.sub(r"[^\w-]+", "-", text).strip("-") or "member"


DYNAMIC_ITEMS = (ForgetButton,)
