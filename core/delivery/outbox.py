"""Outbound platform actions, recorded before they are carried out.

Every action (create a pair space, post a topic, open a topic thread, DM someone,
announce, archive) is written to the outbox with an idempotency key in the same
transaction as the decision that causes it. A worker delivers due actions and
marks them done; after a crash it repeats only unfinished ones, and the adapter
uses the key to check whether the platform already has the result.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.model import Platform


class ActionKind(enum.StrEnum):
    CREATE_SPACE = "create_space"
    POST_TOPIC = "post_topic"
    OPEN_TOPIC_THREAD = "open_topic_thread"
    POST = "post"  # any other message to a pair space (nudge, partner left...)
    DIRECT_MESSAGE = "direct_message"
    ANNOUNCE = "announce"
    ARCHIVE_SPACE = "archive_space"
    ALERT_ORGANISERS = "alert_organisers"
    REMOVE_MEMBER = "remove_member"  # take a member out of a pair space (they withdrew)


class ActionState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"  # permanently: shown to organisers, never retried by itself


@dataclass(frozen=True, slots=True)
class NewAction:
    key: str
    community_id: int
    platform: Platform
    kind: ActionKind
    payload: dict[str, Any]
    not_before: datetime
    round_id: int | None = None
    # Keys of actions that must be done first (the pair space before its topic).
    requires: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Action:
    id: int
    key: str
    community_id: int
    platform: Platform
    round_id: int | None
    kind: ActionKind
    payload: dict[str, Any]
    requires: tuple[str, ...]
    state: ActionState
    attempts: int
    not_before: datetime
    created_at: datetime
    done_at: datetime | None = None
    # Set before each call to the platform: a later attempt knows it is a retry.
    tried_at: datetime | None = None
    last_error: str = ""
    result: dict[str, str] = field(default_factory=dict)


def space_key(round_id: int, group_number: int) -> str:
    return f"r{round_id}:g{group_number}:space"


def topic_thread_key(round_id: int, k: int) -> str:
    return f"r{round_id}:t{k}:thread"


def topic_post_key(round_id: int, group_number: int, k: int) -> str:
    return f"r{round_id}:g{group_number}:t{k}"


def archive_key(round_id: int, group_number: int) -> str:
    return f"r{round_id}:g{group_number}:archive"


def announce_key(round_id: int, what: str) -> str:
    return f"r{round_id}:announce:{what}"


@dataclass(frozen=True, slots=True)
class MadeSpace:
    """A round's pair space whose creation is done: what the platform returned, and when."""

    key: str  # space_key(round id, group number)
    platform: Platform
    result: dict[str, str]
    at: datetime  # when the action was done (when it was created, if that is unknown)


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a stored action stands and what the platform returned: what an action that
    requires it reads (a topic post its pair space and thread), without the payload."""

    key: str
    state: ActionState
    result: dict[str, str]
    created_at: datetime
