"""Applications: members apply, edit, withdraw; organisers approve, decline, waitlist.

One application per member per round. A member edits theirs by applying again
while the round is open. Organiser decisions are all-or-nothing when ids are named:
an unknown id changes nothing and is reported.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from core.delivery.outbox import ActionKind, NewAction, space_key
from core.errors import Conflict, InvalidValue, Moment, NotFound
from core.messages import i18n
from core.messages import render as messages
from core.messages.i18n import N_
from core.model import Application, ApplicationStatus, Community, Group, MemberRef, Profile, Round
from core.model import RoundState as S
from core.platform import message_to_dict
from core.ports import Clock, NewApplication, UnitOfWork, UnitOfWorkFactory
from core.rounds.decisions import DECIDABLE_STATES as DECIDABLE_STATES
from core.rounds.decisions import IMPORT_BATCH as IMPORT_BATCH
from core.rounds.decisions import Decided as Decided
from core.rounds.decisions import Imported as Imported
from core.rounds.decisions import OrganiserDecisions
from core.rounds.review import PAGE_DEFAULT, ReviewFilter, ReviewPage, page_of
from core.rounds.service import find_round

A = ApplicationStatus


@dataclass(frozen=True, slots=True)
class Submitted:
    application: Application
    round: Round
    created: bool  # False when an existing application was edited


@dataclass(frozen=True, slots=True)
class SignupStart:
    round: Round
    profile: Profile | None  # what they sent last time, to prefill the form


@dataclass(frozen=True, slots=True)
class Withdrawn:
    application: Application
    round: Round
    group: Group | None  # the group they left, when the round was already matched
    partners: tuple[MemberRef, ...]  # who to tell kindly; organisers get a rematch alert


async def open_round(uow: UnitOfWork, community_id: int) -> Round:
    """Return the round taking applications, or raise with what the member can do."""
    rounds = await uow.rounds.list(community_id)
    open_rounds = [r for r in rounds if r.state is S.OPEN]
    if open_rounds:
        return max(open_rounds, key=lambda r: r.id)
    closed = [r for r in rounds if r.state is S.CLOSED]
    if closed:
        last = max(closed, key=lambda r: r.id)
        if last.applications_close_at is not None:
            raise Conflict(
                N_(
                    "applications for round {round} closed on {closes}: watch the "
                    "announcements for the next round"
                ),
                round=last.name,
                closes=Moment(last.applications_close_at, "%d %B %Y"),
            )
        raise Conflict(
            N_("applications for round {round} closed: watch the announcements for the next round"),
            round=last.name,
        )
    raise Conflict(N_("no round is taking applications right now: watch the announcements"))


def _unsupported(language: str) -> InvalidValue:
    """Return the error for a language penpals has no catalog of."""
    return InvalidValue(
        N_("language {language}: penpals speaks {supported}; choose one of them"),
        language=repr(language),
        supported=", ".join(i18n.SUPPORTED),
    )


class ApplicationService(OrganiserDecisions):
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def start_signup(self, community: Community, member: MemberRef) -> SignupStart:
        """Check the member may apply now; return the round and their current profile.

        Adapters call this before showing a form, so the member hears "closed" or
        "declined" before typing anything; `submit` checks the same again.
        """
        async with self._uow(read_only=True) as uow:
            round_, existing = await self._can_apply(uow, community, member)
        return SignupStart(round_, existing.profile if existing else None)

    async def submit(
        self,
        community: Community,
        member: MemberRef,
        profile: Profile,
        *,
        language: str | None = None,
    ) -> Submitted:
        """Apply to the open round, or edit the application already there.

        *language* is the member's choice for penpals' messages (or, when they made
        none, their platform's locale); an unsupported one is refused, None keeps
        what was stored before.
        """
        now = self._clock.now()
        chosen = None
        if language:
            chosen = i18n.supported(language)
            if chosen is None:
                raise _unsupported(language)
        async with self._uow() as uow:
            round_, existing = await self._can_apply(uow, community, member)
            member_id = await uow.members.ensure(community.id, member, profile.name)
            if chosen is not None:
                await uow.members.set_language(member_id, chosen)
            if existing is None:
                app = await uow.applications.add(
                    NewApplication(round_.id, member_id, profile, A.PENDING, now)
                )
                created = True
            else:
                status = A.PENDING if existing.status is A.WITHDRAWN else existing.status
                app = replace(existing, profile=profile, status=status, updated_at=now)
                await uow.applications.save(app)
                created = False
            await uow.commit()
            return Submitted(app, round_, created)

    async def language(
        self, community: Community, member: MemberRef, *, locale: str | None = None
    ) -> str:
        """Return the language to speak to *member* in.

        Their choice at signup first, then the platform's locale (Discord's
        interaction locale, Slack's user locale), then the community's default.
        """
        async with self._uow(read_only=True) as uow:
            member_id = await uow.members.find(community.id, member)
            stored = None if member_id is None else await uow.members.language(member_id)
        return i18n.pick(stored, locale, community.settings.default_language)

    async def set_language(self, community: Community, member: MemberRef, language: str) -> str:
        """Record the member's choice of language; return the catalog it resolves to."""
        chosen = i18n.supported(language)
        if chosen is None:
            raise _unsupported(language)
        async with self._uow() as uow:
            member_id = await uow.members.find(community.id, member)
            if member_id is None:
                raise NotFound(N_("you have not signed up yet: use the signup command first"))
            await uow.members.set_language(member_id, chosen)
            await uow.commit()
        return chosen

    async def _can_apply(
        self, uow: UnitOfWork, community: Community, member: MemberRef
    ) -> tuple[Round, Application | None]:
        round_ = await open_round(uow, community.id)
        closes = round_.applications_close_at
        if closes is not None and closes <= self._clock.now():
            raise Conflict(
                N_(
                    "applications for round {round} closed on {closes} UTC: "
                    "watch the announcements for the next round"
                ),
                round=round_.name,
                closes=Moment(closes),
            )
        member_id = await uow.members.find(community.id, member)
        existing = None if member_id is None else await uow.applications.find(round_.id, member_id)
        if existing is not None and existing.status is A.DECLINED:
            raise Conflict(
                N_(
                    "your application to round {round} was declined: "
                    "ask an organiser if you think this is a mistake"
                ),
                round=round_.name,
            )
        return round_, existing

    async def mine(self, community: Community, member: MemberRef) -> Application:
        """Return the member's application to the most recent round they applied to."""
        async with self._uow(read_only=True) as uow:
            member_id = await uow.members.find(community.id, member)
            if member_id is not None:
                for round_ in sorted(await uow.rounds.list(community.id), key=lambda r: -r.id):
                    app = await uow.applications.find(round_.id, member_id)
                    if app is not None:
                        return app
        raise NotFound(N_("you have not applied yet: use signup to apply"))

    async def withdraw(
        self, community: Community, member: MemberRef, round_name: str | None = None
    ) -> Withdrawn:
        """Leave a round; after matching, leave the group so the partner can be rematched."""
        now = self._clock.now()
        async with self._uow() as uow:
            member_id = await uow.members.find(community.id, member)
            rounds = sorted(await uow.rounds.list(community.id), key=lambda r: -r.id)
            if round_name is not None:
                rounds = [r for r in rounds if r.name == round_name]
            live = [r for r in rounds if r.state is not S.FINISHED]
            for round_ in live:
                app = (
                    None if member_id is None else await uow.applications.find(round_.id, member_id)
                )
                if app is None or app.status in (A.WITHDRAWN, A.DECLINED):
                    continue
                await uow.applications.set_status([app.id], A.WITHDRAWN, "withdrew", now)
                group: Group | None = None
                partners: tuple[MemberRef, ...] = ()
                for g in await uow.groups.list(round_.id):
                    if app.member_id not in g.member_ids:
                        continue
                    rest = tuple(m for m in g.member_ids if m != app.member_id)
                    # A pair of one is no pair: the one left waits for a rematch.
                    changed = replace(g, member_ids=rest, active=len(rest) >= 2)
                    await uow.groups.save(changed)
                    if g.published:
                        group = changed
                        partners = tuple((await uow.members.refs(rest)).values())
                        await uow.outbox.enqueue(
                            _partner_left_actions(community, round_, changed, app, now)
                        )
                await uow.commit()
                app = replace(app, status=A.WITHDRAWN, updated_at=now)
                return Withdrawn(app, round_, group, partners)
        raise NotFound(N_("you have no application to withdraw in a current round"))

    async def list(
        self,
        community_id: int,
        round_name: str,
        statuses: Sequence[ApplicationStatus] | None = None,
    ) -> builtins.list[Application]:
        """Return the round's applications, optionally only those with *statuses*."""
        async with self._uow(read_only=True) as uow:
            round_ = await find_round(uow, community_id, round_name)
            return await uow.applications.list(round_.id, statuses)

    async def review(
        self,
        community_id: int,
        round_name: str,
        matching: ReviewFilter = ReviewFilter(),
        *,
        offset: int = 0,
        limit: int = PAGE_DEFAULT,
    ) -> ReviewPage:
        """Return one page of the round's applications that pass *matching*, with the total."""
        async with self._uow(read_only=True) as uow:
            round_ = await find_round(uow, community_id, round_name)
            apps = await uow.applications.list(round_.id, matching.statuses or None)
        return page_of(apps, matching, offset=offset, limit=limit)


def _partner_left_actions(
    community: Community, round_: Round, group: Group, leaver: Application, now: datetime
) -> list[NewAction]:
    """Tell the partners kindly in their space and alert the organisers for a rematch."""
    base = f"r{round_.id}:g{group.number}:left:{leaver.member.external_id}"
    alert = messages.organiser_alert(
        lang=community.settings.default_language,
        text=f"{leaver.profile.name} withdrew from pair {group.number} of round {round_.name}. "
        + (
            f"Run a rematch (`penpals round rematch {round_.name}`) for their partner."
            if not group.active
            else "The group still has two members."
        ),
    )
    return [
        NewAction(
            f"{base}:note",
            community.id,
            community.platform,
            ActionKind.POST,
            {
                "message": message_to_dict(
                    messages.partner_left(round_, lang=community.settings.default_language)
                )
            },
            now,
            round_.id,
            requires=(space_key(round_.id, group.number),),
        ),
        NewAction(
            f"{base}:remove",
            community.id,
            community.platform,
            ActionKind.REMOVE_MEMBER,
            {"member": leaver.member.external_id},
            now,
            round_.id,
            requires=(space_key(round_.id, group.number),),
        ),
        NewAction(
            f"{base}:alert",
            community.id,
            community.platform,
            ActionKind.ALERT_ORGANISERS,
            {"message": message_to_dict(alert)},
            now,
            round_.id,
        ),
    ]
