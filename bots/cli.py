"""The `penpals` command line: database, matching files, rounds and applications.

Every user mistake ends in one sentence on stderr and a non-zero exit: 2 for bad
input (a file, a value, a date), 1 for a request the program's state refuses.

This module builds the root app and the commands that belong to no group (report,
demo); each group lives in its own module: bots/cli_system.py (db, run, discord),
cli_rounds.py and cli_matching.py (round, match), cli_applications.py,
cli_community.py (topics, community, member), survey_cli.py, cli_console.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bots.cli_actor import offer_actor_option
from bots.cli_applications import apps_app
from bots.cli_common import (
    UNSAVED,
    err,
    fail,
    in_community,
    offer_community_option,
    out,
    write_atomically,
)
from bots.cli_community import community_app, member_app, topics_app
from bots.cli_console import register as register_console
from bots.cli_matching import match_file
from bots.cli_rounds import round_app
from bots.cli_system import db_app, discord_app, run_app
from bots.survey_cli import survey_app
from core.errors import NotFound
from core.model import Community

if TYPE_CHECKING:
    from bots.bootstrap import Services

app = typer.Typer(
    name="penpals",
    help="Run peer-mentoring rounds: applications, cross-country pairing, topics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(round_app, name="round")
app.add_typer(apps_app, name="applications")
app.add_typer(topics_app, name="topics")
app.add_typer(community_app, name="community")
app.add_typer(survey_app, name="survey")
app.command("match")(match_file)


@app.command("report")
def report(
    round_name: Annotated[
        str | None, typer.Argument(help="Round name (default: the latest round)")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Report every round")] = False,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder to write into (default ./reports)")
    ] = None,
) -> None:
    """Write a round's figures as CSV and JSON, with PNG charts (counts only)."""
    from bots.reporting import DEFAULT_DIR, write_report
    from core.reports.model import Report
    from core.reports.rules import activity_headline, new_countries_note
    from core.reports.service import ReportService

    if round_name is not None and every:
        raise fail("give a round name or --all, not both", 2)
    directory = out_dir if out_dir is not None else DEFAULT_DIR
    if out_dir is not None and not directory.is_dir():
        raise fail(f"cannot write into {directory}: there is no such folder", 2)

    async def work(s: Services, c: Community) -> Report:
        if c.id == UNSAVED:  # nothing stored for this community yet
            raise NotFound(
                "the community has no rounds yet: create one with `penpals round create`"
            )
        reports = ReportService(uow=s.uow)
        if every:
            return await reports.all_rounds(c.id)
        return await reports.round_report(c.id, round_name)

    figures = in_community(work, read_only=True)
    try:
        directory.mkdir(exist_ok=True)
        written = write_report(figures, directory, write_text=write_atomically)
    except OSError as exc:
        raise fail(f"cannot write into {directory}: {exc.strerror or exc}", 1) from None
    for f in figures.rounds:
        out.print(
            f"Round {f.round}: {f.participants} participants from {f.countries} countries "
            f"({f.new_countries} new), {f.groups} groups ({f.trios} of three), "
            f"{f.unplaced} unplaced, {f.waitlisted} waitlisted.",
            markup=False,
        )
        out.print(f"  active pairs: {activity_headline(f)}.", markup=False)
        out.print(f"  new countries: {new_countries_note(f, figures.min_group)}.", markup=False)
        for v in f.surveys:
            rate = f"{v.response_rate:.0%}" if v.response_rate is not None else "-"
            mean = f", satisfaction {v.satisfaction:.1f}/5" if v.satisfaction is not None else ""
            out.print(
                f"  {v.kind} survey: {v.responses} of {v.invited} answered ({rate}){mean}.",
                markup=False,
            )
    for path in written:
        out.print(f"Wrote {path}.", markup=False)


@app.command("demo")
def demo(
    applicants: Annotated[
        Path | None, typer.Option(help="applicants.csv to rehearse with (default: generated)")
    ] = None,
    size: Annotated[int, typer.Option(help="How many applicants to generate")] = 1162,
    seed: Annotated[int, typer.Option(help="Seed for the generated pool and the matcher")] = 2016,
    database: Annotated[
        str | None,
        typer.Option(help="SQLite URL of the rehearsal's own database (default ./penpals-demo.db)"),
    ] = None,
) -> None:
    """Rehearse a whole round on SQLite with an in-process platform (no accounts needed)."""
    from bots.demo import main as rehearse

    if size < 2:
        raise fail("--size must be at least 2", 2)
    rehearse(applicants, size, seed, database=database)


app.add_typer(run_app, name="run")
app.add_typer(discord_app, name="discord")
app.add_typer(member_app, name="member")

register_console(round_app, topics_app, community_app)
# Every command that decides, edits or publishes takes --actor (PENPALS_ACTOR): the audit log.
_ROUND_CHANGES = ("create", "open", "close", "start", "finish", "match", "swap", "split")
offer_actor_option(round_app, (*_ROUND_CHANGES, "pair", "rematch", "edit", "broadcast"))
offer_actor_option(apps_app, ("approve", "decline", "waitlist"))
offer_actor_option(topics_app, ("edit", "add", "remove"))
offer_actor_option(survey_app, ("edit", "add", "reset"))
offer_actor_option(community_app, ("configure", "announce"))
# Every command that works on one community takes --community (PENPALS_COMMUNITY).
offer_community_option(round_app, apps_app, topics_app, survey_app, member_app)
offer_community_option(community_app, commands=("configure", "announce"))
offer_community_option(app, commands=("report",))


def main() -> None:
    """Entry point of the `penpals` console script."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(130)


if __name__ == "__main__":
    main()
