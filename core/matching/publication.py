"""Who is told what when a round's groups are published: over the cap, unplaced, a trio.

Made from what publishing has already read; each message is rendered once per kind,
reason and language, not once per member (core.rounds.outcomes writes them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from core.matching import explanations
from core.matching.caps import community_cap
from core.model import Application, ApplicationStatus, Community, Group, Round
from core.platform import Message
from core.rounds import outcomes

A = ApplicationStatus
Told = tuple[Application, str, Callable[[str], Message]]


def told(
    community: Community,
    round_: Round,
    over: Sequence[tuple[Application, str]],
    groups: Sequence[Group],
    approved: Sequence[Application],
) -> list[Told]:
    """Return who is told what at publication (application, kind, render(lang)).

    *approved* are the round's approved applications (those over the cap left out).
    """
    practices = community.settings.practices
    cap = community_cap(community) or 0.0

    @cache
    def waitlisted(country: str) -> Callable[[str], Message]:
        @cache
        def render(lang: str) -> Message:
            reason = outcomes.cap_reason(country, cap, lang=lang)
            return outcomes.waitlisted(round_, reason, practices, lang=lang)

        return render

    @cache
    def unplaced(code: str) -> Callable[[str], Message]:
        @cache
        def render(lang: str) -> Message:
            return outcomes.unplaced(round_, code, practices, lang=lang)

        return render

    @cache
    def trio(lang: str) -> Message:
        return outcomes.trio(round_, practices, lang=lang)

    result: list[Told] = [
        (app, outcomes.WAITLISTED, waitlisted(app.profile.country)) for app, _ in over
    ]
    grouped = {m for g in groups for m in g.member_ids}
    over_ids = {a.member_id for a, _ in over}
    for app in approved:
        if app.member_id in grouped or app.member_id in over_ids:
            continue
        code = explanations.split(app.note)[1] or ""
        result.append((app, outcomes.UNPLACED, unplaced(code)))
    by_member = {a.member_id: a for a in approved}
    trios = [m for g in groups if len(g.member_ids) == 3 for m in g.member_ids]
    result += [(by_member[m], outcomes.TRIO, trio) for m in trios if m in by_member]
    return result
