"""The applications repository: applications with their profiles and members."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage.common import CHUNK, is_unique_violation, unique_or_conflict, utc
from adapters.storage.orm import (
    ApplicationRow,
    MemberRow,
)
from core.errors import Conflict, NotFound
from core.model import (
    Application,
    ApplicationStatus,
    MemberRef,
    Platform,
    Profile,
    Wishes,
)
from core.ports import NewApplication


def _profile_columns(profile: Profile) -> dict[str, object]:
    return {
        "name": profile.name,
        "country": profile.country,
        "timezone": profile.timezone,
        "languages": list(profile.languages),
        "sector": profile.sector,
        "career_stage": profile.career_stage,
        "interests": list(profile.interests),
        "introduction": profile.introduction,
        "wish_sectors": list(profile.wishes.sectors),
        "wish_career_stages": list(profile.wishes.career_stages),
        "wish_interests": list(profile.wishes.interests),
        "wish_countries": list(profile.wishes.countries),
        "institution": profile.institution,
        "region": profile.region,
    }


def application_from_row(row: Any, member: MemberRef) -> Application:
    """Map an ApplicationRow (or a plain row of its columns) to an Application."""
    return Application(
        id=row.id,
        round_id=row.round_id,
        member_id=row.member_id,
        member=member,
        profile=Profile(
            name=row.name,
            country=row.country,
            timezone=row.timezone,
            languages=tuple(row.languages),
            sector=row.sector,
            career_stage=row.career_stage,
            interests=tuple(row.interests),
            introduction=row.introduction,
            wishes=Wishes(
                sectors=tuple(row.wish_sectors),
                career_stages=tuple(row.wish_career_stages),
                interests=tuple(row.wish_interests),
                countries=tuple(row.wish_countries),
            ),
            institution=row.institution,
            region=row.region,
        ),
        status=ApplicationStatus(row.status),
        submitted_at=utc(row.submitted_at),
        updated_at=utc(row.updated_at),
        declared_previous_partners=tuple(row.declared_previous_partners),
        note=row.note,
    )


# Applications always come with their member's platform reference. Plain rows, not
# ORM objects: reading a round's 20,000 applications costs a quarter as much.
WITH_MEMBER = select(
    ApplicationRow.__table__,
    MemberRow.platform.label("member_platform"),
    MemberRow.external_id.label("member_external_id"),
).join(MemberRow.__table__, MemberRow.id == ApplicationRow.member_id)


def application_of(row: Any) -> Application:
    """Map a row of WITH_MEMBER to an Application."""
    return application_from_row(
        row, MemberRef(Platform(row.member_platform), row.member_external_id)
    )


class SqlApplicationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, new: NewApplication) -> Application:
        """Store a new application; its updated_at is its submission time."""
        row = ApplicationRow(
            round_id=new.round_id,
            member_id=new.member_id,
            status=new.status.value,
            submitted_at=new.submitted_at,
            updated_at=new.submitted_at,
            note=new.note,
            declared_previous_partners=list(new.declared_previous_partners),
            **_profile_columns(new.profile),
        )
        async with unique_or_conflict(
            self._session,
            "this member has already applied to this round: change that application instead",
        ):
            self._session.add(row)
        member = await self._session.get_one(MemberRow, new.member_id)
        return application_from_row(row, MemberRef(Platform(member.platform), member.external_id))

    async def add_many(self, new: Sequence[NewApplication]) -> None:
        """Store new applications in bulk (a member applying twice is a Conflict)."""
        rows = [
            {
                "round_id": a.round_id,
                "member_id": a.member_id,
                "status": a.status.value,
                "submitted_at": a.submitted_at,
                "updated_at": a.submitted_at,
                "note": a.note,
                "declared_previous_partners": list(a.declared_previous_partners),
                **_profile_columns(a.profile),
            }
            for a in new
        ]
        if not rows:
            return
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(ApplicationRow.__table__), rows)
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            raise Conflict(
                "this member has already applied to this round: change that application instead"
            ) from error

    async def save_many(self, applications: Sequence[Application]) -> None:
        """Write profile, status, note and updated_at of existing applications, in bulk."""
        if not applications:
            return
        table = ApplicationRow.__table__
        columns = [*_profile_columns(applications[0].profile), "status", "note", "updated_at"]
        columns.append("declared_previous_partners")
        await self._session.execute(
            update(table)
            .where(table.c.id == bindparam("application_id"))
            .values({c: bindparam(f"new_{c}", type_=table.c[c].type) for c in columns}),
            [
                {
                    "application_id": a.id,
                    **{f"new_{c}": v for c, v in _profile_columns(a.profile).items()},
                    "new_status": a.status.value,
                    "new_note": a.note,
                    "new_updated_at": a.updated_at,
                    "new_declared_previous_partners": list(a.declared_previous_partners),
                }
                for a in applications
            ],
        )

    async def find(self, round_id: int, member_id: int) -> Application | None:
        """Return the member's application to the round, if any."""
        found = (
            await self._session.execute(
                WITH_MEMBER.where(
                    ApplicationRow.round_id == round_id, ApplicationRow.member_id == member_id
                )
            )
        ).one_or_none()
        return None if found is None else application_of(found)

    async def find_many(self, round_id: int, member_ids: Iterable[int]) -> dict[int, Application]:
        """Return, by member id, the applications of these members to the round."""
        ids = list(dict.fromkeys(member_ids))
        found: dict[int, Application] = {}
        for start in range(0, len(ids), CHUNK):
            rows = await self._session.execute(
                WITH_MEMBER.where(
                    ApplicationRow.round_id == round_id,
                    ApplicationRow.member_id.in_(ids[start : start + CHUNK]),
                )
            )
            for row in rows:
                found[row.member_id] = application_of(row)
        return found

    async def list(
        self, round_id: int, statuses: Sequence[ApplicationStatus] | None = None
    ) -> list[Application]:
        """Return the round's applications in submission order (then id)."""
        statement = WITH_MEMBER.where(ApplicationRow.round_id == round_id)
        if statuses is not None:
            statement = statement.where(ApplicationRow.status.in_([s.value for s in statuses]))
        rows = await self._session.execute(
            statement.order_by(ApplicationRow.submitted_at, ApplicationRow.id)
        )
        return [application_of(row) for row in rows]

    async def save(self, application: Application) -> None:
        """Write profile, status, note and updated_at of an existing application.

        The declared previous partners are written too: they came with the profile.
        """
        row = await self._session.get(ApplicationRow, application.id)
        if row is None:
            raise NotFound(f"there is no application with id {application.id}: check the id")
        for column, value in _profile_columns(application.profile).items():
            setattr(row, column, value)
        row.status = application.status.value
        row.note = application.note
        row.updated_at = application.updated_at
        row.declared_previous_partners = list(application.declared_previous_partners)
        await self._session.flush()

    async def set_status(
        self, application_ids: Sequence[int], status: ApplicationStatus, note: str, at: datetime
    ) -> None:
        """Give every application of *application_ids* the same status and note."""
        ids = set(application_ids)
        if not ids:
            return
        result = await self._session.execute(
            update(ApplicationRow)
            .where(ApplicationRow.id.in_(ids))
            .values(status=status.value, note=note, updated_at=at)
        )
        if result.rowcount != len(ids):
            missing = len(ids) - result.rowcount
            raise NotFound(f"{missing} of the {len(ids)} applications do not exist: check the ids")

    async def counts(self, round_id: int) -> Mapping[ApplicationStatus, int]:
        """Return how many of the round's applications have each status present."""
        rows = await self._session.execute(
            select(ApplicationRow.status, func.count())
            .where(ApplicationRow.round_id == round_id)
            .group_by(ApplicationRow.status)
        )
        return {ApplicationStatus(status): count for status, count in rows}
