"""Organisers' hand edits of a matching: swap, split, pair, and a rematch after a leave."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from core import audit
from core.errors import Conflict, InvalidValue, NotFound
from core.matching.report import MatchReport
from core.matching.steps import MatchSteps, candidates, match_day, space_action
from core.model import ApplicationStatus, Community, Group, Round
from core.model import RoundState as S
from core.ports import NewGroup, UnitOfWork
from core.rounds.service import find_round

A = ApplicationStatus


class HandEdits(MatchSteps):
    """Change a proposal by hand before publishing, or pair again after a member left."""

    async def swap(
        self, community: Community, round_name: str, a: str, b: str, *, actor: str = audit.UNKNOWN
    ) -> MatchReport:
        """Exchange two members of different proposed groups, keeping the hard rules."""
        async with self._uow() as uow:
            community = await uow.communities.get(community.id)  # settings may have changed
            round_ = await self._closed_round(uow, community, round_name)
            groups = await uow.groups.list(round_.id)
            ids = await self._member_ids(uow, community, round_, [a, b])
            ga, gb = (self._group_of(groups, m, ext) for m, ext in zip(ids, (a, b), strict=True))
            if ga.id == gb.id:
                raise Conflict(f"{a} and {b} are already in the same group ({ga.number})")
            new_a = tuple(ids[1] if m == ids[0] else m for m in ga.member_ids)
            new_b = tuple(ids[0] if m == ids[1] else m for m in gb.member_ids)
            for group, members in ((ga, new_a), (gb, new_b)):
                score, reasons = await self._checked(uow, community, round_, group.number, members)
                await uow.groups.save(
                    replace(group, member_ids=members, score=score, reasons=reasons)
                )
            report = await self._report(uow, round_, published=False)
            await self._audit(
                uow, round_, actor, "match.swap", f"{a} and {b}", f"groups {ga.number}, {gb.number}"
            )
            await uow.commit()
            return report

    async def split(
        self, community: Community, round_name: str, number: int, *, actor: str = audit.UNKNOWN
    ) -> MatchReport:
        """Dissolve a proposed group; its members become unplaced until paired by hand."""
        async with self._uow() as uow:
            community = await uow.communities.get(community.id)  # settings may have changed
            round_ = await self._closed_round(uow, community, round_name)
            groups = await uow.groups.list(round_.id)
            target = next((g for g in groups if g.number == number), None)
            if target is None:
                raise NotFound(f"round {round_.name} has no group {number}")
            keep = [g for g in groups if g.id != target.id]
            await uow.groups.replace_proposal(
                round_.id, [NewGroup(g.number, g.member_ids, g.score, g.reasons) for g in keep]
            )
            report = await self._report(uow, round_, published=False)
            await self._audit(uow, round_, actor, "match.split", f"group {number}")
            await uow.commit()
            return report

    async def pair(
        self,
        community: Community,
        round_name: str,
        external_ids: Sequence[str],
        *,
        actor: str = audit.UNKNOWN,
    ) -> MatchReport:
        """Form a proposed group by hand from two or three members not in any group."""
        if not 2 <= len(set(external_ids)) <= 3:
            raise InvalidValue("a group has two members (three only to absorb an odd one out)")
        async with self._uow() as uow:
            community = await uow.communities.get(community.id)  # settings may have changed
            round_ = await self._closed_round(uow, community, round_name)
            groups = await uow.groups.list(round_.id)
            ids = await self._member_ids(uow, community, round_, external_ids)
            grouped = {m for g in groups for m in g.member_ids}
            busy = [ext for m, ext in zip(ids, external_ids, strict=True) if m in grouped]
            if busy:
                raise Conflict(f"already in a group: {', '.join(busy)} (split or swap instead)")
            number = max((g.number for g in groups), default=0) + 1
            score, reasons = await self._checked(uow, community, round_, number, ids)
            await uow.groups.add(
                round_.id, NewGroup(number, tuple(ids), score, reasons), published=False
            )
            report = await self._report(uow, round_, published=False)
            await self._audit(
                uow, round_, actor, "match.pair", audit.ids(list(external_ids)), f"group {number}"
            )
            await uow.commit()
            return report

    async def rematch(
        self, community: Community, round_name: str, *, seed: int = 0, actor: str = audit.UNKNOWN
    ) -> MatchReport:
        """Pair again the approved members of a published round left without a group."""
        async with self._uow() as uow:
            community = await uow.communities.get(community.id)  # settings may have changed
            round_ = await find_round(uow, community.id, round_name)
            if round_.state not in (S.MATCHED, S.RUNNING):
                raise Conflict(
                    f"round {round_.name} is {round_.state.value}: a rematch is for a matched "
                    "or running round after a member left"
                )
            groups = await uow.groups.list(round_.id)
            grouped = {m for g in groups for m in g.member_ids}
            approved = await uow.applications.list(round_.id, [A.APPROVED])
            orphans = [a for a in approved if a.member_id not in grouped]
            result, _ = await self._run_matcher(uow, community, round_, orphans, seed)
            number = max(
                (g.number for g in await uow.groups.list(round_.id, active_only=False)), default=0
            )
            by_ext = {a.member.external_id: a for a in orphans}
            now = self._clock.now()
            for mg in result.groups:
                number += 1
                ids = tuple(by_ext[x].member_id for x in mg.members)
                await uow.groups.add(
                    round_.id, NewGroup(number, ids, mg.score, mg.reasons), published=True
                )
                await uow.outbox.enqueue([space_action(community, round_, number, now)])
            report = await self._report(uow, round_, published=True)
            await self._audit(
                uow,
                round_,
                actor,
                "match.rematch",
                audit.ids([a.member.external_id for a in orphans]),
                f"{len(result.groups)} new groups, {len(result.unplaced)} unplaced",
            )
            await uow.commit()
            return report

    async def _member_ids(
        self, uow: UnitOfWork, community: Community, round_: Round, external_ids: Sequence[str]
    ) -> list[int]:
        apps = {
            a.member.external_id: a for a in await uow.applications.list(round_.id, [A.APPROVED])
        }
        missing = [x for x in external_ids if x not in apps]
        if missing:
            raise NotFound(f"no approved applicant {', '.join(missing)} in round {round_.name}")
        return [apps[x].member_id for x in external_ids]

    @staticmethod
    def _group_of(groups: Sequence[Group], member_id: int, external_id: str) -> Group:
        for g in groups:
            if member_id in g.member_ids:
                return g
        raise Conflict(f"{external_id} is not in any group: pair them by hand instead")

    async def _checked(
        self,
        uow: UnitOfWork,
        community: Community,
        round_: Round,
        number: int,
        member_ids: Sequence[int],
    ) -> tuple[float, tuple[str, ...]]:
        """Return score and reasons of a hand-made group, refusing one that breaks a rule."""
        from core.matching.matcher import group_score, violations

        apps = {a.member_id: a for a in await uow.applications.list(round_.id, [A.APPROVED])}
        members = await candidates(uow, community, round_, [apps[m] for m in member_ids])
        problems = violations(members)
        if problems:
            raise Conflict(f"group {number} would break the rules: {'; '.join(problems)}")
        return group_score(members, on=match_day(round_))
