"""From approved applications to published groups.

An organiser previews a matching (stored as a proposal), may swap members between
groups, split a group or pair people by hand (core.matching.edits), then publishes.
Published groups change only through a rematch after a member leaves.

Publishing reads the round's approved applications once: the proposal, the report
and the members' outcome messages are all made from that one read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from core import audit
from core.delivery.outbox import ActionKind, NewAction, announce_key
from core.errors import Conflict
from core.matching.caps import CAP_PREFIX, cap_limit, community_cap, country_cap
from core.matching.edits import HandEdits
from core.matching.publication import told
from core.matching.report import GroupView, MatchReport, Person, build_report, over_cap
from core.matching.steps import candidates, space_action
from core.messages import render as messages
from core.model import Application, ApplicationStatus, Community, Group, Round
from core.model import RoundState as S
from core.platform import message_to_dict
from core.ports import NewGroup, UnitOfWork
from core.rounds import outcomes
from core.rounds.service import find_round

# Kept importable from here: other packages know these names by this module.
__all__ = [
    "CAP_PREFIX",
    "GroupView",
    "MatchReport",
    "MatchService",
    "Person",
    "candidates",
    "cap_limit",
]

A = ApplicationStatus


class MatchService(HandEdits):
    """Preview, publish and show a round's matching (hand edits: HandEdits)."""

    async def preview(
        self, community: Community, round_name: str, *, seed: int = 0, actor: str = audit.UNKNOWN
    ) -> MatchReport:
        """Match the approved applicants and store the result as the round's proposal."""
        async with self._uow() as uow:
            community = await uow.communities.get(community.id)  # settings may have changed
            round_ = await self._closed_round(uow, community, round_name)
            approved = await uow.applications.list(round_.id, [A.APPROVED])
            groups, approved, over, applied = await self._propose(
                uow, community, round_, seed, approved
            )
            waitlisted = await uow.applications.list(round_.id, [A.WAITLISTED])
            report = build_report(
                round_,
                groups,
                [*approved, *waitlisted],
                published=False,
                over=over,
                cap=community,
                applied=applied,
            )
            await self._audit(uow, round_, actor, "match.preview", report, f"seed {seed}")
            await uow.commit()
            return report

    async def publish(
        self, community: Community, round_name: str, *, seed: int = 0, actor: str = audit.UNKNOWN
    ) -> MatchReport:
        """Publish the proposal (making one first if there is none): the round becomes matched."""
        async with self._uow() as uow:
            community = await uow.communities.get(community.id)  # settings may have changed
            round_ = await self._closed_round(uow, community, round_name)
            approved = await uow.applications.list(round_.id, [A.APPROVED])
            proposal = await uow.groups.list(round_.id)
            if not proposal:
                proposal, approved, _, _ = await self._propose(
                    uow, community, round_, seed, approved
                )
            over = over_cap(approved, proposal)
            eligible = {a.member_id for a in approved}
            stale = [m for g in proposal for m in g.member_ids if m not in eligible]
            if stale:
                raise Conflict(
                    "the applications changed since the preview: run the preview again "
                    "before publishing"
                )
            if not proposal:
                raise Conflict(
                    f"round {round_.name} has no group to publish: approve applicants first"
                )
            now = self._clock.now()
            reasons: dict[str, list[int]] = {}
            for app, why in over:
                reasons.setdefault(why, []).append(app.id)
            for why, ids in reasons.items():
                await uow.applications.set_status(ids, A.WAITLISTED, why, now)
            # Number groups 1..n without gaps left by splits: the numbers name the pair spaces.
            groups = sorted(proposal, key=lambda g: g.number)
            if [g.number for g in groups] != list(range(1, len(groups) + 1)):
                renumbered = [
                    NewGroup(i, g.member_ids, g.score, g.reasons) for i, g in enumerate(groups, 1)
                ]
                groups = await uow.groups.replace_proposal(round_.id, renumbered)
            await uow.groups.publish(round_.id)
            groups = [replace(g, published=True) for g in groups]
            round_ = replace(round_, state=S.MATCHED)
            await uow.rounds.save(round_)
            # Same transaction as the decision: the spaces will be made exactly once.
            await uow.outbox.enqueue(
                [
                    *(space_action(community, round_, g.number, now) for g in groups),
                    _published_announcement(community, round_, now),
                ]
            )
            over_ids = {a.member_id for a, _ in over}
            staying = [a for a in approved if a.member_id not in over_ids]
            waitlisted = await uow.applications.list(round_.id, [A.WAITLISTED])
            report = build_report(
                round_, groups, [*staying, *waitlisted], published=True, over=over, cap=community
            )
            told_now = told(community, round_, over, groups, staying)
            await uow.outbox.enqueue(await outcomes.actions(uow, community, round_, told_now, now))
            await self._audit(uow, round_, actor, "match.publish", report)
            await uow.commit()
            return report

    async def show(self, community: Community, round_name: str) -> MatchReport:
        """Return the round's current proposal or published groups."""
        async with self._uow() as uow:
            community = await uow.communities.get(community.id)  # settings may have changed
            round_ = await find_round(uow, community.id, round_name)
            groups = await uow.groups.list(round_.id)
            published = any(g.published for g in groups)
            apps = await uow.applications.list(round_.id, [A.APPROVED, A.WAITLISTED])
            over: list[tuple[Application, str]] = []
            if not published:
                over = over_cap([a for a in apps if a.status is A.APPROVED], groups)
            return build_report(
                round_,
                groups,
                apps,
                published=published,
                over=over,
                cap=None if published else community,
            )

    async def _propose(
        self,
        uow: UnitOfWork,
        community: Community,
        round_: Round,
        seed: int,
        approved: Sequence[Application],
    ) -> tuple[list[Group], list[Application], list[tuple[Application, str]], bool]:
        """Match *approved* and store the proposal.

        Returns the groups, the approved with the notes now stored (why unplaced, or
        held back by the country cap), those over the cap, and whether the cap applied.
        """
        if not approved:
            raise Conflict(f"round {round_.name} has no approved applicant: approve some first")
        noted = {a.id: a for a in approved}
        cap = community_cap(community)
        admitted, over, applied = country_cap(approved, cap)
        # The cap is on the matched participants: the unplaced do not count, so when
        # leaving them out puts a country over the cap, the latest of that country are
        # waitlisted too and the placed rest matched again (the unplaced stay unplaced,
        # so nobody later than a waitlisted person gets in). Each pass drops someone.
        while True:
            result, unplaced = await self._run_matcher(uow, community, round_, admitted, seed)
            noted.update((a.id, a) for a in unplaced)
            placed = {x for g in result.groups for x in g.members}
            kept, dropped, still = country_cap(
                [a for a in admitted if a.member.external_id in placed], cap
            )
            if not dropped or not still:
                applied = applied and still
                break
            over += dropped
            admitted = kept
        # The note marks who the cap holds back, so publishing and `round groups` know;
        # a mark left by an earlier preview goes from those now placed.
        marked = [replace(a, note=why) for a, why in over] + [
            replace(a, note="")
            for a in admitted
            if a.member.external_id in placed and a.note.startswith(CAP_PREFIX)
        ]
        await uow.applications.save_many(marked)
        noted.update((a.id, a) for a in marked)
        over = [(noted[a.id], why) for a, why in over]
        by_ext = {a.member.external_id: a for a in admitted}
        groups = await uow.groups.replace_proposal(
            round_.id,
            [
                NewGroup(i, tuple(by_ext[x].member_id for x in g.members), g.score, g.reasons)
                for i, g in enumerate(result.groups, 1)
            ],
        )
        return groups, [noted[a.id] for a in approved], over, applied


def _published_announcement(community: Community, round_: Round, now: datetime) -> NewAction:
    message = messages.announcement(round_, "published", lang=community.settings.default_language)
    return NewAction(
        announce_key(round_.id, "published"),
        community.id,
        community.platform,
        ActionKind.ANNOUNCE,
        {"message": message_to_dict(message)},
        now,
        round_.id,
    )
