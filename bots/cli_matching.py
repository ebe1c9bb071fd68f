"""`penpals match` (pairs from a CSV file) and the `penpals round` commands that match:
match (preview or publish), groups, swap, split, pair, rematch."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from bots.cli_actor import current_actor
from bots.cli_common import (
    UNSAVED,
    check_writable,
    fail,
    in_community,
    out,
    progress,
    read_applicants_file,
    write_atomically,
)
from bots.cli_rounds import round_app
from core.errors import NotFound
from core.matching import explanations
from core.model import Community
from core.rounds import applicants_csv
from core.rounds.applicants_csv import PairsRow

if TYPE_CHECKING:
    # Imported by the commands that use them: `penpals --help` and the commands that
    # only read the database start without the matcher (numpy), SQLAlchemy's whole
    # ORM or the platforms' libraries.
    from bots.bootstrap import Services
    from core.matching.model import Candidate, Matching
    from core.matching.service import MatchReport


def match_file(
    applicants: Annotated[Path, typer.Option("--applicants", help="applicants.csv to read")],
    out_path: Annotated[Path, typer.Option("--out", help="pairs.csv to write")],
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same pairs")] = 0,
) -> None:
    """Pair the applicants of a CSV file (no database needed)."""
    from core.matching.matcher import match
    from core.matching.model import Candidate

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
