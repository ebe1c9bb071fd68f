"""Surveys' messages to send: an invitation per pair space or by direct message,
reminders, and the organisers' alert when a survey closes (outbox actions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.delivery.outbox import ActionKind, NewAction, space_key
from core.engagement.goals import goals_by_member
from core.messages import i18n, survey_texts
from core.messages.languages import pair_language_of
from core.model import Community, Round
from core.platform import message_to_dict
from core.ports import UnitOfWork
from core.surveys.model import Survey, SurveyResults
from core.surveys.rules import survey_action_id, window


async def participants(uow: UnitOfWork, r: Round) -> list[tuple[int, tuple[int, ...]]]:
    """Return (group number, member ids) of the round's active published groups."""
    return [(g.number, g.member_ids) for g in await uow.groups.published_members(r.id)]


async def invitations(
    uow: UnitOfWork,
    community: Community,
    r: Round,
    survey: Survey,
    now: datetime,
    *,
    direct: bool = False,
) -> tuple[int, list[NewAction]]:
    """Return how many are invited and the actions: a post per pair space, or DMs."""
    w = window(r, survey)
    assert w is not None
    groups = await participants(uow, r)
    invited = sum(len(member_ids) for _, member_ids in groups)
    if direct:
        everyone = [m for _, member_ids in groups for m in member_ids]
        return invited, await direct_messages(
            uow, community, r, survey, everyone, now, reminder=False
        )
    chosen = await uow.members.languages(m for _, member_ids in groups for m in member_ids)
    goals = await goals_by_member(uow, r.id)
    actions = []
    for number, member_ids in groups:
        lang = pair_language_of([chosen.get(m) for m in member_ids], community)
        message = survey_texts.survey_invitation(
            r,
            survey.kind.value,
            survey_action_id(survey.id),
            w.closes,
            lang=lang,
            goals=goals.get(member_ids[0], "") if member_ids else "",
        )
        actions.append(
            NewAction(
                f"r{r.id}:g{number}:survey:{survey.kind}",
                community.id,
                community.platform,
                ActionKind.POST,
                {"message": message_to_dict(message), "group": number},
                now,
                r.id,
                requires=(space_key(r.id, number),),
            )
        )
    return invited, actions


async def reminders(
    uow: UnitOfWork, community: Community, r: Round, survey: Survey, now: datetime
) -> list[NewAction]:
    """Return a reminder by DM to each participant who has not answered."""
    answered = await uow.surveys.respondents(survey.id)
    member_ids = [m for _, ms in await participants(uow, r) for m in ms if m not in answered]
    return await direct_messages(uow, community, r, survey, member_ids, now, reminder=True)


async def direct_messages(
    uow: UnitOfWork,
    community: Community,
    r: Round,
    survey: Survey,
    member_ids: Sequence[int],
    now: datetime,
    *,
    reminder: bool,
) -> list[NewAction]:
    """Return a direct message with the survey's button to each member, in their language."""
    w = window(r, survey)
    assert w is not None
    refs = await uow.members.refs(member_ids)
    chosen = await uow.members.languages(member_ids)
    render = survey_texts.survey_reminder if reminder else survey_texts.survey_invitation
    suffix = ":reminder" if reminder else ""
    goals = await goals_by_member(uow, r.id)
    actions = []
    for member_id in member_ids:
        ref = refs.get(member_id)
        if ref is None or ref.forgotten:
            continue
        lang = i18n.pick(chosen.get(member_id), community.settings.default_language)
        message = render(
            r,
            survey.kind.value,
            survey_action_id(survey.id),
            w.closes,
            lang=lang,
            goals=goals.get(member_id, ""),
        )
        actions.append(
            NewAction(
                f"r{r.id}:m{member_id}:survey:{survey.kind}{suffix}",
                community.id,
                community.platform,
                ActionKind.DIRECT_MESSAGE,
                {"member": ref.external_id, "message": message_to_dict(message)},
                now,
                r.id,
            )
        )
    return actions


def closed_alert(community: Community, r: Round, found: SurveyResults, now: datetime) -> NewAction:
    message = survey_texts.survey_closed_alert(
        r,
        found.kind.value,
        found.responses,
        found.invited,
        found.satisfaction,
        lang=community.settings.default_language,
    )
    return NewAction(
        f"r{r.id}:survey:{found.kind}:closed",
        community.id,
        community.platform,
        ActionKind.ALERT_ORGANISERS,
        {"message": message_to_dict(message)},
        now,
        r.id,
    )
