"""SlackPlatform: the core's ChatPlatform port on top of Slack's Web API.

A pair space is a private channel (conversations.create with is_private, then
conversations.invite), or a group DM (conversations.open) when the community's
channels["pair_mode"] is "group_dm". Every create or post is idempotent per key,
so the resumable delivery queue can call again after a crash:

- a channel's name comes from the group's label; "name_taken" on a channel this
  bot created for the same key (its purpose carries the key) means an earlier
  attempt got that far, so the channel is adopted and only missing members are
  invited. A channel someone else created, or one archived since (a bot token
  cannot unarchive: Slack's conversations.unarchive page says so), is never used:
  the next name of names.candidates is tried, so members who create a pair's
  names beforehand cannot block or read its space;
- every message carries the key in its metadata (event_type "penpals_post"); when
  an earlier attempt may have gone through (a retry, a dropped connection, an
  adopted space), conversations.history is checked before posting again. The
  public methods take `retry=True` for "an earlier attempt may have gone
  through"; core.delivery.service does not pass it yet, so within one process the
  adapter remembers such keys itself.

Calls are paced per method and per channel (see pacing.py); Slack errors become
DeliveryFailed, temporary with Retry-After or permanent with what to fix.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from adapters.slack.channels import PairChannels
from adapters.slack.failures import delivery_failed, error_code, retry_after
from adapters.slack.pacing import Pacer
from core.model import Community, MemberRef, Platform
from core.platform import Activity, DeliveryFailed, Message, SpaceRef, ThreadRef

log = logging.getLogger(__name__)

EVENT_TYPE = "penpals_post"
GROUP_DM = "group_dm"
PRIVATE_CHANNEL = "private_channel"
HISTORY_WINDOW = 100  # messages searched for an earlier attempt's key
# Errors that mean "this person cannot get a DM from the bot": mention them instead.
_DM_CLOSED = frozenset({"cannot_dm_bot", "not_allowed", "user_not_visible", "restricted_action"})
# conversations.kick errors that mean the member is not in the channel (any more).
_ALREADY_GONE = frozenset({"not_in_channel", "user_not_found", "cant_kick_self"})

Json = dict[str, Any]


class SlackPlatform:
    """Create pair spaces, post topics and open public threads in one Slack workspace."""

    platform = Platform.SLACK

    def __init__(self, *, client: AsyncWebClient, pacer: Pacer | None = None) -> None:
        self._client = client
        self._pacer = pacer or Pacer()
        self._uncertain: set[str] = set()  # keys whose last attempt may have gone through
        self._me: Json | None = None
        self._channels = PairChannels(call=self._call, identity=self._identity)

    # --- the port ---------------------------------------------------------------------

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
        """Create (or adopt) the group's private channel or group DM and introduce them."""
        users = [m.external_id for m in members]
        async with self._delivering(key, name=name):
            if community.settings.channels.get("pair_mode") == GROUP_DM:
                channel, fresh = await self._channels.open_group_dm(users)
            else:
                channel, fresh = await self._channels.create_or_adopt(community, name, key)
                await self._channels.invite(channel["id"], users, fresh=fresh)
            check = retry or not fresh or key in self._uncertain
            await self._post_once(channel["id"], introduction, key, check=check)
            url = await self._url(channel["id"])
        return SpaceRef(Platform.SLACK, channel["id"], name=channel.get("name", ""), url=url)

    async def post(
        self, space: SpaceRef, message: Message, *, key: str, retry: bool = False
    ) -> str:
        """Post *message* to a pair space once per *key*; return its ts."""
        async with self._delivering(key, channel=space.id):
            check = retry or key in self._uncertain
            return await self._post_once(space.id, message, key, check=check)

    async def open_topic_thread(
        self, community: Community, title: str, message: Message, *, key: str, retry: bool = False
    ) -> ThreadRef:
        """Post a topic's parent message in the community channel; its thread is the discussion."""
        channel = self._configured(community, "community", "the community channel for topics")
        async with self._delivering(key, channel=channel):
            # A handful per round: always look for an earlier attempt first.
            ts = await self._post_once(channel, message, key, check=True)
            link = await self._permalink(channel, ts)
        return ThreadRef(Platform.SLACK, f"{channel}:{ts}", link)

    async def direct_message(
        self,
        community: Community,
        member: MemberRef,
        message: Message,
        *,
        key: str,
        retry: bool = False,
    ) -> bool:
        """DM *member*; when Slack will not, mention them in the announcements channel."""
        async with self._delivering(key):
            check = retry or key in self._uncertain
            try:
                opened = await self._call("conversations.open", users=member.external_id)
                await self._post_once(opened["channel"]["id"], message, key, check=check)
                return True
            except SlackApiError as exc:
                if error_code(exc) not in _DM_CLOSED:
                    raise
            channel = self._configured(community, "announcements", "the announcements channel")
            await self._post_once(channel, message, key, check=check, mention=member.external_id)
            return False

    async def archive_space(
        self, space: SpaceRef, goodbye: Message, *, key: str, retry: bool = False
    ) -> None:
        """Say goodbye, then archive the channel (or close the group DM)."""
        async with self._delivering(key, channel=space.id):
            info = (await self._call("conversations.info", channel=space.id))["channel"]
            if info.get("is_archived"):
                return
            check = retry or key in self._uncertain
            await self._post_once(space.id, goodbye, key, check=check)
            if info.get("is_mpim") or info.get("is_im"):
                # Group DMs cannot be archived: closing hides it from the bot's side.
                await self._call("conversations.close", channel=space.id)
                return
            try:
                await self._call("conversations.archive", channel=space.id)
            except SlackApiError as exc:
                if error_code(exc) != "already_archived":
                    raise

    async def remove_member(
        self, space: SpaceRef, member: MemberRef, *, key: str, retry: bool = False
    ) -> None:
        """Remove a member from a private pair channel; one already gone is fine.

        Nobody can be removed from a group DM (pair-mode group-dm): that is logged.
        """
        async with self._delivering(key, channel=space.id):
            info = (await self._call("conversations.info", channel=space.id))["channel"]
            if info.get("is_mpim") or info.get("is_im"):
                log.warning(
                    "%s left pair space %s, a group DM: Slack cannot remove them from it",
                    member.external_id,
                    space.name or space.id,
                )
                return
            try:
                await self._call("conversations.kick", channel=space.id, user=member.external_id)
            except SlackApiError as exc:
                if error_code(exc) not in _ALREADY_GONE:
                    raise

    async def announce(
        self, community: Community, message: Message, *, key: str, retry: bool = False
    ) -> None:
        """Post to the community's announcements channel once per *key*."""
        channel = self._configured(community, "announcements", "the announcements channel")
        async with self._delivering(key, channel=channel):
            await self._post_once(channel, message, key, check=retry or key in self._uncertain)

    async def alert_organisers(
        self, community: Community, message: Message, *, key: str, retry: bool = False
    ) -> None:
        """Post a notice in the organisers' channel once per *key* (logged when there is none)."""
        channel = community.settings.channels.get("organiser_alerts")
        if not channel:
            # Failing here would make the outbox alert about the failed alert, forever.
            log.warning("no organiser alerts channel in %s: %s", community.name, message.plain())
            return
        async with self._delivering(key, channel=channel):
            await self._post_once(channel, message, key, check=retry or key in self._uncertain)

    async def activity(self, space: SpaceRef, *, since: str | None = None) -> Activity:
        """Count the members' messages in a pair space since *since* (ISO time)."""
        counts: dict[str, int] = {}
        last: float | None = None
        oldest = f"{datetime.fromisoformat(since).timestamp():.6f}" if since else "0"
        cursor: str | None = None
        async with self._delivering(f"activity:{space.id}", channel=space.id):
            while True:
                page = await self._call(
                    "conversations.history",
                    channel=space.id,
                    oldest=oldest,
                    limit=200,
                    cursor=cursor,
                )
                for m in page.get("messages", []):
                    if m.get("subtype") or m.get("bot_id") or not m.get("user"):
                        continue
                    counts[m["user"]] = counts.get(m["user"], 0) + 1
                    last = max(last or 0.0, float(m["ts"]))
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        at = datetime.fromtimestamp(last, UTC).isoformat() if last is not None else None
        return Activity(counts, at)

    # --- messages ---------------------------------------------------------------------

    async def _post_once(
        self, channel: str, message: Message, key: str, *, check: bool, mention: str = ""
    ) -> str:
        """Post *message* unless a message carrying *key* is already there; return its ts."""
        if check:
            found = await self._find_post(channel, key)
            if found is not None:
                return found
        blocks = render.blocks(message)
        text = render.fallback_text(message)
        if mention:
            blocks.insert(
                0, {"type": "section", "text": {"type": "mrkdwn", "text": f"<@{mention}>"}}
            )
            text = f"<@{mention}> {text}"
        posted = await self._call(
            "chat.postMessage",
            channel=channel,
            text=text,
            blocks=blocks,
            metadata={"event_type": EVENT_TYPE, "event_payload": {"key": key}},
            unfurl_links=False,
        )
        return str(posted["ts"])

    async def _find_post(self, channel: str, key: str) -> str | None:
        """Return the ts of a recent message of *channel* that carries *key*."""
        page = await self._call(
            "conversations.history",
            channel=channel,
            include_all_metadata=True,
            limit=HISTORY_WINDOW,
        )
        for m in page.get("messages", []):
            meta = m.get("metadata") or {}
            if (
                meta.get("event_type") == EVENT_TYPE
                and (meta.get("event_payload") or {}).get("key") == key
            ):
                return str(m["ts"])
        return None

    async def _permalink(self, channel: str, ts: str) -> str:
        found = await self._call("chat.getPermalink", channel=channel, message_ts=ts)
        return str(found.get("permalink", ""))

    # --- plumbing ---------------------------------------------------------------------

    async def _identity(self) -> Json:
        """Return auth.test's answer (bot user id, workspace URL), asked once."""
        if self._me is None:
            self._me = dict(await self._call("auth.test"))
        return self._me

    async def _url(self, channel: str) -> str:
        base = str((await self._identity()).get("url", "")).rstrip("/")
        return f"{base}/archives/{channel}" if base else ""

    async def _call(self, method: str, **kwargs: Any) -> Json:
        """Call *method* in its paced slot; a 429 that got through slows the method down."""
        await self._pacer.wait(method, kwargs.get("channel"))
        call = getattr(self._client, method.replace(".", "_"))
        try:
            response = await call(**{k: v for k, v in kwargs.items() if v is not None})
        except SlackApiError as exc:
            if error_code(exc) == "ratelimited":
                self._pacer.back_off(method, retry_after(exc) or 1.0)
            raise
        return dict(response.data) if isinstance(response.data, dict) else {}

    @asynccontextmanager
    async def _delivering(self, key: str, **context: str) -> AsyncIterator[None]:
        """Turn failures into DeliveryFailed, remembering keys whose outcome is unknown."""
        try:
            yield
        except DeliveryFailed:
            raise
        except SlackApiError as exc:
            raise delivery_failed(exc, **context) from exc
        except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
            # The request may have reached Slack before the connection broke: the next
            # attempt checks the history before posting again.
            self._uncertain.add(key)
            raise delivery_failed(exc, **context) from exc
        else:
            self._uncertain.discard(key)

    @staticmethod
    def _configured(community: Community, place: str, what: str) -> str:
        channel = community.settings.channels.get(place)
        if not channel:
            raise DeliveryFailed(
                f"{what} is not set: an organiser runs /penpals setup {place} #channel",
                permanent=True,
            )
        return channel
