"""Build penpals' slack-bolt AsyncApp: /penpals, the signup and survey modals, buttons.

Handlers translate a Slack payload into a call of one core service and render the
result. Slack wants an answer within 3 seconds: a command whose work takes longer
is acknowledged with "working on it" and answered through its response_url.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import (
    console_files,
    console_review,
    console_topic_form,
    engagement,
    goals,
    home,
    install,
    privacy,
    signup,
    surveys,
    views,
)
from adapters.slack.client import make_client
from adapters.slack.commands import Caller, Commands, Reply
from adapters.slack.failures import error_code
from adapters.slack.identity import Membership, TokenOrg
from adapters.slack.pacing import Limits
from adapters.slack.replay import ReplayGuard
from adapters.slack.review import PREFIX as REVIEW_PREFIX
from adapters.slack.texts import Locales, sentence
from core.errors import PenpalsError
from core.model import Community, Platform

if TYPE_CHECKING:
    from adapters.slack.services import Services, Settings

log = logging.getLogger("penpals.slack")

COMMAND = "/penpals"
SIGNUP_WORDS = frozenset({"signup", "apply"})
ANSWER_BUDGET = 2.0  # seconds of work before acknowledging; Slack gives up at 3
FAILED = "Something went wrong on penpals' side: the details are in its log. Try again later."

Ack = Callable[..., Awaitable[Any]]


def build_app(
    settings: Settings,
    services: Services,
    *,
    client: AsyncWebClient | None = None,
    limits: Limits | None = None,
) -> AsyncApp:
    """Return the AsyncApp with every penpals listener registered.

    Distributed (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET): the OAuth flow, tokens per
    workspace from the database, uninstalls honoured (adapters/slack/install.py).
    """
    distributed = settings.slack_distributed
    if client is None:
        client = (
            install.workspace_client(settings.slack_api_url)
            if distributed
            else make_client(settings.slack_bot_token, base_url=settings.slack_api_url)
        )
    options: dict[str, Any] = {}
    if distributed:
        options["oauth_settings"] = install.oauth_settings(
            client_id=settings.slack_client_id or "",
            client_secret=settings.slack_client_secret or "",
            engine=services.engine,
            scopes=settings.slack_scope_list,
            redirect_uri=settings.slack_redirect_uri,
        )
        options["user_facing_authorize_error_message"] = install.UNINSTALLED
    app = AsyncApp(
        name="penpals",
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        before_authorize=ReplayGuard(),
        logger=log,
        **options,
    )
    if distributed:
        install.distribute(app)
    locales = Locales(client)
    handlers = Handlers(services=services, client=client, limits=limits, locales=locales)
    app.command(COMMAND)(handlers.on_command)
    app.options(re.compile(f"^({'|'.join(views.SEARCHABLE)})$"))(handlers.on_options)
    app.view(views.CALLBACK_ID)(handlers.on_signup)
    app.action(re.compile(f"^{REVIEW_PREFIX}"))(handlers.on_review)
    app.action(engagement.OFFER_ACTION)(engagement.offer_listener(services, locales))
    forget = privacy.listener(services, client, locales)
    for action_id in privacy.ACTIONS:
        app.action(action_id)(forget)
    membership = Membership(
        uow=services.uow,
        enterprise_of=(
            install.WorkspaceTokens(app.installation_store).enterprise  # type: ignore[arg-type]
            if distributed
            else TokenOrg(client)
        ),
    )
    answering = surveys.SurveyListeners(
        services=services, client=client, locales=locales, membership=membership
    )
    app.action(surveys.ACTION)(answering.on_open)
    app.view(surveys.CALLBACK_ID)(answering.on_submit)
    setting_goals = goals.GoalListeners(
        services=services, client=client, locales=locales, membership=membership
    )
    app.action(goals.ACTION)(setting_goals.on_open)
    app.view(goals.CALLBACK_ID)(setting_goals.on_submit)
    app.view(console_files.CALLBACK_ID)(console_files.listener(services))
    app.view(console_topic_form.CALLBACK_ID)(console_topic_form.listener(services))
    app.action(re.compile(f"^{console_review.PREFIX}"))(console_review.listener(services, client))
    home_tab = home.HomeTab(services, client, locales)  # the organiser's review screen
    app.event(home.EVENT)(home_tab.on_opened)
    app.action(re.compile(f"^{home.PREFIX}"))(home_tab.on_action)
    # Any other button of a core message is acknowledged so Slack shows no error.
    app.action(re.compile(".*"))(handlers.on_other_action)
    app.error(handlers.on_error)
    return app


@asynccontextmanager
async def connected(app: AsyncApp) -> AsyncIterator[None]:
    """Keep one pool of Web API connections open while serving; ask auth.test once first.

    slack_sdk opens (and closes) a new HTTP session for every call unless given one:
    under a signup rush that is a new TCP connection per views.open. And bolt's
    single-workspace authorization calls auth.test on the first request and keeps
    the answer, but requests arriving together before that answer all call it (500
    signups after a restart: 500 calls, and seconds lost while triggers expire).
    """
    client = app.client
    own = client.session is None
    if own:
        client.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=100),
            timeout=aiohttp.ClientTimeout(total=client.timeout),
        )
    try:
        for middleware in app._async_middleware_list:  # bolt offers no public hook for this
            primed = isinstance(middleware, AsyncSingleTeamAuthorization)
            if primed and middleware.auth_test_result is None:
                middleware.auth_test_result = await client.auth_test()
        yield
    finally:
        if own and client.session is not None:
            await client.session.close()
            client.session = None


class Handlers:
    """The listeners; one per kind of request Slack sends."""

    def __init__(
        self,
        *,
        services: Services,
        client: AsyncWebClient,
        limits: Limits | None = None,
        locales: Locales | None = None,
    ) -> None:
        self._services = services
        self._client = client
        self._locales = locales or Locales(client)
        self._commands = Commands(
            services=services, client=client, limits=limits, locales=self._locales
        )
        self._signup = signup.Signup(services=services, client=client, locales=self._locales)

    async def on_command(self, ack: Ack, body: dict[str, Any], respond: Ack) -> None:
        """Run a /penpals subcommand and answer only the person who ran it."""
        words = str(body.get("text", "")).split()
        if words and words[0].lower() in SIGNUP_WORDS:
            # The modal first: its trigger_id expires three seconds after the command.
            await self._signup.open(ack, body, respond)
            return

        async def work() -> Reply:
            community = await self._community(body.get("team_id", ""), body.get("team_domain", ""))
            caller = Caller(
                community,
                body["user_id"],
                channel_id=body.get("channel_id", ""),
                trigger_id=body.get("trigger_id", ""),
            )
            return await self._commands.run(caller, body.get("text", ""))

        await answer_in_time(ack, respond, work())

    async def on_options(self, ack: Ack, payload: dict[str, Any]) -> None:
        """Offer the countries, time zones or languages matching what the member typed."""
        lang = views.metadata_lang(payload.get("view") or {})
        await ack(options=views.options_for(payload["action_id"], payload.get("value", ""), lang))

    async def on_signup(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Validate the signup modal, acknowledge, then save the application (signup.py)."""
        await self._signup.submit(ack, body, view)

    async def on_review(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Ack
    ) -> None:
        """Approve, decline or waitlist from the review message, then refresh it."""
        await ack()
        community = await self._community(body["team"]["id"], body["team"].get("domain", ""))
        caller = Caller(community, body["user"]["id"])
        try:
            reply = await self._commands.decide(
                caller, action["action_id"], action.get("value", "")
            )
        except PenpalsError as exc:
            await respond(replace_original=False, **Reply(sentence(str(exc))).payload())
            return
        await respond(replace_original=True, **reply.payload())

    async def on_other_action(self, ack: Ack) -> None:
        """Acknowledge a button penpals has no listener for."""
        await ack()

    async def on_error(self, error: Exception, body: dict[str, Any]) -> None:
        """Log a listener's failure with what Slack sent (never the token)."""
        log.error(
            "Slack listener failed on a %s request", body.get("type") or "command", exc_info=error
        )

    async def _community(self, team_id: str, team_name: str) -> Community:
        return await self._services.communities.ensure(Platform.SLACK, team_id, team_name)


async def answer_in_time(
    ack: Ack, respond: Ack, work: Coroutine[Any, Any, Reply], *, budget: float = ANSWER_BUDGET
) -> None:
    """Acknowledge with *work*'s reply, or with "working on it" and respond once it is done."""
    task = asyncio.ensure_future(_safely(work))
    try:
        reply = await asyncio.wait_for(asyncio.shield(task), budget)
    except TimeoutError:
        await ack(**Reply("Working on it: the answer will appear here.").payload())
        late = (await task).payload()
        if late:
            await respond(**late)
        return
    await ack(**reply.payload())


async def _safely(work: Coroutine[Any, Any, Reply]) -> Reply:
    """Return *work*'s reply; a Slack refusal or a bug becomes a sentence for the person."""
    try:
        return await work
    except SlackApiError as exc:
        log.warning("Slack refused a call: %s", error_code(exc))
        return Reply(f"Slack refused that ({error_code(exc)}): try again in a moment.")
    except Exception:
        log.exception("a /penpals command failed")
        return Reply(FAILED)
