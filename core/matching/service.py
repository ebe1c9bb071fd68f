"""From approved applications to published groups.

An organiser previews a matching (stored as a proposal), may swap members between
groups, split a group or pair people by hand, then publishes. Published groups
change only through a rematch after a member leaves.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal, overload

from core import audit
from core.delivery.outbox import ActionKind, NewAction, announce_key, space_key
from core.errors import Conflict, InvalidValue, NotFound
from core.matching import explanations
from core.messages import render as messages
from core.messages import vocab
from core.model import Application, ApplicationStatus, Community, Group, PairingRule, Round
from core.model import RoundState as S
from core.platform import Message, message_to_dict
from core.ports import Clock, NewGroup, UnitOfWork, UnitOfWorkFactory
from core.rounds import outcomes
from core.rounds.service import find_round

if TYPE_CHECKING:
    # The matcher (numpy and its search) is imported by the functions that match, so
    # that everything else (the bots, `penpals round list`) starts without it.
    from core.matching.matcher import Candidate, Matching

A = ApplicationStatus


@dataclass(frozen=True, slots=True)
class Person:
    member_id: int
    external_id: str
    name: str
    country: str


@dataclass(frozen=True, slots=True)
class GroupView:
    number: int
    members: tuple[Person, ...]
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MatchReport:
    round: Round
    groups: tuple[GroupView, ...]
    unplaced: tuple[tuple[Person, str], ...]
    over_cap: tuple[tuple[Person, str], ...]  # waitlisted (on publish) by the country cap
    published: bool
    # What the country cap did, in words (how many waitlisted, the largest share).
    cap_note: str = ""
    # For renderers in other languages (core.matching.preview_text): the unplaced's stored
    # reasons by external id, the cap applied, and those the organisers waitlisted.
    unplaced_codes: Mapping[str, str] = field(default_factory=dict)
    cap: float | None = None
    waitlisted: tuple[tuple[Person, str], ...] = ()

    @property
    def placed(self) -> int:
        return sum(len(g.members) for g in self.groups)


CAP_PREFIX = "over the country cap"


def cap_limit(counts: Mapping[str, int], cap: float) -> int:
    """Return the most people one country may have in the largest round the cap allows.

    With L people at most from each country (the earliest of each), a round has
    T(L) = sum(min(n_c, L)) people, and the cap holds when L <= cap * T(L). That
    slack, cap * T(L) - L, is concave in L (T grows by the number of countries with
    more than L, which only falls) and 0 at L = 0, so the L that satisfy it form an
    interval [0, L*]: L* is found by counting up. Taking min(n_c, L*) from each
    country is the largest round of all that keep the cap: any round whose biggest
    country has M people is no larger than T(M), and M <= cap * T(M) means M <= L*.
    0 means no round with anyone in it can keep the cap (fewer than 1/cap countries).
    """
    if not counts:
        return 0
    best = 0
    for limit in range(1, max(counts.values()) + 1):
        if limit > cap * sum(min(n, limit) for n in counts.values()) + 1e-9:
            break
        best = limit
    return best


def country_cap(
    apps: Sequence[Application], cap: float | None
) -> tuple[list[Application], list[tuple[Application, str]], bool]:
    """Split applications into admitted and over-the-cap, the latest of a country first out.

    Returns (admitted, over, applied). The admitted are the largest set in which no
    country has more than *cap* of the people (see cap_limit). When no such set has
    anyone in it (the people come from fewer than 1/cap countries), the cap cannot
    be met by any round: everyone is admitted and *applied* is False, so the preview
    can say so rather than waitlist the whole round.
    """
    if cap is None or not apps:
        return list(apps), [], True
    counts = Counter(a.profile.country for a in apps)
    limit = cap_limit(counts, cap)
    if limit == 0:
        return list(apps), [], False
    total = sum(min(n, limit) for n in counts.values())
    seen: Counter[str] = Counter()
    admitted, over = [], []
    for app in sorted(apps, key=lambda a: (a.submitted_at, a.id)):
        seen[app.profile.country] += 1
        if seen[app.profile.country] > limit:
            why = (
                f"{CAP_PREFIX}: at most {cap:.0%} of the matched participants "
                f"({limit} of {total}) from {vocab.country_name(app.profile.country)}, "
                "the latest applications waitlisted first; waitlisted for the next round"
            )
            over.append((app, why))
        else:
            admitted.append(app)
    return admitted, over, True


def cap_summary(
    placed: Sequence[str], over: int, cap: float | None, *, applied: bool = True
) -> str:
    """Say in words what the country cap did to a matching (placed: their countries)."""
    if cap is None:
        return ""
    if not applied:
        return (
            f"country cap of {cap:.0%} not applied: the approved come from fewer than "
            f"{math.ceil(1 / cap - 1e-9)} countries, so no round could keep it "
            "(change it with `penpals community configure --country-cap`)"
        )
    if not placed:
        return f"country cap of {cap:.0%}: nobody placed"
    country, top = Counter(placed).most_common(1)[0]
    return (
        f"country cap of {cap:.0%} of the matched participants: {over} waitlisted "
        f"(the latest applications of the countries over it); the largest country, "
        f"{vocab.country_name(country)}, has {top} of {len(placed)} "
        f"({top / len(placed):.1%})"
    )


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
    from core.matching.matcher import Candidate

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


def _person(app: Application) -> Person:
    return Person(app.member_id, app.member.external_id, app.profile.name, app.profile.country)


class MatchService:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def preview(
        self, community: Community, round_name: str, *, seed: int = 0, actor: str = audit.UNKNOWN
    ) -> MatchReport:
        """Match the approved applicants and store the result as the round's proposal."""
        async with self._uow() as uow:
            community = await uow.communities.get(community.id)  # settings may have changed
            round_ = await self._closed_round(uow, community, round_name)
            report = await self._propose(uow, community, round_, seed)
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
            proposal = await uow.groups.list(round_.id)
            if not proposal:
                proposal = await self._propose(uow, community, round_, seed, report=False)
            approved = await uow.applications.list(round_.id, [A.APPROVED])
            over = _over_cap(approved, proposal)
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
            ordered = sorted(proposal, key=lambda g: g.number)
            if [g.number for g in ordered] != list(range(1, len(ordered) + 1)):
                renumbered = [
                    NewGroup(i, g.member_ids, g.score, g.reasons) for i, g in enumerate(ordered, 1)
                ]
                await uow.groups.replace_proposal(round_.id, renumbered)
            await uow.groups.publish(round_.id)
            round_ = replace(round_, state=S.MATCHED)
            await uow.rounds.save(round_)
            # Same transaction as the decision: the spaces will be made exactly once.
            await uow.outbox.enqueue(
                [
                    *(_space_action(community, round_, i, now) for i in range(1, len(ordered) + 1)),
                    NewAction(
                        announce_key(round_.id, "published"),
                        community.id,
                        community.platform,
                        ActionKind.ANNOUNCE,
                        {
                            "message": message_to_dict(
                                messages.announcement(
                                    round_, "published", lang=community.settings.default_language
                                )
                            )
                        },
                        now,
                        round_.id,
                    ),
                ]
            )
            report = await self._report(uow, round_, published=True, over=over, cap=community)
            await uow.outbox.enqueue(
                await outcomes.actions(
                    uow, community, round_, await _told(uow, community, round_, over), now
                )
            )
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
            over: list[tuple[Application, str]] = []
            if not published:
                approved = await uow.applications.list(round_.id, [A.APPROVED])
                over = _over_cap(approved, groups)
            return await self._report(
                uow, round_, published=published, over=over, cap=None if published else community
            )

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
            result = await self._run_matcher(uow, community, round_, orphans, seed)
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
                await uow.outbox.enqueue([_space_action(community, round_, number, now)])
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

    # -- helpers ---------------------------------------------------------------------

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

    @overload
    async def _propose(
        self, uow: UnitOfWork, community: Community, round_: Round, seed: int
    ) -> MatchReport: ...

    @overload
    async def _propose(
        self,
        uow: UnitOfWork,
        community: Community,
        round_: Round,
        seed: int,
        *,
        report: Literal[False],
    ) -> list[Group]: ...

    async def _propose(
        self,
        uow: UnitOfWork,
        community: Community,
        round_: Round,
        seed: int,
        *,
        report: bool = True,
    ) -> MatchReport | list[Group]:
        """Match and store the proposal; return its report, or its groups (to publish)."""
        approved = await uow.applications.list(round_.id, [A.APPROVED])
        if not approved:
            raise Conflict(f"round {round_.name} has no approved applicant: approve some first")
        cap = _cap(community)
        admitted, over, applied = country_cap(approved, cap)
        # The cap is on the matched participants: the unplaced do not count, so when
        # leaving them out puts a country over the cap, the latest of that country are
        # waitlisted too and the placed rest matched again (the unplaced stay unplaced,
        # so nobody later than a waitlisted person gets in). Each pass drops someone.
        while True:
            result = await self._run_matcher(uow, community, round_, admitted, seed)
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
        await uow.applications.save_many(
            [replace(a, note=why) for a, why in over]
            + [
                replace(a, note="")
                for a in admitted
                if a.member.external_id in placed and a.note.startswith(CAP_PREFIX)
            ]
        )
        by_ext = {a.member.external_id: a for a in admitted}
        groups = await uow.groups.replace_proposal(
            round_.id,
            [
                NewGroup(i, tuple(by_ext[x].member_id for x in g.members), g.score, g.reasons)
                for i, g in enumerate(result.groups, 1)
            ],
        )
        if not report:
            return groups
        return await self._report(
            uow, round_, published=False, over=over, cap=community, applied=applied
        )

    async def _run_matcher(
        self,
        uow: UnitOfWork,
        community: Community,
        round_: Round,
        apps: Sequence[Application],
        seed: int,
    ) -> Matching:
        from core.matching.matcher import match

        people = await candidates(uow, community, round_, apps)
        result = match(people, seed=seed, on=_on(round_))
        by_ext = {a.member.external_id: a for a in apps}
        unplaced = []
        for u in result.unplaced:
            why = explanations.Reason.decode(u.code) if u.code else None
            note = explanations.attach(f"unplaced: {u.reason}", why)
            unplaced.append(replace(by_ext[u.id], note=note))
        await uow.applications.save_many(unplaced)
        return result

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
        return group_score(members, on=_on(round_))

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
        groups = sorted(await uow.groups.list(round_.id), key=lambda g: g.number)
        apps = {a.member_id: a for a in await uow.applications.list(round_.id)}
        grouped = {m for g in groups for m in g.member_ids}
        over_ids = {a.member_id for a, _ in over}
        views = tuple(
            GroupView(g.number, tuple(_person(apps[m]) for m in g.member_ids), g.score, g.reasons)
            for g in groups
        )
        unplaced = tuple(
            (_person(a), explanations.split(a.note)[0].removeprefix("unplaced: ") or "not placed")
            for a in apps.values()
            if a.status is A.APPROVED and a.member_id not in grouped and a.member_id not in over_ids
        )
        note = ""
        if cap is not None:
            placed = [p.country for g in views for p in g.members]
            note = cap_summary(placed, len(over), _cap(cap), applied=applied)
        codes = {
            p.external_id: code
            for p, code in (
                (_person(a), explanations.split(a.note)[1])
                for a in apps.values()
                if a.status is A.APPROVED and a.member_id not in grouped
            )
            if code
        }
        return MatchReport(
            round_,
            views,
            unplaced,
            tuple((_person(a), why) for a, why in over),
            published,
            note,
            unplaced_codes=codes,
            cap=_cap(cap) if cap is not None else None,
            waitlisted=tuple(
                (_person(a), a.note) for a in apps.values() if a.status is A.WAITLISTED
            ),
        )


