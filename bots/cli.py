"""The `penpals` command line: database, matching files, rounds and applications.

Every user mistake ends in one sentence on stderr and a non-zero exit: 2 for bad
input (a file, a value, a date), 1 for a request the program's state refuses.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from bots.cli_actor import current_actor, offer_actor_option
from bots.cli_common import (
    UNSAVED,
    check_writable,
    err,
    fail,
    in_community,
    offer_community_option,
    out,
    parse_when,
    progress,
    read_applicants_file,
    run,
    settings,
    write_atomically,
)
from bots.cli_console import register as register_console
from bots.community_cli import community_delete
from bots.survey_cli import survey_app
from core import times
from core.errors import InvalidValue, NotFound
from core.matching import explanations
from core.model import ApplicationStatus, Community
from core.rounds import applicants_csv
from core.rounds.applicants_csv import PairsRow
from core.rounds.lifecycle import TOPIC_COUNT
from core.rounds.topics import schedule

if TYPE_CHECKING:
    # Imported by the commands that use them: `penpals --help` and the commands that
    # only read the database start without the matcher (numpy), SQLAlchemy's whole
    # ORM or the platforms' libraries.
    from bots.bootstrap import Services
    from core.audit import AuditEntry
    from core.matching.matcher import Candidate, Matching
    from core.matching.service import MatchReport

app = typer.Typer(
    name="penpals",
    help="Run peer-mentoring rounds: applications, cross-country pairing, topics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Create and upgrade the database schema.", no_args_is_help=True)
round_app = typer.Typer(help="Create and run rounds.", no_args_is_help=True)
apps_app = typer.Typer(help="Import, export and decide on applications.", no_args_is_help=True)
topics_app = typer.Typer(help="The community's discussion topics.", no_args_is_help=True)
community_app = typer.Typer(help="Community settings.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(round_app, name="round")
app.add_typer(apps_app, name="applications")
app.add_typer(topics_app, name="topics")
app.add_typer(community_app, name="community")
community_app.command("delete")(community_delete)  # bots/community_cli.py
app.add_typer(survey_app, name="survey")


# --- penpals db ---------------------------------------------------------------------


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


# --- penpals match -------------------------------------------------------------------


@app.command("match")
def match_file(
    applicants: Annotated[Path, typer.Option("--applicants", help="applicants.csv to read")],
    out_path: Annotated[Path, typer.Option("--out", help="pairs.csv to write")],
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same pairs")] = 0,
) -> None:
    """Pair the applicants of a CSV file (no database needed)."""
    from core.matching.matcher import Candidate, match

    check_writable(out_path)
    rows = read_applicants_file(applicants)
    candidates = [
        Candidate.from_profile(r.id, r.profile, previous_partners=r.previous_partners) for r in rows
    ]
    started = time.perf_counter()
    with progress("Matching") as tick:
        result = match(candidates, seed=seed, progress=tick)
    elapsed = time.perf_counter() - started
    names = {r.id: r.profile.name for r in rows}
    pairs = [
        PairsRow(i, g.members, g.score, tuple(explanations.organiser_lines(g.reasons, names)))
        for i, g in enumerate(result.groups, 1)
    ] + [PairsRow(None, (u.id,), None, (u.reason,)) for u in result.unplaced]
    write_atomically(out_path, lambda fh: applicants_csv.write_pairs(pairs, fh))
    print_matching_summary(candidates, result, elapsed)
    out.print(f"Wrote {out_path}.")


def print_matching_summary(
    candidates: Sequence[Candidate], result: Matching, elapsed: float | None = None
) -> None:
    from core.matching.matcher import is_satisfied

    by_id = {c.id: c for c in candidates}
    wishers = [c for c in candidates if c.wishes]
    satisfied = 0
    for g in result.groups:
        members = [by_id[m] for m in g.members]
        for person in members:
            if person.wishes and is_satisfied(person, [p for p in members if p is not person]):
                satisfied += 1
    table = Table(show_header=False, box=None)
    table.add_row("Applicants", str(len(candidates)))
    table.add_row("Countries", str(len({c.country for c in candidates})))
    table.add_row(
        "Groups",
        f"{len(result.groups)} ({sum(len(g.members) == 3 for g in result.groups)} of three)",
    )
    table.add_row("Placed", str(result.placed))
    table.add_row("Unplaced", str(len(result.unplaced)))
    if wishers:
        table.add_row(
            "Wishes met", f"{satisfied} of {len(wishers)} ({satisfied / len(wishers):.1%})"
        )
    if elapsed is not None:
        table.add_row("Time", f"{elapsed:.2f} s")
    out.print(table)
    for u in result.unplaced[:20]:
        out.print(f"  unplaced {u.id}: {u.reason}", markup=False)
    if len(result.unplaced) > 20:
        out.print(f"  ... and {len(result.unplaced) - 20} more (see the output file)")


# --- penpals round -------------------------------------------------------------------


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

    in_community(work, read_only=True)


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


@round_app.command("match")
def round_match(
    name: Annotated[str, typer.Argument(help="Round name")],
    preview: Annotated[bool, typer.Option("--preview", help="Store a proposal (default)")] = False,
    publish: Annotated[bool, typer.Option("--publish", help="Publish the proposal")] = False,
    seed: Annotated[int, typer.Option(help="Seed for the matcher")] = 0,
    out_path: Annotated[Path | None, typer.Option("--out", help="Also write pairs.csv")] = None,
) -> None:
    """Preview (default) or publish the matching of a closed round's approved applicants."""
    if preview and publish:
        raise fail("choose one of --preview and --publish", 2)
    check_writable(out_path)

    async def work(s: Services, c: Community) -> MatchReport:
        if publish:
            return await s.matches.publish(c, name, seed=seed, actor=current_actor())
        return await s.matches.preview(c, name, seed=seed, actor=current_actor())

    report = in_community(work)
    print_report(report)
    if out_path is not None:
        write_report_csv(out_path, report)
        out.print(f"Wrote {out_path}.")


