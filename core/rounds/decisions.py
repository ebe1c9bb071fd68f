"""Organisers' side of applications: decisions, imports and exports of applicants.csv.

Mixed into ApplicationService (core.rounds.applications), which holds the unit of work
and the clock. Decisions naming ids are all-or-nothing: an unknown id changes nothing
and is reported; each decision is audited and told to the applicant through the outbox
in the same transaction.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from core import audit
from core.errors import Conflict, NotFound
from core.model import Application, ApplicationStatus, Community, MemberRef, Round
from core.model import RoundState as S
from core.platform import Message
from core.ports import Clock, NewApplication, UnitOfWorkFactory
from core.rounds import outcomes
from core.rounds.applicants_csv import ApplicantRow
from core.rounds.review import ReviewFilter
from core.rounds.service import find_round

A = ApplicationStatus
DECIDABLE_STATES = (S.DRAFT, S.OPEN, S.CLOSED)
# Rows per transaction of an import: short enough for signups to slip in between.
IMPORT_BATCH = 500


def _batches(rows: Sequence[ApplicantRow], size: int) -> list[list[ApplicantRow]]:
    """Split *rows* into batches of at most *size*, a member's repeated row in a later one."""
    batches: list[list[ApplicantRow]] = []
    current: list[ApplicantRow] = []
    seen: set[str] = set()
    for row in rows:
        if len(current) >= size or row.id in seen:
            batches.append(current)
            current, seen = [], set()
        current.append(row)
        seen.add(row.id)
    if current:
        batches.append(current)
    return batches


@dataclass(frozen=True, slots=True)
class Decided:
    changed: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (external id, why it was left as it was)


@dataclass(frozen=True, slots=True)
class Imported:
    created: int
    updated: int


class OrganiserDecisions:
    """Approve, decline, waitlist; import and export applicants (for ApplicationService)."""

    _uow: UnitOfWorkFactory
    _clock: Clock

    async def decide(
        self,
        community_id: int,
        round_name: str,
        decision: ApplicationStatus,
        external_ids: Sequence[str] = (),
        *,
        all_pending: bool = False,
        note: str = "",
        actor: str = audit.UNKNOWN,
        matching: ReviewFilter | None = None,
        expected: int | None = None,
    ) -> Decided:
        """Approve, decline or waitlist the named applications (or every pending one).

        With *matching*, decide on every application that passes that filter (those
        withdrawn or already so decided are skipped); with *expected* too (the count
        the organiser confirmed), nothing changes if the set no longer has that size.
        """
        if decision not in (A.APPROVED, A.DECLINED, A.WAITLISTED):
            raise Conflict(f"{decision.value} is not an organiser decision")
        if not external_ids and not all_pending and matching is None:
            raise Conflict("name the applicants to decide on, or ask for all pending ones")
        now = self._clock.now()
        async with self._uow() as uow:
            round_ = await find_round(uow, community_id, round_name)
            if round_.state not in DECIDABLE_STATES:
                raise Conflict(
                    f"round {round_.name} is {round_.state.value}: decisions are taken while "
                    "the round is prepared, open or closed, before matching"
                )
            apps = await uow.applications.list(round_.id)
            by_ext = {a.member.external_id: a for a in apps}
            if all_pending:
                targets = [a for a in apps if a.status is A.PENDING]
            elif matching is not None:
                targets = [
                    a
                    for a in sorted(apps, key=lambda a: (a.submitted_at, a.id))
                    if matching.matches(a) and a.status not in (A.WITHDRAWN, decision)
                ]
                if expected is not None and len(targets) != expected:
                    raise Conflict(
                        f"the applications matching {matching.describe()} changed: "
                        f"{len(targets)} to decide now, not the {expected} confirmed "
                        "(nothing was changed)"
                    )
            else:
                wanted = list(dict.fromkeys(i.strip() for i in external_ids if i.strip()))
                unknown = [i for i in wanted if i not in by_ext]
                if unknown:
                    raise NotFound(
                        f"no application in round {round_.name} for: {', '.join(unknown)} "
                        "(nothing was changed)"
                    )
                targets = [by_ext[i] for i in wanted]
            changed, skipped = [], []
            for app in targets:
                if app.status is A.WITHDRAWN:
                    skipped.append((app.member.external_id, "withdrew"))
                elif app.status is decision:
                    skipped.append((app.member.external_id, f"already {decision.value}"))
                else:
                    changed.append(app)
            await uow.applications.set_status([a.id for a in changed], decision, note, now)
            if changed:
                await audit.record(
                    uow,
                    community_id=community_id,
                    round_id=round_.id,
                    at=now,
                    actor=actor,
                    action=f"applications.{_VERB[decision]}",
                    subject=audit.ids([a.member.external_id for a in changed]),
                    detail="; ".join(
                        x for x in (note, matching and f"filter: {matching.describe()}") if x
                    ),
                )
            # Told in the same transaction as the decision: each message goes out once.
            community = await uow.communities.get(community_id)
            await uow.outbox.enqueue(
                await outcomes.actions(
                    uow,
                    community,
                    round_,
                    [
                        (a, decision.value, _outcome(round_, community, a, decision, note))
                        for a in changed
                    ],
                    now,
                )
            )
            await uow.commit()
        return Decided(tuple(a.member.external_id for a in changed), tuple(skipped))

    async def import_rows(
        self,
        community: Community,
        round_name: str,
        rows: Sequence[ApplicantRow],
        *,
        approve: bool = False,
    ) -> Imported:
        """Create or update one application per CSV row, committed in batches.

        Each batch is a short transaction of its own, so that members can sign up
        while a large file is imported. An import cut short leaves whole batches
        stored: importing the same file again completes it (rows only create or
        update).
        """
        now = self._clock.now()
        status = A.APPROVED if approve else A.PENDING
        async with self._uow(read_only=True) as uow:
            round_ = await find_round(uow, community.id, round_name)
        if round_.state not in (S.DRAFT, S.OPEN, S.CLOSED):
            raise Conflict(
                f"round {round_.name} is {round_.state.value}: applications can only be "
                "imported before matching"
            )
        created = updated = 0
        for batch in _batches(rows, IMPORT_BATCH):
            async with self._uow() as uow:
                ids = await uow.members.ensure_many(
                    community.id,
                    [(MemberRef(community.platform, row.id), row.profile.name) for row in batch],
                )
                member_ids = [ids[MemberRef(community.platform, row.id)] for row in batch]
                existing = await uow.applications.find_many(round_.id, member_ids)
                new, changed = [], []
                for row, member_id in zip(batch, member_ids, strict=True):
                    found = existing.get(member_id)
                    if found is None:
                        new.append(
                            NewApplication(
                                round_.id,
                                member_id,
                                row.profile,
                                status,
                                now,
                                row.previous_partners,
                            )
                        )
                    else:
                        changed.append(
                            replace(
                                found,
                                profile=row.profile,
                                status=status if approve else found.status,
                                updated_at=now,
                                declared_previous_partners=row.previous_partners,
                            )
                        )
                await uow.applications.add_many(new)
                await uow.applications.save_many(changed)
                await uow.commit()
            created += len(new)
            updated += len(changed)
        return Imported(created, updated)

    async def export_rows(
        self,
        community_id: int,
        round_name: str,
        statuses: Sequence[ApplicationStatus] | None = None,
    ) -> builtins.list[ApplicantRow]:
        """Return the round's applicants as CSV rows, with partners from the history."""
        async with self._uow(read_only=True) as uow:
            round_ = await find_round(uow, community_id, round_name)
            apps = await uow.applications.list(round_.id, statuses)
            history = await uow.groups.partner_history(
                community_id, [a.member_id for a in apps], exclude_round_id=round_.id
            )
            partner_ids = {p for ps in history.values() for p in ps}
            refs = await uow.members.refs(partner_ids)
        rows = []
        for app in apps:
            earlier = [refs[p].external_id for p in sorted(history.get(app.member_id, ()))]
            previous = tuple(dict.fromkeys([*app.declared_previous_partners, *earlier]))
            rows.append(ApplicantRow(app.member.external_id, app.profile, previous, 0))
        return rows


def _outcome(
    round_: Round, community: Community, app: Application, decision: ApplicationStatus, note: str
) -> Callable[[str], Message]:
    """Return the renderer (by language) of an organiser's decision for one applicant."""
    practices = community.settings.practices

    def render(lang: str) -> Message:
        if decision is A.APPROVED:
            return outcomes.approved(round_, practices, lang=lang, tz=app.profile.timezone)
        if decision is A.DECLINED:
            return outcomes.declined(round_, note, practices, lang=lang)
        reason = outcomes.organiser_reason(note, lang=lang)
        return outcomes.waitlisted(round_, reason, practices, lang=lang)

    return render


_VERB = {A.APPROVED: "approve", A.DECLINED: "decline", A.WAITLISTED: "waitlist"}
