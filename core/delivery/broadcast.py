"""Organisers talking to everyone: an announcement, a broadcast to pairs or applicants.

Every message goes through the outbox (core.delivery.outbox) like the bot's own, in
one transaction for all its recipients, each action keyed by the organiser's request:

    announce:   c<community>:say:<request>
    to a pair:  r<round>:say:<request>:g<group number>   (after the pair space exists)
    to a member r<round>:say:<request>:m<member id>      (a direct message)

The request id is whatever identifies the organiser's request once: the adapter
passes the platform's id of the interaction (a Discord interaction id, a Slack
view submission or trigger id), the CLI `--request-id` or, when none is given, a
digest of the text, audience and round. The same request repeated (a retried
command, a double submission of the same interaction) adds nothing and reports it;
the outbox keys make each delivery happen once even across restarts.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core import audit
from core.delivery.outbox import ActionKind, NewAction, space_key
from core.errors import Conflict, InvalidValue
from core.messages import i18n, vocab
from core.messages.languages import pair_language_of
from core.model import ApplicationStatus, Community, Round, RoundState
from core.platform import Message, message_to_dict
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.rounds.service import find_round

TEXT_MAX = 2000  # within a Discord embed (4,096) and a Slack section (3,000)
REQUEST_MAX = 100
A = ApplicationStatus
# Applicants reached by a broadcast unless the organiser names statuses.
APPLICANT_STATUSES = (A.PENDING, A.APPROVED, A.WAITLISTED, A.DECLINED)


class Audience(enum.StrEnum):
    PAIRS = "pairs"  # a post in every published group's pair space
    APPLICANTS = "applicants"  # a direct message to every applicant of the round


@dataclass(frozen=True, slots=True)
class Sent:
    """What a request queued: how many messages, or that it had been queued before."""

    queued: int
    repeated: bool  # True: this request was already queued, nothing new was added
    request_id: str


def organisers_message(text: str, *, lang: str, round_name: str = "") -> Message:
    """Return the organisers' own words as a message, titled in *lang*."""
    _ = i18n.translator(lang).gettext
    footer = _("Round {round}").format(round=round_name) if round_name else ""
    return Message(title=_("A message from the organisers"), body=text, footer=footer)


def request_key(request_id: str | None, *parts: str) -> str:
    """Return the request's id as used in keys: the given one, else a digest of *parts*."""
    if request_id is not None and request_id.strip():
        rid = request_id.strip()
        if len(rid) > REQUEST_MAX or any(c in rid for c in ": \t\n"):
            raise InvalidValue(
                f"a request id has at most {REQUEST_MAX} characters and no colon or space"
            )
        return rid
    return "h" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _text(text: str) -> str:
    cleaned = vocab.plain_text(text, multiline=True).strip()
    if not cleaned:
        raise InvalidValue("the message is empty: write what to send")
    if len(cleaned) > TEXT_MAX:
        raise InvalidValue(f"a message has at most {TEXT_MAX} characters, not {len(cleaned)}")
    return cleaned