@round_app.command("groups")
def round_groups(
    name: Annotated[str, typer.Argument(help="Round name")],
    out_path: Annotated[Path | None, typer.Option("--out", help="Also write pairs.csv")] = None,
) -> None:
    """Show the round's proposed or published groups."""
    check_writable(out_path)

    async def work(s: Services, c: Community) -> MatchReport:
        if c.id == UNSAVED:  # nothing stored for this community, so no such round
            raise NotFound(f"there is no round named {name!r}: see `penpals round list`")
        return await s.matches.show(c, name)

    report = in_community(work, read_only=True)
    print_report(report, list_groups=True)
    if out_path is not None:
        write_report_csv(out_path, report)
        out.print(f"Wrote {out_path}.")


@round_app.command("swap")
def round_swap(
    name: Annotated[str, typer.Argument(help="Round name")],
    first: Annotated[str, typer.Argument(help="Applicant id")],
    second: Annotated[str, typer.Argument(help="Applicant id in another group")],
) -> None:
    """Swap two applicants between proposed groups (before publishing)."""

    async def work(s: Services, c: Community) -> MatchReport:
        return await s.matches.swap(c, name, first, second, actor=current_actor())

    print_report(in_community(work))
    out.print(f"Swapped {first} and {second}.", markup=False)


@round_app.command("split")
def round_split(
    name: Annotated[str, typer.Argument(help="Round name")],
    group: Annotated[int, typer.Argument(help="Group number")],
) -> None:
    """Dissolve a proposed group; pair its members by hand with `round pair`."""

    async def work(s: Services, c: Community) -> MatchReport:
        return await s.matches.split(c, name, group, actor=current_actor())

    print_report(in_community(work))
    out.print(f"Split group {group}.")


@round_app.command("pair")
def round_pair(
    name: Annotated[str, typer.Argument(help="Round name")],
    members: Annotated[list[str], typer.Argument(help="Two (or three) applicant ids")],
) -> None:
    """Group unplaced applicants by hand (the hard rules still apply)."""

    async def work(s: Services, c: Community) -> MatchReport:
        return await s.matches.pair(c, name, members, actor=current_actor())

    print_report(in_community(work))


@round_app.command("rematch")
def round_rematch(
    name: Annotated[str, typer.Argument(help="Round name")],
    seed: Annotated[int, typer.Option(help="Seed for the matcher")] = 0,
) -> None:
    """Pair again the members of a published round whose partner left."""

    async def work(s: Services, c: Community) -> MatchReport:
        return await s.matches.rematch(c, name, seed=seed, actor=current_actor())

    print_report(in_community(work))


