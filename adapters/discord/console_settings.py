"""A round's settings, topics and messages from chat: /round edit, /round topic (a modal per
language), /round broadcast, and /community settings and announce (organisers only)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.console_matching import actor
from adapters.discord.context import answer, defer, deps, organiser_community, report_error
from adapters.discord.organisers import parse_date, round_names
from core.model import PairingRule

TITLE_MAX, PROMPT_MAX, QUESTIONS_MAX = 200, 1000, 5 * 301  # the core's limits (round_topics)
LANGUAGES = ("en", "fr", "es")


@app_commands.command(name="edit", description="Move a round's dates or cadence while safe")
@app_commands.autocomplete(name=round_names)
@app_commands.describe(
    name="The round",
    opens="When applications open (YYYY-MM-DD)",
    closes="When applications close (YYYY-MM-DD)",
    starts="When pairs begin (YYYY-MM-DD)",
    ends="When the round ends (YYYY-MM-DD)",
    cadence_days="Days between topics",
)
async def edit(
    interaction: discord.Interaction,
    name: str,
    opens: str | None = None,
    closes: str | None = None,
    starts: str | None = None,
    ends: str | None = None,
    cadence_days: app_commands.Range[int, 1, 90] | None = None,
) -> None:
    """Reschedule the round; the engine follows the new dates at once."""
    community = await organiser_community(interaction)
    await defer(interaction)
    d = deps(interaction)
    done = await d.services.round_settings.reschedule(
        community.id,
        name,
        opens=parse_date(opens, "opening date"),
        closes=parse_date(closes, "closing date"),
        starts=parse_date(starts, "start date"),
        ends=parse_date(ends, "end date"),
        cadence_days=cadence_days,
        actor=actor(interaction),
    )
    changed = "; ".join(done.changes) or "nothing changed"
    await answer(interaction, f"Round {done.round.name}: {changed}.")
    d.wake(done.round.id)


class TopicModal(discord.ui.Modal):
    """A topic's title, prompt and questions (one a line) in one language."""

    def __init__(self, round_name: str, position: int, lang: str, current: Any) -> None:
        super().__init__(
            title=f"Topic {position} of {round_name} ({lang})"[:45],
            custom_id=f"pp:topic:{position}:{lang}:{round_name}"[:100],
        )
        self.round_name, self.position, self.lang = round_name, position, lang
        self.topic_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Title",
            custom_id="title",
            max_length=TITLE_MAX,
            default=current.title[:TITLE_MAX] or None,
        )
        self.prompt: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Prompt",
            custom_id="prompt",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=PROMPT_MAX,
            default=current.prompt[:PROMPT_MAX] or None,
        )
        self.questions: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Questions, one a line (at most 5)",
            custom_id="questions",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=QUESTIONS_MAX,
            default="\n".join(current.questions)[:QUESTIONS_MAX] or None,
        )
        for item in (self.topic_title, self.prompt, self.questions):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        community = await organiser_community(interaction)
        await defer(interaction)
        questions = [q.strip() for q in self.questions.value.splitlines() if q.strip()]
        await deps(interaction).services.round_topics.edit(
            community.id,
            self.round_name,
            self.position,
            lang=self.lang,
            title=self.topic_title.value.strip(),
            prompt=self.prompt.value.strip(),
            questions=questions,
            actor=actor(interaction),
        )
        await answer(
            interaction, f"Topic {self.position} of round {self.round_name} saved in {self.lang}."
        )

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception, /
    ) -> None:
        await report_error(interaction, error)


@app_commands.command(name="topic", description="Edit one of a round's topics in a language")
@app_commands.autocomplete(name=round_names)
@app_commands.describe(name="The round", position="The topic's number", language="Its language")
@app_commands.choices(language=[app_commands.Choice(name=x, value=x) for x in LANGUAGES])
async def topic(
    interaction: discord.Interaction,
    name: str,
    position: app_commands.Range[int, 1, 30],
    language: str = "en",
) -> None:
    """Open a form holding the topic as written in *language* (empty when not translated)."""
    community = await organiser_community(interaction)
    listed = await deps(interaction).services.round_topics.list(community.id, name)
    found = next((t for t in listed.topics if t.position == position), None)
    if found is None:
        await answer(interaction, f"Round {name} has no topic {position}.")
        return
    current = found.texts.get(language)
    if current is None:
        current = type(next(iter(found.texts.values())))()
    await interaction.response.send_modal(TopicModal(name, position, language, current))


