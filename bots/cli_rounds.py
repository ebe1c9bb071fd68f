"""`penpals round` commands for a round's life: create, open, close, start, finish, list,
show and audit (the matching commands are in bots/cli_matching.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from bots.cli_actor import current_actor
from bots.cli_common import (
    check_writable,
    in_community,
    out,
    parse_when,
    write_atomically,
)
from core import times
from core.model import ApplicationStatus, Community
from core.rounds.topics import schedule

if TYPE_CHECKING:
    # Imported by the commands that use them: `penpals --help` and the commands that
    # only read the database start without the matcher (numpy), SQLAlchemy's whole
    # ORM or the platforms' libraries.
    from bots.bootstrap import Services
    from core.audit_entries import AuditEntry


round_app = typer.Typer(help="Create and run rounds.", no_args_is_help=True)


@round_app.command("create")
def round_create(
    name: Annotated[str, typer.Argument(help="Round name, e.g. 2027A")],
    opens: Annotated[str | None, typer.Option(help="Applications open (YYYY-MM-DD)")] = None,
    closes: Annotated[str | None, typer.Option(help="Applications close")] = None,
    starts: Annotated[str | None, typer.Option(help="Pairs start")] = None,
    ends: Annotated[
        str | None, typer.Option(help="Round ends (default: after the last topic)")
    ] = None,
    cadence: Annotated[int, typer.Option(help="Days between topics")] = 14,
    carry_waitlist: Annotated[
        bool, typer.Option(help="Bring the previous round's waitlist into this one")
    ] = True,
) -> None:
    """Create a round in draft."""
    dates = {
        "opens": parse_when(opens, "--opens"),
        "closes": parse_when(closes, "--closes"),
        "starts": parse_when(starts, "--starts"),
        "ends": parse_when(ends, "--ends"),
    }

    async def work(s: Services, c: Community) -> None:
        round_, carried = await s.rounds.create(
            c.id,
            name,
            cadence_days=cadence,
            carry_waitlist=carry_waitlist,
            actor=current_actor(),
            **dates,
        )
        out.print(f"Created round {round_.name} (draft).", markup=False)
        if carried:
            out.print(f"{carried} waitlisted applicant(s) carried over as pending.")

    in_community(work)


def _move(verb: str) -> Callable[[str], None]:
    def command(name: Annotated[str, typer.Argument(help="Round name")]) -> None:
        async def work(s: Services, c: Community) -> None:
            round_ = await getattr(s.rounds, verb)(c.id, name, actor=current_actor())
            out.print(f"Round {round_.name} is now {round_.state.value}.", markup=False)

        in_community(work)

    command.__doc__ = {
        "open": "Open applications.",
        "close": "Close applications.",
        "start": "Start a matched round (pairs begin, topics follow the calendar).",
        "finish": "Finish a running round.",
    }[verb]
    return command


for _verb in ("open", "close", "start", "finish"):
    round_app.command(_verb)(_move(_verb))


@round_app.command("list")
def round_list() -> None:
    """List the community's rounds."""

    async def work(s: Services, c: Community) -> None:
        statuses = await s.rounds.list(c.id)
        if not statuses:
            out.print("No rounds yet: create one with `penpals round create NAME`.")
            return
        lang = c.settings.default_language  # dates as Babel writes them in that language
        table = Table("Round", "State", "Applications", "Approved", "Groups", "Starts")
        for st in statuses:
            r = st.round
            table.add_row(
                r.name,
                r.state.value,
                str(sum(st.applications.values())),
                str(st.applications.get(ApplicationStatus.APPROVED, 0)),
                str(st.groups),
                times.day(r.starts_at.date(), lang=lang, style="medium") if r.starts_at else "-",
            )
        out.print(table)

    # Reads rounds only and prints after reading: the quick read of SQLite serves it.
    in_community(work, read_only=True, quick=True)


@round_app.command("show")
def round_show(name: Annotated[str, typer.Argument(help="Round name")]) -> None:
    """Show a round: state, calendar, applications, groups and topic dates."""

    async def work(s: Services, c: Community) -> None:
        st = await s.rounds.status(c.id, name)
        r = st.round
        lang = c.settings.default_language  # dates as Babel writes them in that language
        table = Table(show_header=False, box=None)
        table.add_row("Round", r.name)
        table.add_row("State", r.state.value)
        for label, at in (
            ("Applications open", r.applications_open_at),
            ("Applications close", r.applications_close_at),
            ("Starts", r.starts_at),
            ("Ends", r.ends_at),
        ):
            table.add_row(label, times.written(at, lang=lang) if at else "-")
        table.add_row("Topic cadence", f"{r.topic_cadence_days} days")
        for status in ApplicationStatus:
            if st.applications.get(status):
                table.add_row(f"Applications {status.value}", str(st.applications[status]))
        table.add_row("Groups", f"{st.groups} ({st.trios} of three, {st.members_in_groups} people)")
        out.print(table)
        own = await s.round_topics.list(c.id, name)  # the round's own, else the library's
        topics = schedule(r, [t.in_language(lang, lang) for t in own.topics])
        if topics:
            cal = Table("#", "Topic", "Date (UTC)")
            for i, item in enumerate(topics, 1):
                cal.add_row(
                    str(i), item.topic.title, times.day(item.at.date(), lang=lang, style="medium")
                )
            out.print(cal)
        else:
            out.print(
                "Topic calendar: set a start date (or start the round) to schedule the topics."
            )
        entries = await s.audit.list(c.id, name)
        if entries:
            out.print(f"Audit log ({len(entries)} entries, the latest {min(len(entries), 10)}):")
            print_audit(entries[-10:])
            if len(entries) > 10:
                out.print(f"  (all of them: `penpals round audit {r.name}`)", markup=False)

    in_community(work, read_only=True)


@round_app.command("audit")
def round_audit(
    name: Annotated[str, typer.Argument(help="Round name")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the log to this CSV file")
    ] = None,
) -> None:
    """Show who decided, edited or published what in a round, and when."""
    check_writable(out_file)

    async def work(s: Services, c: Community) -> list[AuditEntry]:
        return await s.audit.list(c.id, name)

    entries = in_community(work, read_only=True)
    if out_file is None:
        if entries:
            print_audit(entries)
        else:
            out.print(f"Nothing recorded for round {name} yet.", markup=False)
        return
    from core.audit import write_audit

    write_atomically(out_file, lambda fh: write_audit(entries, fh))
    out.print(f"Wrote {len(entries)} audit entries to {out_file}.", markup=False)


def print_audit(entries: Sequence[AuditEntry]) -> None:
    table = Table()
    for header in ("When (UTC)", "Who", "What", "On", "Detail"):
        table.add_column(header, overflow="fold")  # every character shown, none cut off
    for e in entries:
        # Text cells: an actor or a subject is never read as rich markup.
        table.add_row(
            *(Text(x) for x in (e.at.strftime("%Y-%m-%d %H:%M"), e.actor, e.action)),
            Text(e.subject),
            Text(e.detail or "-"),
        )
    out.print(table)
