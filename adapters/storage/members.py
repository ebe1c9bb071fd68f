"""The members repository: members by platform reference, their languages, many at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage.common import CHUNK, insert_for, is_unique_violation
from adapters.storage.orm import (
    MemberRow,
)
from core.model import (
    MemberRef,
    Platform,
)


class SqlMemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ensure(self, community_id: int, ref: MemberRef, display_name: str) -> int:
        """Return the member's id, creating the member (or renaming it) as needed."""
        row = await self._row(community_id, ref)
        if row is None:
            row = MemberRow(
                community_id=community_id,
                platform=ref.platform.value,
                external_id=ref.external_id,
                display_name=display_name,
            )
            try:
                async with self._session.begin_nested():
                    self._session.add(row)
            except IntegrityError as error:
                if not is_unique_violation(error):
                    raise
                # Another transaction added the same member since we looked.
                row = await self._row(community_id, ref)
                if row is None:
                    raise
        if row.display_name != display_name:
            row.display_name = display_name
            await self._session.flush()
        return row.id

    async def ensure_many(
        self, community_id: int, members: Sequence[tuple[MemberRef, str]]
    ) -> dict[MemberRef, int]:
        """Return each member's id, creating or renaming members as needed, in bulk."""
        names = dict(members)
        ids: dict[MemberRef, int] = {}
        table = MemberRow.__table__
        for platform in {ref.platform for ref in names}:
            wanted = [ref.external_id for ref in names if ref.platform is platform]
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                found = await self._ids(community_id, platform, chunk)
                missing = [x for x in chunk if x not in found]
                if missing:
                    # Another transaction may add the same member meanwhile: the key decides.
                    await self._session.execute(
                        insert_for(self._session, table).on_conflict_do_nothing(),
                        [
                            {
                                "community_id": community_id,
                                "platform": platform.value,
                                "external_id": x,
                                "display_name": names[MemberRef(platform, x)],
                            }
                            for x in missing
                        ],
                    )
                    found = await self._ids(community_id, platform, chunk)
                renamed = [
                    {"member_id": member_id, "new_name": names[MemberRef(platform, x)]}
                    for x, (member_id, name) in found.items()
                    if name != names[MemberRef(platform, x)]
                ]
                if renamed:
                    await self._session.execute(
                        update(table)
                        .where(table.c.id == bindparam("member_id"))
                        .values(display_name=bindparam("new_name")),
                        renamed,
                    )
                ids.update((MemberRef(platform, x), found[x][0]) for x in found)
        return ids

    async def _ids(
        self, community_id: int, platform: Platform, external_ids: Sequence[str]
    ) -> dict[str, tuple[int, str]]:
        rows = await self._session.execute(
            select(MemberRow.external_id, MemberRow.id, MemberRow.display_name).where(
                MemberRow.community_id == community_id,
                MemberRow.platform == platform.value,
                MemberRow.external_id.in_(external_ids),
            )
        )
        return {external_id: (member_id, name) for external_id, member_id, name in rows}

    async def refs(self, member_ids: Iterable[int]) -> dict[int, MemberRef]:
        """Return the platform reference of each existing member of *member_ids*."""
        ids = set(member_ids)
        if not ids:
            return {}
        rows = await self._session.execute(
            select(MemberRow.id, MemberRow.platform, MemberRow.external_id).where(
                MemberRow.id.in_(ids)
            )
        )
        return {
            member_id: MemberRef(Platform(platform), external_id)
            for member_id, platform, external_id in rows
        }

    async def find_many(self, community_id: int, refs: Iterable[MemberRef]) -> dict[MemberRef, int]:
        """Return the ids of the community's members among *refs* (unknown ones left out)."""
        wanted = list(dict.fromkeys(refs))
        found: dict[MemberRef, int] = {}
        for platform in {ref.platform for ref in wanted}:
            ids = [ref.external_id for ref in wanted if ref.platform is platform]
            for start in range(0, len(ids), CHUNK):
                known = await self._ids(community_id, platform, ids[start : start + CHUNK])
                found.update((MemberRef(platform, x), known[x][0]) for x in known)
        return found

    async def find(self, community_id: int, ref: MemberRef) -> int | None:
        """Return the id of the community's member *ref*, if known."""
        row = await self._row(community_id, ref)
        return None if row is None else row.id

    async def language(self, member_id: int) -> str | None:
        """Return the member's chosen language, if any."""
        return await self._session.scalar(
            select(MemberRow.language).where(MemberRow.id == member_id)
        )

    async def languages(self, member_ids: Iterable[int]) -> dict[int, str | None]:
        ids = set(member_ids)
        if not ids:
            return {}
        rows = await self._session.execute(
            select(MemberRow.id, MemberRow.language).where(MemberRow.id.in_(ids))
        )
        return {member_id: language for member_id, language in rows}

    async def set_language(self, member_id: int, language: str | None) -> None:
        await self._session.execute(
            update(MemberRow).where(MemberRow.id == member_id).values(language=language)
        )

    async def _row(self, community_id: int, ref: MemberRef) -> MemberRow | None:
        return await self._session.scalar(
            select(MemberRow).where(
                MemberRow.community_id == community_id,
                MemberRow.platform == ref.platform.value,
                MemberRow.external_id == ref.external_id,
            )
        )
