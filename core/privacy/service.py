"""A member's data: export everything stored about them, or forget it.

Forgetting replaces personal data with anonymous placeholders instead of deleting
rows, because the reports count rows: participants are the members of published
groups, countries come from their applications, active pairs from weekly counts.
Deleting the member would change last year's figures; a placeholder keeps them.

What stays after forgetting, and why:

- the member row, renamed "forgotten member" with the platform id replaced by
  "forgotten:<random>": group membership and activity counts point at it;
- the applications, with name, introduction, interests, wishes, institution,
  region, organiser note and declared previous partners blanked. Country is kept
  because the reports count participants per country and new countries per round;
  sector, career stage, timezone and languages are coarse categories kept so that a
  round still running can rematch the group around them;
- group membership, pauses, standby entries and weekly message counts (numbers only);
- survey responses' choices (they are counted without names); free-text answers
  (the comment) are blanked, since a person may have written anything there.
  The member's chosen language is cleared.

Pending direct messages to the member are cancelled (failed with "member forgotten"),
and the member's platform id and names are replaced in the outbox payloads, in group
reasons and in other applicants' declared previous partners.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from core.delivery.outbox import ActionKind, ActionState
from core.errors import NotFound
from core.matching.explanations import split
from core.messages.i18n import N_
from core.model import (
    FORGOTTEN_PREFIX,
    ApplicationStatus,
    Community,
    MemberRef,
    Profile,
    RoundState,
    Wishes,
)
from core.ports import Clock, MemberRecord, UnitOfWork, UnitOfWorkFactory
from core.surveys.codecs import answers_to_json
from core.surveys.model import QuestionType

FORGOTTEN_NAME = "forgotten member"
CANCELLED = "member forgotten"
# Rounds whose groups are not made yet: a forgotten applicant is withdrawn from them.
_NOT_MATCHED = (RoundState.DRAFT, RoundState.OPEN, RoundState.CLOSED)
_STILL_IN = (ApplicationStatus.PENDING, ApplicationStatus.APPROVED, ApplicationStatus.WAITLISTED)


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What forgetting one member changed."""

    placeholder: str  # the member's new external id
    applications: int
    withdrawn: int
    groups: int  # groups they stay counted in, anonymously
    cancelled_messages: int
    scrubbed_actions: int
    already_forgotten: bool = False


def is_forgotten(ref: MemberRef) -> bool:
    return ref.forgotten