def print_report(report: MatchReport, *, list_groups: bool = False) -> None:
    state = "Published" if report.published else "Proposed"
    trios = sum(len(g.members) == 3 for g in report.groups)
    out.print(
        f"{state} matching for round {report.round.name}: {len(report.groups)} groups "
        f"({trios} of three), {report.placed} placed, {len(report.unplaced)} unplaced, "
        f"{len(report.over_cap)} over the country cap.",
        markup=False,
    )
    if list_groups:
        table = Table("#", "Members", "Score", "Why")
        for g in report.groups:
            names = ", ".join(f"{p.name} ({p.country})" for p in g.members)
            why = explanations.for_organisers(g.reasons, {p.external_id: p.name for p in g.members})
            table.add_row(str(g.number), names, f"{g.score:g}", why)
        out.print(table)
    for person, why in report.unplaced:
        out.print(f"  unplaced {person.external_id} ({person.name}): {why}", markup=False)
    if report.cap_note:
        out.print(f"  {report.cap_note}", markup=False)
    for person, why in report.over_cap[:20]:
        out.print(f"  waitlist {person.external_id} ({person.name}): {why}", markup=False)
    if len(report.over_cap) > 20:
        out.print(f"  ... and {len(report.over_cap) - 20} more over the country cap")


def write_report_csv(path: Path, report: MatchReport) -> None:
    rows = [
        PairsRow(
            g.number,
            tuple(p.external_id for p in g.members),
            g.score,
            tuple(
                explanations.organiser_lines(g.reasons, {p.external_id: p.name for p in g.members})
            ),
        )
        for g in report.groups
    ] + [PairsRow(None, (p.external_id,), None, (why,)) for p, why in report.unplaced]
    write_atomically(path, lambda fh: applicants_csv.write_pairs(rows, fh))


# --- penpals applications ------------------------------------------------------------


@apps_app.command("import")
def apps_import(
    round_name: Annotated[str, typer.Argument(help="Round name")],
    file: Annotated[Path, typer.Argument(help="applicants.csv")],
    approve: Annotated[bool, typer.Option(help="Approve everyone imported")] = False,
) -> None:
    """Import applications from applicants.csv (every row checked first, then stored in batches)."""
    rows = read_applicants_file(file)

    async def work(s: Services, c: Community) -> None:
        done = await s.applications.import_rows(c, round_name, rows, approve=approve)
        out.print(
            f"Imported {len(rows)} applicants into round {round_name}: "
            f"{done.created} new, {done.updated} updated"
            + (" (approved)." if approve else " (pending review)."),
            markup=False,
        )

    in_community(work)


@apps_app.command("export")
def apps_export(
    round_name: Annotated[str, typer.Argument(help="Round name")],
    file: Annotated[Path, typer.Argument(help="applicants.csv to write")],
    status: Annotated[
        list[ApplicationStatus] | None, typer.Option(help="Only these statuses (repeatable)")
    ] = None,
) -> None:
    """Export applications as applicants.csv, earlier partners included."""
    check_writable(file)

    async def work(s: Services, c: Community) -> list[applicants_csv.ApplicantRow]:
        return await s.applications.export_rows(c.id, round_name, status or None)

    rows = in_community(work, read_only=True)
    write_atomically(file, lambda fh: applicants_csv.write_applicants(rows, fh))
    out.print(f"Wrote {len(rows)} applicants to {file}.", markup=False)


def _decide(decision: ApplicationStatus, help_text: str) -> Callable[..., None]:
    def command(
        round_name: Annotated[str, typer.Argument(help="Round name")],
        ids: Annotated[list[str] | None, typer.Argument(help="Applicant ids")] = None,
        all_pending: Annotated[
            bool, typer.Option("--all", help="Every pending application")
        ] = False,
        note: Annotated[str, typer.Option(help="Why (shown to organisers)")] = "",
    ) -> None:
        if not ids and not all_pending:
            raise fail("name the applicant ids, or pass --all for every pending one", 2)

        async def work(s: Services, c: Community) -> None:
            done = await s.applications.decide(
                c.id,
                round_name,
                decision,
                ids or (),
                all_pending=all_pending,
                note=note,
                actor=current_actor(),
            )
            out.print(f"{decision.value.capitalize()}: {len(done.changed)}.")
            for ext, why in done.skipped:
                out.print(f"  left {ext} as it was: {why}", markup=False)

        in_community(work)

    command.__doc__ = help_text
    return command


apps_app.command("approve")(_decide(ApplicationStatus.APPROVED, "Approve applications."))
apps_app.command("decline")(_decide(ApplicationStatus.DECLINED, "Decline applications."))
apps_app.command("waitlist")(_decide(ApplicationStatus.WAITLISTED, "Waitlist applications."))


