"""Private pair channels on Slack: create one per group, or adopt an earlier attempt's.

A channel's name comes from the group's label; "name_taken" on a channel this bot
created for the same key (its purpose carries the key) means an earlier attempt
got that far, so the channel is adopted and only missing members are invited. A
channel someone else created, or one archived since, is never used: the next name
of names.candidates is tried (see SlackPlatform's docstring in platform.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack import names
from adapters.slack.failures import error_code
from core.model import Community
from core.platform import DeliveryFailed

Json = dict[str, Any]
PAGE = 200  # Slack: limit must be under 1000, and no more than 200 is recommended
Call = Callable[..., Awaitable[Json]]


class PairChannels:
    """The pair-space half of SlackPlatform: channels and group DMs, made once per key."""

    def __init__(self, *, call: Call, identity: Callable[[], Awaitable[Json]]) -> None:
        self._call = call
        self._identity = identity

    async def create_or_adopt(
        self, community: Community, label: str, key: str
    ) -> tuple[Json, bool]:
        """Return the group's channel and whether this call created it."""
        prefix = community.settings.channels.get("pair_prefix", names.DEFAULT_PREFIX)
        tried = names.candidates(label, key, prefix=prefix)
        me = (await self._identity())["user_id"]
        for candidate in tried:
            try:
                created = await self._call("conversations.create", name=candidate, is_private=True)
            except SlackApiError as exc:
                if error_code(exc) != "name_taken":
                    raise
                found = await self.find_channel(candidate)
                if found is not None and _made_for(found, me, key):
                    return await self._adopt(found, key), False
                continue  # someone else's, or archived: try the next name
            channel: Json = created["channel"]
            await self._call(
                "conversations.setPurpose", channel=channel["id"], purpose=_purpose(key)
            )
            return channel, True
        raise DeliveryFailed(
            f"the channel names {', '.join(tried)} are all taken by channels penpals did not "
            "create for this group (or archived since): rename or delete some of them",
            permanent=True,
        )

    async def _adopt(self, channel: Json, key: str) -> Json:
        """Finish what an interrupted attempt left undone on its channel."""
        if not (channel.get("purpose") or {}).get("value"):
            await self._call(
                "conversations.setPurpose", channel=channel["id"], purpose=_purpose(key)
            )
        return channel

    async def find_channel(self, name: str) -> Json | None:
        """Return the channel called *name* among those the bot can see, archived included."""
        cursor: str | None = None
        while True:
            page = await self._call(
                "conversations.list",
                types="public_channel,private_channel",
                exclude_archived=False,
                limit=PAGE,
                cursor=cursor,
            )
            for channel in page.get("channels", []):
                if channel.get("name") == name:
                    return dict(channel)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None

    async def invite(self, channel: str, users: Sequence[str], *, fresh: bool) -> None:
        """Invite the members not in *channel* yet (all of them in a fresh channel)."""
        me = (await self._identity())["user_id"]
        wanted = [u for u in dict.fromkeys(users) if u != me]
        if not fresh:
            present = await self.members(channel)
            wanted = [u for u in wanted if u not in present]
        if not wanted:
            return
        try:
            await self._call("conversations.invite", channel=channel, users=",".join(wanted))
        except SlackApiError as exc:
            if error_code(exc) != "already_in_channel":
                raise

    async def members(self, channel: str) -> set[str]:
        found: set[str] = set()
        cursor: str | None = None
        while True:
            page = await self._call(
                "conversations.members", channel=channel, limit=PAGE, cursor=cursor
            )
            found.update(page.get("members", []))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return found

    async def open_group_dm(self, users: Sequence[str]) -> tuple[Json, bool]:
        opened = await self._call("conversations.open", users=",".join(users), return_im=True)
        return dict(opened["channel"]), not opened.get("already_open", False)


def _purpose(key: str) -> str:
    return f"penpals pair space [{key}]"


def _made_for(channel: Json, me: str, key: str) -> bool:
    """Return whether *channel* is the one this bot created for *key*.

    Only a channel the bot created (Slack's `creator`), is still in and that is not
    archived qualifies. An attempt interrupted between conversations.create and
    setPurpose leaves a channel with no purpose yet: still ours when the bot created it.
    """
    if channel.get("creator") != me or channel.get("is_archived"):
        return False
    if channel.get("is_member") is False:  # the bot was removed: not a space it can run
        return False
    purpose = (channel.get("purpose") or {}).get("value", "")
    return not purpose or f"[{key}]" in purpose
