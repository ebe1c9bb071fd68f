"""The one settings model of penpals, read from the environment (and a .env file).

Everything is prefixed PENPALS_ except the platforms' own secrets, which keep the
names their documentation uses (DISCORD_TOKEN, SLACK_BOT_TOKEN...).
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bots.cli_settings import DEFAULT_COMMUNITY, DEFAULT_DATABASE_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PENPALS_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # Settings(slack_bot_token=...) in code, DISCORD_TOKEN in the environment.
        populate_by_name=True,
    )

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; SQLite by default, postgresql+asyncpg://... in production",
    )
    community: str = Field(
        default=DEFAULT_COMMUNITY,
        description="PLATFORM:ID of the community the CLI works on",
    )
    log_level: str = "INFO"
    # One in flight keeps a platform's Retry-After honoured to the letter; 4 gains
    # headroom on a busy machine (benchmarks/bench_fanout.py --concurrency).
    delivery_concurrency: int = Field(
        default=1,
        ge=1,
        le=32,
        description="platform actions in flight at once per platform (each key still once)",
    )

    discord_token: str | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "PENPALS_DISCORD_TOKEN")
    )
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str | None = None

    slack_bot_token: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "PENPALS_SLACK_BOT_TOKEN")
    )
    slack_app_token: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "PENPALS_SLACK_APP_TOKEN")
    )
    slack_signing_secret: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "PENPALS_SLACK_SIGNING_SECRET"),
    )
    # Slack distribution (OAuth install into many workspaces): set these instead of
    # SLACK_BOT_TOKEN. SLACK_SCOPES defaults to the bot scopes of slack-manifest.yaml.
    slack_client_id: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_CLIENT_ID", "PENPALS_SLACK_CLIENT_ID")
    )
    slack_client_secret: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_CLIENT_SECRET", "PENPALS_SLACK_CLIENT_SECRET"),
    )
    slack_scopes: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_SCOPES", "PENPALS_SLACK_SCOPES"),
        description="comma-separated bot scopes asked at install (default: the manifest's)",
    )
    slack_redirect_uri: str | None = Field(
        default=None, description="https://.../slack/oauth_redirect, if Slack must be told"
    )
    slack_api_url: str = "https://slack.com/api/"
    slack_host: str = Field(
        default="0.0.0.0", description="address the Slack HTTP server listens on"
    )
    slack_port: int = 3000
    # Seconds between two calls in one workspace; Slack's Tier 2 is 20 a minute. Tests
    # and test workspaces shorten them (a round of 500 pairs takes 25 minutes at 3 s).
    slack_create_interval: float = Field(
        default=3.0, ge=0, description="seconds between conversations.create calls"
    )
    slack_purpose_interval: float = Field(
        default=3.0, ge=0, description="seconds between conversations.setPurpose calls"
    )
    health_host: str = Field(default="127.0.0.1", description="address of the /healthz server")
    health_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="port of a /healthz server when no Slack HTTP server carries it",
    )

    @property
    def slack_distributed(self) -> bool:
        """Whether Slack is installed through OAuth (client id and secret, no bot token)."""
        return bool(self.slack_client_id and self.slack_client_secret and not self.slack_bot_token)

    @property
    def slack_scope_list(self) -> list[str] | None:
        """The bot scopes of SLACK_SCOPES, or None for the manifest's."""
        if not self.slack_scopes:
            return None
        return [s.strip() for s in self.slack_scopes.split(",") if s.strip()]
