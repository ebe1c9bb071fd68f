"""Plain data of the program: communities, members' profiles, rounds, applications, groups.

These are frozen dataclasses with no behaviour that needs a database or a chat
platform; services in core/ change them and repositories in adapters/storage map
them to rows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from core.messages import vocab


class Platform(enum.StrEnum):
    DISCORD = "discord"
    SLACK = "slack"
    LOCAL = "local"  # the CLI and rehearsals: no chat platform behind it


# A forgotten member's platform id becomes this prefix and a random part (core.privacy.service).
FORGOTTEN_PREFIX = "forgotten:"


@dataclass(frozen=True, slots=True)
class MemberRef:
    """A person as the platform knows them: never a discord.Member or a Slack payload."""

    platform: Platform
    external_id: str

    @property
    def forgotten(self) -> bool:
        """Whether this is the placeholder of a forgotten member (nobody to message)."""
        return self.external_id.startswith(FORGOTTEN_PREFIX)


class PairingRule(enum.StrEnum):
    """What must differ between partners (hard rule 1 of the spec)."""

    COUNTRY = "country"  # international programs (the ILN default)
    INSTITUTION = "institution"  # a national program: different workplace
    REGION = "region"  # a national program: different region or state


@dataclass(frozen=True, slots=True)
class Practices:
    """How the program runs, as organisers set it and members are told (communities.practices)."""

    contact: str = ""  # whom to ask for help: a name, @handle or address; "" = the organisers
    hours_per_month: int = 2  # the time commitment asked of each member
    guidance: str = ""  # organisers' own words added to the cultural-sensitivity guidance


@dataclass(frozen=True, slots=True)
class CommunitySettings:
    organiser_roles: tuple[str, ...] = ()
    default_language: str = "en"
    pairing_rule: PairingRule = PairingRule.COUNTRY
    # ILN admitted at most 20% of a round from one country; None turns the cap off.
    country_cap: float | None = 0.2
    # Adapter-specific places (pairs channel, forum, announcements...), by name.
    channels: dict[str, str] = field(default_factory=dict)
    practices: Practices = Practices()


@dataclass(frozen=True, slots=True)
class Community:
    id: int
    platform: Platform
    external_id: str
    name: str
    settings: CommunitySettings


@dataclass(frozen=True, slots=True)
class Wishes:
    """What an applicant would like in a partner; any one met satisfies them."""

    sectors: tuple[str, ...] = ()
    career_stages: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.sectors or self.career_stages or self.interests or self.countries)


@dataclass(frozen=True, slots=True)
class Profile:
    """What a member tells the program about themselves when applying."""

    name: str
    country: str
    timezone: str
    languages: tuple[str, ...]
    sector: str
    career_stage: str
    interests: tuple[str, ...] = ()
    introduction: str = ""
    wishes: Wishes = Wishes()
    institution: str = ""
    region: str = ""

    @property
    def country_name(self) -> str:
        return vocab.country_name(self.country)

    def separation_key(self, rule: PairingRule) -> str:
        """Return the value that must differ between partners under *rule*."""
        if rule is PairingRule.INSTITUTION:
            return self.institution.strip().casefold() or f"?{self.name}"
        if rule is PairingRule.REGION:
            return self.region.strip().casefold() or f"?{self.name}"
        return self.country


class RoundState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    MATCHED = "matched"
    RUNNING = "running"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class Round:
    id: int
    community_id: int
    name: str
    state: RoundState
    applications_open_at: datetime | None
    applications_close_at: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None
    topic_cadence_days: int = 14
    created_at: datetime | None = None


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Application:
    id: int
    round_id: int
    member_id: int
    member: MemberRef
    profile: Profile
    status: ApplicationStatus
    submitted_at: datetime
    updated_at: datetime
    # Ids (member external ids) of earlier partners declared on import; the
    # database history adds the rest at matching time.
    declared_previous_partners: tuple[str, ...] = ()
    note: str = ""  # why it was waitlisted/declined, shown to organisers


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    round_id: int
    number: int
    member_ids: tuple[int, ...]
    score: float
    reasons: tuple[str, ...]
    published: bool
    active: bool = True


@dataclass(frozen=True, slots=True)
class Topic:
    position: int
    title: str
    prompt: str
    questions: tuple[str, ...]
