"""pairs.csv: the groups of a matching, then one row per unplaced applicant with why."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from core.rounds.safe_csv import SafeWriter, split_cell, unguard

PAIRS_COLUMNS = ("group", "members", "score", "reasons")


@dataclass(frozen=True, slots=True)
class PairsRow:
    group: int | None
    members: tuple[str, ...]
    score: float | None
    reasons: tuple[str, ...]


def write_pairs(rows: Iterable[PairsRow], out: io.TextIOBase | io.StringIO) -> None:
    """Write pairs.csv: groups first, then one row per unplaced applicant."""
    writer = SafeWriter(out)
    writer.writerow(PAIRS_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                "" if r.group is None else str(r.group),
                ";".join(r.members),
                "" if r.score is None else f"{r.score:g}",
                # ';' separates list items in a cell, so reasons never contain one.
                "; ".join(reason.replace(";", ",") for reason in r.reasons),
            ]
        )


def read_pairs(text: str) -> list[PairsRow]:
    """Read a pairs.csv that write_pairs wrote (for audits and round-trip checks)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    header = [unguard(h) for h in next(reader, [])]
    out = []
    for cells in reader:
        row = dict(zip(header, (unguard(c) for c in cells), strict=False))
        out.append(
            PairsRow(
                group=int(row["group"]) if row.get("group") else None,
                members=tuple(split_cell(row.get("members"))),
                score=float(row["score"]) if row.get("score") else None,
                reasons=tuple(r.strip() for r in row.get("reasons", "").split("; ") if r.strip()),
            )
        )
    return out
