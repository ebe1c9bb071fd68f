"""Surveys on Discord: the invitation's button opens a modal of the questions, page by page.

The bot posts each invitation (pair thread) and reminder (DM) as a core Message
whose button id is core.surveys.rules.survey_action_id; SurveyButton, a persistent
DynamicItem, routes a press by that id alone, so it works after a restart.

A Discord modal holds at most five components, so the form comes in pages of five
questions (SurveyForm.pages). Each page is saved when it is submitted; a modal
submit cannot open another modal, so the answer to a page that is not the last
carries a "Continue" button (SurveyPageButton) that opens the next one. The same
button offers to try a page again when some answers were refused.

Questions, options and the thanks come from core in the member's language; the
adapter's few words (page buttons) are in the "discord" catalog.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from adapters.discord import texts
from adapters.discord.context import answer, defer, deps, member_ref, report_error
from adapters.discord.render import clip
from adapters.discord.scope import ensure_survey_here
from core import times
from core.errors import Conflict, NotFound
from core.model import MemberRef
from core.surveys.model import Answer, Question, QuestionType, SurveyForm, SurveyInvalid
from core.surveys.service import SurveyService

# Discord's limits for modal parts.
MODAL_TITLE_MAX = 45
LABEL_MAX = 45
LABEL_DESCRIPTION_MAX = 100
OPTION_LABEL_MAX = 100
OPTIONS_MAX = 25
TEXT_INPUT_MAX = 4000
PLACEHOLDER_MAX = 100
MODAL_TIMEOUT = 30 * 60.0
PAGE_SIZE = 5


def _surveys(interaction: discord.Interaction) -> SurveyService:
    return deps(interaction).services.surveys


def short_label(text: str) -> tuple[str, str | None]:
    """Return a question as a label (45 characters) and, when cut, the whole of it below."""
    text = " ".join(text.split())
    if len(text) <= LABEL_MAX:
        return text, None
    cut = text[: LABEL_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…", clip(text, LABEL_DESCRIPTION_MAX)


def question_item(question: Question, given: Answer | None) -> discord.ui.Item[Any]:
    """Return the input of one question: a select for scales and choices, else a text box."""
    if question.type is QuestionType.TEXT:
        return discord.ui.TextInput(
            custom_id=question.key,
            style=discord.TextStyle.paragraph,
            required=question.required,
            max_length=min(question.max_length, TEXT_INPUT_MAX),
            placeholder=clip(question.placeholder, PLACEHOLDER_MAX) or None,
            default=given if isinstance(given, str) and given else None,
        )
    chosen = {given} if isinstance(given, str) else set(given or ())
    options = [
        discord.SelectOption(
            label=clip(o.label, OPTION_LABEL_MAX), value=o.key, default=o.key in chosen
        )
        for o in question.options[:OPTIONS_MAX]
    ]
    many = question.type is QuestionType.MULTI
    return discord.ui.Select(
        custom_id=question.key,
        options=options,
        min_values=1 if question.required else 0,
        max_values=len(options) if many else 1,
        required=question.required,
    )


def answer_of(question: Question, item: discord.ui.Item[Any]) -> Answer:
    """Return what the member gave for *question* in the submitted modal."""
    if isinstance(item, discord.ui.TextInput):
        return item.value
    assert isinstance(item, discord.ui.Select)
    values = tuple(str(v) for v in item.values)
    if question.type is QuestionType.MULTI:
        return values
    return values[0] if values else ""


class SurveyModal(discord.ui.Modal):
    """One page of a survey: at most five questions, prefilled with the member's answers."""

    def __init__(self, form: SurveyForm, page: int, *, first: bool = False) -> None:
        pages = form.pages(PAGE_SIZE)
        title = form.title if len(pages) == 1 else f"{form.title} ({page + 1}/{len(pages)})"
        super().__init__(
            title=clip(title, MODAL_TITLE_MAX),
            timeout=MODAL_TIMEOUT,
            custom_id=f"survey:form:{form.survey_id}:{page}",
        )
        self.form, self.page, self.pages = form, page, len(pages)
        # Whether the member is answering for the first time (from page 1 on).
        self.first = first or (page == 0 and not form.answers)
        self.inputs: list[tuple[Question, discord.ui.Item[Any]]] = []
        for question in pages[page]:
            item = question_item(question, form.answers.get(question.key))
            text, description = short_label(question.label)
            self.add_item(discord.ui.Label(text=text, description=description, component=item))
            self.inputs.append((question, item))

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        """Save this page's answers; offer the next page, or say thank you."""
        _ = texts.gettext(self.form.lang)
        answers = {q.key: answer_of(q, item) for q, item in self.inputs}
        survey_id = self.form.survey_id
        await defer(interaction)  # the write may wait for another one (an import's batch)
        try:
            receipt = await _surveys(interaction).answer(
                member_ref(interaction), survey_id, answers, locale=str(interaction.locale)
            )
        except SurveyInvalid as exc:
            labels = {q.key: q.label for q, _item in self.inputs}
            lines = [f"- **{labels.get(k, k)}**: {why}" for k, why in exc.errors.items()]
            text = _("Nothing on this page was saved:") + "\n" + "\n".join(lines)
            retry = SurveyPageButton(
                survey_id, self.page, self.pages, self.form.lang, first=self.first, again=True
            )
            await answer(interaction, clip(text, 2000), view=_view(retry))
            return
        except (Conflict, NotFound) as exc:
            await report_error(interaction, exc)
            return
        if self.page + 1 < self.pages:
            text = _("Page {page} of {pages} is saved.").format(
                page=self.page + 1, pages=self.pages
            )
            more = SurveyPageButton(
                survey_id, self.page + 1, self.pages, self.form.lang, first=self.first
            )
            await answer(interaction, text, view=_view(more))
            return
        if self.first and not receipt.first:
            # Page 1 made the response, so core calls this an update: it is a first answer.
            text = _(
                "Thank you! Your answers are saved. You can change them until {closes} (UTC)."
            ).format(closes=times.written(receipt.closes_at, lang=self.form.lang, named_zone=False))
        else:
            text = receipt.text
        await answer(interaction, text)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await report_error(interaction, error)


