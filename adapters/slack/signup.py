"""The signup rush: the modal opens first, a submission is acknowledged before it is written.

When a round opens, hundreds of members run `/penpals signup` within minutes.
Slack's trigger_id is good for three seconds, and a view_submission must be
answered within three seconds too, while the database may be busy:

- `/penpals signup` acknowledges the command and calls views.open with a small
  "loading" modal before any database work, then checks the member may apply,
  reads their language and name (one users.info, cached: texts.Locales) and
  replaces the modal with the form (views.update) or with the reason they cannot
  apply;
- a submission is validated (the form's limits, core.rounds.profiles) and answered at
  once: field errors, or a "saving" notice. The application is written after
  that, retried a few times if the database is busy; the notice then becomes the
  thanks, and a refusal or a failure is also sent to the member by direct
  message, so no application is lost without the member hearing of it.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import views
from adapters.slack.failures import error_code
from adapters.slack.texts import Locales, member_language, sentence, translation
from core.communities import practices as program
from core.errors import PenpalsError
from core.model import Community, MemberRef, Platform, Profile
from core.rounds.profiles import ProfileInvalid, build_profile

if TYPE_CHECKING:
    from adapters.slack.services import Services

log = logging.getLogger("penpals.slack")

Ack = Callable[..., Awaitable[Any]]
Json = dict[str, Any]
# Jobs after an acknowledgement run this many at a time (see Backlog).
FILLERS = 32
WRITERS = 8
WRITE_TRIES = 4
WRITE_BACKOFF = 0.25  # seconds, doubled after each busy attempt


def loading_view() -> Json:
    """Return the modal shown while penpals prepares the form (no words: no language yet)."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "penpals"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": ":hourglass_flowing_sand:"}}
        ],
    }


class Backlog:
    """Run acknowledged work a few jobs at a time, in arrival order.

    Under a rush, hundreds of writes started at once would share the event loop
    with the requests still waiting for their three-second answer; SQLite takes
    one writer at a time anyway. A few workers drain the backlog instead, and stop
    when it is empty (no task outlives the work).
    """

    def __init__(self, workers: int) -> None:
        self._jobs: collections.deque[Coroutine[Any, Any, None]] = collections.deque()
        self._workers = workers
        self._running = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, job: Coroutine[Any, Any, None]) -> None:
        """Queue *job*; start a worker if fewer than the limit are running."""
        self._jobs.append(job)
        if self._running < self._workers:
            self._running += 1
            task = asyncio.create_task(self._work())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _work(self) -> None:
        try:
            while self._jobs:
                job = self._jobs.popleft()
                try:
                    await job
                except Exception:  # each job reports its own failures; never stop the rest
                    log.exception("a signup job failed")
        finally:
            self._running -= 1