@apps_app.command("list")
def apps_list(
    round_name: Annotated[str, typer.Argument(help="Round name")],
    status: Annotated[list[ApplicationStatus] | None, typer.Option(help="Only these")] = None,
) -> None:
    """List a round's applications."""

    async def work(s: Services, c: Community) -> None:
        apps = await s.applications.list(c.id, round_name, status or None)
        table = Table("Id", "Name", "Country", "Sector", "Stage", "Status", "Note")
        for a in apps:
            p = a.profile
            table.add_row(
                a.member.external_id,
                p.name,
                p.country,
                p.sector,
                p.career_stage,
                a.status.value,
                explanations.split(a.note)[0],
            )
        out.print(table)
        out.print(f"{len(apps)} application(s).")

    in_community(work, read_only=True)


@apps_app.command("withdraw")
def apps_withdraw(
    round_name: Annotated[str, typer.Argument(help="Round name")],
    applicant: Annotated[str, typer.Argument(help="Applicant id")],
) -> None:
    """Withdraw an applicant (after matching, their partner waits for a rematch)."""
    from core.model import MemberRef

    async def work(s: Services, c: Community) -> None:
        done = await s.applications.withdraw(c, MemberRef(c.platform, applicant), round_name)
        out.print(f"Withdrew {applicant} from round {done.round.name}.", markup=False)
        if done.partners:
            ids = ", ".join(p.external_id for p in done.partners)
            out.print(
                f"Their partner(s) {ids} need a rematch: `penpals round rematch {done.round.name}`."
            )

    in_community(work)


# --- penpals topics / community ------------------------------------------------------


@topics_app.command("list")
def topics_list(
    round_name: Annotated[
        str | None, typer.Option("--round", help="A round's topics (default: the library)")
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="With --round: one language, as pairs get it")
    ] = None,
) -> None:
    """List the community's topics, or a round's in every language."""
    if round_name is not None:
        from bots.cli_console import print_round_topics

        async def listing(s: Services, c: Community) -> Any:
            return await s.round_topics.list(c.id, round_name)

        print_round_topics(in_community(listing, read_only=True), lang)
        return

    async def work(s: Services, c: Community) -> None:
        from core.rounds.topics import DEFAULT_TOPICS

        # A community not stored yet starts with the default library.
        topics = await s.topics.list(c.id) if c.id != UNSAVED else list(DEFAULT_TOPICS)
        for t in topics:
            out.print(f"[bold]{t.position}. {t.title}[/bold]")
            out.print(f"   {t.prompt}", markup=False)
            for q in t.questions:
                out.print(f"   - {q}", markup=False)

    in_community(work, read_only=True)


@topics_app.command("edit")
def topics_edit(
    position: Annotated[int, typer.Argument(help=f"Topic number (1-{TOPIC_COUNT})")],
    title: Annotated[str | None, typer.Option(help="New title")] = None,
    prompt: Annotated[str | None, typer.Option(help="New prompt")] = None,
    question: Annotated[
        list[str] | None, typer.Option(help="Questions (repeat; replaces all)")
    ] = None,
    round_name: Annotated[
        str | None, typer.Option("--round", help="Edit this round's topic instead")
    ] = None,
    lang: Annotated[str, typer.Option(help="With --round: the language written")] = "en",
) -> None:
    """Edit one topic of the community's library, or of a round in one language."""

    async def work(s: Services, c: Community) -> None:
        if round_name is not None:
            await s.round_topics.edit(
                c.id,
                round_name,
                position,
                lang=lang,
                title=title,
                prompt=prompt,
                questions=tuple(question) if question else None,
                actor=current_actor(),
            )
            out.print(f"Round {round_name}: topic {position} edited ({lang}).", markup=False)
            return
        t = await s.topics.edit(
            c.id,
            position,
            title=title,
            prompt=prompt,
            questions=tuple(question) if question else None,
            actor=current_actor(),
        )
        out.print(f"Topic {t.position} is now: {t.title}", markup=False)

    in_community(work)


@community_app.command("list")
def community_list() -> None:
    """Show every community of this deployment with its platform and rounds."""
    cfg = settings()

    async def work() -> list[tuple[Community, list[Any]]]:
        from bots.bootstrap import build
        from bots.cli_common import check_database_exists

        check_database_exists(cfg.database_url)
        async with build(cfg) as services:
            return await services.communities.overview()

    found = run(work())
    if not found:
        out.print("No community yet: one appears with its first command or install.")
        return
    table = Table("community", "platform", "name", "rounds")
    for community, rounds in found:
        listed = ", ".join(f"{r.name} ({r.state.value})" for r in rounds) or "none"
        table.add_row(
            f"{community.platform.value}:{community.external_id}",
            community.platform.value,
            community.name,
            listed,
        )
    out.print(table)


@community_app.command("configure")
def community_configure(
    language: Annotated[str | None, typer.Option(help="Default language (ISO 639-1)")] = None,
    pairing_rule: Annotated[
        str | None, typer.Option(help="What partners must not share: country, institution, region")
    ] = None,
    country_cap: Annotated[
        float | None, typer.Option(help="Largest share of a round from one country (1 = no cap)")
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option(help="Whom members contact for help (a name, @handle or address; '' clears)"),
    ] = None,
    hours_per_month: Annotated[
        int | None, typer.Option(help="Time commitment asked of each member, hours a month")
    ] = None,
    guidance: Annotated[
        str | None,
        typer.Option(help="Your own words added to the cultural-sensitivity guidance"),
    ] = None,
) -> None:
    """Change the community's settings and practices (contact, time commitment, guidance)."""

    async def work(s: Services, c: Community) -> None:
        kwargs: dict[str, Any] = {
            "default_language": language,
            "pairing_rule": pairing_rule,
            "contact": contact,
            "hours_per_month": hours_per_month,
            "guidance": guidance,
        }
        if country_cap is not None:
            kwargs["country_cap"] = country_cap
        st = await s.communities.configure(c.id, actor=current_actor(), **kwargs)
        cap = "none" if st.country_cap is None else f"{st.country_cap:.0%}"
        rule = st.pairing_rule.value
        out.print(f"Language {st.default_language}, pairing rule {rule}, country cap {cap}.")
        pr = st.practices
        out.print(
            f"Contact {pr.contact or '(the organisers)'}, {pr.hours_per_month} hours a month"
            + (", with your guidance." if pr.guidance else "."),
            markup=False,
        )

    in_community(work)


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
    from core.reports.service import Report, ReportService, activity_headline, new_countries_note

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


run_app = typer.Typer(help="Run the bot on Discord, Slack or both.", no_args_is_help=True)
discord_app = typer.Typer(help="Discord maintenance.", no_args_is_help=True)
app.add_typer(run_app, name="run")
app.add_typer(discord_app, name="discord")


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


# --- members' data (privacy) --------------------------------------------------------

member_app = typer.Typer(
    help="A member's personal data: export or forget it.", no_args_is_help=True
)
app.add_typer(member_app, name="member")


@member_app.command("forget")
def member_forget(
    member_id: Annotated[str, typer.Argument(metavar="ID", help="The member's platform id")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Replace a member's personal data with placeholders; anonymous counts stay."""
    from core.model import MemberRef
    from core.privacy.service import PrivacyService

    if not yes and not typer.confirm(
        f"Forget member {member_id}? Their name, profile and platform id are replaced for good.",
        default=False,
    ):
        raise fail("nothing was forgotten", 1)

    async def work(s: Services, c: Community) -> Any:
        service = PrivacyService(uow=s.uow, clock=s.clock)
        return await service.forget(c, MemberRef(c.platform, member_id))

    done = in_community(work)
    out.print(
        f"Forgot member {member_id}: {done.applications} application(s) blanked "
        f"({done.withdrawn} withdrawn), still counted anonymously in {done.groups} group(s), "
        f"{done.cancelled_messages} pending message(s) cancelled, "
        f"{done.scrubbed_actions} stored message(s) cleaned.",
        markup=False,
    )


@member_app.command("export")
def member_export(
    member_id: Annotated[str, typer.Argument(metavar="ID", help="The member's platform id")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="JSON file to write (default: stdout)")
    ] = None,
) -> None:
    """Write everything stored about a member as JSON."""
    import json

    from core.model import MemberRef
    from core.privacy.service import PrivacyService

    check_writable(out_file)

    async def work(s: Services, c: Community) -> dict[str, Any]:
        service = PrivacyService(uow=s.uow, clock=s.clock)
        return await service.export(c, MemberRef(c.platform, member_id))

    text = json.dumps(in_community(work, read_only=True), ensure_ascii=False, indent=2) + "\n"
    if out_file is None:
        sys.stdout.write(text)
    else:
        write_atomically(out_file, lambda fh: fh.write(text))
        out.print(f"Wrote {out_file}.", markup=False)


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