def _view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


async def open_page(
    interaction: discord.Interaction, survey_id: int, page: int, *, first: bool = False
) -> None:
    """Open page *page* of the survey for the member, with their answers so far."""
    await ensure_survey_here(interaction, survey_id)  # not another server's survey
    member: MemberRef = member_ref(interaction)
    try:
        form = await _surveys(interaction).form(member, survey_id, locale=str(interaction.locale))
    except (Conflict, NotFound) as exc:
        await report_error(interaction, exc)
        return
    page = min(page, len(form.pages(PAGE_SIZE)) - 1)
    await interaction.response.send_modal(SurveyModal(form, page, first=first))


class SurveyButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"survey:open:(?P<survey>\d+)",
):
    """The invitation's and the reminder's button (core.surveys.rules.survey_action_id)."""

    def __init__(self, survey_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Answer the survey",
                style=discord.ButtonStyle.primary,
                custom_id=f"survey:open:{survey_id}",
            )
        )
        self.survey_id = survey_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SurveyButton:
        return cls(int(match["survey"]))

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        try:
            await open_page(interaction, self.survey_id, 0)
        except Exception as exc:
            await report_error(interaction, exc)


class SurveyPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"survey:page:(?P<survey>\d+):(?P<page>\d+):(?P<first>[01])",
):
    """Open one page of a survey: the next one ("Continue (2/2)"), or the same one again."""

    def __init__(
        self,
        survey_id: int,
        page: int,
        pages: int = 0,
        lang: str = "en",
        *,
        first: bool = False,
        again: bool = False,
    ) -> None:
        _ = texts.gettext(lang)
        if again:
            label = _("Answer this page again")
        else:
            label = _("Continue ({page}/{pages})").format(page=page + 1, pages=pages)
        super().__init__(
            discord.ui.Button(
                label=clip(label, 80),
                style=discord.ButtonStyle.primary,
                custom_id=f"survey:page:{survey_id}:{page}:{int(first)}",
            )
        )
        self.survey_id, self.page, self.first = survey_id, page, first

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SurveyPageButton:
        return cls(int(match["survey"]), int(match["page"]), first=match["first"] == "1")

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        try:
            await open_page(interaction, self.survey_id, self.page, first=self.first)
        except Exception as exc:
            await report_error(interaction, exc)


DYNAMIC_ITEMS = (SurveyButton, SurveyPageButton)
