"""One outbox action carried out: what it needs loaded from the database (a batch at a
time) and the platform call it makes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from core.delivery.outbox import (
    Action,
    ActionKind,
    Outcome,
)
from core.engagement.goals import goals_action_id
from core.messages import render as messages
from core.messages.languages import pair_language_of
from core.model import (
    Application,
    Community,
    Group,
    MemberRef,
    Round,
    Topic,
)
from core.platform import ChatPlatform, DeliveryFailed, Message, SpaceRef, message_from_dict
from core.ports import UnitOfWork
from core.rounds.applications import A
from core.rounds.round_topics import topics_of
from core.rounds.topic_texts import RoundTopic
from core.rounds.topics import localize


class ActionContext:
    """What one action needs from the database, loaded when it is claimed."""

    def __init__(self, action: Action, community: Community, now: datetime) -> None:
        self.action = action
        self.community = community
        self.now = now
        payload = action.payload.get("message")
        self.message: Message | None = message_from_dict(payload) if payload else None
        self.members: list[MemberRef] = []
        self.name = ""
        self.skip = ""
        self.topic: tuple[Round, Topic, int, int] | None = None
        # The community's language; a pair's own messages use the pair's (see load).
        self.lang = community.settings.default_language
        self.required: dict[str, Outcome] = {}
        # What the platform answered, or why it refused.
        self.outcome: dict[str, str] | None = None
        self.failure: DeliveryFailed | None = None

    async def run(self, platform: ChatPlatform, *, retry: bool) -> dict[str, str]:
        """Ask *platform* to carry out the action; return what it answered."""
        a, key, required = self.action, self.action.key, self.required
        if self.skip:
            return {"skipped": self.skip}
        if a.kind is ActionKind.OPEN_TOPIC_THREAD:
            assert self.topic is not None
            thread = await platform.open_topic_thread(
                self.community,
                self.name,
                messages.public_topic_message(*self.topic, lang=self.lang),
                key=key,
                retry=retry,
            )
            return {"thread_id": thread.id, "url": thread.url}
        if a.kind is ActionKind.POST_TOPIC:
            assert self.topic is not None
            opened = next((r for r in required.values() if r.key.endswith(":thread")), None)
            url = opened.result.get("url", "") if opened else ""
            message = messages.topic_message(*self.topic, thread_url=url, lang=self.lang)
            return {
                "message_id": await platform.post(
                    self._space(required), message, key=key, retry=retry
                )
            }
        if a.kind is ActionKind.REMOVE_MEMBER:
            member = a.payload["member"]
            await platform.remove_member(
                self._space(required), MemberRef(a.platform, member), key=key, retry=retry
            )
            return {"removed": member}
        assert self.message is not None, f"{a.kind} needs a message"
        message = self.message
        if a.kind is ActionKind.CREATE_SPACE:
            space = await platform.create_pair_space(
                self.community, self.name, self.members, message, key=key, retry=retry
            )
            return {"space_id": space.id, "name": space.name, "url": space.url}
        if a.kind is ActionKind.POST:
            return {
                "message_id": await platform.post(
                    self._space(required), message, key=key, retry=retry
                )
            }
        if a.kind is ActionKind.ARCHIVE_SPACE:
            space = self._space(required)
            await platform.archive_space(space, message, key=key, retry=retry)
            return {"archived": space.id}
        if a.kind is ActionKind.DIRECT_MESSAGE:
            member = MemberRef(a.platform, a.payload["member"])
            sent = await platform.direct_message(
                self.community, member, message, key=key, retry=retry
            )
            return {"direct": "yes" if sent else "fell back"}
        if a.kind is ActionKind.ANNOUNCE:
            await platform.announce(self.community, message, key=key, retry=retry)
            return {}
        if a.kind is ActionKind.ALERT_ORGANISERS:
            await platform.alert_organisers(self.community, message, key=key, retry=retry)
            return {}
        raise DeliveryFailed(f"unknown action kind {a.kind}")

    def _space(self, required: Mapping[str, Outcome]) -> SpaceRef:
        """Return the pair space this action needs, or fail if it could not be made."""
        found = next((r for r in required.values() if r.key.endswith(":space")), None)
        if found is None or "space_id" not in found.result:
            raise DeliveryFailed("the pair space could not be created (see the earlier alert)")
        r = found.result
        return SpaceRef(self.action.platform, r["space_id"], r.get("name", ""), r.get("url", ""))


_PAIR_KINDS = (ActionKind.CREATE_SPACE, ActionKind.POST_TOPIC, ActionKind.ARCHIVE_SPACE)


class ContextLoader:
    """Load the contexts of a batch of actions, reading what they share once."""

    def __init__(self, uow: UnitOfWork, now: datetime) -> None:
        self._uow = uow
        self._now = now
        self._communities: dict[int, Community] = {}
        self._rounds: dict[int, Round] = {}
        self._topics: dict[int, list[RoundTopic]] = {}
        self._groups: dict[tuple[int, int], Group | None] = {}
        self._languages: dict[int, str | None] = {}
        self._applications: dict[tuple[int, int], Application | None] = {}
        # (round id, topic index, language): the topic as told and its thread's name.
        self._topic_texts: dict[tuple[int, int, str], tuple[tuple[Round, Topic, int, int], str]]
        self._topic_texts = {}

    async def prefetch(self, actions: Sequence[Action]) -> None:
        """Read the groups, languages and applications a batch needs, a query per kind."""
        uow = self._uow
        numbers: dict[int, set[int]] = {}
        for a in actions:
            p = a.payload
            # A topic post knows its pair's language (see load): its group is not needed.
            needs_group = a.kind is ActionKind.CREATE_SPACE or "lang" not in p
            if a.kind in _PAIR_KINDS and "group" in p and "round_id" in p and needs_group:
                numbers.setdefault(p["round_id"], set()).add(p["group"])
        for round_id, wanted in numbers.items():
            found = await uow.groups.find_many(round_id, wanted)
            for number in wanted:
                self._groups[(round_id, number)] = found.get(number)
        members = {m for g in self._groups.values() if g is not None for m in g.member_ids}
        self._languages.update(await uow.members.languages(members - set(self._languages)))
        spaces: dict[int, set[int]] = {}
        for a in actions:
            if a.kind is ActionKind.CREATE_SPACE:
                group = self._groups.get((a.payload["round_id"], a.payload["group"]))
                if group is not None:
                    spaces.setdefault(group.round_id, set()).update(group.member_ids)
            elif a.kind is ActionKind.DIRECT_MESSAGE and "outcome" in a.payload:
                # An outcome DM checks the member has not withdrawn: one query per batch.
                spaces.setdefault(a.payload["round_id"], set()).add(a.payload["member_id"])
        for round_id, member_ids in spaces.items():
            found_apps = await uow.applications.find_many(round_id, member_ids)
            for m in member_ids:
                self._applications[(round_id, m)] = found_apps.get(m)

    async def community(self, community_id: int) -> Community:
        if community_id not in self._communities:
            self._communities[community_id] = await self._uow.communities.get(community_id)
        return self._communities[community_id]

    async def round(self, round_id: int) -> Round:
        if round_id not in self._rounds:
            self._rounds[round_id] = await self._uow.rounds.get(round_id)
        return self._rounds[round_id]

    async def topics(self, round_: Round, community: Community) -> list[RoundTopic]:
        """Return the round's topics (its own, else the library's), read once per batch."""
        if round_.id not in self._topics:
            self._topics[round_.id] = await topics_of(self._uow, round_, community)
        return self._topics[round_.id]

    async def group(self, round_id: int, number: int) -> Group | None:
        if (round_id, number) not in self._groups:
            self._groups[(round_id, number)] = await self._uow.groups.find(round_id, number)
        return self._groups[(round_id, number)]

    async def languages(self, member_ids: Sequence[int]) -> list[str | None]:
        missing = [m for m in member_ids if m not in self._languages]
        if missing:
            self._languages.update(await self._uow.members.languages(missing))
        return [self._languages.get(m) for m in member_ids]

    async def application(self, round_id: int, member_id: int) -> Application | None:
        if (round_id, member_id) not in self._applications:
            found = await self._uow.applications.find(round_id, member_id)
            self._applications[(round_id, member_id)] = found
        return self._applications[(round_id, member_id)]

    async def load(self, action: Action) -> ActionContext:
        """Return what *action* needs to be carried out."""
        community = await self.community(action.community_id)
        ctx = ActionContext(action, community, self._now)
        p, kind = action.payload, action.kind
        if "lang" in p:  # decided when enqueued (topic posts: one query for the round)
            ctx.lang = p["lang"]
        elif kind in _PAIR_KINDS and "group" in p and "round_id" in p:
            group = await self.group(p["round_id"], p["group"])
            if group is not None:
                ctx.lang = pair_language_of(await self.languages(group.member_ids), community)
        if kind is ActionKind.CREATE_SPACE:
            await self._introduction(ctx, await self.round(p["round_id"]), p["group"])
        elif kind in (ActionKind.POST_TOPIC, ActionKind.OPEN_TOPIC_THREAD):
            round_ = await self.round(p["round_id"])
            seen = (round_.id, p["k"], ctx.lang)
            if seen not in self._topic_texts:  # a batch posts one topic in a few languages
                topics = await self.topics(round_, community)
                # The pair's language, each field falling back (core.rounds.round_topics).
                topic = topics[p["k"]].in_language(ctx.lang, community.settings.default_language)
                name = f"{round_.name} · {localize(topic, ctx.lang).title}"
                self._topic_texts[seen] = ((round_, topic, p["k"], len(topics)), name)
            ctx.topic, ctx.name = self._topic_texts[seen]
        elif kind is ActionKind.ARCHIVE_SPACE:
            ctx.message = messages.goodbye(await self.round(p["round_id"]), lang=ctx.lang)
        elif kind is ActionKind.DIRECT_MESSAGE and "outcome" in p:
            # A decision told by direct message (core.rounds.outcomes): not to someone who withdrew.
            app = await self.application(p["round_id"], p["member_id"])
            if app is None or app.status is A.WITHDRAWN:
                ctx.skip = "the member withdrew before being told"
        return ctx

    async def _introduction(self, ctx: ActionContext, round_: Round, number: int) -> None:
        group = await self.group(round_.id, number)
        if group is None or not group.active:
            ctx.skip = "the group was dissolved before its space was made"
            return
        # The group's own applications, not the round's: listing them all made every
        # space cost as much as the whole round (minutes for a thousand pairs).
        found = [await self.application(round_.id, m) for m in group.member_ids]
        members = [a for a in found if a is not None and a.status is A.APPROVED]
        ctx.members = [a.member for a in members]
        settings = ctx.community.settings
        contact = settings.channels.get("contact", "")
        ctx.message = messages.introduction(
            round_,
            number,
            [a.profile for a in members],
            group.reasons,
            now=ctx.now,
            contact=contact,
            lang=ctx.lang,
            ids=[a.member.external_id for a in members],
            practices=settings.practices,
            goals_action=goals_action_id(round_.id, number),
            languages=await self.languages([a.member_id for a in members]),
        )
        ctx.name = f"{round_.name} pair {number}"