class BroadcastService:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def announce(
        self,
        community: Community,
        text: str,
        *,
        request_id: str | None = None,
        actor: str = audit.UNKNOWN,
    ) -> Sent:
        """Post the organisers' text once to the community's announcements channel."""
        body = _text(text)
        rid = request_key(request_id, "announce", str(community.id), body)
        now = self._clock.now()
        lang = community.settings.default_language
        action = NewAction(
            f"c{community.id}:say:{rid}",
            community.id,
            community.platform,
            ActionKind.ANNOUNCE,
            {"message": message_to_dict(organisers_message(body, lang=lang))},
            now,
        )
        async with self._uow() as uow:
            added = await uow.outbox.enqueue([action])
            if added:
                await self._audit(uow, community, None, now, actor, "community.announce",
                                  "the announcements channel", rid, body)  # fmt: skip
                await uow.commit()
        return Sent(added, added == 0, rid)

    async def broadcast(
        self,
        community: Community,
        round_name: str,
        text: str,
        *,
        audience: Audience | str,
        request_id: str | None = None,
        statuses: Sequence[ApplicationStatus] | None = None,
        actor: str = audit.UNKNOWN,
    ) -> Sent:
        """Send the organisers' text once to every pair space, or every applicant, of a round.

        Pairs: every active published group's space, in the pair's language. Applicants:
        a direct message to each applicant with one of *statuses* (default: all but
        those who withdrew), in their language; forgotten members are left out.
        """
        body = _text(text)
        try:
            who = Audience(audience)
        except ValueError:
            raise InvalidValue(
                f"unknown audience {audience!r}: use {Audience.PAIRS} or {Audience.APPLICANTS}"
            ) from None
        wanted = tuple(statuses) if statuses else APPLICANT_STATUSES
        now = self._clock.now()
        async with self._uow() as uow:
            round_ = await find_round(uow, community.id, round_name)
            parts = (str(round_.id), who.value, ",".join(sorted(wanted)), body)
            rid = request_key(request_id, *parts)
            if who is Audience.PAIRS:
                actions = await _to_pairs(uow, community, round_, body, rid, now)
                subject = f"{len(actions)} pair spaces of round {round_.name}"
            else:
                actions = await _to_applicants(uow, community, round_, body, rid, now, wanted)
                subject = f"{len(actions)} applicants of round {round_.name}"
            if not actions:
                raise Conflict(f"round {round_.name} has nobody to send this to ({who.value})")
            added = await uow.outbox.enqueue(actions)
            if added:
                action = f"round.broadcast.{who.value}"
                await self._audit(uow, community, round_, now, actor, action, subject, rid, body)
                await uow.commit()
        return Sent(added, added == 0, rid)

    async def _audit(
        self,
        uow: UnitOfWork,
        community: Community,
        round_: Round | None,
        at: datetime,
        actor: str,
        action: str,
        subject: str,
        rid: str,
        body: str,
    ) -> None:
        await audit.record(
            uow,
            community_id=community.id,
            round_id=round_.id if round_ else None,
            at=at,
            actor=actor,
            action=action,
            subject=subject,
            detail=f"request {rid}: {vocab.excerpt(body, 200)}",
        )


async def _to_pairs(
    uow: UnitOfWork, community: Community, round_: Round, body: str, rid: str, now: datetime
) -> list[NewAction]:
    if round_.state not in (RoundState.MATCHED, RoundState.RUNNING):
        raise Conflict(
            f"round {round_.name} is {round_.state.value}: pairs get messages once it is "
            "published and until it finishes"
        )
    groups = [g for g in await uow.groups.list(round_.id) if g.published and g.active]
    chosen = await uow.members.languages(m for g in groups for m in g.member_ids)
    out = []
    for g in groups:
        lang = pair_language_of([chosen.get(m) for m in g.member_ids], community)
        message = organisers_message(body, lang=lang, round_name=round_.name)
        out.append(
            NewAction(
                f"r{round_.id}:say:{rid}:g{g.number}",
                community.id,
                community.platform,
                ActionKind.POST,
                {"message": message_to_dict(message), "round_id": round_.id, "group": g.number},
                now,
                round_.id,
                requires=(space_key(round_.id, g.number),),
            )
        )
    return out


async def _to_applicants(
    uow: UnitOfWork,
    community: Community,
    round_: Round,
    body: str,
    rid: str,
    now: datetime,
    statuses: Sequence[ApplicationStatus],
) -> list[NewAction]:
    apps = [a for a in await uow.applications.list(round_.id, statuses) if not a.member.forgotten]
    chosen = await uow.members.languages(a.member_id for a in apps)
    out = []
    for a in apps:
        lang = i18n.pick(chosen.get(a.member_id), community.settings.default_language)
        message = organisers_message(body, lang=lang, round_name=round_.name)
        out.append(
            NewAction(
                f"r{round_.id}:say:{rid}:m{a.member_id}",
                community.id,
                community.platform,
                ActionKind.DIRECT_MESSAGE,
                {"message": message_to_dict(message), "member": a.member.external_id},
                now,
                round_.id,
            )
        )
    return out
