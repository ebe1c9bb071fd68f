"""A round's topic and its texts by language, each field falling back to another language
(core.rounds.round_topics edits them; core.ports names them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core.messages import i18n, vocab
from core.model import Topic


@dataclass(frozen=True, slots=True)
class TopicText:
    """One language's text of a topic; an empty field falls back to another language."""

    title: str = ""
    prompt: str = ""
    questions: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.title or self.prompt or self.questions)


@dataclass(frozen=True, slots=True)
class RoundTopic:
    """One of a round's topics: its place in the calendar and its texts by language."""

    position: int  # 1, 2, ... in calendar order
    texts: Mapping[str, TopicText] = field(default_factory=dict)

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the languages the topic is written in, English first."""
        return tuple(sorted(self.texts, key=lambda lang: (lang != i18n.SOURCE, lang)))

    def in_language(self, lang: str, community_lang: str = i18n.SOURCE) -> Topic:
        """Return the topic as a pair speaking *lang* gets it, each field with its fallback."""
        order = [lang, community_lang, i18n.SOURCE, *self.languages]
        texts = [self.texts[code] for code in dict.fromkeys(order) if code in self.texts]
        title = next((t.title for t in texts if t.title), "")
        prompt = next((t.prompt for t in texts if t.prompt), "")
        questions = next((t.questions for t in texts if t.questions), ())
        return Topic(self.position, title, prompt, questions)

    def missing(self) -> tuple[str, ...]:
        """Return the supported languages this topic has no complete text in."""
        return tuple(
            lang
            for lang in vocab.catalog_languages()
            if not (t := self.texts.get(lang)) or not (t.title and t.prompt and t.questions)
        )
