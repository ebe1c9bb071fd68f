"""The goals a pair agrees: written by either member, kept for the pair only.

The introduction's "Set our goals" button opens a short form (a Discord modal, a
Slack modal) prefilled with what the pair wrote so far. The goals are stored with
the group (never in reports or exports of other members), recalled in the
mid-round check-in and the end-of-round survey invitation (which asks whether the
pair reached them), included in each member's export-me, and removed when either
member asks penpals to forget them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import InvalidValue, NotAllowed, NotFound
from core.messages import i18n
from core.messages.i18n import N_
from core.model import MemberRef
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory

GOALS_MAX = 1000
_ACTION = re.compile(r"^goals:open:(\d{1,10}):(\d{1,6})$")


def goals_action_id(round_id: int, number: int) -> str:
    """Return the action id of a pair's "Set our goals" button."""
    return f"goals:open:{round_id}:{number}"


def parse_goals_action(action_id: str) -> tuple[int, int] | None:
    """Return (round id, group number) of a "Set our goals" button, or None."""
    found = _ACTION.match(action_id)
    return (int(found.group(1)), int(found.group(2))) if found else None


@dataclass(frozen=True, slots=True)
class GoalsForm:
    """What the form shows, in the member's language."""

    round_id: int
    number: int
    title: str
    label: str
    placeholder: str
    text: str  # the pair's goals so far ("" if none)
    submit: str
    lang: str
    limit: int = GOALS_MAX


class GoalService:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def form(
        self, member: MemberRef, round_id: int, number: int, *, locale: str | None = None
    ) -> GoalsForm:
        """Return the goals form of the member's pair, prefilled; refuse anyone else."""
        async with self._uow(read_only=True) as uow:
            group_id, lang = await _pair(uow, member, round_id, number, locale)
            text = await uow.goals.get(group_id)
        _ = i18n.translator(lang).gettext
        return GoalsForm(
            round_id=round_id,
            number=number,
            title=_("Our goals"),
            label=_("One or two goals you agree on for this round"),
            placeholder=_(
                "For example: compare how our libraries run reading clubs; "
                "each try one idea from the other's library"
            ),
            text=text or "",
            submit=_("Save"),
            lang=lang,
        )

    async def save(
        self, member: MemberRef, round_id: int, number: int, text: str, *, locale: str | None = None
    ) -> str:
        """Store the pair's goals (either member may edit); return the confirmation."""
        text = text.strip()
        async with self._uow() as uow:
            group_id, lang = await _pair(uow, member, round_id, number, locale)
            if len(text) > GOALS_MAX:
                raise InvalidValue(
                    N_("the goals are {length} characters long: use at most {limit}"),
                    length=len(text),
                    limit=GOALS_MAX,
                )
            await uow.goals.put(group_id, text, self._clock.now())
            await uow.commit()
        _ = i18n.translator(lang).gettext
        if not text:
            return _("Your goals are cleared.")
        return _(
            "Your goals are saved. Your partner sees them too, and we will remind you of "
            "them at the mid-round check-in."
        )


async def _pair(
    uow: UnitOfWork, member: MemberRef, round_id: int, number: int, locale: str | None
) -> tuple[int, str]:
    """Return the group id and the member's language, if the member is in that pair."""
    group = await uow.groups.find(round_id, number)
    round_ = await uow.rounds.get(round_id) if group is not None else None
    community = await uow.communities.get(round_.community_id) if round_ is not None else None
    member_id = await uow.members.find(community.id, member) if community is not None else None
    stored = await uow.members.language(member_id) if member_id is not None else None
    default = community.settings.default_language if community is not None else None
    lang = i18n.pick(stored, locale, default)
    if group is None:
        raise NotFound(N_("this pair no longer exists"))
    if member_id is None or member_id not in group.member_ids or not group.active:
        raise NotAllowed(N_("only the members of this pair can set its goals"))
    return group.id, lang


async def goals_by_member(uow: UnitOfWork, round_id: int) -> dict[int, str]:
    """Return, by member id, the goals of the member's pair in the round (if any)."""
    groups = await uow.groups.published_members(round_id)
    found = await uow.goals.get_many([g.id for g in groups])
    return {m: found[g.id] for g in groups if found.get(g.id) for m in g.member_ids}