@app_commands.command(name="broadcast", description="Message every pair or every applicant once")
@app_commands.autocomplete(name=round_names)
@app_commands.describe(name="The round", to="Who receives it", text="The message, as written")
@app_commands.choices(
    to=[
        app_commands.Choice(name="every pair", value="pairs"),
        app_commands.Choice(name="every applicant", value="applicants"),
    ]
)
async def broadcast(
    interaction: discord.Interaction,
    name: str,
    to: str,
    text: app_commands.Range[str, 1, 2000],
) -> None:
    """Queue the message once per pair or applicant; a retried interaction sends nothing more."""
    community = await organiser_community(interaction)
    await defer(interaction)  # one message per pair or applicant is queued
    d = deps(interaction)
    sent = await d.services.broadcasts.broadcast(
        community,
        name,
        text,
        audience=to,
        request_id=str(interaction.id),
        actor=actor(interaction),
    )
    if sent.repeated:
        await answer(interaction, "Already sent: this request was not sent again.")
        return
    await answer(interaction, f"Queued for {sent.queued} {'pairs' if to == 'pairs' else 'people'}.")
    d.wake()


def _share(text: str) -> float | str | None:
    """Read "20%" as 0.2 and "off" as no cap; anything else goes to the core to judge."""
    value = text.strip().lower()
    if value in ("off", "none"):
        return None
    if value.endswith("%"):
        try:
            return float(value[:-1]) / 100
        except ValueError:
            return value
    return value


class CommunityCommands(app_commands.Group):
    """Community-wide settings and announcements (organisers only)."""

    def __init__(self) -> None:
        super().__init__(
            name="community",
            description="Community settings and announcements (organisers only)",
            guild_only=True,
        )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        await organiser_community(interaction)
        return True

    @app_commands.command(description="Country cap, pairing rule and community language")
    @app_commands.describe(
        country_cap="Largest share of one country among the matched, e.g. 20% (or: off)",
        pairing_rule="What must differ between partners",
        language="The community's language (en, fr or es)",
    )
    @app_commands.choices(
        pairing_rule=[app_commands.Choice(name=r.value, value=r.value) for r in PairingRule],
        language=[app_commands.Choice(name=x, value=x) for x in LANGUAGES],
    )
    async def settings(
        self,
        interaction: discord.Interaction,
        country_cap: app_commands.Range[str, 1, 10] | None = None,
        pairing_rule: str | None = None,
        language: str | None = None,
    ) -> None:
        community = await organiser_community(interaction)
        await defer(interaction)
        cap: Any = "unchanged"
        if country_cap is not None:
            cap = _share(country_cap)
        saved = await deps(interaction).services.communities.configure(
            community.id,
            default_language=language,
            pairing_rule=pairing_rule,
            country_cap=cap,
            actor=actor(interaction),
        )
        shown = f"{saved.country_cap:.0%}" if saved.country_cap else "off"
        await answer(
            interaction,
            f"Country cap {shown}; pairing rule {saved.pairing_rule}; "
            f"language {saved.default_language}.",
        )

    @app_commands.command(description="Post an announcement in the announcements channel, once")
    @app_commands.describe(text="The announcement, as written")
    async def announce(
        self, interaction: discord.Interaction, text: app_commands.Range[str, 1, 2000]
    ) -> None:
        community = await organiser_community(interaction)
        await defer(interaction)
        d = deps(interaction)
        sent = await d.services.broadcasts.announce(
            community, text, request_id=str(interaction.id), actor=actor(interaction)
        )
        said = "Already sent: not sent again." if sent.repeated else "Queued for the channel."
        await answer(interaction, said)
        d.wake()


DYNAMIC_ITEMS: tuple[Any, ...] = ()
ROUND_COMMANDS = (edit, topic, broadcast)  # subcommands of /round
COMMANDS = (CommunityCommands(),)