class Signup:
    """`/penpals signup` and the signup modal's submission."""

    def __init__(self, *, services: Services, client: AsyncWebClient, locales: Locales) -> None:
        self._s = services
        self._client = client
        self._locales = locales
        # Filling a form waits mostly on Slack (users.info, views.update): more at once.
        self._fills = Backlog(FILLERS)
        self._writes = Backlog(WRITERS)

    # --- /penpals signup --------------------------------------------------------------

    async def open(self, ack: Ack, body: Json, respond: Ack) -> None:
        """Acknowledge, open the modal at once, then fill it in (or say why not).

        The trigger_id stays good for three seconds after the member's command,
        whether or not the command was acknowledged: acknowledging first answers
        Slack at once, and views.open follows with no database work in between.
        """
        user_id = str(body["user_id"])
        await ack()
        try:
            opened = await self._client.views_open(
                trigger_id=body.get("trigger_id", ""), view=loading_view()
            )
        except SlackApiError as exc:
            log.warning("views.open refused for %s: %s", user_id, error_code(exc))
            lang = await self._language(body, user_id)
            _ = translation(lang)
            text = _(
                "Slack did not let penpals open the form in time: run `/penpals signup` again."
            )
            await respond(response_type="ephemeral", text=text)
            return
        await self._fills.run(self._fill(body, user_id, opened["view"]))

    async def _fill(self, body: Json, user_id: str, shown: Json) -> None:
        """Put the form (or why the member cannot apply) into the opened modal."""
        try:
            view = await self._form(body, user_id)
        except Exception:
            log.exception("could not prepare the signup form of %s", user_id)
            view = views.notice_view("penpals", FAILED)
        try:
            await self._client.views_update(view_id=shown["id"], hash=shown.get("hash"), view=view)
        except SlackApiError as exc:  # the member closed the modal meanwhile
            log.info("signup modal of %s not updated: %s", user_id, error_code(exc))

    async def _form(self, body: Json, user_id: str) -> Json:
        """Return the signup form for the member, or a notice saying why they cannot apply."""
        community = await self._community(body.get("team_id", ""), body.get("team_domain", ""))
        member = MemberRef(Platform.SLACK, user_id)
        user = await self._locales.user(user_id)
        locale = user.get("locale")
        lang = await member_language(self._s, community, member, str(locale) if locale else None)
        try:
            start = await self._s.applications.start_signup(community, member)
        except PenpalsError as exc:
            return views.notice_view("penpals", sentence(exc.localized(lang)), lang=lang)
        shown = user.get("profile")
        names = shown if isinstance(shown, dict) else {}
        return views.signup_view(
            round_name=start.round.name,
            profile=start.profile,
            default_name=str(names.get("real_name") or user.get("real_name") or ""),
            rule=community.settings.pairing_rule,
            metadata=views.signup_metadata(
                channel=body.get("channel_id", ""), round_name=start.round.name, lang=lang
            ),
            lang=lang,
            commitment=program.commitment(community.settings.practices, lang=lang),
            contact=program.contact(community.settings.practices, lang=lang),
        )

    async def _language(self, body: Json, user_id: str) -> str:
        community = await self._community(body.get("team_id", ""), body.get("team_domain", ""))
        locale = await self._locales.of(user_id)
        return await member_language(self._s, community, MemberRef(Platform.SLACK, user_id), locale)

    # --- the submission ---------------------------------------------------------------

    async def submit(self, ack: Ack, body: Json, view: Json) -> None:
        """Validate, acknowledge, then write the application; tell the member the outcome."""
        values = view["state"]["values"]
        chosen = views.chosen_language(values)
        lang = chosen or views.metadata_lang(view)
        _ = translation(lang)
        too_long = views.over_limits(values, lang)
        if too_long:
            await ack(response_action="errors", errors=too_long)
            return
        try:
            profile = build_profile(**views.submitted(values))
        except ProfileInvalid as exc:
            await ack(response_action="errors", errors=views.field_errors(exc, values, lang))
            return
        round_name = _metadata_round(view)
        saving = _("Saving your application to round *{round}*…").format(round=round_name)
        await ack(response_action="update", view=views.notice_view(_("Saving"), saving, lang=lang))
        await self._writes.run(self._save(body, view, profile, chosen, lang))

    async def _save(
        self, body: Json, view: Json, profile: Profile, chosen: str | None, lang: str
    ) -> None:
        """Write an acknowledged application; show the outcome, and DM it when it failed."""
        _ = translation(lang)
        user_id = str(body["user"]["id"])
        team = body["team"]
        try:
            done = await self._write(team, user_id, profile, chosen)
        except PenpalsError as exc:
            why = sentence(exc.localized(lang))
            await self._show(view, views.notice_view(_("Not saved"), why, lang=lang))
            await self._tell(
                user_id, _("Your application was not saved: {reason}").format(reason=why)
            )
            return
        except Exception:
            log.exception("the application of %s could not be written", user_id)
            text = _(
                "Your application could not be saved because of a problem on penpals' side. "
                "Please run `/penpals signup` again in a few minutes."
            )
            await self._show(view, views.notice_view(_("Not saved"), text, lang=lang))
            await self._tell(user_id, text)
            return
        if done.created:
            text = _(
                "Thank you, {name}! Your application to round *{round}* is in. Organisers "
                "review applications once they close, and penpals will tell you when pairs "
                "are announced. Run `/penpals signup` again to change it while applications "
                "are open."
            ).format(name=profile.name, round=done.round.name)
        else:
            text = _("Your application to round *{round}* is updated.").format(
                round=done.round.name
            )
        await self._show(view, views.notice_view(_("Application saved"), text, lang=lang))

    async def _write(self, team: Json, user_id: str, profile: Profile, chosen: str | None) -> Any:
        """Store the application, trying again a few times while the database is busy."""
        member = MemberRef(Platform.SLACK, user_id)
        wait = WRITE_BACKOFF
        for attempt in range(1, WRITE_TRIES + 1):
            try:
                community = await self._community(team["id"], team.get("domain", ""))
                return await self._s.applications.submit(
                    community, member, profile, language=chosen
                )
            except PenpalsError:
                raise
            except Exception as exc:
                if attempt == WRITE_TRIES or "locked" not in str(exc).lower():
                    raise
                log.warning("database busy storing %s's application (try %d)", user_id, attempt)
                await asyncio.sleep(wait)
                wait *= 2
        raise AssertionError("unreachable")

    async def _show(self, view: Json, notice: Json) -> None:
        """Replace the submitted modal's notice (the member may have closed it: fine)."""
        view_id = view.get("id")
        if not view_id:
            return
        try:
            await self._client.views_update(view_id=view_id, view=notice)
        except SlackApiError as exc:
            log.info("signup notice not updated: %s", error_code(exc))

    async def _tell(self, user_id: str, text: str) -> None:
        """Send the member a direct message; log when Slack will not deliver it."""
        try:
            opened = await self._client.conversations_open(users=user_id)
            await self._client.chat_postMessage(channel=opened["channel"]["id"], text=text)
        except SlackApiError as exc:
            log.error("could not tell %s about their application: %s", user_id, error_code(exc))

    async def _community(self, team_id: str, team_name: str) -> Community:
        return await self._s.communities.ensure(Platform.SLACK, team_id, team_name)


def _metadata_round(view: Json) -> str:
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return ""
    name = found.get("round") if isinstance(found, dict) else None
    return name if isinstance(name, str) else ""


FAILED = "Something went wrong on penpals' side: the details are in its log. Try again later."
