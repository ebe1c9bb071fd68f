"""How each service of bots.bootstrap.Services is made, on first use.

One maker per attribute: it imports the service's module (so a command imports only
what it uses) and builds the service from the parts every service shares (the unit
of work, the clock, the platforms) and from the services it depends on, read through
*s* so that they too are built once.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bots.bootstrap import Services

Maker = Callable[["Services"], Any]


def _service(path: str, *, clock: bool = True, **parts: str) -> Maker:
    """Return a maker of the class at *path* ("package.module.Class").

    It gets the unit of work, the clock unless *clock* is false, and each keyword of
    *parts* from the Services attribute named by its value.
    """
    module, _, name = path.rpartition(".")

    def make(s: Services) -> Any:
        kwargs: dict[str, Any] = {"uow": s.uow}
        if clock:
            kwargs["clock"] = s.clock
        kwargs.update({key: getattr(s, attribute) for key, attribute in parts.items()})
        return getattr(import_module(module), name)(**kwargs)

    return make


def _report_charts(s: Services) -> Any:
    from bots.reporting import chart_pngs

    return chart_pngs


# Attribute of Services -> its maker. Every service Services declares is here.
MAKERS: dict[str, Maker] = {
    "communities": _service("core.communities.service.CommunityService"),
    "rounds": _service("core.rounds.service.RoundService"),
    "applications": _service("core.rounds.applications.ApplicationService"),
    "matches": _service("core.matching.service.MatchService"),
    "topics": _service("core.rounds.topic_library.TopicService"),
    "delivery": _service(
        "core.delivery.service.DeliveryService",
        platforms="platforms",
        concurrency="delivery_concurrency",
    ),
    "automation": _service(
        "core.rounds.automation.RoundAutomation",
        rounds="rounds",
        delivery="delivery",
        engagement="engagement",
        surveys="surveys",
    ),
    "engagement": _service("core.engagement.service.EngagementService", platforms="platforms"),
    "surveys": _service("core.surveys.service.SurveyService"),
    "goals": _service("core.engagement.goals.GoalService"),
    "privacy": _service("core.privacy.service.PrivacyService"),
    "reports": _service("core.reports.service.ReportService", clock=False),
    "audit": _service("core.audit.AuditService", clock=False),
    "report_charts": _report_charts,
    "round_settings": _service("core.rounds.schedule_edit.RoundSettingsService"),
    "round_topics": _service("core.rounds.round_topics.RoundTopicService"),
    "broadcasts": _service("core.delivery.broadcast.BroadcastService"),
    "files": _service(
        "core.rounds.files.RoundFiles", applications="applications", matches="matches"
    ),
}
