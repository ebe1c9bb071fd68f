"""What the Slack adapter needs from the composition root, as Protocols of core types.

bots.bootstrap.Services and bots.settings.Settings satisfy these structurally; the
adapter names only these, so nothing under adapters/ imports bots/ (issue 16).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from core.audit import AuditService
from core.communities.service import CommunityService
from core.delivery.broadcast import BroadcastService
from core.engagement.goals import GoalService
from core.engagement.service import EngagementService
from core.matching.service import MatchService
from core.ports import Clock, UnitOfWorkFactory
from core.privacy.service import PrivacyService
from core.reports.model import Report
from core.reports.service import ReportService
from core.rounds.applications import ApplicationService
from core.rounds.files import RoundFiles
from core.rounds.round_topics import RoundTopicService
from core.rounds.schedule_edit import RoundSettingsService
from core.rounds.service import RoundService
from core.surveys.service import SurveyService


class Services(Protocol):
    """The part of the wired services the Slack handlers call (bots.bootstrap.Services has it).

    Add an attribute here when a handler starts to use another service.
    """

    engine: AsyncEngine  # the installation store keeps workspaces' tokens in the database
    uow: UnitOfWorkFactory
    clock: Clock
    communities: CommunityService
    rounds: RoundService
    applications: ApplicationService
    matches: MatchService
    engagement: EngagementService
    wake: Callable[..., None]  # bots.bootstrap.Wakeup: wake(round_id) after a command
    surveys: SurveyService
    goals: GoalService
    privacy: PrivacyService
    reports: ReportService
    # (file name, PNG bytes) of a report's charts; blocking, so run it in a thread.
    report_charts: Callable[[Report], Sequence[tuple[str, bytes]]]
    # The organiser's console (adapters/slack/console_*.py, issue 13).
    audit: AuditService
    broadcasts: BroadcastService
    round_settings: RoundSettingsService
    round_topics: RoundTopicService
    files: RoundFiles


class Settings(Protocol):
    """The Slack settings the app is built from (bots.settings.Settings has them)."""

    slack_bot_token: str | None
    slack_signing_secret: str | None
    slack_client_id: str | None
    slack_client_secret: str | None
    slack_redirect_uri: str | None
    slack_api_url: str

    @property
    def slack_distributed(self) -> bool: ...

    @property
    def slack_scope_list(self) -> list[str] | None: ...