def _over_cap(
    approved: Sequence[Application], groups: Sequence[Group]
) -> list[tuple[Application, str]]:
    """Return the approved the last preview held back by the country cap (from their note)."""
    grouped = {m for g in groups for m in g.member_ids}
    return [
        (a, a.note)
        for a in sorted(approved, key=lambda a: (a.submitted_at, a.id))
        if a.member_id not in grouped and a.note.startswith(CAP_PREFIX)
    ]


async def _told(
    uow: UnitOfWork,
    community: Community,
    round_: Round,
    over: Sequence[tuple[Application, str]],
) -> list[tuple[Application, str, Callable[[str], Message]]]:
    """Return who is told what at publication: over the cap, unplaced, in the trio."""
    practices = community.settings.practices
    cap = _cap(community) or 0.0
    told: list[tuple[Application, str, Callable[[str], Message]]] = []

    def waitlisted(app: Application) -> Callable[[str], Message]:
        return lambda lang: outcomes.waitlisted(
            round_, outcomes.cap_reason(app.profile.country, cap, lang=lang), practices, lang=lang
        )

    def unplaced(code: str) -> Callable[[str], Message]:
        return lambda lang: outcomes.unplaced(round_, code, practices, lang=lang)

    def trio(lang: str) -> Message:
        return outcomes.trio(round_, practices, lang=lang)

    told += [(app, outcomes.WAITLISTED, waitlisted(app)) for app, _ in over]
    groups = await uow.groups.list(round_.id)
    grouped = {m for g in groups for m in g.member_ids}
    over_ids = {a.member_id for a, _ in over}
    for app in await uow.applications.list(round_.id, [A.APPROVED]):
        if app.member_id in grouped or app.member_id in over_ids:
            continue
        code = explanations.split(app.note)[1] or ""
        told.append((app, outcomes.UNPLACED, unplaced(code)))
    trios = [m for g in groups if len(g.member_ids) == 3 for m in g.member_ids]
    if trios:
        found = await uow.applications.find_many(round_.id, trios)
        told += [(found[m], outcomes.TRIO, trio) for m in trios if m in found]
    return told


def _space_action(community: Community, round_: Round, number: int, at: datetime) -> NewAction:
    return NewAction(
        space_key(round_.id, number),
        community.id,
        community.platform,
        ActionKind.CREATE_SPACE,
        {"round_id": round_.id, "group": number},
        at,
        round_.id,
    )


def _on(round_: Round) -> date | None:
    # Working-hour overlap depends on the date (daylight saving): use the round's start.
    return round_.starts_at.date() if round_.starts_at else None


def _cap(community: Community) -> float | None:
    # A national program (pairing by institution or region) has one country by design.
    if community.settings.pairing_rule is not PairingRule.COUNTRY:
        return None
    return community.settings.country_cap
