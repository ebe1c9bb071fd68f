"""Who may run organiser commands in a Slack workspace.

Workspace admins and owners always may (users.info); otherwise the person must
belong to one of the community's organiser user groups (usergroups.users.list).
The rule itself is the core's (core.communities.service.is_organiser).
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from core.communities.service import is_organiser
from core.errors import NotAllowed
from core.model import Community


async def user_info(client: AsyncWebClient, user_id: str) -> dict[str, object]:
    """Return Slack's user object for *user_id* (empty if Slack will not say)."""
    try:
        found = await client.users_info(user=user_id)
    except SlackApiError:
        return {}
    user = found.get("user")
    return dict(user) if isinstance(user, dict) else {}


async def organiser_groups(client: AsyncWebClient, community: Community, user_id: str) -> list[str]:
    """Return the community's organiser groups that *user_id* belongs to."""
    groups = []
    for group in community.settings.organiser_roles:
        try:
            found = await client.usergroups_users_list(usergroup=group)
        except SlackApiError:
            continue  # a deleted or disabled group grants nothing
        if user_id in (found.get("users") or []):
            groups.append(group)
    return groups


async def check_organiser(client: AsyncWebClient, community: Community, user_id: str) -> None:
    """Raise NotAllowed unless *user_id* may run organiser commands."""
    user = await user_info(client, user_id)
    admin = any(bool(user.get(flag)) for flag in ("is_admin", "is_owner", "is_primary_owner"))
    groups = [] if admin else await organiser_groups(client, community, user_id)
    if not is_organiser(community.settings, groups, platform_admin=admin):
        raise NotAllowed(
            "only organisers can do that: workspace admins, or members of the organiser "
            "user group an organiser sets with /penpals setup"
        )
