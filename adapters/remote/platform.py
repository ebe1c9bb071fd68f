"""RemotePlatform: the ChatPlatform port over a small JSON HTTP API.

The API (served for tests by tests/durability/standin.py; a webhook-style platform
could serve it too). Bodies are JSON; a message is core.platform.message_to_dict.

    GET  /spaces?key=K                    {"items": [space]}
    POST /spaces                          {key, community, name, members, introduction}
                                          -> space {id, key, name, url}; the
                                          introduction is its first message
    GET  /spaces/{id}/messages?key=K      {"items": [message]}
    POST /spaces/{id}/messages            {key, message} -> {id}; 403 once archived
    POST /spaces/{id}/archive             archives the space; harmless when repeated
    DELETE /spaces/{id}/members/{member}  removes a member; harmless when they are gone
    GET  /spaces/{id}/activity?since=T    {messages_by_member, last_message_at}
    GET  /threads?key=K, POST /threads    {key, community, title, message} -> {id, url}
    GET  /dms?key=K, POST /dms            {key, community, member, message} -> {id, delivered}
    GET  /announcements?key=K, POST ...   {key, community, message}
    GET  /alerts?key=K, POST ...          {key, community, message}

Errors are {"error": text}: 429 carries Retry-After (seconds, may be fractional).

Exactly once, as the platform sees it: the outbox records each try before the
call and passes `retry=True` when an earlier try with the same key may have gone
through (the worker died, or the answer was lost, before `done` was recorded).
Only then does the adapter look the key up first (GET ...?key=K) and return what
it finds instead of doing it again; a first attempt spends no request on it. The
lookup and the write are not atomic: one outbox runner at a time (the leader lock)
keeps them from racing.

Failures: 429 raises DeliveryFailed(permanent=False, retry_after=s), so the outbox
reschedules the action durably without counting an attempt, and it also pauses
the pacer for s, so the process's next calls wait instead of hammering the server
through a storm. 403 and 404 (and any other 4xx) are permanent. 5xx, timeouts and
dropped connections are temporary without retry_after: the outbox backs off, and
as the try was recorded, the repeat comes as a retry and starts with the key check.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

import aiohttp

from adapters.remote.pacing import Pacer
from core.model import Community, MemberRef, Platform
from core.platform import (
    Activity,
    DeliveryFailed,
    Message,
    SpaceRef,
    ThreadRef,
    message_to_dict,
)

Json = dict[str, Any]
DEFAULT_RETRY_AFTER = 1.0  # a 429 that does not say how long to wait


class RemotePlatform:
    """Deliver pair spaces, posts, threads and DMs to a JSON platform API, once per key."""

    def __init__(
        self,
        base_url: str,
        *,
        platform: Platform = Platform.LOCAL,
        pacer: Pacer | None = None,
        timeout: float = 30.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.platform = platform
        self._base = base_url.rstrip("/")
        self._pacer = pacer or Pacer()
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session = session
        self._owns_session = session is None
        self.requests = 0  # HTTP requests sent, checks included
        self.rate_limited = 0  # 429 answers received

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this adapter opened it."""
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

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
        """Create the group's private space with its introduction, or find it by key."""
        body = {
            "community": community.external_id,
            "name": name,
            "members": [m.external_id for m in members],
            "introduction": message_to_dict(introduction),
        }
        space = await self._once("/spaces", key, body, retry)
        return SpaceRef(self.platform, str(space["id"]), space.get("name", name), space["url"])

    async def post(
        self, space: SpaceRef, message: Message, *, key: str, retry: bool = False
    ) -> str:
        """Post to a pair space once per key; return the message id."""
        body = {"message": message_to_dict(message)}
        return str((await self._once(f"/spaces/{space.id}/messages", key, body, retry))["id"])

    async def open_topic_thread(
        self, community: Community, title: str, message: Message, *, key: str, retry: bool = False
    ) -> ThreadRef:
        """Open a topic's public thread once per key."""
        body: Json = {"community": community.external_id, "title": title}
        body["message"] = message_to_dict(message)
        thread = await self._once("/threads", key, body, retry)
        return ThreadRef(self.platform, str(thread["id"]), thread["url"])

    async def direct_message(
        self,
        community: Community,
        member: MemberRef,
        message: Message,
        *,
        key: str,
        retry: bool = False,
    ) -> bool:
        """DM a member once per key; False when the platform fell back to a mention."""
        body = {
            "community": community.external_id,
            "member": member.external_id,
            "message": message_to_dict(message),
        }
        return bool((await self._once("/dms", key, body, retry)).get("delivered", True))

    async def archive_space(
        self, space: SpaceRef, goodbye: Message, *, key: str, retry: bool = False
    ) -> None:
        """Post the goodbye once per key, then archive the space (repeatable as such)."""
        body = {"message": message_to_dict(goodbye)}
        await self._once(f"/spaces/{space.id}/messages", key, body, retry)
        await self._request("POST", f"/spaces/{space.id}/archive", json={})

    async def remove_member(
        self, space: SpaceRef, member: MemberRef, *, key: str, retry: bool = False
    ) -> None:
        """Remove a member from a pair space (repeatable as such: no key check needed)."""
        await self._request("DELETE", f"/spaces/{space.id}/members/{member.external_id}")

    async def announce(
        self, community: Community, message: Message, *, key: str, retry: bool = False
    ) -> None:
        """Post an announcement once per key."""
        body = {"community": community.external_id, "message": message_to_dict(message)}
        await self._once("/announcements", key, body, retry)

    async def alert_organisers(
        self, community: Community, message: Message, *, key: str, retry: bool = False
    ) -> None:
        """Post an organisers' notice once per key."""
        body = {"community": community.external_id, "message": message_to_dict(message)}
        await self._once("/alerts", key, body, retry)

    async def activity(self, space: SpaceRef, *, since: str | None = None) -> Activity:
        """Return the members' message counts in a pair space since an ISO time."""
        params = {"since": since} if since else None
        found = await self._request("GET", f"/spaces/{space.id}/activity", params=params)
        counts = {str(k): int(v) for k, v in found.get("messages_by_member", {}).items()}
        return Activity(counts, found.get("last_message_at"))

    # --- HTTP -------------------------------------------------------------------------

    async def _once(self, collection: str, key: str, body: Json, check: bool) -> Json:
        """Make *key*'s record in *collection*; when *check*, return the one it has instead."""
        if check:
            found = await self._request("GET", collection, params={"key": key})
            if found["items"]:
                earlier: Json = found["items"][0]
                return earlier
        return await self._request("POST", collection, json={**body, "key": key})

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Json | None = None,
    ) -> Json:
        await self._pacer.wait()
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        self.requests += 1
        what = f"{method} {path}"
        try:
            async with self._session.request(
                method, self._base + path, params=params, json=json
            ) as response:
                if response.status == 429:
                    self.rate_limited += 1
                    wait = await _retry_after(response)
                    self._pacer.pause(wait)
                    raise DeliveryFailed(
                        f"{what}: rate limited for {wait:g}s", permanent=False, retry_after=wait
                    )
                if response.status >= 400:
                    error = await _error_text(response)
                    # 4xx will not change by asking again; 5xx may.
                    raise DeliveryFailed(
                        f"{what}: {response.status} {error}", permanent=response.status < 500
                    )
                data: Json = await response.json()
                return data
        except (aiohttp.ClientError, TimeoutError) as exc:
            # The request may or may not have reached the platform: the repeat checks first.
            raise DeliveryFailed(f"{what}: {type(exc).__name__}: {exc}", permanent=False) from exc


async def _retry_after(response: aiohttp.ClientResponse) -> float:
    header = response.headers.get("Retry-After")
    try:
        if header is not None:
            return max(0.0, float(header))
        body = await response.json()
        return max(0.0, float(body["retry_after"]))
    except (ValueError, KeyError, TypeError, aiohttp.ContentTypeError):
        return DEFAULT_RETRY_AFTER


async def _error_text(response: aiohttp.ClientResponse) -> str:
    try:
        body = await response.json()
        return str(body.get("error", body))
    except (ValueError, aiohttp.ContentTypeError):
        return (await response.text())[:200]
