"""Slack distribution: penpals installed in many workspaces through Slack's OAuth flow.

With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set (and no SLACK_BOT_TOKEN), the app
serves slack-bolt's OAuth flow: `GET /slack/install` starts it, Slack sends the
installer back to `GET /slack/oauth_redirect`, and bolt exchanges the code
(oauth.v2.access) and stores the workspace's bot token. Both stores are slack-sdk's
async SQLAlchemy ones, on penpals' own database (tables of migration 0008).

Every request is then authorised with the token of the workspace it comes from;
penpals' listeners use one WorkspaceClient whose token is that request's
(current_token, set by a middleware), and delivery uses WorkspacePlatforms: one
SlackPlatform per workspace, each with that workspace's token. When a workspace
uninstalls penpals (app_uninstalled) or revokes its tokens (tokens_revoked), bolt's
listeners delete its tokens: its requests are answered with UNINSTALLED, its
outbox actions are held (workspaces.py), and its community, rounds and members stay
until it is installed again or an organiser deletes them (`penpals community
delete`). Tokens are never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import yaml
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.client import DEFAULT_API_URL, make_client

log = logging.getLogger("penpals.slack.install")

MANIFEST = Path(__file__).resolve().parents[2] / "slack-manifest.yaml"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # an installer has ten minutes between /slack/install and the redirect
# What someone of a workspace that uninstalled penpals (or revoked its tokens) is told.
UNINSTALLED = (
    "penpals is no longer installed in this workspace (it was removed or its access "
    "revoked), so it does nothing here. Its rounds and members are kept: install it again "
    "to carry on, or ask whoever runs penpals to delete this community's data."
)

# The bot token of the workspace whose request (or delivery) is being served.
current_token: ContextVar[str | None] = ContextVar("slack_workspace_token", default=None)


class WorkspaceClient(AsyncWebClient):
    """An AsyncWebClient whose token is the workspace's being served (current_token)."""

    @property  # type: ignore[override]
    def token(self) -> str | None:
        return current_token.get() or self._fixed_token

    @token.setter
    def token(self, value: str | None) -> None:
        self._fixed_token = value


def workspace_client(base_url: str = DEFAULT_API_URL) -> WorkspaceClient:
    """Return a WorkspaceClient retrying as make_client's does (adapters/slack/client.py)."""
    like = make_client(None, base_url=base_url)
    return WorkspaceClient(
        token=None,
        base_url=like.base_url,
        timeout=like.timeout,
        retry_handlers=like.retry_handlers,
    )


def manifest_scopes(path: Path = MANIFEST) -> list[str]:
    """Return the bot scopes slack-manifest.yaml asks for (SLACK_SCOPES's default)."""
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(manifest["oauth_config"]["scopes"]["bot"])


def stores(
    client_id: str, engine: AsyncEngine
) -> tuple[AsyncSQLAlchemyInstallationStore, AsyncSQLAlchemyOAuthStateStore]:
    """Return the installation and OAuth state stores on penpals' database."""
    return (
        AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=log),
        AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine, logger=log),
    )


def oauth_settings(
    *,
    client_id: str,
    client_secret: str,
    engine: AsyncEngine,
    scopes: Sequence[str] | None = None,
    redirect_uri: str | None = None,
) -> AsyncOAuthSettings:
    """Return bolt's OAuth settings: /slack/install, /slack/oauth_redirect, stores in the DB."""
    installations, states = stores(client_id, engine)
    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(scopes or manifest_scopes()),
        redirect_uri=redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installations,
        installation_store_bot_only=True,
        state_store=states,
        state_expiration_seconds=STATE_SECONDS,
        logger=log,
    )


async def use_workspace_token(context: dict[str, Any], next: Callable[[], Awaitable[Any]]) -> Any:
    """Serve the request with its workspace's token (the listeners' WorkspaceClient).

    Not reset afterwards: bolt runs the listener after this middleware returns, in
    the same task, and each HTTP request has its own task (and so its own value).
    """
    current_token.set(context.get("bot_token"))
    return await next()


def distribute(app: AsyncApp) -> None:
    """Add the token middleware and bolt's uninstall listeners to a distributed app."""
    app.use(use_workspace_token)
    # Tokens are never logged: aiosqlite's DEBUG lines carry each statement's parameters
    # (the tokens stored), slack_sdk's carry oauth.v2.access's answer (the token issued).
    for name in ("aiosqlite", "slack_sdk.web"):
        quiet = logging.getLogger(name)
        quiet.setLevel(max(quiet.getEffectiveLevel(), logging.INFO))
    # app_uninstalled and tokens_revoked delete the workspace's tokens from the store;
    # its community and everything in it stay.
    app.enable_token_revocation_listeners()


class WorkspaceTokens:
    """The bot token of each installed workspace, read from the installation store."""

    def __init__(self, store: AsyncSQLAlchemyInstallationStore) -> None:
        self._store = store

    async def token(self, team_id: str) -> str | None:
        """Return the workspace's bot token, or None when penpals is not installed there."""
        row = await self._bot(team_id)
        return None if row is None else row[0]

    async def enterprise(self, team_id: str) -> str | None:
        """Return the Enterprise Grid org the installed workspace belongs to, if any."""
        row = await self._bot(team_id)
        return None if row is None else row[1]

    async def _bot(self, team_id: str) -> tuple[str, str | None] | None:
        """Return the latest bot token and enterprise id installed for *team_id*.

        By team id alone: slack-sdk's async_find_bot also matches the enterprise id,
        and a workspace of an Enterprise Grid org is stored with its org's id.
        """
        from sqlalchemy import desc, select

        c = self._store.bots.c
        query = (
            select(c.bot_token, c.enterprise_id)
            .where(
                c.client_id == self._store.client_id,
                c.team_id == team_id,
                c.bot_token.is_not(None),
            )
            .order_by(desc(c.installed_at))
            .limit(1)
        )
        async with self._store.engine.connect() as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else (str(row[0]), row[1])

    async def teams(self) -> list[str]:
        """Return the workspaces penpals is installed in."""
        from sqlalchemy import select

        c = self._store.bots.c
        query = (
            select(c.team_id)
            .where(c.client_id == self._store.client_id, c.bot_token.is_not(None))
            .distinct()
        )
        async with self._store.engine.connect() as connection:
            return [row[0] for row in await connection.execute(query) if row[0]]
