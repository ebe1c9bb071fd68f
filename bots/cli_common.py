"""Plumbing shared by the `penpals` commands: consoles, errors, dates, files.

Every user mistake ends in one sentence on stderr and a non-zero exit: 2 for bad
input (a file, a value, a date), 1 for a request the program's state refuses.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from core.communities.service import parse_ref
from core.errors import InvalidValue, NotFound, PenpalsError
from core.model import Community, CommunitySettings
from core.rounds import applicants_csv
from core.rounds.applicants_csv import CsvInvalid

if TYPE_CHECKING:
    from bots.bootstrap import Services
    from bots.cli_settings import DatabaseSettings
    from bots.settings import Settings

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)
T = TypeVar("T")


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"Error: {message}", markup=False)
    return typer.Exit(code)


def settings() -> Settings:
    """Return the settings from the environment, or fail with the first problem."""
    from pydantic import ValidationError

    from bots.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise fail(
            f"setting {where} is not valid ({first['msg']}): check the environment", 2
        ) from None


def database_settings() -> DatabaseSettings | Settings:
    """Return the database URL and community of the environment, as settings() would.

    Read directly when they are all that is set (bots/cli_settings.py): pydantic-settings
    takes longer to import than a read command takes to run.
    """
    from bots.cli_settings import quick_settings

    return quick_settings() or settings()


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one command's coroutine, turning every expected failure into one sentence."""
    try:
        return asyncio.run(_settled(coro))
    except CsvInvalid as exc:
        for problem in exc.problems:
            err.print(str(problem), markup=False)
        raise fail(str(exc), 2) from None
    except InvalidValue as exc:
        raise fail(str(exc), 2) from None
    except PenpalsError as exc:
        raise fail(str(exc), 1) from None
    except Exception as exc:
        if not _database_error(exc):
            raise
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise fail(
            f"the database could not be used ({detail}): check PENPALS_DATABASE_URL "
            "and that the server is running",
            1,
        ) from None


def _database_error(exc: BaseException) -> bool:
    """Tell whether *exc* is the database's (SQLAlchemy's errors, the OS's)."""
    if isinstance(exc, OSError):
        return True
    # Looked up, not imported: a command that never used SQLAlchemy raised none of its errors.
    sa_exc = sys.modules.get("sqlalchemy.exc")
    return sa_exc is not None and isinstance(exc, sa_exc.SQLAlchemyError)


async def _settled(coro: Coroutine[Any, Any, T]) -> T:
    """Await *coro*; on failure, let aiosqlite's worker threads finish before the loop closes.

    When SQLite cannot open a file, aiosqlite stops its worker thread without waiting;
    the thread then reports to the event loop, and if asyncio.run() has closed it by
    then, prints "Event loop is closed" with a traceback (in about half the runs).
    """
    try:
        return await coro
    except BaseException:
        workers = [
            t
            for t in threading.enumerate()
            if "_connection_worker_thread" in t.name and t is not threading.current_thread()
        ]
        deadline = time.monotonic() + 2
        for worker in workers:
            await asyncio.to_thread(worker.join, max(0.0, deadline - time.monotonic()))
        raise


async def _with_community(
    work: Callable[[Services, Community], Coroutine[Any, Any, T]],
    *,
    read_only: bool,
    quick: bool = False,
) -> T:
    cfg = database_settings()
    platform, external = parse_ref(chosen_community.get() or cfg.community)
    if quick:
        from bots.cli_quick import quick_read

        done, result = await quick_read(cfg.database_url, platform, external, work)
        if done:
            return cast(T, result)
    from bots.bootstrap import build

    if read_only:
        check_database_exists(cfg.database_url)
    async with build(cfg) as services:
        if not read_only:
            community = await services.communities.ensure(platform, external)
            return await work(services, community)
        try:
            community = await services.communities.get(platform, external)
        except NotFound:
            # Not stored yet: reading it finds nothing, and reading never creates it
            # (a `round list` on the demo's file must leave that file the demo's).
            community = Community(
                id=UNSAVED,
                platform=platform,
                external_id=external,
                name=external,
                settings=CommunitySettings(),
            )
        return await work(services, community)


# No row has this id: a community not stored yet has no rounds, topics or members.
UNSAVED = 0

# The --community of the command being run; None: PENPALS_COMMUNITY (settings).
chosen_community: ContextVar[str | None] = ContextVar("chosen_community", default=None)
COMMUNITY_HELP = (
    "PLATFORM:ID of the community to work on, e.g. slack:T0123ABCD or discord:81384788765712384 "
    "(`penpals community list` shows them)"
)


