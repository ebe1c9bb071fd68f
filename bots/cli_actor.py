"""Who runs a changing `penpals` command, for the audit log (core.audit).

Commands that decide, edit or publish take `--actor NAME` (or PENPALS_ACTOR); without
it the actor is the operating system's user name, as `getpass.getuser()` gives it.
"""

from __future__ import annotations

import getpass
import inspect
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Annotated, Any, TypeVar

import typer

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
    signature = inspect.signature(command, eval_str=True)
    if "actor_name" in signature.parameters:
        return command
    option = inspect.Parameter(
        "actor_name",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            str | None, typer.Option("--actor", envvar="PENPALS_ACTOR", help=ACTOR_HELP)
        ],
    )

    def with_actor(*args: Any, actor_name: str | None = None, **kwargs: Any) -> T:
        token = chosen_actor.set(actor_name)
        try:
            return command(*args, **kwargs)
        finally:
            chosen_actor.reset(token)

    params = [*signature.parameters.values(), option]
    with_actor.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    with_actor.__annotations__ = {p.name: p.annotation for p in params}
    with_actor.__name__ = command.__name__
    with_actor.__doc__ = command.__doc__
    return with_actor
