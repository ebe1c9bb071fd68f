"""A round's files as bytes, for chat attachments: applications and pairs out, applications in.

The same files as `penpals applications export/import` and `round groups --out`
(core.rounds.applicants_csv): UTF-8, a header row, RFC 4180 quoting, cells a
spreadsheet would run guarded. An uploaded applications file follows the rules of
`applications import`: every row is checked first and, if any is invalid, nothing
changes and CsvInvalid lists each problem by line and field.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from core import audit
from core.errors import InvalidValue
from core.matching import explanations
from core.matching.service import MatchReport, MatchService
from core.model import ApplicationStatus, Community
from core.ports import Clock, UnitOfWorkFactory
from core.rounds import applicants_csv
from core.rounds.applicants_csv import CsvInvalid, PairsRow
from core.rounds.applications import ApplicationService, Imported
from core.rounds.service import find_round

UPLOAD_MAX = 10 * 1024 * 1024  # 10 MB: about 40,000 applicants


@dataclass(frozen=True, slots=True)
class CsvFile:
    name: str  # a file name to attach it under, e.g. "applications-2027A.csv"
    data: bytes  # UTF-8, no BOM
    rows: int  # data rows (the header not counted)


def pairs_rows(report: MatchReport) -> list[PairsRow]:
    """Return pairs.csv rows of a matching: the groups, then each unplaced with the reason."""
    return [
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


class RoundFiles:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        applications: ApplicationService,
        matches: MatchService,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._applications = applications
        self._matches = matches

    async def applications_csv(
        self,
        community_id: int,
        round_name: str,
        statuses: Sequence[ApplicationStatus] | None = None,
    ) -> CsvFile:
        """Return the round's applications as applicants.csv, earlier partners included."""
        rows = await self._applications.export_rows(community_id, round_name, statuses)
        out = io.StringIO(newline="")
        applicants_csv.write_applicants(rows, out)
        return CsvFile(f"applications-{_safe(round_name)}.csv", out.getvalue().encode(), len(rows))

    async def pairs_csv(self, community: Community, round_name: str) -> CsvFile:
        """Return the round's proposed or published groups as pairs.csv."""
        rows = pairs_rows(await self._matches.show(community, round_name))
        out = io.StringIO(newline="")
        applicants_csv.write_pairs(rows, out)
        return CsvFile(f"pairs-{_safe(round_name)}.csv", out.getvalue().encode(), len(rows))

    async def import_applications_csv(
        self,
        community: Community,
        round_name: str,
        data: bytes,
        *,
        filename: str = "the file",
        approve: bool = False,
        actor: str = audit.UNKNOWN,
    ) -> Imported:
        """Check every row of an uploaded applicants.csv, then create or update them.

        Raises CsvInvalid (nothing changed) listing each bad row by line and field.
        """
        if len(data) > UPLOAD_MAX:
            raise InvalidValue(
                f"{filename} is larger than {UPLOAD_MAX // (1024 * 1024)} MB: split it"
            )
        if not data.strip():
            raise CsvInvalid([applicants_csv.RowProblem(1, "the file is empty")], source=filename)
        text = applicants_csv.decode(data, source=filename)
        rows = applicants_csv.read_applicants(text, source=filename)
        async with self._uow(read_only=True) as uow:
            await find_round(uow, community.id, round_name)  # a missing round says so first
        done = await self._applications.import_rows(community, round_name, rows, approve=approve)
        async with self._uow() as uow:
            round_ = await find_round(uow, community.id, round_name)
            await audit.record(
                uow,
                community_id=community.id,
                round_id=round_.id,
                at=self._clock.now(),
                actor=actor,
                action="applications.import",
                subject=f"{filename} ({len(rows)} rows)",
                detail=f"{done.created} new, {done.updated} updated"
                + (", approved" if approve else ""),
            )
            await uow.commit()
        return done


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name)
