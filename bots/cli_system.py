"""`penpals db`, `penpals run` and `penpals discord`: the schema, serving, command sync."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bots.cli_common import (
    err,
    fail,
    out,
    run,
    settings,
)
from core.errors import InvalidValue

if TYPE_CHECKING:
    # Imported by the commands that use them: `penpals --help` and the commands that
    # only read the database start without the matcher (numpy), SQLAlchemy's whole
    # ORM or the platforms' libraries.
    pass


db_app = typer.Typer(help="Create and upgrade the database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Apply the migrations (creates the database on first use)."""
    from sqlalchemy.exc import SQLAlchemyError

    from adapters.storage.migrate import upgrade

    url = settings().database_url
    try:
        upgrade(url, revision)
    except InvalidValue as exc:
        raise fail(str(exc), 2) from None
    except (SQLAlchemyError, OSError) as exc:
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise fail(
            f"could not upgrade the database ({detail}): check PENPALS_DATABASE_URL"
        ) from None
    out.print(f"Database is at revision {run(_revision(url))}.")


@db_app.command("current")
def db_current() -> None:
    """Show the schema revision of the database."""
    now = run(_revision(settings().database_url))
    out.print(now or "empty (run `penpals db upgrade`)")


async def _revision(url: str) -> str | None:
    from adapters.storage.engine import create_engine
    from adapters.storage.migrate import current_revision

    engine = create_engine(url)
    try:
        return await current_revision(engine)
    finally:
        await engine.dispose()


run_app = typer.Typer(help="Run the bot on Discord, Slack or both.", no_args_is_help=True)


discord_app = typer.Typer(help="Discord maintenance.", no_args_is_help=True)


def _serve(which: str) -> None:
    from bots import runner

    try:
        run(runner.run(settings(), which))
    except KeyboardInterrupt:
        err.print("Stopped.")


@run_app.command("discord")
def run_discord() -> None:
    """Run the Discord bot (DISCORD_TOKEN)."""
    _serve("discord")


@run_app.command("slack")
def run_slack() -> None:
    """Run the Slack app (SLACK_BOT_TOKEN; SLACK_APP_TOKEN or SLACK_SIGNING_SECRET)."""
    _serve("slack")


@run_app.command("all")
def run_all() -> None:
    """Run every configured platform in one process."""
    _serve("all")


@discord_app.command("sync")
def discord_sync() -> None:
    """Register the slash commands with Discord (do this after an upgrade, not every start)."""
    from bots import runner

    cfg = settings()
    problem = runner.missing(cfg, "discord")
    if problem:
        raise fail(problem)
    from bots.discord_main import sync_commands

    count = run(sync_commands(cfg))
    out.print(f"Synced {count} application commands with Discord.")
