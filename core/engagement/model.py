"""Engagement's vocabulary: how long a silence lasts before a nudge or an offer, a pair
space, a silence, what a check did, a new partner, someone in the standby pool."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.model import (
    Application,
    ApplicationStatus,
    Round,
)
from core.platform import SpaceRef
from core.ports import GroupMembers

A = ApplicationStatus
NUDGE_AFTER = timedelta(days=14)
RESCUE_AFTER = timedelta(days=28)
WEEK = timedelta(days=7)
# Who is asked first when several in the pool would make a good pair: people of the
# round still without a partner, then the waitlist, then volunteers.
SOURCES = ("odd one out", "waitlisted", "volunteer")


@dataclass(frozen=True, slots=True)
class PairSpace:
    """A published, active group whose private space the platform has made."""

    group: GroupMembers
    space: SpaceRef
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Silence:
    """A pair nobody has written in for a while, and who (if anyone) wrote last alone."""

    number: int
    member_ids: tuple[int, ...]
    since: datetime
    days: int
    active_member_id: int | None

    @property
    def spell(self) -> str:
        """Name this silent spell: one nudge and one offer per spell, however often checked."""
        return f"{self.since:%Y-%m-%d}"


@dataclass(frozen=True, slots=True)
class SilenceCheck:
    nudged: int = 0
    listed: int = 0
    offered: int = 0


@dataclass(frozen=True, slots=True)
class NewPartner:
    round: Round
    old_number: int
    number: int | None  # None: nobody in the pool fits yet (the organisers were told)
    partner: str = ""
    source: str = ""  # one of SOURCES


@dataclass(frozen=True, slots=True)
class Standby:
    """Someone in the standby pool, with the profile they would be matched on."""

    application: Application  # in this round, or their latest one when volunteering
    source: str

    @property
    def member_id(self) -> int:
        return self.application.member_id


MAX_PAUSE_DAYS = 60  # longer absences are a withdrawal, which the organisers should hear about
