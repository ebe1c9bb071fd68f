"""Who pressed a button: a Slack user id names a person within a workspace, or an org.

Slack's user ids are unique within a workspace, and across an Enterprise Grid
organisation (one person keeps one id in every workspace of the org). A goals or
survey button names a round (or survey) by id; its community is one workspace.
The member who pressed it is that community's member only when their id is read
where it means them:

- their home workspace (the payload's user.team_id; team.id when it is absent) is
  the community's workspace; or
- both workspaces belong to the same Enterprise Grid org, since an org-wide id
  names one person. A workspace's org is the payload's enterprise for the workspace
  the button was pressed in (team.id), otherwise what the installation store (or,
  with one bot token, auth.test) says of it; an unknown org matches nothing.

Anything else (a Slack Connect guest from another company, a workspace of another
org, a button of workspace A carrying workspace B's ids) is refused before the core
looks the id up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core.model import Platform
from core.ports import UnitOfWorkFactory

Json = dict[str, Any]
# The Enterprise Grid org a workspace belongs to, if penpals knows it (install.py).
EnterpriseOf = Callable[[str], Awaitable[str | None]]


async def no_enterprise(team_id: str) -> str | None:
    """Know no org: only a member's own workspace identifies them."""
    return None


@dataclass(frozen=True, slots=True)
class Presser:
    """The Slack user behind an interaction, and where they pressed the button."""

    user_id: str
    home_team: str  # user.team_id: the workspace their id comes from
    where_team: str  # team.id: the workspace the button was pressed in
    where_enterprise: str | None  # the org of that workspace (the payload's enterprise)


def presser(body: Json) -> Presser:
    """Read the user, their home workspace, and where (which workspace and org) they pressed."""
    user = body.get("user") or {}
    team = body.get("team") or {}
    where = str(team.get("id") or body.get("team_id") or "")
    enterprise = (body.get("enterprise") or {}).get("id") or team.get("enterprise_id")
    return Presser(
        str(user.get("id", "")),
        str(user.get("team_id") or where),
        where,
        str(enterprise) if enterprise else None,
    )


class Membership:
    """Decide whether a presser may be looked up as a member of a round's community."""

    def __init__(self, *, uow: UnitOfWorkFactory, enterprise_of: EnterpriseOf = no_enterprise):
        self._uow = uow
        self._enterprise_of = enterprise_of

    async def in_round(self, who: Presser, round_id: int) -> bool:
        """Return whether *who*'s id names a person of the round's community."""
        return await self._refused_in(who, round_id) is None

    async def survey_refused(self, who: Presser, survey_id: int) -> str | None:
        """Return the survey's round name when *who*'s id is not of its community, else None."""
        async with self._uow() as uow:
            survey = await uow.surveys.get(survey_id)
        return None if survey is None else await self._refused_in(who, survey.round_id)

    async def _refused_in(self, who: Presser, round_id: int) -> str | None:
        """Return the round's name when *who*'s id is not of its community, else None."""
        async with self._uow() as uow:
            try:
                round_ = await uow.rounds.get(round_id)
                community = await uow.communities.get(round_.community_id)
            except Exception:  # no such round: the core says so in the member's words
                return None
        if community.platform is Platform.SLACK and await self._same_person_space(
            who, community.external_id
        ):
            return None
        return round_.name

    async def _same_person_space(self, who: Presser, team_id: str) -> bool:
        if not who.home_team or who.home_team == team_id:
            return True
        theirs = await self._org(who, who.home_team)
        return theirs is not None and theirs == await self._org(who, team_id)

    async def _org(self, who: Presser, team_id: str) -> str | None:
        """Return the org of *team_id*: the payload's, for the workspace it was sent from."""
        if team_id == who.where_team:
            return who.where_enterprise
        return await self._enterprise_of(team_id)


class TokenOrg:
    """The org of a single-workspace install's workspace: auth.test's enterprise_id, asked once.

    Only the token's own workspace is known; of any other, the org is unknown (None).
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._answer: Json | None = None

    async def __call__(self, team_id: str) -> str | None:
        if self._answer is None:
            self._answer = dict((await self._client.auth_test()).data)
        if team_id != self._answer.get("team_id"):
            return None
        return self._answer.get("enterprise_id") or None
