"""Interfaces the core needs from the outside world, as typing.Protocols.

Storage is a unit of work holding one repository per aggregate; repositories take
and return the plain dataclasses of core.model, never ORM rows. Adapters implement
these (adapters/storage for SQLAlchemy, adapters/discord and adapters/slack for the
chat platforms); bots/ wires them together. The ports of members' activity and personal
data (engagement, goals, privacy) are in core.ports_members and re-exported here.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from core.delivery.outbox import Action, ActionKind, ActionState, MadeSpace, NewAction, Outcome
from core.model import (
    Application,
    ApplicationStatus,
    Community,
    CommunitySettings,
    Group,
    MemberRef,
    Platform,
    Profile,
    Round,
    RoundState,
    Topic,
)
from core.ports_members import EngagementRepository as EngagementRepository
from core.ports_members import GoalRepository as GoalRepository
from core.ports_members import MemberRecord as MemberRecord
from core.ports_members import Membership as Membership
from core.ports_members import Pause as Pause
from core.ports_members import PrivacyRepository as PrivacyRepository
from core.ports_members import Volunteer as Volunteer
from core.ports_members import WeekCount as WeekCount

if TYPE_CHECKING:  # core.surveys uses these ports at runtime
    from core.audit_entries import AuditEntry, NewAuditEntry
    from core.rounds.topic_texts import RoundTopic
    from core.surveys.model import Answer, Response, Survey, SurveyKind


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current time, timezone-aware in UTC."""
        ...


@dataclass(frozen=True, slots=True)
class NewRound:
    community_id: int
    name: str
    applications_open_at: datetime | None
    applications_close_at: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None
    topic_cadence_days: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewApplication:
    round_id: int
    member_id: int
    profile: Profile
    status: ApplicationStatus
    submitted_at: datetime
    declared_previous_partners: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class NewGroup:
    number: int
    member_ids: tuple[int, ...]
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroupMembers:
    """A group's id, number and members (sorted): what counting its activity needs."""

    id: int
    number: int
    member_ids: tuple[int, ...]


class CommunityRepository(Protocol):
    async def find(self, platform: Platform, external_id: str) -> Community | None: ...
    async def get(self, community_id: int) -> Community: ...
    async def add(
        self, platform: Platform, external_id: str, name: str, settings: CommunitySettings
    ) -> Community: ...
    async def update_settings(self, community_id: int, settings: CommunitySettings) -> None: ...
    async def list_all(self) -> builtins.list[Community]:
        """Every community of the deployment, by platform then id."""
        ...


class MemberRepository(Protocol):
    async def ensure(self, community_id: int, ref: MemberRef, display_name: str) -> int:
        """Return the member's id, creating the member (or renaming it) as needed."""
        ...

    async def ensure_many(
        self, community_id: int, members: Sequence[tuple[MemberRef, str]]
    ) -> dict[MemberRef, int]:
        """Return each member's id, creating or renaming members as needed, in bulk."""
        ...

    async def refs(self, member_ids: Iterable[int]) -> dict[int, MemberRef]: ...
    async def find(self, community_id: int, ref: MemberRef) -> int | None: ...
    async def find_many(self, community_id: int, refs: Iterable[MemberRef]) -> dict[MemberRef, int]:
        """Return the ids of the community's members among *refs* (unknown ones left out)."""
        ...

    async def language(self, member_id: int) -> str | None:
        """Return the language the member chose for penpals' messages, if any."""
        ...

    async def set_language(self, member_id: int, language: str | None) -> None: ...
    async def languages(self, member_ids: Iterable[int]) -> dict[int, str | None]:
        """Return the chosen language (or None) of each existing member of *member_ids*."""
        ...


class RoundRepository(Protocol):
    async def add(self, new: NewRound) -> Round: ...
    async def get(self, round_id: int) -> Round: ...
    async def find(self, community_id: int, name: str) -> Round | None: ...
    async def list(self, community_id: int) -> list[Round]: ...
    async def in_states(self, states: Sequence[RoundState]) -> builtins.list[Round]:
        """Return every community's rounds in *states* (for the scheduler)."""
        ...

    async def save(self, round_: Round) -> None:
        """Write every field of an existing round."""
        ...


