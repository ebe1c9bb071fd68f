"""Engagement's standby pool: an open offer, the pool, the best new partner, regrouping,
the round a member is in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from core.delivery.outbox import ActionKind
from core.engagement.model import SOURCES, A, Standby
from core.errors import NotFound
from core.matching.service import candidates
from core.messages.i18n import N_
from core.model import (
    Application,
    Community,
    Group,
    MemberRef,
    Round,
    RoundState,
)
from core.ports import NewApplication, UnitOfWork


async def open_offer(
    uow: UnitOfWork, community: Community, member: MemberRef, round_id: int | None
) -> tuple[int, Round, Group]:
    """Return the member, round and group of an offer the member may still take up."""
    member_id = await uow.members.find(community.id, member)
    dms = await uow.outbox.list(community.id, round_id=round_id, kinds=[ActionKind.DIRECT_MESSAGE])
    offers = [
        a for a in dms if "offer_group" in a.payload and a.payload["member"] == member.external_id
    ]
    for offer in reversed(offers):  # the latest first
        if member_id is None or offer.round_id is None:
            continue
        round_ = await uow.rounds.get(offer.round_id)
        if round_.state is not RoundState.RUNNING:
            continue
        # Still in that group: an offer taken up or overtaken by events is spent.
        for group in await uow.groups.list(round_.id):
            if group.number == offer.payload["offer_group"] and member_id in group.member_ids:
                return member_id, round_, group
    raise NotFound(N_("you have no open offer of a new partner: ask the organisers for help"))


async def best_partner(
    uow: UnitOfWork, community: Community, round_: Round, member_id: int, now: datetime
) -> tuple[Standby, float, tuple[str, ...]] | None:
    """Return the pool member who makes the best valid pair with the member, if any."""
    from core.matching.matcher import group_score, violations  # the matcher (numpy): only here

    pool = await standby_pool(uow, community, round_, now)
    me = await uow.applications.find(round_.id, member_id)
    assert me is not None, "a member of a group has an application"
    people = await candidates(
        uow, community, round_, [me, *(s.application for s in pool)], include_this_round=True
    )
    mine = people[0]
    on = round_.starts_at.date() if round_.starts_at else None
    best: tuple[tuple[int, float, int], Standby, float, tuple[str, ...]] | None = None
    for i, (standby, theirs) in enumerate(zip(pool, people[1:], strict=True)):
        if violations([mine, theirs]):
            continue
        score, reasons = group_score([mine, theirs], on=on)
        rank = (SOURCES.index(standby.source), -score, i)
        if best is None or rank < best[0]:
            best = (rank, standby, score, reasons)
    return None if best is None else best[1:]


async def standby_pool(
    uow: UnitOfWork, community: Community, round_: Round, now: datetime
) -> list[Standby]:
    """Return the standby pool: odd ones out, waitlisted applicants, volunteers.

    Left out: anyone in an active group, anyone paused, and the partners a member
    moved on from (the organisers follow up with them).
    """
    groups = await uow.groups.list(round_.id, active_only=False)
    busy = {m for g in groups if g.active for m in g.member_ids}
    left = {m for g in groups if not g.active and busy & set(g.member_ids) for m in g.member_ids}
    paused = {
        p.member_id for p in await uow.engagement.pauses(round_.id) if p.starts <= now < p.ends
    }
    apps = await uow.applications.list(round_.id)
    pool = [Standby(a, "odd one out") for a in apps if a.status is A.APPROVED]
    pool += [Standby(a, "waitlisted") for a in apps if a.status is A.WAITLISTED]
    pool += await volunteers(uow, community, round_, apps)
    out = busy | left | paused
    chosen = []
    for s in pool:  # someone in two sources counts in the first
        if s.member_id not in out:
            out.add(s.member_id)
            chosen.append(s)
    return chosen


async def volunteers(
    uow: UnitOfWork, community: Community, round_: Round, apps: Sequence[Application]
) -> list[Standby]:
    """Return the round's volunteers with the profile they would be matched on."""
    here = {a.member_id: a for a in apps}
    found = []
    for v in await uow.engagement.volunteers(community.id, round_.id):
        app = here.get(v.member_id) or await latest_application(uow, community, v.member_id)
        if app is not None and app.status is not A.DECLINED:
            found.append(Standby(app, "volunteer"))
    return found


async def latest_application(
    uow: UnitOfWork, community: Community, member_id: int
) -> Application | None:
    """Return the member's application in the community's latest round they applied to."""
    for round_ in sorted(await uow.rounds.list(community.id), key=lambda r: -r.id):
        app = await uow.applications.find(round_.id, member_id)
        if app is not None:
            return app
    return None


async def regroup(
    uow: UnitOfWork,
    community: Community,
    round_: Round,
    old: Group,
    member_id: int,
    standby: Standby,
    now: datetime,
) -> int:
    """Retire the silent group, bring the new partner into the round; return the new number."""
    # The old group keeps all its members, so nobody is paired with them again.
    await uow.groups.save(replace(old, active=False))
    app = standby.application
    if app.round_id != round_.id:
        await uow.applications.add(
            NewApplication(
                round_.id, app.member_id, app.profile, A.APPROVED, now, note="standby volunteer"
            )
        )
    elif app.status is not A.APPROVED:
        await uow.applications.set_status([app.id], A.APPROVED, "joined from standby", now)
    await uow.engagement.remove_volunteer(community.id, app.member_id)
    numbers = [g.number for g in await uow.groups.list(round_.id, active_only=False)]
    return max(numbers, default=0) + 1


async def current_round(
    uow: UnitOfWork, community: Community, member: MemberRef
) -> tuple[int, Round]:
    """Return the member and the matched or running round they take part in."""
    member_id = await uow.members.find(community.id, member)
    if member_id is not None:
        for round_ in sorted(await uow.rounds.list(community.id), key=lambda r: -r.id):
            if round_.state not in (RoundState.MATCHED, RoundState.RUNNING):
                continue
            app = await uow.applications.find(round_.id, member_id)
            if app is not None and app.status is A.APPROVED:
                return member_id, round_
    raise NotFound(N_("you are not in a running round, so there is nothing to pause"))
