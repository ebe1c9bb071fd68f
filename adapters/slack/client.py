"""Build the AsyncWebClient every Slack call of penpals goes through.

Two kinds of failure are retried by the client itself, and only where repeating
cannot do anything twice:

- a 429: Slack did not carry out the call, so any method waits out Retry-After
  and tries again;
- a dropped connection: Slack may have carried out the call before the
  connection broke. Only methods that read (READ_ONLY) are sent again. A post,
  a channel creation, an invitation... fail instead, and the caller's own
  check-before-repeat decides: SlackPlatform marks the key uncertain, and its next
  attempt looks for the message's key (conversations.history) or the channel
  (name_taken, then the bot's own channel) before doing anything again.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

DEFAULT_API_URL = "https://slack.com/api/"
RATE_LIMIT_RETRIES = 2
# Methods that change nothing on Slack's side: sending one again after a dropped
# connection is harmless. Every other method is left to the caller's check.
READ_ONLY = frozenset(
    {
        "auth.test",
        "chat.getPermalink",
        "conversations.history",
        "conversations.info",
        "conversations.list",
        "conversations.members",
        "usergroups.users.list",
        "users.info",
    }
)


def method_of(url: str) -> str:
    """Return the Web API method a request URL calls ("chat.postMessage")."""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


class ReadOnlyConnectionRetryHandler(AsyncConnectionErrorRetryHandler):
    """Retry a dropped connection only for methods that change nothing."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if method_of(request.url) not in READ_ONLY:
            return False
        return await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )


def make_client(
    token: str | None, *, base_url: str = DEFAULT_API_URL, timeout: int = 30
) -> AsyncWebClient:
    """Return a client that waits out 429s and retries dropped connections of reads only."""
    return AsyncWebClient(
        token=token,
        # The SDK joins base_url and the method name as strings: it needs the slash.
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timeout=timeout,
        retry_handlers=[
            ReadOnlyConnectionRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )
