"""Communities: one Discord server or Slack workspace (or a local CLI program)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from core import audit
from core.clock import SystemClock
from core.errors import InvalidValue, NotFound
from core.messages import vocab
from core.model import Community, CommunitySettings, PairingRule, Platform, Round
from core.ports import Clock, UnitOfWorkFactory
from core.rounds.topics import DEFAULT_TOPICS


def parse_ref(text: str) -> tuple[Platform, str]:
    """Parse 'platform:external_id' (e.g. 'discord:1234', 'local:default')."""
    platform, sep, external = text.partition(":")
    if not sep or not external.strip():
        raise InvalidValue(
            f"community {text!r} is not of the form PLATFORM:ID (for example local:default "
            "or discord:123456789)"
        )
    try:
        return Platform(platform.strip().lower()), external.strip()
    except ValueError:
        names = ", ".join(p.value for p in Platform)
        raise InvalidValue(f"unknown platform {platform!r}: use one of {names}") from None


class CommunityService:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock | None = None) -> None:
        self._uow = uow
        self._clock = clock or SystemClock()

    async def ensure(self, platform: Platform, external_id: str, name: str = "") -> Community:
        """Return the community, creating it with default settings and topics on first use.

        Looked up with a read first (no write lock), so every command's first step goes
        on while a long write (an import, a publish) holds the database.
        """
        async with self._uow(read_only=True) as uow:
            found = await uow.communities.find(platform, external_id)
        if found is not None:
            return found
        async with self._uow() as uow:
            found = await uow.communities.find(platform, external_id)
            if found is not None:
                return found
            community = await uow.communities.add(
                platform, external_id, name or external_id, CommunitySettings()
            )
            await uow.topics.replace(community.id, DEFAULT_TOPICS)
            await uow.commit()
            return community

    async def get(self, platform: Platform, external_id: str) -> Community:
        """Return an existing community or raise NotFound."""
        async with self._uow(read_only=True) as uow:
            found = await uow.communities.find(platform, external_id)
        if found is None:
            raise NotFound(f"no community {platform.value}:{external_id} yet: run setup first")
        return found

    async def overview(self) -> list[tuple[Community, list[Round]]]:
        """Return every community of the deployment with its rounds."""
        async with self._uow(read_only=True) as uow:
            return [(c, await uow.rounds.list(c.id)) for c in await uow.communities.list_all()]

    async def configure(
        self,
        community_id: int,
        *,
        default_language: str | None = None,
        pairing_rule: str | None = None,
        country_cap: float | str | None = "unchanged",
        organiser_roles: tuple[str, ...] | None = None,
        channels: dict[str, str] | None = None,
        contact: str | None = None,
        hours_per_month: int | str | None = None,
        guidance: str | None = None,
        actor: str = audit.UNKNOWN,
    ) -> CommunitySettings:
        """Change some settings of a community, validating each.

        *contact*, *hours_per_month* and *guidance* are the program's practices
        (core.model.Practices), shown to members; an empty string clears a text.
        """
        async with self._uow() as uow:
            settings = before = (await uow.communities.get(community_id)).settings
            if default_language is not None:
                language = vocab.community_language(default_language)
                settings = replace(settings, default_language=language)
            if pairing_rule is not None:
                try:
                    rule = PairingRule(pairing_rule.strip().lower())
                except ValueError:
                    names = ", ".join(r.value for r in PairingRule)
                    raise InvalidValue(
                        f"unknown pairing rule {pairing_rule!r}: use one of {names}"
                    ) from None
                settings = replace(settings, pairing_rule=rule)
            if country_cap != "unchanged":
                settings = replace(settings, country_cap=validate_cap(country_cap))
            if organiser_roles is not None:
                settings = replace(settings, organiser_roles=organiser_roles)
            if channels is not None:
                settings = replace(settings, channels={**settings.channels, **channels})
            practices = settings.practices
            if contact is not None:
                practices = replace(practices, contact=_text(contact, "contact", CONTACT_MAX))
            if hours_per_month is not None:
                practices = replace(practices, hours_per_month=validate_hours(hours_per_month))
            if guidance is not None:
                practices = replace(practices, guidance=_text(guidance, "guidance", GUIDANCE_MAX))
            settings = replace(settings, practices=practices)
            await uow.communities.update_settings(community_id, settings)
            changes = _changes(before, settings)
            if changes:
                await audit.record(
                    uow,
                    community_id=community_id,
                    round_id=None,
                    at=self._clock.now(),
                    actor=actor,
                    action="community.configure",
                    subject="the community's settings",
                    detail="; ".join(changes),
                )
            await uow.commit()
            return settings


CONTACT_MAX = 200
GUIDANCE_MAX = 1000
HOURS_MAX = 40


def _text(value: str, name: str, limit: int) -> str:
    """Return an organiser's text for members, trimmed, refusing one too long."""
    text = " ".join(value.split()) if name == "contact" else value.strip()
    if len(text) > limit:
        raise InvalidValue(f"{name} is {len(text)} characters long: use at most {limit}")
    return text


def validate_hours(value: object) -> int:
    """Return a monthly time commitment in whole hours (1 to 40)."""
    try:
        hours = int(str(value).strip())
    except ValueError:
        raise InvalidValue(
            f"hours per month {value!r} is not a whole number: give one from 1 to {HOURS_MAX}"
        ) from None
    if not 1 <= hours <= HOURS_MAX:
        raise InvalidValue(f"hours per month must be from 1 to {HOURS_MAX}, not {hours}")
    return hours


def validate_cap(value: object) -> float | None:
    """Return a country cap as a fraction in (0, 1], or None for no cap."""
    if value is None:
        return None
    if not isinstance(value, int | float) or not 0 < float(value) <= 1:
        raise InvalidValue(
            f"country cap must be a fraction between 0 and 1 (0.2 = 20%), not {value!r}"
        )
    return None if float(value) >= 1 else float(value)


def is_organiser(
    settings: CommunitySettings, member_roles: Iterable[str], *, platform_admin: bool
) -> bool:
    """Return whether someone may run organiser commands.

    Platform administrators (Discord: Manage Server; Slack: workspace admins) always
    may; otherwise they need one of the community's organiser roles (Discord role
    ids, Slack user group ids).
    """
    return platform_admin or bool(set(member_roles) & set(settings.organiser_roles))


def _changes(before: CommunitySettings, after: CommunitySettings) -> list[str]:
    """Say which settings changed, old -> new, for the audit log."""
    out = []
    for name in (
        "default_language",
        "pairing_rule",
        "country_cap",
        "organiser_roles",
        "channels",
        "practices",
    ):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            out.append(f"{name}: {_shown(old)} -> {_shown(new)}")
    return out


def _shown(value: object) -> str:
    return str(getattr(value, "value", value))
