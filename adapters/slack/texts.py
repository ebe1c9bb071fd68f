"""Which language a member reads, and the adapter's own texts (gettext domain "slack").

A member's language is their stored choice, else their Slack locale (users.info with
include_locale), else the community's default: the core decides
(ApplicationService.language); this module only asks Slack for the locale and keeps
it for a few minutes, so a burst of commands and buttons costs one users.info call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from core.messages import i18n
from core.model import Community, MemberRef

if TYPE_CHECKING:
    from adapters.slack.services import Services

DOMAIN = "slack"
LOCALE_TTL = 300.0  # seconds a user's Slack locale is trusted before asking again
# The languages a member can choose in the signup modal, each named in itself.
LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}

Translate = Callable[[str], str]


def translation(lang: str) -> Translate:
    """Return the gettext function of the "slack" domain for *lang*."""
    return i18n.translator(lang, DOMAIN).gettext


def sentence(text: str) -> str:
    """Return *text* as a sentence: capital first, full stop last."""
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def date_long(when: Any, lang: str) -> str:
    """Return a date spelt out in *lang* ("Friday, October 1, 2027", "vendredi 1 octobre 2027")."""
    return str(format_date(when, format="full", locale=lang))


class Locales:
    """Slack users (users.info with include_locale), kept for LOCALE_TTL.

    One users.info answers both "which locale" and "which name": a burst of
    commands and buttons from one member costs one call every few minutes.
    """

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        ttl: float = LOCALE_TTL,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._now = now
        self._known: dict[str, tuple[float, dict[str, Any]]] = {}

    async def user(self, user_id: str) -> dict[str, Any]:
        """Return Slack's user object for *user_id* (empty when Slack will not say)."""
        seen = self._known.get(user_id)
        if seen is not None and seen[0] > self._now():
            return seen[1]
        try:
            found = await self._client.users_info(user=user_id, include_locale=True)
        except SlackApiError:
            return {}  # not cached: the next request asks again
        user = found.get("user")
        value = dict(user) if isinstance(user, dict) else {}
        if len(self._known) > 10_000:  # a workspace's worth; forget the lot rather than grow
            self._known.clear()
        self._known[user_id] = (self._now() + self._ttl, value)
        return value

    async def of(self, user_id: str) -> str | None:
        """Return *user_id*'s Slack locale, or None when Slack will not say."""
        locale = (await self.user(user_id)).get("locale")
        return str(locale) if locale else None


async def member_language(
    services: Services, community: Community, member: MemberRef, locale: str | None
) -> str:
    """Return the language to speak to *member* in (stored choice, Slack locale, default)."""
    return await services.applications.language(community, member, locale=locale)
