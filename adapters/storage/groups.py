"""The groups repository: a round's groups and their members, numbered uniquely."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import ColumnElement, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from adapters.storage.common import CHUNK, is_unique_violation, unique_or_conflict
from adapters.storage.orm import (
    GroupMemberRow,
    GroupRow,
    RoundRow,
)
from core.errors import Conflict, NotFound
from core.model import (
    Group,
)
from core.ports import GroupMembers, NewGroup


def group_from_row(row: GroupRow) -> Group:
    return Group(
        id=row.id,
        round_id=row.round_id,
        number=row.number,
        # group_members keeps no order: ids are returned sorted, for stable output.
        member_ids=tuple(sorted(m.member_id for m in row.members)),
        score=row.score,
        reasons=tuple(row.reasons),
        published=row.published,
        active=row.active,
    )


def _group_row(round_id: int, group: NewGroup, *, published: bool) -> GroupRow:
    return GroupRow(
        round_id=round_id,
        number=group.number,
        score=group.score,
        reasons=list(group.reasons),
        published=published,
        active=True,
        members=[GroupMemberRow(member_id=m) for m in dict.fromkeys(group.member_ids)],
    )


def _numbers_taken(numbers: Iterable[int]) -> str:
    listed = sorted(set(numbers))
    if len(listed) == 1:
        clash = f"a group numbered {listed[0]}"
    else:
        clash = f"a group with one of the numbers {', '.join(map(str, listed))}"
    return f"this round already has {clash}: number new groups after the existing ones"


class SqlGroupRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def replace_proposal(self, round_id: int, groups: Sequence[NewGroup]) -> list[Group]:
        """Drop the round's unpublished groups and store *groups* as the new proposal."""
        table, members = GroupRow.__table__, GroupMemberRow.__table__
        await self._session.flush()
        unpublished = (table.c.round_id == round_id, table.c.published.is_(False))
        await self._session.execute(
            delete(members).where(members.c.group_id.in_(select(table.c.id).where(*unpublished)))
        )
        await self._session.execute(delete(table).where(*unpublished))
        # Bulk statements bypass the session: forget the rows it holds of these tables,
        # since SQLite may give a deleted group's id to a new one.
        for held in list(self._session.identity_map.values()):
            if isinstance(held, GroupRow | GroupMemberRow):
                self._session.expunge(held)
        if not groups:
            return []
        try:
            async with self._session.begin_nested():
                # One executemany, then the ids by number (unique in a round): on SQLite,
                # RETURNING in parameter order is one statement per row, 10,000 round
                # trips to aiosqlite's thread for a round of 20,000.
                await self._session.execute(
                    insert(table),
                    [
                        {
                            "round_id": round_id,
                            "number": g.number,
                            "score": g.score,
                            "reasons": list(g.reasons),
                            "published": False,
                            "active": True,
                        }
                        for g in groups
                    ],
                )
                rows = await self._session.execute(
                    select(table.c.number, table.c.id).where(*unpublished)
                )
                id_of: dict[int, int] = {number: group_id for number, group_id in rows.tuples()}
                made = [
                    Group(
                        id=id_of[g.number],
                        round_id=round_id,
                        number=g.number,
                        member_ids=tuple(sorted(dict.fromkeys(g.member_ids))),
                        score=g.score,
                        reasons=tuple(g.reasons),
                        published=False,
                        active=True,
                    )
                    for g in groups
                ]
                links = [{"group_id": g.id, "member_id": m} for g in made for m in g.member_ids]
                if links:
                    await self._session.execute(insert(members), links)
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            raise Conflict(_numbers_taken(g.number for g in groups)) from error
        return made

    async def list(self, round_id: int, *, active_only: bool = True) -> list[Group]:
        """Return the round's groups by number, only the active ones unless told otherwise."""
        conditions = [GroupRow.round_id == round_id]
        if active_only:
            conditions.append(GroupRow.active.is_(True))
        return await self._groups(*conditions)

    async def published_members(
        self, round_id: int, *, active_only: bool = True
    ) -> list[GroupMembers]:
        """Return the round's published (active, unless told otherwise) groups by number,
        members only.

        One query of three numbers a member: engagement reads the pairs at every tick,
        and a 20,000-member round has 10,000 of them (scores and reasons are not needed).
        """
        table, members = GroupRow.__table__, GroupMemberRow.__table__
        conditions = [table.c.round_id == round_id, table.c.published.is_(True)]
        if active_only:
            conditions.append(table.c.active.is_(True))
        rows = await self._session.execute(
            select(table.c.id, table.c.number, members.c.member_id)
            .select_from(table)
            .outerjoin(members, members.c.group_id == table.c.id)
            .where(*conditions)
            .order_by(table.c.number)
        )
        of: dict[int, tuple[int, list[int]]] = {}
        for group_id, number, member_id in rows:
            _, ids = of.setdefault(group_id, (number, []))
            if member_id is not None:
                ids.append(member_id)
        return [GroupMembers(g, number, tuple(sorted(ids))) for g, (number, ids) in of.items()]

    async def sizes(self, round_id: int) -> Mapping[int, int]:
        """Return how many of the round's active groups have each size (members: groups).

        Counted by the database: `round list` and `round status` of a 20,000-applicant
        round need three numbers, not its 10,000 groups with their members.
        """
        per_group = (
            select(func.count(GroupMemberRow.member_id).label("size"))
            .select_from(GroupRow)
            .outerjoin(GroupMemberRow, GroupMemberRow.group_id == GroupRow.id)
            .where(GroupRow.round_id == round_id, GroupRow.active.is_(True))
            .group_by(GroupRow.id)
            .subquery()
        )
        rows = await self._session.execute(
            select(per_group.c.size, func.count()).group_by(per_group.c.size)
        )
        return {int(size): int(n) for size, n in rows}

    async def find(self, round_id: int, number: int) -> Group | None:
        """Return the round's group with this number (active or not), if any."""
        found = await self._groups(GroupRow.round_id == round_id, GroupRow.number == number)
        return found[0] if found else None

    async def find_many(self, round_id: int, numbers: Iterable[int]) -> dict[int, Group]:
        """Return, by number, the round's groups with these numbers (active or not)."""
        wanted = list(dict.fromkeys(numbers))
        found: dict[int, Group] = {}
        for start in range(0, len(wanted), CHUNK):
            groups = await self._groups(
                GroupRow.round_id == round_id, GroupRow.number.in_(wanted[start : start + CHUNK])
            )
            found.update((group.number, group) for group in groups)
        return found

    async def save(self, group: Group) -> None:
        """Write members, score, reasons, published and active of an existing group."""
        rows = await self._rows(GroupRow.id == group.id)
        if not rows:
            raise NotFound(f"there is no group with id {group.id}: check the id")
        row = rows[0]
        wanted = dict.fromkeys(group.member_ids)
        kept = [m for m in row.members if m.member_id in wanted]
        present = {m.member_id for m in kept}
        row.members = kept + [GroupMemberRow(member_id=m) for m in wanted if m not in present]
        row.score = group.score
        row.reasons = list(group.reasons)
        row.published = group.published
        row.active = group.active
        await self._session.flush()

    async def add(self, round_id: int, group: NewGroup, *, published: bool) -> Group:
        """Store one more group in the round (e.g. a late pairing)."""
        row = _group_row(round_id, group, published=published)
        async with unique_or_conflict(self._session, _numbers_taken([group.number])):
            self._session.add(row)
        return group_from_row(row)

    async def publish(self, round_id: int) -> None:
        """Mark every group of the round as published."""
        await self._session.execute(
            update(GroupRow)
            .where(GroupRow.round_id == round_id, GroupRow.published.is_(False))
            .values(published=True)
        )

    async def partner_history(
        self, community_id: int, member_ids: Iterable[int], *, exclude_round_id: int
    ) -> dict[int, set[int]]:
        """Return, for each member, the members they shared a published group with before.

        Every member asked about is a key, with an empty set if they have no history.
        Groups count whether or not they are still active: an abandoned pairing was
        still a pairing.
        """
        ids = set(member_ids)
        history: dict[int, set[int]] = {member_id: set() for member_id in ids}
        if not ids:
            return history
        mine, theirs = aliased(GroupMemberRow), aliased(GroupMemberRow)
        rows = await self._session.execute(
            select(mine.member_id, theirs.member_id)
            .join(GroupRow, GroupRow.id == mine.group_id)
            .join(RoundRow, RoundRow.id == GroupRow.round_id)
            .join(
                theirs,
                and_(theirs.group_id == mine.group_id, theirs.member_id != mine.member_id),
            )
            .where(
                mine.member_id.in_(ids),
                GroupRow.published.is_(True),
                RoundRow.community_id == community_id,
                RoundRow.id != exclude_round_id,
            )
            .distinct()
        )
        for member_id, partner_id in rows:
            history[member_id].add(partner_id)
        return history

    async def _groups(self, *conditions: ColumnElement[bool]) -> list[Group]:
        """Return the groups meeting *conditions*, by number, read as plain rows."""
        table, members = GroupRow.__table__, GroupMemberRow.__table__
        rows = (
            await self._session.execute(select(table).where(*conditions).order_by(table.c.number))
        ).all()
        if not rows:
            return []
        of: dict[int, list[int]] = {row.id: [] for row in rows}
        links = await self._session.execute(
            select(members.c.group_id, members.c.member_id)
            .join(table, table.c.id == members.c.group_id)
            .where(*conditions)
        )
        for group_id, member_id in links:
            of[group_id].append(member_id)
        return [
            Group(
                id=row.id,
                round_id=row.round_id,
                number=row.number,
                # group_members keeps no order: ids are returned sorted, for stable output.
                member_ids=tuple(sorted(of[row.id])),
                score=row.score,
                reasons=tuple(row.reasons),
                published=row.published,
                active=row.active,
            )
            for row in rows
        ]

    async def _rows(self, *conditions: ColumnElement[bool]) -> list[GroupRow]:
        rows = await self._session.scalars(
            select(GroupRow)
            .options(selectinload(GroupRow.members))
            .where(*conditions)
            .order_by(GroupRow.number)
        )
        return list(rows)