class ApplicationRepository(Protocol):
    async def add(self, new: NewApplication) -> Application: ...
    async def add_many(self, new: Sequence[NewApplication]) -> None:
        """Store new applications in bulk."""
        ...

    async def save_many(self, applications: Sequence[Application]) -> None:
        """Write profile, status, note and updated_at of existing applications, in bulk."""
        ...

    async def find(self, round_id: int, member_id: int) -> Application | None: ...
    async def find_many(self, round_id: int, member_ids: Iterable[int]) -> dict[int, Application]:
        """Return, by member id, the applications of these members to the round."""
        ...

    async def list(
        self, round_id: int, statuses: Sequence[ApplicationStatus] | None = None
    ) -> builtins.list[Application]:
        """Return the round's applications in submission order (then id)."""
        ...

    async def save(self, application: Application) -> None:
        """Write profile, status, note and updated_at of an existing application."""
        ...

    async def set_status(
        self, application_ids: Sequence[int], status: ApplicationStatus, note: str, at: datetime
    ) -> None: ...
    async def counts(self, round_id: int) -> Mapping[ApplicationStatus, int]: ...


class GroupRepository(Protocol):
    async def replace_proposal(self, round_id: int, groups: Sequence[NewGroup]) -> list[Group]:
        """Drop the round's unpublished groups and store *groups* as the new proposal."""
        ...

    async def list(self, round_id: int, *, active_only: bool = True) -> list[Group]: ...
    async def published_members(
        self, round_id: int, *, active_only: bool = True
    ) -> builtins.list[GroupMembers]:
        """Return the round's published (active, unless told otherwise) groups by number,
        members only."""
        ...

    async def sizes(self, round_id: int) -> Mapping[int, int]:
        """Return how many of the round's active groups have each size (members: groups)."""
        ...

    async def find(self, round_id: int, number: int) -> Group | None:
        """Return the round's group with this number (active or not), if any."""
        ...

    async def find_many(self, round_id: int, numbers: Iterable[int]) -> dict[int, Group]:
        """Return, by number, the round's groups with these numbers (active or not)."""
        ...

    async def save(self, group: Group) -> None:
        """Write members, score, reasons, published and active of an existing group."""
        ...

    async def add(self, round_id: int, group: NewGroup, *, published: bool) -> Group: ...
    async def publish(self, round_id: int) -> None: ...
    async def partner_history(
        self, community_id: int, member_ids: Iterable[int], *, exclude_round_id: int
    ) -> dict[int, set[int]]:
        """Return, for each member, the members they shared a published group with before."""
        ...


class TopicRepository(Protocol):
    async def list(self, community_id: int) -> list[Topic]: ...
    async def replace(self, community_id: int, topics: Sequence[Topic]) -> None: ...


class RoundTopicRepository(Protocol):
    """A round's own topics with their texts by language (core.rounds.round_topics)."""

    async def list(self, round_id: int) -> builtins.list[RoundTopic]:
        """Return the round's own topics by position; empty when it follows the library."""
        ...

    async def replace(self, round_id: int, topics: Sequence[RoundTopic], at: datetime) -> None:
        """Store *topics* (numbered from 1) as the round's topics, dropping the others."""
        ...


class OutboxRepository(Protocol):
    async def enqueue(self, actions: Sequence[NewAction]) -> int:
        """Store the actions whose key is new; return how many were stored."""
        ...

    async def due(
        self, now: datetime, *, platforms: Sequence[Platform], limit: int
    ) -> list[Action]:
        """Return pending actions for *platforms* whose time has come, by time then id."""
        ...

    async def next_due(self, *, platforms: Sequence[Platform]) -> datetime | None:
        """Return when the earliest pending action for *platforms* falls due."""
        ...

    async def by_keys(self, keys: Iterable[str]) -> dict[str, Action]: ...
    async def outcomes(self, keys: Iterable[str]) -> dict[str, Outcome]:
        """Return the state, reply and creation time of the stored actions among *keys*."""
        ...

    async def payloads(
        self, round_id: int, kind: ActionKind, state: ActionState
    ) -> builtins.list[dict[str, Any]]:
        """Return the payloads of the round's actions of *kind* in *state*, in creation order."""
        ...

    async def keys_of(self, round_id: int, kinds: Iterable[ActionKind]) -> set[str]:
        """Return the keys of the round's stored actions of these kinds, whatever their state."""
        ...

    async def made_spaces(self, round_id: int) -> dict[str, MadeSpace]:
        """Return, by key, the round's done pair-space creations (their replies, not payloads)."""
        ...

    async def mark_tried(self, action_id: int, at: datetime) -> None:
        """Record that the platform is about to be called for this action."""
        ...

    async def mark_tried_many(self, action_ids: Iterable[int], at: datetime) -> None:
        """Record that the platform is about to be called for each of these actions."""
        ...

    async def finish_many(
        self, results: Sequence[tuple[int, Mapping[str, str]]], at: datetime
    ) -> None:
        """Mark several actions done, each with what the platform returned for it."""
        ...

    async def finish(self, action_id: int, result: Mapping[str, str], at: datetime) -> None: ...
    async def retry_later(
        self, action_id: int, error: str, not_before: datetime, *, count_attempt: bool = True
    ) -> None:
        """Put the action back for later, counting a failed attempt unless told not to."""
        ...

    async def fail(self, action_id: int, error: str, at: datetime) -> None:
        """Give up on an action for good (recorded for organisers)."""
        ...

    async def list(
        self,
        community_id: int,
        *,
        round_id: int | None = None,
        kinds: Sequence[ActionKind] | None = None,
        states: Sequence[ActionState] | None = None,
    ) -> builtins.list[Action]: ...


class SurveyRepository(Protocol):
    """The rounds' surveys and the members' responses (one per member per survey)."""

    async def ensure(self, round_id: int, kind: SurveyKind) -> Survey:
        """Return the round's survey of *kind*, creating it with the defaults if missing."""
        ...

    async def get(self, survey_id: int) -> Survey | None: ...
    async def for_round(self, round_id: int) -> builtins.list[Survey]: ...
    async def save(self, survey: Survey) -> None:
        """Store the survey's questions, dates, invited count and progress."""
        ...

    async def unclosed_round_ids(self) -> builtins.list[int]:
        """Return the rounds with a survey that has not closed."""
        ...

    async def response(self, survey_id: int, member_id: int) -> Response | None: ...
    async def put_response(
        self, survey_id: int, member_id: int, answers: Mapping[str, Answer], at: datetime
    ) -> None:
        """Create or replace the member's response."""
        ...

    async def responses_of(
        self, survey_id: int, member_ids: Iterable[int]
    ) -> builtins.dict[int, Response]:
        """Return, by member id, the responses of these members to the survey."""
        ...

    async def put_responses(
        self, survey_id: int, answers: Mapping[int, Mapping[str, Answer]], at: datetime
    ) -> None:
        """Create or replace the responses of several members, by member id, at once."""
        ...

    async def responses(self, survey_id: int) -> builtins.list[Response]: ...
    async def respondents(self, survey_id: int) -> builtins.set[int]:
        """Return the ids of members who answered anything."""
        ...

    async def member_responses(self, member_id: int) -> builtins.list[tuple[Survey, Response]]:
        """Return every response of one member (export and forget)."""
        ...


class AuditRepository(Protocol):
    async def add(self, entries: Sequence[NewAuditEntry]) -> None:
        """Store entries of the audit log (core.audit)."""
        ...

    async def list(
        self, community_id: int, round_id: int | None = None
    ) -> builtins.list[AuditEntry]:
        """Return the community's entries, or one round's, oldest first, with round names."""
        ...


class UnitOfWork(Protocol):
    """One transaction: `async with uow:` then `await uow.commit()`; leaving rolls back."""

    communities: CommunityRepository
    members: MemberRepository
    rounds: RoundRepository
    applications: ApplicationRepository
    groups: GroupRepository
    topics: TopicRepository
    round_topics: RoundTopicRepository
    outbox: OutboxRepository
    engagement: EngagementRepository
    privacy: PrivacyRepository
    surveys: SurveyRepository
    goals: GoalRepository
    audit: AuditRepository

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        """Return a unit of work; a read_only one only reads, and takes no write lock."""
        ...
