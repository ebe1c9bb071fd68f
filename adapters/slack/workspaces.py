"""Delivery in a distributed Slack app: each workspace's actions with that workspace's token.

WorkspacePlatforms is the ChatPlatform the round engine sees for Slack when penpals
is installed through OAuth (adapters/slack/install.py). Calls that name a community
go to that workspace (the community's external id is its team id); calls that name
only a pair space go to the workspace the space was made in, remembered here, or
found by asking each installed workspace about the channel (after a restart). A
workspace that uninstalled penpals (or revoked its tokens) has no token: its
actions are held, not failed and never sent (DeliveryFailed with retry_after=HOLD,
which the outbox does not count as an attempt), so they resume if the workspace
installs penpals again and vanish with its data when an organiser deletes the
community (`penpals community delete`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from slack_sdk.errors import SlackApiError

from adapters.slack.install import WorkspaceClient, WorkspaceTokens, current_token
from adapters.slack.pacing import Pacer
from adapters.slack.platform import SlackPlatform
from core.model import Community, MemberRef, Platform
from core.platform import Activity, DeliveryFailed, Message, SpaceRef, ThreadRef

log = logging.getLogger("penpals.slack")
HOLD = 3600.0  # seconds before an uninstalled workspace's action is looked at again


class WorkspacePlatforms:
    """One SlackPlatform per installed workspace, behind the ChatPlatform port."""

    platform = Platform.SLACK

    def __init__(
        self, *, client: WorkspaceClient, tokens: WorkspaceTokens, pacer: Pacer | None = None
    ) -> None:
        self._client = client
        self._tokens = tokens
        self._pacer = pacer or Pacer()
        self._platforms: dict[str, SlackPlatform] = {}
        self._space_team: dict[str, str] = {}

    @asynccontextmanager
    async def _in(self, team_id: str) -> AsyncIterator[SlackPlatform]:
        token = await self._tokens.token(team_id)
        if token is None:
            raise DeliveryFailed(
                f"penpals is not installed in the Slack workspace {team_id} (uninstalled "
                "or never installed): held, nothing is sent there",
                permanent=False,
                retry_after=HOLD,
            )
        reset = current_token.set(token)
        try:
            platform = self._platforms.get(team_id)
            if platform is None:
                platform = SlackPlatform(client=self._client, pacer=self._pacer)
                self._platforms[team_id] = platform
            yield platform
        finally:
            current_token.reset(reset)

    async def _team_of(self, space: SpaceRef) -> str:
        known = self._space_team.get(space.id)
        if known is not None:
            return known
        for team_id in await self._tokens.teams():
            token = await self._tokens.token(team_id)
            try:
                await self._client.conversations_info(channel=space.id, token=token)
            except SlackApiError:
                continue
            self._space_team[space.id] = team_id
            return team_id
        raise DeliveryFailed(
            f"no installed Slack workspace has the channel {space.id}", permanent=True
        )

    # --- the port, by community --------------------------------------------------------

    async def create_pair_space(
        self,
        community: Community,
        name: str,
        members: Sequence[MemberRef],
        introduction: Message,
        *,
        key: str,
        retry: bool = False,
    ) -> SpaceRef:
        """Create the pair space in the community's workspace; remember where it is."""
        async with self._in(community.external_id) as platform:
            space = await platform.create_pair_space(
                community, name, members, introduction, key=key, retry=retry
            )
        self._space_team[space.id] = community.external_id
        return space

    async def open_topic_thread(
        self, community: Community, title: str, message: Message, *, key: str, retry: bool = False
    ) -> ThreadRef:
        async with self._in(community.external_id) as platform:
            return await platform.open_topic_thread(community, title, message, key=key, retry=retry)

    async def direct_message(
        self,
        community: Community,
        member: MemberRef,
        message: Message,
        *,
        key: str,
        retry: bool = False,
    ) -> bool:
        async with self._in(community.external_id) as platform:
            return await platform.direct_message(community, member, message, key=key, retry=retry)

    async def announce(
        self, community: Community, message: Message, *, key: str, retry: bool = False
    ) -> None:
        async with self._in(community.external_id) as platform:
            await platform.announce(community, message, key=key, retry=retry)

    async def alert_organisers(
        self, community: Community, message: Message, *, key: str, retry: bool = False
    ) -> None:
        async with self._in(community.external_id) as platform:
            await platform.alert_organisers(community, message, key=key, retry=retry)

    # --- the port, by pair space -------------------------------------------------------

    async def post(
        self, space: SpaceRef, message: Message, *, key: str, retry: bool = False
    ) -> str:
        async with self._in(await self._team_of(space)) as platform:
            return await platform.post(space, message, key=key, retry=retry)

    async def archive_space(
        self, space: SpaceRef, goodbye: Message, *, key: str, retry: bool = False
    ) -> None:
        async with self._in(await self._team_of(space)) as platform:
            await platform.archive_space(space, goodbye, key=key, retry=retry)

    async def remove_member(
        self, space: SpaceRef, member: MemberRef, *, key: str, retry: bool = False
    ) -> None:
        async with self._in(await self._team_of(space)) as platform:
            await platform.remove_member(space, member, key=key, retry=retry)

    async def activity(self, space: SpaceRef, *, since: str | None = None) -> Activity:
        async with self._in(await self._team_of(space)) as platform:
            return await platform.activity(space, since=since)

    def spaces(self) -> Sequence[str]:
        """Return the pair spaces whose workspace is known (for tests and logs)."""
        return list(self._space_team)
