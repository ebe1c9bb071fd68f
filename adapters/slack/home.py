"""The App Home tab: the organiser's review screen; a member's own application status.

On app_home_opened (the Home tab) and after every press on it, the person's Home is
published with views.publish. Organisers (access.check_organiser) get the review
screen of home_blocks.py; anyone else gets where their own application stands and
never anyone else's data. A press from someone who is not an organiser changes
nothing: their Home is published again with the refusal. The keeping of place
(round, filter, page) is the view's private_metadata, checked to be this
community's (console_review.read_state), so a view from another workspace is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import access, console_review, home_blocks
from adapters.slack.console_matching import actor
from adapters.slack.failures import error_code
from adapters.slack.home_blocks import DONE, VERBS, Screen
from adapters.slack.render import escape
from adapters.slack.review import decided_text
from adapters.slack.round_texts import profile_text
from adapters.slack.texts import Locales, member_language, sentence
from core.errors import NotAllowed, NotFound, PenpalsError
from core.model import ApplicationStatus, Community, MemberRef, Platform
from core.rounds.review import PAGE_DEFAULT, ReviewFilter, page_of
from core.rounds.service import RoundStatus

if TYPE_CHECKING:
    from adapters.slack.services import Services

log = logging.getLogger(__name__)

Json = dict[str, Any]
Ack = Callable[..., Awaitable[Any]]
PREFIX = home_blocks.PREFIX
EVENT = "app_home_opened"
PAGE = PAGE_DEFAULT  # ten a page


class Place:
    """Where an organiser is on their Home: the round, the filter and the first row shown."""

    def __init__(self, round_name: str = "", found: ReviewFilter | None = None, offset: int = 0):
        self.round_name = round_name
        self.found = found or ReviewFilter()
        self.offset = max(0, offset)

    @classmethod
    def read(cls, view: Json | None, community: Community) -> Place:
        """Return the place kept in a Home view (a fresh one when there is none)."""
        metadata = str((view or {}).get("private_metadata") or "")
        if not metadata:
            return cls()
        name, found, offset, _ = console_review.read_state(metadata, community)
        return cls(name, found, offset)


class HomeTab:
    """Publish Home tabs and apply the presses made on an organiser's."""

    def __init__(self, services: Services, client: AsyncWebClient, locales: Locales) -> None:
        self._s = services
        self._client = client
        self._locales = locales

    # --- listeners --------------------------------------------------------------------

    async def on_opened(self, event: Json, body: Json) -> None:
        """Publish the Home of whoever opened it (the Messages tab needs nothing)."""
        if event.get("tab", "home") != "home":
            return
        community = await self._community(body.get("team_id", ""), "")
        user_id = str(event.get("user", ""))
        try:
            place = Place.read(event.get("view"), community)
        except PenpalsError:
            place = Place()
        await self.publish(community, user_id, place)

    async def on_action(self, ack: Ack, body: Json, action: Json) -> None:
        """Apply a press on the Home tab, then publish the Home again."""
        await ack()
        team = body.get("team") or {}
        community = await self._community(team.get("id", ""), team.get("domain", ""))
        user_id = str(body["user"]["id"])
        try:
            await access.check_organiser(self._client, community, user_id)
        except NotAllowed as exc:
            await self._publish(user_id, await self._member_view(community, user_id, exc))
            return
        try:
            place = Place.read(body.get("view"), community)
        except PenpalsError as exc:
            place, note = Place(), escape(sentence(str(exc)))
        else:
            try:
                note = await self._apply(community, user_id, place, action)
            except PenpalsError as exc:
                note = escape(sentence(str(exc)))
            except ValueError:
                note = "That button is not one penpals made: nothing was changed."
        await self._publish(user_id, await self._organiser_view(community, place, note))

    # --- publishing -------------------------------------------------------------------

    async def publish(self, community: Community, user_id: str, place: Place | None = None) -> None:
        """Publish *user_id*'s Home: the review screen for organisers, their status otherwise."""
        try:
            await access.check_organiser(self._client, community, user_id)
        except NotAllowed:
            view = await self._member_view(community, user_id)
        else:
            view = await self._organiser_view(community, place or Place())
        await self._publish(user_id, view)

    async def _publish(self, user_id: str, view: Json) -> None:
        try:
            await self._client.views_publish(user_id=user_id, view=view)
        except SlackApiError as exc:  # the Home stays as it was; nothing else depends on it
            log.warning("Slack refused to publish a Home tab: %s", error_code(exc))

    async def _member_view(
        self, community: Community, user_id: str, refused: PenpalsError | None = None
    ) -> Json:
        member = MemberRef(Platform.SLACK, user_id)
        lang = await member_language(self._s, community, member, await self._locales.of(user_id))
        try:
            text = profile_text(await self._s.applications.mine(community, member), lang)
        except NotFound as exc:
            text = sentence(exc.localized(lang))
        if refused is not None:
            text = sentence(refused.localized(lang)) + "\n\n" + text
        return home_blocks.member_view(text)

    async def _organiser_view(self, community: Community, place: Place, note: str = "") -> Json:
        rounds = await self._s.rounds.list(community.id)
        chosen = _chosen(rounds, place.round_name)
        if chosen is None:
            screen = Screen(community, rounds, None, place.found, None, (), {}, note)
            return home_blocks.organiser_view(screen)
        apps = await self._s.applications.list(community.id, chosen.round.name)
        found = place.found if chosen.round.name == place.round_name else ReviewFilter()
        total = sum(found.matches(a) for a in apps)
        offset = place.offset if place.offset < total else ((max(total, 1) - 1) // PAGE) * PAGE
        page = page_of(apps, found, offset=offset - offset % PAGE, limit=PAGE)
        to_change = {
            verb: sum(
                found.matches(a) and a.status not in (ApplicationStatus.WITHDRAWN, status)
                for a in apps
            )
            for verb, status in VERBS.items()
        }
        countries = sorted({a.profile.country.upper() for a in apps})
        screen = Screen(community, rounds, chosen, found, page, countries, to_change, note)
        return home_blocks.organiser_view(screen)

    # --- presses ----------------------------------------------------------------------

    async def _apply(self, community: Community, user_id: str, place: Place, action: Json) -> str:
        """Change *place* as the press asks (or decide); return what to say on the Home."""
        action_id = str(action.get("action_id", ""))
        chosen = str((action.get("selected_option") or {}).get("value", ""))
        if action_id == home_blocks.ROUND:
            place.round_name, place.found, place.offset = chosen, ReviewFilter(), 0
        elif action_id in home_blocks.FILTERS:
            values = () if chosen in ("", home_blocks.ANY) else (chosen,)
            place.found, place.offset = _narrowed(place.found, action_id, values), 0
        elif action_id == home_blocks.SEARCH:
            place.found = replace(place.found, name=str(action.get("value") or "").strip())
            place.offset = 0
        elif action_id == home_blocks.CLEAR:
            place.found, place.offset = ReviewFilter(), 0
        elif action_id.startswith(home_blocks.PAGE_TO):
            value = chosen or str(action.get("value", "0"))
            place.offset = int(value) if value.isdigit() else 0
        elif action_id.startswith(home_blocks.ONE):
            verb, _, external_id = action_id.removeprefix(home_blocks.ONE).partition(":")
            return await self._decide(community, user_id, place, verb, external_id=external_id)
        elif action_id.startswith(home_blocks.BULK):
            verb = action_id.removeprefix(home_blocks.BULK)
            value = str(action.get("value", ""))
            expected = int(value) if value.isdigit() else -1
            return await self._decide(community, user_id, place, verb, expected=expected)
        return ""

    async def _decide(
        self,
        community: Community,
        user_id: str,
        place: Place,
        verb: str,
        *,
        external_id: str = "",
        expected: int = -1,
    ) -> str:
        if verb not in VERBS or not place.round_name:
            return "That button is not one penpals made: nothing was changed."
        decision = VERBS[verb]
        if external_id:
            done = await self._s.applications.decide(
                community.id, place.round_name, decision, [external_id], actor=actor(user_id)
            )
            self._s.wake(None)
            return decided_text(decision, done)
        done = await self._s.applications.decide(
            community.id,
            place.round_name,
            decision,
            matching=place.found,
            expected=expected,
            actor=actor(user_id),
        )
        self._s.wake(None)
        matching = escape(place.found.describe())
        return f"{DONE[verb]} {len(done.changed)} application(s) matching {matching}."

    async def _community(self, team_id: str, team_name: str) -> Community:
        return await self._s.communities.ensure(Platform.SLACK, team_id, team_name)


def _chosen(rounds: list[RoundStatus], name: str) -> RoundStatus | None:
    """Return the round named *name*, else the newest open or closed one, else the newest."""
    named = [s for s in rounds if s.round.name == name]
    live = [s for s in rounds if s.round.state in home_blocks.DECIDABLE[1:]]
    found = named or live or rounds
    return found[0] if found else None


def _narrowed(found: ReviewFilter, action_id: str, values: tuple[str, ...]) -> ReviewFilter:
    """Return *found* with the criterion of the menu *action_id* set to *values*."""
    field = home_blocks.FILTERS[action_id]
    if field == "statuses":
        return replace(found, statuses=tuple(ApplicationStatus(v) for v in values))
    if field == "countries":
        return replace(found, countries=values)
    if field == "sectors":
        return replace(found, sectors=values)
    return replace(found, career_stages=values)
