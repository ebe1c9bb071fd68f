"""A round's own topics: any number, each written in any of the supported languages.

A round starts with no topics of its own and follows the community's library
(core.rounds.topic_library), whose default topics the catalogs translate. The first
edit of a round's topics copies the library into the round, every language the
catalogs know included; from then on the round's topics are its own, and editing the
library no longer changes them.

A pair gets each text in the pair's language (core.messages.languages), field by
field: the pair's language, else the community's language, else English, else the
first language the topic has. An organiser who gives only a French title still has
the English prompt and questions sent to French pairs, never an empty message.

Topic k (from 0) goes out at start + k x cadence (core.rounds.topics.schedule).
A topic counts as posted once its date has come and its posts were queued: posted
topics are never rewritten or removed (what pairs have read stays as it was), and a
topic can only be added or removed after the last posted one.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core import audit
from core.delivery.outbox import topic_thread_key
from core.errors import Conflict, InvalidValue, NotFound
from core.messages import i18n, vocab
from core.model import Community, Round, RoundState, Topic
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.rounds.service import find_round
from core.rounds.topic_texts import RoundTopic as RoundTopic
from core.rounds.topic_texts import TopicText as TopicText
from core.rounds.topics import DEFAULT_TOPICS, localize

TOPICS_MAX = 30
TITLE_MAX = 200
PROMPT_MAX = 1000
QUESTIONS_MAX = 5
QUESTION_MAX = 300


@dataclass(frozen=True, slots=True)
class RoundTopics:
    """A round's topics as organisers see them."""

    round: Round
    topics: tuple[RoundTopic, ...]
    own: bool  # False: the round follows the community's library
    posted: int  # how many topics (the first ones) have gone out
    dates: tuple[datetime | None, ...] = ()  # when each topic goes out, if the start is set


def from_library(topic: Topic, community_lang: str) -> RoundTopic:
    """Return a library topic as a round topic, with every translation the catalogs have.

    The default topics are written in English and translated by the catalogs; a topic
    the community edited is taken to be written in the community's language.
    """
    default = any(
        (d.title, d.prompt, d.questions) == (topic.title, topic.prompt, topic.questions)
        for d in DEFAULT_TOPICS
    )
    if not default:
        source = vocab.community_language(community_lang) if community_lang else i18n.SOURCE
        return RoundTopic(topic.position, {source: _text(topic)})
    texts = {
        lang: _text(localize(topic, lang))
        for lang in vocab.catalog_languages()
        if lang == i18n.SOURCE or localize(topic, lang) != topic
    }
    return RoundTopic(topic.position, texts)


def _text(topic: Topic) -> TopicText:
    return TopicText(topic.title, topic.prompt, tuple(topic.questions))


async def topics_of(uow: UnitOfWork, round_: Round, community: Community) -> list[RoundTopic]:
    """Return the topics a round sends, in calendar order: its own, else the library's."""
    own = await uow.round_topics.list(round_.id)
    if own:
        return sorted(own, key=lambda t: t.position)
    library = sorted(await uow.topics.list(community.id), key=lambda t: t.position)
    lang = community.settings.default_language
    return [from_library(t, lang) for t in library]


async def calendar_topics(uow: UnitOfWork, round_: Round) -> list[Topic]:
    """Return the round's topics in the community's language, for its calendar."""
    community = await uow.communities.get(round_.community_id)
    lang = community.settings.default_language
    return [t.in_language(lang, lang) for t in await topics_of(uow, round_, community)]


async def posted_count(uow: UnitOfWork, round_: Round, count: int) -> int:
    """Return how many of the round's first topics were queued to go out (never rewritten)."""
    keys = [topic_thread_key(round_.id, k) for k in range(count)]
    found = await uow.outbox.by_keys(keys)
    return max((k + 1 for k, key in enumerate(keys) if key in found), default=0)


class RoundTopicService:
    """Organisers' edits of a round's topics; each audited."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def list(self, community_id: int, round_name: str) -> RoundTopics:
        """Return the round's topics (its own, or the library's it follows) and what went out."""
        async with self._uow(read_only=True) as uow:
            round_ = await find_round(uow, community_id, round_name)
            community = await uow.communities.get(community_id)
            own = bool(await uow.round_topics.list(round_.id))
            topics = await topics_of(uow, round_, community)
            posted = await posted_count(uow, round_, len(topics))
        return RoundTopics(round_, tuple(topics), own, posted, _dates(round_, len(topics)))

    async def show(self, community_id: int, round_name: str, position: int, *, lang: str) -> Topic:
        """Return topic *position* as a pair speaking *lang* would get it (fallbacks applied)."""
        async with self._uow(read_only=True) as uow:
            round_ = await find_round(uow, community_id, round_name)
            community = await uow.communities.get(community_id)
            topics = await topics_of(uow, round_, community)
        topic = _at(topics, position, round_)
        return topic.in_language(i18n.pick(lang), community.settings.default_language)

    async def edit(
        self,
        community_id: int,
        round_name: str,
        position: int,
        *,
        lang: str,
        title: str | None = None,
        prompt: str | None = None,
        questions: Sequence[str] | None = None,
        actor: str = audit.UNKNOWN,
    ) -> RoundTopic:
        """Write topic *position*'s text in *lang* (only the fields given; "" clears one)."""
        code = vocab.community_language(lang)
        if title is None and prompt is None and questions is None:
            raise InvalidValue("say what to change: a title, a prompt or questions")
        async with self._uow() as uow:
            round_, topics, posted = await self._editable(uow, community_id, round_name)
            current = _at(topics, position, round_)
            _not_posted(round_, position, posted, "edited")
            before = current.texts.get(code, TopicText())
            text = TopicText(
                _title(title) if title is not None else before.title,
                _prompt(prompt) if prompt is not None else before.prompt,
                _questions(questions) if questions is not None else before.questions,
            )
            texts = {**current.texts, code: text}
            if not text:
                del texts[code]
            if not any(t.title for t in texts.values()):
                raise InvalidValue(f"topic {position} needs a title in at least one language")
            edited = replace(current, texts=texts)
            await self._store(uow, round_, [edited if t is current else t for t in topics])
            changed = [
                name
                for name, new in (("title", title), ("prompt", prompt), ("questions", questions))
                if new is not None
            ]
            await self._audit(
                uow, round_, actor, "round.topics.edit",
                f"topic {position} ({code}): {edited.in_language(code).title}",
                f"changed {', '.join(changed)}",
            )  # fmt: skip
            await uow.commit()
        return edited

    async def add(
        self,
        community_id: int,
        round_name: str,
        *,
        lang: str,
        title: str,
        prompt: str = "",
        questions: Sequence[str] = (),
        position: int | None = None,
        actor: str = audit.UNKNOWN,
    ) -> RoundTopic:
        """Add a topic (at the end, or at *position*, after the topics already posted)."""
        code = vocab.community_language(lang)
        text = TopicText(_title(title), _prompt(prompt), _questions(questions))
        if not text.title:
            raise InvalidValue("a topic needs a title")
        async with self._uow() as uow:
            round_, topics, posted = await self._editable(uow, community_id, round_name)
            if len(topics) >= TOPICS_MAX:
                raise Conflict(f"a round has at most {TOPICS_MAX} topics: remove one first")
            at = len(topics) + 1 if position is None else position
            if not 1 <= at <= len(topics) + 1:
                raise InvalidValue(f"a new topic goes at a position from 1 to {len(topics) + 1}")
            if at <= posted:
                raise Conflict(
                    f"topics 1 to {posted} of round {round_.name} have gone out: "
                    f"a new topic goes at position {posted + 1} or later"
                )
            new = RoundTopic(at, {code: text})
            ordered = [t for t in topics if t.position < at]
            ordered.append(new)
            ordered += [t for t in topics if t.position >= at]
            _fits(round_, len(ordered))
            await self._store(uow, round_, ordered)
            await self._audit(
                uow, round_, actor, "round.topics.add", f"topic {at} ({code}): {text.title}",
                f"{len(ordered)} topics",
            )  # fmt: skip
            await uow.commit()
        return _renumbered(ordered)[at - 1]

    async def remove(
        self, community_id: int, round_name: str, position: int, *, actor: str = audit.UNKNOWN
    ) -> RoundTopics:
        """Remove a topic that has not gone out; the later ones move up a place."""
        async with self._uow() as uow:
            round_, topics, posted = await self._editable(uow, community_id, round_name)
            gone = _at(topics, position, round_)
            _not_posted(round_, position, posted, "removed")
            if len(topics) == 1:
                raise Conflict(f"round {round_.name} needs at least one topic")
            kept = [t for t in topics if t is not gone]
            await self._store(uow, round_, kept)
            await self._audit(
                uow, round_, actor, "round.topics.remove",
                f"topic {position}: {gone.in_language(i18n.SOURCE).title}",
                f"{len(kept)} topics left",
            )  # fmt: skip
            await uow.commit()
        return RoundTopics(round_, tuple(_renumbered(kept)), True, posted)

    async def _editable(
        self, uow: UnitOfWork, community_id: int, round_name: str
    ) -> tuple[Round, builtins.list[RoundTopic], int]:
        round_ = await find_round(uow, community_id, round_name)
        if round_.state is RoundState.FINISHED:
            raise Conflict(f"round {round_.name} is finished: its topics can no longer change")
        community = await uow.communities.get(community_id)
        topics = await topics_of(uow, round_, community)
        return round_, topics, await posted_count(uow, round_, len(topics))

    async def _store(self, uow: UnitOfWork, round_: Round, topics: Sequence[RoundTopic]) -> None:
        await uow.round_topics.replace(round_.id, _renumbered(topics), self._clock.now())

    async def _audit(
        self, uow: UnitOfWork, round_: Round, actor: str, action: str, subject: str, detail: str
    ) -> None:
        await audit.record(
            uow,
            community_id=round_.community_id,
            round_id=round_.id,
            at=self._clock.now(),
            actor=actor,
            action=action,
            subject=subject,
            detail=detail,
        )


def _renumbered(topics: Sequence[RoundTopic]) -> builtins.list[RoundTopic]:
    return [replace(t, position=i) for i, t in enumerate(topics, 1)]


def _at(topics: Sequence[RoundTopic], position: int, round_: Round) -> RoundTopic:
    found = next((t for t in topics if t.position == position), None)
    if found is None:
        raise NotFound(
            f"round {round_.name} has no topic {position}: its topics are numbered "
            f"1 to {len(topics)}"
        )
    return found


def _not_posted(round_: Round, position: int, posted: int, verb: str) -> None:
    if position <= posted:
        raise Conflict(
            f"topic {position} of round {round_.name} has gone out and cannot be {verb}: "
            "only topics still to come change"
        )


def _dates(round_: Round, count: int) -> tuple[datetime | None, ...]:
    if round_.starts_at is None:
        return (None,) * count
    cadence = timedelta(days=round_.topic_cadence_days)
    return tuple(round_.starts_at + k * cadence for k in range(count))


def _fits(round_: Round, count: int) -> None:
    """Refuse more topics than the round's calendar has room for before its end."""
    if round_.starts_at is None or round_.ends_at is None:
        return
    last = round_.starts_at + (count - 1) * timedelta(days=round_.topic_cadence_days)
    if last >= round_.ends_at:
        raise Conflict(
            f"round {round_.name} ends on {round_.ends_at:%Y-%m-%d}, before topic {count} "
            f"would go out on {last:%Y-%m-%d}: move the end first (`penpals round edit "
            f"{round_.name} --ends DATE`)"
        )


def _title(value: str) -> str:
    return _clean(value, "title", TITLE_MAX)


def _prompt(value: str) -> str:
    return _clean(value, "prompt", PROMPT_MAX, multiline=True)


def _questions(values: Sequence[str]) -> tuple[str, ...]:
    cleaned = tuple(q for q in (_clean(v, "question", QUESTION_MAX) for v in values) if q)
    if len(cleaned) > QUESTIONS_MAX:
        raise InvalidValue(f"a topic has at most {QUESTIONS_MAX} questions")
    return cleaned


def _clean(value: str, name: str, limit: int, *, multiline: bool = False) -> str:
    text = vocab.plain_text(value, multiline=multiline).strip()
    if len(text) > limit:
        raise InvalidValue(f"a topic's {name} has at most {limit} characters, not {len(text)}")
    return text