def offer_community_option(*groups: typer.Typer, commands: Sequence[str] = ()) -> None:
    """Give every command of *groups* (and the root commands named *commands*) --community.

    Each group is one typer.Typer; a root app passed in *groups* contributes only the
    commands named in *commands*. The option defaults to PENPALS_COMMUNITY.
    """
    for group in groups:
        for info in group.registered_commands:
            name = info.name or (info.callback.__name__ if info.callback else "")
            if info.callback is None or (commands and name not in commands):
                continue
            info.callback = _taking_community(info.callback)


def _taking_community(command: Callable[..., T]) -> Callable[..., T]:
    option = typer.Option("--community", envvar="PENPALS_COMMUNITY", help=COMMUNITY_HELP)
    return taking_option(command, "community_ref", option, chosen_community)


def taking_option(
    command: Callable[..., T], param: str, option: Any, var: ContextVar[str | None]
) -> Callable[..., T]:
    """Return *command* with one more keyword option *param*, its value set in *var*.

    Used for the options every command of a kind shares (--community, --actor): the
    command body reads the ContextVar instead of taking one more parameter.
    """
    signature = inspect.signature(command, eval_str=True)
    if param in signature.parameters:
        return command
    extra = inspect.Parameter(
        param,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[str | None, option],
    )

    def with_option(*args: Any, **kwargs: Any) -> T:
        token = var.set(kwargs.pop(param, None))
        try:
            return command(*args, **kwargs)
        finally:
            var.reset(token)

    params = [*signature.parameters.values(), extra]
    with_option.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    with_option.__annotations__ = {p.name: p.annotation for p in params}
    with_option.__name__ = command.__name__
    with_option.__doc__ = command.__doc__
    return with_option


def check_database_exists(url: str) -> None:
    """Refuse to read a SQLite file that is not there (connecting would create it)."""
    from adapters.storage.engine import check_sqlite_folder, database_url

    parsed = database_url(url)
    name = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return
    if name.startswith("file:") or "uri" in parsed.query:
        return
    check_sqlite_folder(parsed)  # a missing folder is named as such
    if not Path(name).expanduser().exists():
        raise NotFound(
            f"there is no database at {name} yet: run `penpals db upgrade` to create it, "
            "or check PENPALS_DATABASE_URL"
        )


def in_community(
    work: Callable[[Services, Community], Coroutine[Any, Any, T]],
    *,
    read_only: bool = False,
    quick: bool = False,
) -> T:
    """Run *work* with the services and the CLI's community (--community, PENPALS_COMMUNITY).

    A command that only reads passes *read_only*: it never creates the community (nor
    a SQLite file); a community not stored yet reads as one with nothing in it.

    *quick* (with read_only) lets *work* run over bots/cli_quick.py's ReadServices on
    a plain SQLite file: only `rounds` (read-only), and *work* may be run a second
    time, the usual way, if reading fails; so it must use only s.rounds and print
    nothing before its last read.
    """
    return run(_with_community(work, read_only=read_only, quick=quick and read_only))


def parse_when(value: str | None, what: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise fail(
            f"{what} {value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM", 2
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """Yield a progress callback drawing a rich bar on stderr when it is a terminal."""
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    task = bar.add_task(label, total=None)
    with bar:
        yield lambda done, total: bar.update(task, completed=done, total=total)


def read_applicants_file(path: Path) -> list[applicants_csv.ApplicantRow]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise fail(f"cannot read {path}: there is no such file", 2) from None
    except IsADirectoryError:
        raise fail(f"cannot read {path}: it is a directory, give a CSV file", 2) from None
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}", 2) from None
    try:
        return applicants_csv.read_applicants(
            applicants_csv.decode(data, source=str(path)), source=str(path)
        )
    except CsvInvalid as exc:
        for problem in exc.problems:
            err.print(f"{path}: {problem}", markup=False)
        raise fail(str(exc), 2) from None


def check_writable(path: Path | None) -> None:
    """Refuse an output path whose folder is missing, before doing any work."""
    if path is None:
        return
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise fail(f"cannot write {path}: the folder {directory} does not exist", 2)
    if path.is_dir():
        raise fail(f"cannot write {path}: it is a directory, give a file name", 2)


def write_atomically(path: Path, write: Callable[[Any], None]) -> None:
    """Write a text file in full or not at all (a crash leaves no half file)."""
    check_writable(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
