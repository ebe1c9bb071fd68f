"""What every handler needs: the services, the community, and a way to answer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import discord

from adapters.discord import texts
from adapters.discord.permissions import NotOrganiser, ensure_organiser
from adapters.discord.render import CONTENT_MAX, clip
from core.audit import AuditService
from core.communities.service import CommunityService
from core.delivery.broadcast import BroadcastService
from core.errors import PenpalsError
from core.matching.service import MatchService
from core.model import Community, MemberRef, Platform
from core.ports import UnitOfWorkFactory
from core.privacy.service import PrivacyService
from core.reports.model import Report
from core.reports.service import ReportService
from core.rounds.applications import ApplicationService
from core.rounds.files import RoundFiles
from core.rounds.round_topics import RoundTopicService
from core.rounds.schedule_edit import RoundSettingsService
from core.rounds.service import RoundService
from core.surveys.service import SurveyService

log = logging.getLogger(__name__)


class ServicesLike(Protocol):
    """The part of bots.bootstrap.Services the Discord handlers use."""

    uow: UnitOfWorkFactory
    communities: CommunityService
    rounds: RoundService
    applications: ApplicationService
    matches: MatchService
    wake: Callable[..., None]  # bots.bootstrap.Wakeup: engine.advance(round_id) / delivery
    surveys: SurveyService
    privacy: PrivacyService
    reports: ReportService
    # (file name, PNG bytes) of a report's charts; blocking, so run it in a thread.
    report_charts: Callable[[Report], Sequence[tuple[str, bytes]]]
    # The organiser's console (issue 13): the audit log, dates, topics, messages, files.
    audit: AuditService
    round_settings: RoundSettingsService
    round_topics: RoundTopicService
    broadcasts: BroadcastService
    files: RoundFiles


@dataclass
class Deps:
    services: ServicesLike

    def wake(self, round_id: int | None = None) -> None:
        """Tell the round engine a command made work for it (it delivers at once)."""
        self.services.wake(round_id)


def deps(interaction: discord.Interaction) -> Deps:
    """Return the handlers' dependencies, held by the client."""
    found: Deps | None = getattr(interaction.client, "deps", None)
    if found is None:
        raise RuntimeError("the Discord client was started without services")
    return found


def member_ref(interaction: discord.Interaction) -> MemberRef:
    return MemberRef(Platform.DISCORD, str(interaction.user.id))


async def community_of(interaction: discord.Interaction) -> Community:
    """Return the community of the server the interaction came from (made on first use)."""
    cached = interaction.extras.get("community")
    if isinstance(cached, Community):
        return cached
    if interaction.guild_id is None:
        raise NotOrganiser("penpals works inside a server: use its commands there")
    name = interaction.guild.name if interaction.guild and interaction.guild.name else ""
    found = await deps(interaction).services.communities.ensure(
        Platform.DISCORD, str(interaction.guild_id), name
    )
    interaction.extras["community"] = found
    return found


async def member_language(interaction: discord.Interaction, community: Community) -> str:
    """Return the member's language: their stored choice, else Discord's, else the community's."""
    return await deps(interaction).services.applications.language(
        community, member_ref(interaction), locale=str(interaction.locale)
    )


async def organiser_community(interaction: discord.Interaction) -> Community:
    """Return the community, or raise NotOrganiser for anyone but its organisers."""
    found = await community_of(interaction)
    ensure_organiser(interaction, found.settings)
    return found


async def defer(interaction: discord.Interaction, *, update: bool = False) -> None:
    """Acknowledge now, answer when the work is done: Discord forgets an interaction
    not answered within 3 seconds (10062 Unknown interaction), and database work (a
    large round, a write waiting for an import's batch) may take longer.

    A command shows "penpals is thinking..." to the member alone (answer() then sends
    the ephemeral reply); a button or menu (*update*) keeps its message until show().
    """
    if interaction.response.is_done():
        return
    if update:
        await interaction.response.defer()
    else:
        await interaction.response.defer(ephemeral=True, thinking=True)


async def show(interaction: discord.Interaction, **message: Any) -> None:
    """Replace the message a button or menu sits on, whether or not it was deferred."""
    if interaction.response.is_done():
        await interaction.edit_original_response(**message)
    else:
        await interaction.response.edit_message(**message)


async def answer(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    files: list[discord.File] | None = None,
) -> None:
    """Answer ephemerally, whether or not the interaction was already answered or deferred."""
    kwargs: dict[str, Any] = {"ephemeral": True}
    if content is not None:
        # Discord refuses a longer content (50035) and the member would see "did not respond".
        kwargs["content"] = clip(content, CONTENT_MAX)
    if embed is not None:
        kwargs["embed"] = embed
    if view is not None:
        kwargs["view"] = view
    if files:
        kwargs["files"] = files
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


async def report_error(
    interaction: discord.Interaction, error: BaseException, lang: str | None = None
) -> None:
    """Show a person's mistake in their language; log anything else and say so.

    *lang* is the member's language when the handler knows it already; otherwise it
    is looked up (stored choice, Discord's locale, the community's default).
    """
    original = getattr(error, "original", None) or error
    if isinstance(original, PenpalsError):
        text = original.localized(lang or await _error_language(interaction))
        text = text[:1].upper() + text[1:]
    elif isinstance(original, NotOrganiser):
        text = str(original)
        text = text[:1].upper() + text[1:]
    else:
        log.error("command failed", exc_info=original)
        _ = texts.gettext(texts.interaction_language(interaction, None))
        text = _(
            "Something went wrong on penpals' side; the organisers can find it in the bot's log."
        )
    try:
        await answer(interaction, text)
    except discord.HTTPException:
        log.exception("could not report an error to the member")


async def _error_language(interaction: discord.Interaction) -> str:
    """Return the language to report a mistake in, without failing in turn."""
    community = interaction.extras.get("community")
    try:
        if not isinstance(community, Community):
            if interaction.guild_id is None:  # a DM: no community to ask
                return texts.interaction_language(interaction, None)
            community = await community_of(interaction)
        return await member_language(interaction, community)
    except Exception:  # the mistake matters more than the language it is told in
        log.exception("could not look up the member's language")
        known = community if isinstance(community, Community) else None
        return texts.interaction_language(interaction, known)
