"""Who runs a changing `penpals` command, for the audit log (core.audit).

Commands that decide, edit or publish take `--actor NAME` (or PENPALS_ACTOR); without
it the actor is the operating system's user name, as `getpass.getuser()` gives it.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import TypeVar

import typer

from bots.cli_common import taking_option

T = TypeVar("T")
ACTOR_HELP = "Who is doing this, for the audit log (default: your user name on this computer)"
chosen_actor: ContextVar[str | None] = ContextVar("chosen_actor", default=None)


def current_actor() -> str:
    """Return --actor / PENPALS_ACTOR if given, else the OS user name."""
    given = (chosen_actor.get() or "").strip()
    if given:
        return given
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment nor the password database
        return "unknown OS user"


def offer_actor_option(group: typer.Typer, commands: Sequence[str]) -> None:
    """Give the commands of *group* named in *commands* an --actor option."""
    for info in group.registered_commands:
        name = info.name or (info.callback.__name__ if info.callback else "")
        if info.callback is not None and name in commands:
            info.callback = _taking_actor(info.callback)


def _taking_actor(command: Callable[..., T]) -> Callable[..., T]:
    option = typer.Option("--actor", envvar="PENPALS_ACTOR", help=ACTOR_HELP)
    return taking_option(command, "actor_name", option, chosen_actor)
