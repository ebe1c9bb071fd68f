"""A round's topics from Slack: list them, add one, remove one (any number, issue 13 item 4).

    /penpals topics NAME [LANG]                       the topics, dates, languages, what went out
    /penpals topic NAME add [at=N] LANG title | prompt  a new topic (at the end, or at N)
    /penpals topic NAME remove N                      a topic still to come; later ones move up
    /penpals topic NAME N LANG title | prompt         (console_talk.py) edit one in a language

The core (core/rounds/round_topics.py) keeps posted topics as they were, falls back to
another language when a translation is missing, and audits each change with the organiser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.slack import parsing
from adapters.slack.console_matching import actor
from core.errors import InvalidValue
from core.model import Community

if TYPE_CHECKING:
    from adapters.slack.services import Services

VERBS = ("add", "remove")
TEXT_MAX = 3900  # an ephemeral answer stays one readable message


async def listing(services: Services, community: Community, words: list[str]) -> str:
    """List a round's topics in one language (the community's unless named)."""
    if not words or len(words) > 2:
        raise InvalidValue("use /penpals topics NAME [LANG]")
    name = words[0]
    lang = words[1].lower() if len(words) > 1 else community.settings.default_language
    got = await services.round_topics.list(community.id, name)
    source = "its own topics" if got.own else "the community's topics (not edited yet)"
    lines = [f"*Round {got.round.name}: {len(got.topics)} topics, {source}*"]
    for topic, when in zip(got.topics, got.dates or (None,) * len(got.topics), strict=False):
        shown = topic.in_language(lang, community.settings.default_language)
        date = f" ({when:%Y-%m-%d})" if when else ""
        sent = ", sent" if topic.position <= got.posted else ""
        written = ", ".join(topic.languages)
        lines.append(f"{topic.position}.{date} {shown.title} [{written}{sent}]")
    lines.append(
        "Add with `/penpals topic NAME add LANG title | prompt`, remove with "
        "`/penpals topic NAME remove N`, edit with `/penpals topic NAME N LANG title | prompt`."
    )
    text = "\n".join(lines)
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


async def change(services: Services, community: Community, user_id: str, words: list[str]) -> str:
    """Add a topic to a round or remove one (the words after /penpals topic)."""
    name, verb, rest = words[0], words[1].lower(), words[2:]
    if verb == "remove":
        if len(rest) != 1 or not rest[0].isdigit():
            raise InvalidValue("use /penpals topic NAME remove NUMBER")
        left = await services.round_topics.remove(
            community.id, name, int(rest[0]), actor=actor(user_id)
        )
        return f"Round {left.round.name}: topic {rest[0]} removed, {len(left.topics)} left."
    at = None
    if rest and rest[0].lower().startswith("at="):  # only first: "at" may be in a title
        at, rest = parsing.number(rest[0][3:], "at"), rest[1:]
    if len(rest) < 2:
        raise InvalidValue("use /penpals topic NAME add [at=N] LANG title | prompt")
    lang = rest[0].lower()
    title, _, prompt = " ".join(rest[1:]).partition("|")
    added = await services.round_topics.add(
        community.id,
        name,
        lang=lang,
        title=title.strip(),
        prompt=prompt.strip(),
        position=at,
        actor=actor(user_id),
    )
    return f"Round {name}: topic {added.position} added in {lang}."
