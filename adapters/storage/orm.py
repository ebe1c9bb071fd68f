"""Tables of penpals as SQLAlchemy declarative classes; migrations/ is generated from these.

These rows never leave adapters/storage: repositories map them to core.model
dataclasses. Enums are stored as their string values, lists and dicts as JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from adapters.storage.orm_base import NAMING_CONVENTION as NAMING_CONVENTION
from adapters.storage.orm_base import Base as Base
from adapters.storage.orm_base import UTCDateTime as UTCDateTime


class CommunityRow(Base):
    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    default_language: Mapped[str] = mapped_column(String(8))
    pairing_rule: Mapped[str] = mapped_column(String(16))
    country_cap: Mapped[float | None] = mapped_column(Float)
    organiser_roles: Mapped[list[str]]
    channels: Mapped[dict[str, str]]
    # The program's practices (core.model.Practices): contact, time commitment, guidance.
    practices: Mapped[dict[str, str] | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("community_id", "platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(Text)
    # The language chosen for penpals' messages (en, fr, es); None: not chosen.
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class RoundRow(Base):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    name: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    applications_open_at: Mapped[datetime | None]
    applications_close_at: Mapped[datetime | None]
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    topic_cadence_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class ApplicationRow(Base):
    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("round_id", "member_id"),
        Index(None, "round_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text)
    # The Profile, flattened.
    name: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    languages: Mapped[list[str]]
    sector: Mapped[str] = mapped_column(String(32))
    career_stage: Mapped[str] = mapped_column(String(32))
    interests: Mapped[list[str]]
    introduction: Mapped[str] = mapped_column(Text)
    wish_sectors: Mapped[list[str]]
    wish_career_stages: Mapped[list[str]]
    wish_interests: Mapped[list[str]]
    wish_countries: Mapped[list[str]]
    institution: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(Text)
    declared_previous_partners: Mapped[list[str]]


class GroupRow(Base):
    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("round_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    number: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]]
    published: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)
    # lazy="raise": a lazy load would fail under asyncio anyway; this fails clearly.
    members: Mapped[list[GroupMemberRow]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class GroupMemberRow(Base):
    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)


class TopicRow(Base):
    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("community_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    prompt: Mapped[str] = mapped_column(Text)
    questions: Mapped[list[str]]


class RoundTopicTextRow(Base):
    """One language's text of one of a round's own topics (core.rounds.round_topics)."""

    __tablename__ = "round_topic_texts"
    __table_args__ = (UniqueConstraint("round_id", "position", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(Text)
    prompt: Mapped[str] = mapped_column(Text)
    questions: Mapped[list[str]]
    updated_at: Mapped[datetime]


class OutboxRow(Base):
    """One outbound platform action; `key` makes it happen at most once."""

    __tablename__ = "outbox"
    __table_args__ = (Index(None, "state", "not_before"), Index(None, "round_id", "kind"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    platform: Mapped[str] = mapped_column(String(16))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    requires: Mapped[list[str]]
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    not_before: Mapped[datetime]
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    tried_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text)
    result: Mapped[dict[str, str]]


class PairActivityRow(Base):
    """Messages one member wrote in their pair space in one week: a count, never contents."""

    __tablename__ = "pair_activity"
    __table_args__ = (UniqueConstraint("group_id", "member_id", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    week: Mapped[date] = mapped_column(Date)  # the Monday (UTC) the week starts on
    message_count: Mapped[int] = mapped_column(Integer)
    last_message_at: Mapped[datetime | None]
    recorded_at: Mapped[datetime]


class PauseRow(Base):
    """A member stepping away from their pair for a while."""

    __tablename__ = "pauses"
    __table_args__ = (Index(None, "round_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    starts: Mapped[datetime]
    ends: Mapped[datetime]


class StandbyRow(Base):
    """A volunteer in the standby pool of new partners (round_id None: any round)."""

    __tablename__ = "standby"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]


class SurveyRow(Base):
    """One survey of a round (mid or end); questions None means the default questions."""

    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("round_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    questions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    invited: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class SurveyResponseRow(Base):
    """One member's answers to one survey: choices and their comment, no message contents."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PairSpaceRow(Base):
    """A pair space a platform adapter made: its platform id, recorded the moment it exists.

    Only a space recorded here (or, after a crash before recording, one the bot itself
    made under the pair's name) is ever re-used for the pair.
    """

    __tablename__ = "pair_spaces"
    __table_args__ = (UniqueConstraint("platform", "key"), Index(None, "platform", "space_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    platform: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(200))  # the outbox key of the space's creation
    space_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class ThreadWakeRow(Base):
    """A thread the bot made or woke in a server, and when last (Discord's daily thread budget)."""

    __tablename__ = "thread_wakes"
    __table_args__ = (
        UniqueConstraint("platform", "place", "thread_id"),
        Index(None, "platform", "place", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    place: Mapped[str] = mapped_column(String(64))  # the server (guild) id
    thread_id: Mapped[str] = mapped_column(String(100))  # a thread id, or a reservation
    at: Mapped[datetime]


class PairGoalRow(Base):
    """The goals a pair agreed, in their own words: for the pair only (never in reports)."""

    __tablename__ = "pair_goals"
    __table_args__ = (UniqueConstraint("group_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class AuditRow(Base):
    """Who decided, edited or published what in a community, and when (core.audit)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "community_id", "round_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)


# The Slack distribution's tables join Base.metadata when their module is imported.
from adapters.storage import orm_slack as orm_slack  # noqa: E402
