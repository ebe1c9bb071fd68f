"""`penpals applications`: import, export, decide on, list and withdraw applications."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from bots.cli_actor import current_actor
from bots.cli_common import (
    check_writable,
    fail,
    in_community,
    out,
    read_applicants_file,
    write_atomically,
)
from core.matching import explanations
from core.model import ApplicationStatus, Community
from core.rounds import applicants_csv

if TYPE_CHECKING:
    # Imported by the commands that use them: `penpals --help` and the commands that
    # only read the database start without the matcher (numpy), SQLAlchemy's whole
    # ORM or the platforms' libraries.
    from bots.bootstrap import Services


apps_app = typer.Typer(help="Import, export and decide on applications.", no_args_is_help=True)


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
