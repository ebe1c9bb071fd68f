"""SQLAlchemy implementations of the repositories of core.ports.

Each repository works inside the AsyncSession of one unit of work and maps rows to
core.model dataclasses explicitly. Every write flushes before returning, so that a
database error surfaces at the call that caused it, and inserts that may clash with
a unique constraint run in a savepoint, so that the Conflict they raise leaves the
unit of work usable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from adapters.storage.orm import (
    ApplicationRow,
    CommunityRow,
    GroupMemberRow,
    GroupRow,
    MemberRow,
    RoundRow,
    TopicRow,
)
from core.errors import Conflict, NotFound
from core.model import (
    Application,
    ApplicationStatus,
    Community,
    CommunitySettings,
    Group,
    MemberRef,
    PairingRule,
    Platform,
    Practices,
    Profile,
    Round,
    RoundState,
    Topic,
    Wishes,
)
from core.ports import NewApplication, NewGroup, NewRound

_CHUNK = 500  # ids per IN (...): well inside SQLite's variable limit
_UNIQUE_SQLITE_ERRORS = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})


def is_unique_violation(error: IntegrityError) -> bool:
    """Tell whether *error* comes from a unique (or primary key) constraint."""
    orig = error.orig
    # asyncpg reports the SQLSTATE; sqlite3 (Python 3.11+) the extended error name.
    if getattr(orig, "sqlstate", None) == "23505":
        return True
    return getattr(orig, "sqlite_errorname", None) in _UNIQUE_SQLITE_ERRORS


def _insert(session: AsyncSession, table: Table) -> SqliteInsert:
    """Return an INSERT that can say ON CONFLICT DO NOTHING on this session's database."""
    if session.get_bind().dialect.name == "postgresql":
        # Imported here: a SQLite deployment (and every CLI start) does without it.
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)  # type: ignore[return-value]
    return sqlite_insert(table)


@asynccontextmanager
async def _unique(session: AsyncSession, message: str) -> AsyncIterator[None]:
    """Flush the block's changes in a savepoint; raise Conflict(*message*) on a duplicate."""
    try:
        async with session.begin_nested():
            yield
            await session.flush()
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise Conflict(message) from error


def _utc(moment: datetime) -> datetime:
    # Rows keep the datetimes given to them until reloaded; callers always get UTC.
    return moment.astimezone(UTC)


def _utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else _utc(moment)


# --- communities ---------------------------------------------------------------


def _settings_columns(settings: CommunitySettings) -> dict[str, object]:
    return {
        "organiser_roles": list(settings.organiser_roles),
        "default_language": settings.default_language,
        "pairing_rule": settings.pairing_rule.value,
        "country_cap": settings.country_cap,
        "channels": dict(settings.channels),
        "practices": {
            "contact": settings.practices.contact,
            "hours_per_month": str(settings.practices.hours_per_month),
            "guidance": settings.practices.guidance,
        },
    }


def _practices(stored: dict[str, str] | None) -> Practices:
    if not stored:
        return Practices()
    return Practices(
        contact=stored.get("contact", ""),
        hours_per_month=int(stored.get("hours_per_month") or Practices().hours_per_month),
        guidance=stored.get("guidance", ""),
    )


def _community(row: CommunityRow) -> Community:
    return Community(
        id=row.id,
        platform=Platform(row.platform),
        external_id=row.external_id,
        name=row.name,
        settings=CommunitySettings(
            organiser_roles=tuple(row.organiser_roles),
            default_language=row.default_language,
            pairing_rule=PairingRule(row.pairing_rule),
            country_cap=row.country_cap,
            channels=dict(row.channels),
            practices=_practices(row.practices),
        ),
    )


class SqlCommunityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, platform: Platform, external_id: str) -> Community | None:
        """Return the community a platform knows as *external_id*, if registered."""
        row = await self._session.scalar(
            select(CommunityRow).where(
                CommunityRow.platform == platform.value, CommunityRow.external_id == external_id
            )
        )
        return None if row is None else _community(row)

    async def get(self, community_id: int) -> Community:
        """Return the community with id *community_id*."""
        return _community(await self._row(community_id))

    async def add(
        self, platform: Platform, external_id: str, name: str, settings: CommunitySettings
    ) -> Community:
        """Register a community."""
        row = CommunityRow(
            platform=platform.value,
            external_id=external_id,
            name=name,
            **_settings_columns(settings),
        )
        async with _unique(
            self._session,
            f"the {platform.value} community {external_id} is already registered: "
            "change its settings instead",
        ):
            self._session.add(row)
        return _community(row)

    async def update_settings(self, community_id: int, settings: CommunitySettings) -> None:
        """Replace the settings of a community."""
        row = await self._row(community_id)
        for column, value in _settings_columns(settings).items():
            setattr(row, column, value)
        await self._session.flush()

    async def list_all(self) -> list[Community]:
        """Return every community of the deployment, by platform then id."""
        rows = await self._session.scalars(
            select(CommunityRow).order_by(CommunityRow.platform, CommunityRow.id)
        )
        return [_community(row) for row in rows]

    async def _row(self, community_id: int) -> CommunityRow:
        row = await self._session.get(CommunityRow, community_id)
        if row is None:
            raise NotFound(f"there is no community with id {community_id}: check the id")
        return row


# --- members -------------------------------------------------------------------


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
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                found = await self._ids(community_id, platform, chunk)
                missing = [x for x in chunk if x not in found]
                if missing:
                    # Another transaction may add the same member meanwhile: the key decides.
                    await self._session.execute(
                        _insert(self._session, table).on_conflict_do_nothing(),
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
            for start in range(0, len(ids), _CHUNK):
                known = await self._ids(community_id, platform, ids[start : start + _CHUNK])
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


# --- rounds --------------------------------------------------------------------


def _round(row: RoundRow) -> Round:
    return Round(
        id=row.id,
        community_id=row.community_id,
        name=row.name,
        state=RoundState(row.state),
        applications_open_at=_utc_or_none(row.applications_open_at),
        applications_close_at=_utc_or_none(row.applications_close_at),
        starts_at=_utc_or_none(row.starts_at),
        ends_at=_utc_or_none(row.ends_at),
        topic_cadence_days=row.topic_cadence_days,
        created_at=_utc_or_none(row.created_at),
    )


def _round_taken(name: str) -> str:
    return f"this community already has a round named {name!r}: choose another name"


class SqlRoundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, new: NewRound) -> Round:
        """Create a round in the draft state."""
        row = RoundRow(
            community_id=new.community_id,
            name=new.name,
            state=RoundState.DRAFT.value,
            applications_open_at=new.applications_open_at,
            applications_close_at=new.applications_close_at,
            starts_at=new.starts_at,
            ends_at=new.ends_at,
            topic_cadence_days=new.topic_cadence_days,
            created_at=new.created_at,
        )
        async with _unique(self._session, _round_taken(new.name)):
            self._session.add(row)
        return _round(row)

    async def get(self, round_id: int) -> Round:
        """Return the round with id *round_id*."""
        return _round(await self._row(round_id))

    async def find(self, community_id: int, name: str) -> Round | None:
        """Return the community's round called *name*, if any."""
        row = await self._session.scalar(
            select(RoundRow).where(RoundRow.community_id == community_id, RoundRow.name == name)
        )
        return None if row is None else _round(row)

    async def list(self, community_id: int) -> list[Round]:
        """Return the community's rounds, oldest first."""
        rows = await self._session.scalars(
            select(RoundRow)
            .where(RoundRow.community_id == community_id)
            .order_by(RoundRow.created_at, RoundRow.id)
        )
        return [_round(row) for row in rows]

    async def in_states(self, states: Sequence[RoundState]) -> list[Round]:
        """Return every community's rounds in *states*, oldest first."""
        rows = await self._session.scalars(
            select(RoundRow)
            .where(RoundRow.state.in_([s.value for s in states]))
            .order_by(RoundRow.created_at, RoundRow.id)
        )
        return [_round(row) for row in rows]

    async def save(self, round_: Round) -> None:
        """Write every field of an existing round."""
        row = await self._row(round_.id)
        async with _unique(self._session, _round_taken(round_.name)):
            row.community_id = round_.community_id
            row.name = round_.name
            row.state = round_.state.value
            row.applications_open_at = round_.applications_open_at
            row.applications_close_at = round_.applications_close_at
            row.starts_at = round_.starts_at
            row.ends_at = round_.ends_at
            row.topic_cadence_days = round_.topic_cadence_days
            if round_.created_at is not None:
                row.created_at = round_.created_at

    async def _row(self, round_id: int) -> RoundRow:
        row = await self._session.get(RoundRow, round_id)
        if row is None:
            raise NotFound(f"there is no round with id {round_id}: check the id")
        return row


# --- applications --------------------------------------------------------------


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


def _application(row: Any, member: MemberRef) -> Application:
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
        submitted_at=_utc(row.submitted_at),
        updated_at=_utc(row.updated_at),
        declared_previous_partners=tuple(row.declared_previous_partners),
        note=row.note,
    )


# Applications always come with their member's platform reference. Plain rows, not
# ORM objects: reading a round's 20,000 applications costs a quarter as much.
_WITH_MEMBER = select(
    ApplicationRow.__table__,
    MemberRow.platform.label("member_platform"),
    MemberRow.external_id.label("member_external_id"),
).join(MemberRow.__table__, MemberRow.id == ApplicationRow.member_id)


def _application_of(row: Any) -> Application:
    """Map a row of _WITH_MEMBER to an Application."""
    return _application(row, MemberRef(Platform(row.member_platform), row.member_external_id))


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
        async with _unique(
            self._session,
            "this member has already applied to this round: change that application instead",
        ):
            self._session.add(row)
        member = await self._session.get_one(MemberRow, new.member_id)
        return _application(row, MemberRef(Platform(member.platform), member.external_id))

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
                _WITH_MEMBER.where(
                    ApplicationRow.round_id == round_id, ApplicationRow.member_id == member_id
                )
            )
        ).one_or_none()
        return None if found is None else _application_of(found)

    async def find_many(self, round_id: int, member_ids: Iterable[int]) -> dict[int, Application]:
        """Return, by member id, the applications of these members to the round."""
        ids = list(dict.fromkeys(member_ids))
        found: dict[int, Application] = {}
        for start in range(0, len(ids), _CHUNK):
            rows = await self._session.execute(
                _WITH_MEMBER.where(
                    ApplicationRow.round_id == round_id,
                    ApplicationRow.member_id.in_(ids[start : start + _CHUNK]),
                )
            )
            for row in rows:
                found[row.member_id] = _application_of(row)
        return found

    async def list(
        self, round_id: int, statuses: Sequence[ApplicationStatus] | None = None
    ) -> list[Application]:
        """Return the round's applications in submission order (then id)."""
        statement = _WITH_MEMBER.where(ApplicationRow.round_id == round_id)
        if statuses is not None:
            statement = statement.where(ApplicationRow.status.in_([s.value for s in statuses]))
        rows = await self._session.execute(
            statement.order_by(ApplicationRow.submitted_at, ApplicationRow.id)
        )
        return [_application_of(row) for row in rows]

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


# --- groups --------------------------------------------------------------------


def _group(row: GroupRow) -> Group:
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
                ids = await self._session.scalars(
                    insert(table).returning(table.c.id, sort_by_parameter_order=True),
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
                made = [
                    Group(
                        id=group_id,
                        round_id=round_id,
                        number=g.number,
                        member_ids=tuple(sorted(dict.fromkeys(g.member_ids))),
                        score=g.score,
                        reasons=tuple(g.reasons),
                        published=False,
                        active=True,
                    )
                    for group_id, g in zip(ids.all(), groups, strict=True)
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

    async def find(self, round_id: int, number: int) -> Group | None:
        """Return the round's group with this number (active or not), if any."""
        found = await self._groups(GroupRow.round_id == round_id, GroupRow.number == number)
        return found[0] if found else None

    async def find_many(self, round_id: int, numbers: Iterable[int]) -> dict[int, Group]:
        """Return, by number, the round's groups with these numbers (active or not)."""
        wanted = list(dict.fromkeys(numbers))
        found: dict[int, Group] = {}
        for start in range(0, len(wanted), _CHUNK):
            groups = await self._groups(
                GroupRow.round_id == round_id, GroupRow.number.in_(wanted[start : start + _CHUNK])
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
        async with _unique(self._session, _numbers_taken([group.number])):
            self._session.add(row)
        return _group(row)

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


# --- topics --------------------------------------------------------------------


class SqlTopicRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list(self, community_id: int) -> list[Topic]:
        """Return the community's discussion topics by position."""
        rows = await self._session.scalars(
            select(TopicRow)
            .where(TopicRow.community_id == community_id)
            .order_by(TopicRow.position)
        )
        return [
            Topic(
                position=row.position,
                title=row.title,
                prompt=row.prompt,
                questions=tuple(row.questions),
            )
            for row in rows
        ]

    async def replace(self, community_id: int, topics: Sequence[Topic]) -> None:
        """Replace the community's topics with *topics*."""
        # Delete before inserting, in separate statements: one flush would insert
        # first and trip the unique (community_id, position) constraint.
        await self._session.execute(delete(TopicRow).where(TopicRow.community_id == community_id))
        self._session.add_all(
            TopicRow(
                community_id=community_id,
                position=topic.position,
                title=topic.title,
                prompt=topic.prompt,
                questions=list(topic.questions),
            )
            for topic in topics
        )
        await self._session.flush()
