"""Engagement's messages to send (outbox actions): nudges, offers of a new partner,
the organisers' lists and alerts, a new pair's space."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from core.delivery.outbox import ActionKind, NewAction, space_key
from core.engagement.model import Silence, Standby
from core.engagement.rules import offer_action_id
from core.messages import nudges
from core.messages import render as messages
from core.model import (
    Community,
    Group,
    MemberRef,
    Round,
)
from core.platform import message_to_dict


def nudge(community: Community, round_: Round, s: Silence, now: datetime, lang: str) -> NewAction:
    key = space_key(round_.id, s.number)
    return NewAction(
        f"r{round_.id}:g{s.number}:nudge:{s.spell}",
        community.id,
        community.platform,
        ActionKind.POST,
        {
            "message": message_to_dict(nudges.nudge(round_, s.days, lang=lang)),
            "group": s.number,
        },
        now,
        round_.id,
        requires=(key,),
    )


def offer(
    community: Community, round_: Round, s: Silence, external_id: str, now: datetime, lang: str
) -> NewAction:
    message = nudges.new_partner_offer(
        round_,
        s.days,
        action_id=offer_action_id(round_.id, s.number),
        lang=lang,
    )
    return NewAction(
        f"r{round_.id}:g{s.number}:offer:{s.spell}",
        community.id,
        community.platform,
        ActionKind.DIRECT_MESSAGE,
        {
            "member": external_id,
            "message": message_to_dict(message),
            "offer_group": s.number,
        },
        now,
        round_.id,
    )


def silent_alert(
    community: Community,
    round_: Round,
    silent: Sequence[Silence],
    names: Mapping[int, str],
    now: datetime,
) -> NewAction:
    lines = [
        nudges.SilentPairLine(
            s.number,
            [names.get(m, "?") for m in s.member_ids],
            s.days,
            names.get(s.active_member_id, "") if s.active_member_id is not None else "",
        )
        for s in silent
    ]
    listed = [[s.number, s.spell] for s in silent]
    # Named by the pairs it lists: the same list is never sent twice.
    digest = hashlib.sha256(repr(listed).encode()).hexdigest()[:16]
    return NewAction(
        f"r{round_.id}:silent:{digest}",
        community.id,
        community.platform,
        ActionKind.ALERT_ORGANISERS,
        {
            "message": message_to_dict(
                nudges.silent_pairs_alert(round_, lines, lang=community.settings.default_language)
            ),
            "silent_pairs": listed,
        },
        now,
        round_.id,
    )


def space_action(community: Community, round_: Round, number: int, at: datetime) -> NewAction:
    return NewAction(
        space_key(round_.id, number),
        community.id,
        community.platform,
        ActionKind.CREATE_SPACE,
        {"round_id": round_.id, "group": number},
        at,
        round_.id,
    )


def moved_on_alert(
    community: Community,
    round_: Round,
    old: Group,
    number: int,
    standby: Standby,
    now: datetime,
) -> NewAction:
    text = (
        f"Round {round_.name}: a member of silent pair {old.number} took up the offer of a new "
        f"partner and is now in pair {number} with {standby.application.profile.name} "
        f"({standby.source}). Please check in with the partner who went quiet."
    )
    return NewAction(
        f"r{round_.id}:g{old.number}:moved-on",
        community.id,
        community.platform,
        ActionKind.ALERT_ORGANISERS,
        {
            "message": message_to_dict(
                messages.organiser_alert(text, lang=community.settings.default_language)
            )
        },
        now,
        round_.id,
    )


def nobody_alert(
    community: Community, round_: Round, old: Group, member: MemberRef, now: datetime
) -> NewAction:
    text = (
        f"Round {round_.name}: {member.external_id} of silent pair {old.number} asked for a new "
        "partner, but nobody in the standby pool fits the pairing rules. Add volunteers or "
        "pair them by hand."
    )
    return NewAction(
        f"r{round_.id}:g{old.number}:nobody:{now:%Y-%m-%d}",
        community.id,
        community.platform,
        ActionKind.ALERT_ORGANISERS,
        {
            "message": message_to_dict(
                messages.organiser_alert(text, lang=community.settings.default_language)
            )
        },
        now,
        round_.id,
    )
