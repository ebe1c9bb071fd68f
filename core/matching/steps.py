"""The steps every matching change shares: find the round, run the matcher, audit, report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from core import audit
from core.delivery.outbox import ActionKind, NewAction, space_key
from core.errors import Conflict
from core.matching import explanations
from core.matching.model import Candidate
from core.matching.report import MatchReport, build_report
from core.model import Application, ApplicationStatus, Community, Round
from core.model import RoundState as S
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.rounds.service import find_round

if TYPE_CHECKING:
    # The matcher (numpy and its search) is imported by the functions that match, so
    # that everything else (the bots, `penpals round list`) starts without it.
    from core.matching.model import Matching

A = ApplicationStatus


async def candidates(
    uow: UnitOfWork,
    community: Community,
    round_: Round,
    apps: Sequence[Application],
    *,
    include_this_round: bool = False,
) -> list[Candidate]:
    """Return matcher input: profiles plus earlier partners, declared and from history.

    With *include_this_round*, partners from the round's own groups count too, for
    pairing someone again in the middle of a round.
    """
    ids = [a.member_id for a in apps]
    history = await uow.groups.partner_history(community.id, ids, exclude_round_id=round_.id)
    if include_this_round:
        for g in await uow.groups.list(round_.id, active_only=False):
            for m in g.member_ids:
                history.setdefault(m, set()).update(set(g.member_ids) - {m})
    refs = await uow.members.refs({p for ps in history.values() for p in ps})
    return [
        Candidate.from_profile(
            a.member.external_id,
            a.profile,
            previous_partners={
                *a.declared_previous_partners,
                *(refs[p].external_id for p in history.get(a.member_id, ())),
            },
            rule=community.settings.pairing_rule,
        )
        for a in apps
    ]


def space_action(community: Community, round_: Round, number: int, at: datetime) -> NewAction:
    """Return the outbox action that makes group *number*'s pair space (exactly once)."""
    return NewAction(
        space_key(round_.id, number),
        community.id,
        community.platform,
        ActionKind.CREATE_SPACE,
        {"round_id": round_.id, "group": number},
        at,
        round_.id,
    )


def match_day(round_: Round) -> date | None:
    """Return the day the matcher scores working-hour overlap on (the round's start)."""
    # Working-hour overlap depends on the date (daylight saving).
    return round_.starts_at.date() if round_.starts_at else None


class MatchSteps:
    """The unit-of-work factory and clock, and the steps matching services share."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def _audit(
        self,
        uow: UnitOfWork,
        round_: Round,
        actor: str,
        action: str,
        what: MatchReport | str,
        detail: str = "",
    ) -> None:
        if isinstance(what, MatchReport):
            r = what
            what = (
                f"{len(r.groups)} groups, {r.placed} placed, {len(r.unplaced)} unplaced, "
                f"{len(r.over_cap)} over the country cap"
            )
        await audit.record(
            uow,
            community_id=round_.community_id,
            round_id=round_.id,
            at=self._clock.now(),
            actor=actor,
            action=action,
            subject=what,
            detail=detail,
        )

    async def _closed_round(self, uow: UnitOfWork, community: Community, name: str) -> Round:
        round_ = await find_round(uow, community.id, name)
        if round_.state is S.CLOSED:
            return round_
        if round_.state in (S.MATCHED, S.RUNNING, S.FINISHED):
            raise Conflict(
                f"round {round_.name} is already published ({round_.state.value}): groups now "
                "change only by a rematch when a member leaves"
            )
        raise Conflict(
            f"round {round_.name} is {round_.state.value}: close applications first "
            "(`penpals round close`)"
        )

    async def _run_matcher(
        self,
        uow: UnitOfWork,
        community: Community,
        round_: Round,
        apps: Sequence[Application],
        seed: int,
    ) -> tuple[Matching, list[Application]]:
        """Match *apps*; note why each unplaced one was not placed (stored, and returned)."""
        from core.matching.matcher import match

        people = await candidates(uow, community, round_, apps)
        result = match(people, seed=seed, on=match_day(round_))
        by_ext = {a.member.external_id: a for a in apps}
        unplaced = []
        for u in result.unplaced:
            why = explanations.Reason.decode(u.code) if u.code else None
            note = explanations.attach(f"unplaced: {u.reason}", why)
            unplaced.append(replace(by_ext[u.id], note=note))
        await uow.applications.save_many(unplaced)
        return result, unplaced

    async def _report(
        self,
        uow: UnitOfWork,
        round_: Round,
        *,
        published: bool,
        over: Sequence[tuple[Application, str]] = (),
        cap: Community | None = None,
        applied: bool = True,
    ) -> MatchReport:
        """Read the round's groups and applications and return their report."""
        return build_report(
            round_,
            await uow.groups.list(round_.id),
            await uow.applications.list(round_.id, [A.APPROVED, A.WAITLISTED]),
            published=published,
            over=over,
            cap=cap,
            applied=applied,
        )
