"""Surveys' reads shared by the services and reports: a round by name, topic titles,
a survey's counted results."""

from __future__ import annotations

from core.errors import NotFound
from core.model import Community, Round
from core.ports import UnitOfWork
from core.rounds import topics
from core.surveys.model import Survey, SurveyKind, SurveyResults
from core.surveys.rules import results


async def round_results(
    uow: UnitOfWork,
    community: Community,
    r: Round,
    kind: SurveyKind,
    *,
    survey: Survey | None = None,
    lang: str | None = None,
) -> SurveyResults:
    """Return the counted results of one survey of round *r* (no survey yet: zeros)."""
    if survey is None:
        found = [s for s in await uow.surveys.for_round(r.id) if s.kind is kind]
        survey = found[0] if found else Survey(0, r.id, kind)
    lang = lang or community.settings.default_language
    titles = await topic_titles(uow, community.id, lang)
    answers = await uow.surveys.responses(survey.id) if survey.id else []
    return results(r, survey, answers, topic_titles=titles, lang=lang)


async def find_round(uow: UnitOfWork, community_id: int, name: str) -> Round:
    r = await uow.rounds.find(community_id, name)
    if r is None:
        raise NotFound(f"there is no round {name!r}: see `penpals round list`")
    return r


async def topic_titles(uow: UnitOfWork, community_id: int, lang: str) -> list[str]:
    library = await uow.topics.list(community_id)
    return [topics.localize(t, lang).title for t in library]
