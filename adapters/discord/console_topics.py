"""A round's topics from chat, any number of them: /round topics (list), /round topic-add and
/round topic-remove (organisers only; /round topic edits one in a language: console_settings).

The core (core/rounds/round_topics.py) keeps topics already sent as they were, falls back
to another language where a translation is missing, and audits each change.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.console_matching import actor
from adapters.discord.console_settings import LANGUAGES, PROMPT_MAX, TITLE_MAX
from adapters.discord.context import answer, defer, deps, organiser_community
from adapters.discord.organisers import round_names
from core.rounds.round_topics import RoundTopics

CHOICES = [app_commands.Choice(name=x, value=x) for x in LANGUAGES]
DESCRIPTION_MAX = 4096  # an embed's description


def listed(got: RoundTopics, lang: str, community_lang: str) -> discord.Embed:
    """List a round's topics: number, date, title in *lang*, languages written, sent or not."""
    source = "its own topics" if got.own else "the community's topics (not edited yet)"
    lines = []
    dates = got.dates or (None,) * len(got.topics)
    for topic, when in zip(got.topics, dates, strict=False):
        title = topic.in_language(lang, community_lang).title
        date = f" ({when:%Y-%m-%d})" if when else ""
        sent = ", sent" if topic.position <= got.posted else ""
        lines.append(f"**{topic.position}.**{date} {title} [{', '.join(topic.languages)}{sent}]")
    text = "\n".join(lines)
    if len(text) > DESCRIPTION_MAX:
        text = text[: DESCRIPTION_MAX - 1] + "…"
    return discord.Embed(
        title=f"Round {got.round.name}: {len(got.topics)} topics, {source}"[:256],
        description=text or "No topics.",
    )


@app_commands.command(name="topics", description="List a round's topics, dates and languages")
@app_commands.autocomplete(name=round_names)
@app_commands.describe(name="The round", language="Show the titles in this language")
@app_commands.choices(language=CHOICES)
async def topics(interaction: discord.Interaction, name: str, language: str | None = None) -> None:
    """Show the round's topics as pairs speaking *language* get them (fallbacks applied)."""
    community = await organiser_community(interaction)
    await defer(interaction)
    got = await deps(interaction).services.round_topics.list(community.id, name)
    lang = community.settings.default_language
    await answer(interaction, embed=listed(got, language or lang, lang))


@app_commands.command(name="topic-add", description="Add a topic to a round (at the end or at N)")
@app_commands.autocomplete(name=round_names)
@app_commands.describe(
    name="The round",
    title="The topic's title",
    prompt="The invitation to talk",
    language="The language it is written in (others fall back to it)",
    position="Its place (default: the end; only after the topics already sent)",
)
@app_commands.choices(language=CHOICES)
async def topic_add(
    interaction: discord.Interaction,
    name: str,
    title: app_commands.Range[str, 1, TITLE_MAX],
    prompt: app_commands.Range[str, 0, PROMPT_MAX] = "",
    language: str = "en",
    position: app_commands.Range[int, 1, 30] | None = None,
) -> None:
    """Add the topic; /round topic then writes it in other languages or adds questions."""
    community = await organiser_community(interaction)
    await defer(interaction)
    added = await deps(interaction).services.round_topics.add(
        community.id,
        name,
        lang=language,
        title=title,
        prompt=prompt,
        position=position,
        actor=actor(interaction),
    )
    await answer(
        interaction,
        f"Round {name}: topic {added.position} added in {language}. "
        f"`/round topic {name} {added.position}` writes it in another language.",
    )


@app_commands.command(name="topic-remove", description="Remove a topic not yet sent")
@app_commands.autocomplete(name=round_names)
@app_commands.describe(name="The round", position="The topic's number (see /round topics)")
async def topic_remove(
    interaction: discord.Interaction, name: str, position: app_commands.Range[int, 1, 30]
) -> None:
    """Remove the topic; the later ones move up a place."""
    community = await organiser_community(interaction)
    await defer(interaction)
    left = await deps(interaction).services.round_topics.remove(
        community.id, name, position, actor=actor(interaction)
    )
    await answer(interaction, f"Round {name}: topic {position} removed, {len(left.topics)} left.")


ROUND_COMMANDS: tuple[app_commands.Command[Any, ..., None], ...] = (
    topics,
    topic_add,
    topic_remove,
)  # subcommands of /round