def redact(value: Any, secrets_: Iterable[str], replacement: str) -> Any:
    """Return a copy of *value* (JSON-like) with whole words of *secrets_* replaced."""
    words = sorted({s for s in secrets_ if s.strip()}, key=len, reverse=True)
    body = "|".join(re.escape(w) for w in words)
    pattern = re.compile(r"(?<![\w:])(?:" + body + r")(?![\w:])") if words else None

    def walk(item: Any) -> Any:
        if isinstance(item, str) and pattern is not None:
            return pattern.sub(replacement, item)
        if isinstance(item, dict):
            return {k: walk(v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [walk(v) for v in item]
        return item

    return walk(value)


def _blank(profile: Profile) -> Profile:
    return replace(
        profile,
        name=FORGOTTEN_NAME,
        interests=(),
        introduction="",
        wishes=Wishes(),
        institution="",
        region="",
    )


def _when(moment: Any) -> str | None:
    return None if moment is None else str(moment.isoformat())


class PrivacyService:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def export(self, community: Community, member_ref: MemberRef) -> dict[str, Any]:
        """Return everything stored about the member, as JSON-ready data.

        Groups are given by round and number only: nothing about the partners, and
        declared previous partners only as a count (their ids are other people's data).
        """
        async with self._uow() as uow:
            member = await self._member(uow, community, member_ref)
            names: dict[int, str] = {}

            async def round_name(round_id: int | None) -> str | None:
                if round_id is None:
                    return None
                if round_id not in names:
                    names[round_id] = (await uow.rounds.get(round_id)).name
                return names[round_id]

            apps = await uow.privacy.applications(member.id)
            memberships = await uow.privacy.memberships(member.id)
            group_of = {m.group_id: m for m in memberships}
            goals = await uow.goals.get_many(group_of)
            return {
                "community": community.name,
                "exported_at": _when(self._clock.now()),
                "member": {
                    "platform": member.ref.platform.value,
                    "id": member.ref.external_id,
                    "display_name": member.display_name,
                    "first_seen": _when(member.created_at),
                },
                "applications": [
                    {
                        "round": await round_name(a.round_id),
                        "status": a.status.value,
                        "submitted_at": _when(a.submitted_at),
                        "updated_at": _when(a.updated_at),
                        "note": split(a.note)[0],
                        "profile": _profile_dict(a.profile),
                        "declared_previous_partners": len(a.declared_previous_partners),
                    }
                    for a in apps
                ],
                "groups": [
                    {
                        "round": await round_name(m.round_id),
                        "group": m.number,
                        "published": m.published,
                        "active": m.active,
                        "goals": goals.get(m.group_id),
                    }
                    for m in memberships
                ],
                "pauses": [
                    {
                        "round": await round_name(p.round_id),
                        "starts": _when(p.starts),
                        "ends": _when(p.ends),
                    }
                    for p in await uow.privacy.pauses(member.id)
                ],
                "standby": [
                    {"round": await round_name(v.round_id), "since": _when(v.created_at)}
                    for v in await uow.privacy.volunteering(member.id)
                    if v.community_id == community.id
                ],
                "weekly_messages": [
                    {
                        "round": await round_name(group_of[c.group_id].round_id)
                        if c.group_id in group_of
                        else None,
                        "group": group_of[c.group_id].number if c.group_id in group_of else None,
                        "week": c.week.isoformat(),
                        "messages": c.messages,
                    }
                    for c in await uow.privacy.activity(member.id)
                ],
                "language": await uow.members.language(member.id),
                "survey_responses": [
                    {
                        "round": await round_name(survey.round_id),
                        "survey": survey.kind.value,
                        "submitted_at": _when(response.submitted_at),
                        "updated_at": _when(response.updated_at),
                        "answers": answers_to_json(response.answers),
                    }
                    for survey, response in await uow.surveys.member_responses(member.id)
                ],
            }

    async def forget(self, community: Community, member_ref: MemberRef) -> Forgotten:
        """Replace the member's personal data with placeholders (see the module docstring).

        Forgetting twice is harmless: the original id is gone after the first time, so
        it is not found again (NotFound), and forgetting the placeholder changes nothing.
        """
        now = self._clock.now()
        async with self._uow() as uow:
            member = await self._member(uow, community, member_ref)
            already = is_forgotten(member.ref)
            placeholder = (
                member.ref.external_id if already else f"{FORGOTTEN_PREFIX}{secrets.token_hex(12)}"
            )
            apps = await uow.privacy.applications(member.id)
            old_id = member.ref.external_id
            # Whole words only: a display name like "Ann" must not touch "Annual".
            secret = {old_id, member.display_name, *(a.profile.name for a in apps)}
            secret -= {FORGOTTEN_NAME, placeholder}
            names = secret - {old_id}

            withdrawn = 0
            for a in apps:
                round_ = await uow.rounds.get(a.round_id)
                status, note = a.status, ""
                if round_.state in _NOT_MATCHED and a.status in _STILL_IN:
                    status, note = ApplicationStatus.WITHDRAWN, CANCELLED
                    withdrawn += 1
                blanked = replace(a, profile=_blank(a.profile), status=status, note=note)
                if blanked != a:
                    await uow.applications.save(replace(blanked, updated_at=now))
                if a.declared_previous_partners:
                    await uow.privacy.set_declared_partners(a.id, ())
            mine = {a.id for a in apps}
            for app_id, partners in (await uow.privacy.declared_partners(community.id)).items():
                if app_id not in mine and old_id in partners:
                    swapped = [placeholder if p == old_id else p for p in partners]
                    await uow.privacy.set_declared_partners(app_id, swapped)

            memberships = await uow.privacy.memberships(member.id)
            # A pair's goals are written together: forgetting one member removes them.
            await uow.goals.delete(m.group_id for m in memberships)
            for m in memberships:
                group = await uow.groups.find(m.round_id, m.number)
                if group is None:
                    continue
                reasons = tuple(
                    redact(
                        redact(list(group.reasons), {old_id}, placeholder), names, FORGOTTEN_NAME
                    )
                )
                if reasons != group.reasons:
                    await uow.groups.save(replace(group, reasons=reasons))

            for survey, response in await uow.surveys.member_responses(member.id):
                texts = {q.key for q in survey.current_questions if q.type is QuestionType.TEXT}
                kept = {k: ("" if k in texts else v) for k, v in response.answers.items()}
                if kept != response.answers:
                    await uow.surveys.put_response(survey.id, member.id, kept, now)
            await uow.members.set_language(member.id, None)

            cancelled, scrubbed = await self._scrub_outbox(
                uow, community, old_id, secret, placeholder, now
            )
            await uow.privacy.rename_member(member.id, placeholder, FORGOTTEN_NAME)
            await uow.commit()
        return Forgotten(
            placeholder=placeholder,
            applications=len(apps),
            withdrawn=withdrawn,
            groups=len(memberships),
            cancelled_messages=cancelled,
            scrubbed_actions=scrubbed,
            already_forgotten=already,
        )

    async def _scrub_outbox(
        self,
        uow: UnitOfWork,
        community: Community,
        old_id: str,
        secret: set[str],
        placeholder: str,
        now: Any,
    ) -> tuple[int, int]:
        """Cancel pending DMs to the member; replace their id and names in stored payloads.

        Other pending actions (removing them from a pair space...) keep the real id until
        delivered, since the platform needs it to act; only names are replaced in them.
        """
        cancelled = scrubbed = 0
        names = secret - {old_id}
        for action in await uow.outbox.list(community.id):
            to_member = action.payload.get("member") == old_id
            ids = {old_id}
            if action.state is ActionState.PENDING:
                if to_member and action.kind is ActionKind.DIRECT_MESSAGE:
                    await uow.outbox.fail(action.id, CANCELLED, now)
                    cancelled += 1
                else:
                    ids = set()  # still to be delivered: the platform may need the id
            payload = redact(redact(action.payload, ids, placeholder), names, FORGOTTEN_NAME)
            if to_member and ids:
                payload["member"] = placeholder
            if payload != action.payload:
                await uow.privacy.set_payload(action.id, payload)
                scrubbed += 1
        return cancelled, scrubbed

    @staticmethod
    async def _member(uow: UnitOfWork, community: Community, ref: MemberRef) -> MemberRecord:
        member = await uow.privacy.member(community.id, ref)
        if member is None:
            raise NotFound(
                N_(
                    "nothing is stored about member {member} in {community} "
                    "(unknown id, or already forgotten): check the id"
                ),
                member=repr(ref.external_id),
                community=community.name,
            )
        return member


def _profile_dict(p: Profile) -> dict[str, Any]:
    return {
        "name": p.name,
        "country": p.country,
        "timezone": p.timezone,
        "languages": list(p.languages),
        "sector": p.sector,
        "career_stage": p.career_stage,
        "interests": list(p.interests),
        "introduction": p.introduction,
        "wishes": {
            "sectors": list(p.wishes.sectors),
            "career_stages": list(p.wishes.career_stages),
            "interests": list(p.wishes.interests),
            "countries": list(p.wishes.countries),
        },
        "institution": p.institution,
        "region": p.region,
    }
