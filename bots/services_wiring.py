"""How each service of bots.bootstrap.Services is made, on first use.

One maker per attribute: it imports the service's module (so a command imports only
what it uses) and builds the service from the parts every service shares (the unit
of work, the clock, the platforms) and from the services it depends on, read through
*s* so that they too are built once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bots.bootstrap import Services


def _communities(s: Services) -> Any:
    from core.communities.service import CommunityService

    return CommunityService(uow=s.uow, clock=s.clock)


def _rounds(s: Services) -> Any:
    from core.rounds.service import RoundService

    return RoundService(uow=s.uow, clock=s.clock)


def _applications(s: Services) -> Any:
    from core.rounds.applications import ApplicationService

    return ApplicationService(uow=s.uow, clock=s.clock)


def _matches(s: Services) -> Any:
    from core.matching.service import MatchService

    return MatchService(uow=s.uow, clock=s.clock)


def _topics(s: Services) -> Any:
    from core.rounds.topic_library import TopicService

    return TopicService(uow=s.uow, clock=s.clock)


def _delivery(s: Services) -> Any:
    from core.delivery.service import DeliveryService

    return DeliveryService(
        uow=s.uow, clock=s.clock, platforms=s.platforms, concurrency=s.delivery_concurrency
    )


def _engagement(s: Services) -> Any:
    from core.engagement.service import EngagementService

    return EngagementService(uow=s.uow, clock=s.clock, platforms=s.platforms)


def _automation(s: Services) -> Any:
    from core.rounds.automation import RoundAutomation

    return RoundAutomation(
        uow=s.uow,
        clock=s.clock,
        rounds=s.rounds,
        delivery=s.delivery,
        engagement=s.engagement,
        surveys=s.surveys,
    )


def _surveys(s: Services) -> Any:
    from core.surveys.service import SurveyService

    return SurveyService(uow=s.uow, clock=s.clock)


def _goals(s: Services) -> Any:
    from core.engagement.goals import GoalService

    return GoalService(uow=s.uow, clock=s.clock)


def _privacy(s: Services) -> Any:
    from core.privacy.service import PrivacyService

    return PrivacyService(uow=s.uow, clock=s.clock)


def _reports(s: Services) -> Any:
    from core.reports.service import ReportService

    return ReportService(uow=s.uow)


def _audit(s: Services) -> Any:
    from core.audit import AuditService

    return AuditService(uow=s.uow)


def _report_charts(s: Services) -> Any:
    from bots.reporting import chart_pngs

    return chart_pngs


def _round_settings(s: Services) -> Any:
    from core.rounds.schedule_edit import RoundSettingsService

    return RoundSettingsService(uow=s.uow, clock=s.clock)


def _round_topics(s: Services) -> Any:
    from core.rounds.round_topics import RoundTopicService

    return RoundTopicService(uow=s.uow, clock=s.clock)


def _broadcasts(s: Services) -> Any:
    from core.delivery.broadcast import BroadcastService

    return BroadcastService(uow=s.uow, clock=s.clock)


def _files(s: Services) -> Any:
    from core.rounds.files import RoundFiles

    return RoundFiles(uow=s.uow, clock=s.clock, applications=s.applications, matches=s.matches)


# Attribute of Services -> its maker. Every service Services declares is here.
MAKERS: dict[str, Callable[[Services], Any]] = {
    "communities": _communities,
    "rounds": _rounds,
    "applications": _applications,
    "matches": _matches,
    "topics": _topics,
    "delivery": _delivery,
    "automation": _automation,
    "engagement": _engagement,
    "surveys": _surveys,
    "goals": _goals,
    "privacy": _privacy,
    "reports": _reports,
    "audit": _audit,
    "report_charts": _report_charts,
    "round_settings": _round_settings,
    "round_topics": _round_topics,
    "broadcasts": _broadcasts,
    "files": _files,
}
