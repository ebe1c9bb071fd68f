"""Spreadsheet safety of every CSV penpals writes (OWASP CSV injection).

Organisers open penpals' files in spreadsheets and members choose their own names:
`guard` puts an apostrophe before a cell (and each `;`-separated part of it) that a
spreadsheet would run as a formula, `unguard` takes exactly that apostrophe away when
penpals reads its own files back, and SafeWriter is a csv.writer that guards every cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import IO

# A spreadsheet runs a cell starting with one of these as a formula (OWASP: "ensure that
# no cells begin with" =, +, -, @, tab 0x09, carriage return 0x0D).
FORMULA_TRIGGERS = frozenset("=+-@\t\r")
GUARD = "'"
# A plain number ("-3", "+1.5") is no formula; it stays a number for the spreadsheet.
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


# Only a segment starting with one of these can need a guard (the fast path).
_SUSPECT = frozenset(FORMULA_TRIGGERS | {GUARD, " ", '"'})


def _guarded(segment: str) -> bool:
    """Return whether *segment* is written with GUARD in front.

    Leading spaces and quotes do not hide a trigger from every spreadsheet, so they are
    looked through. A segment that already starts with GUARD gets one more, so that
    `unguard` can always tell the guard from a member's own apostrophe: writing then
    reading is the identity.
    """
    if segment[:1] not in _SUSPECT or not segment:
        return False
    if segment.startswith(GUARD):
        return True
    core = segment.lstrip(' "')
    return core[:1] in FORMULA_TRIGGERS and not _NUMBER.fullmatch(core)


def guard(value: str) -> str:
    """Return *value* as a cell a spreadsheet shows as text (OWASP: prefix an apostrophe).

    Each `;`-separated part is guarded on its own: spreadsheets in many locales split
    cells at `;` (OWASP: take care of the field separator), and quotes protect a cell
    only where it starts a line.
    """
    if ";" not in value:
        return GUARD + value if _guarded(value) else value
    return ";".join(GUARD + s if _guarded(s) else s for s in value.split(";"))


def unguard(cell: str) -> str:
    """Return the value `guard` wrote as *cell*; a hand-typed cell is read as it is."""
    if GUARD not in cell:
        return cell
    return ";".join(
        s[1:] if s.startswith(GUARD) and _guarded(s[1:]) else s for s in cell.split(";")
    )


class SafeWriter:
    """A csv.writer (RFC 4180 quoting) whose cells a spreadsheet never runs as formulas."""

    def __init__(self, out: IO[str] | io.TextIOBase, *, lineterminator: str = "\n") -> None:
        self._writer = csv.writer(out, lineterminator=lineterminator)

    def writerow(self, cells: Iterable[object]) -> None:
        """Write one row; None is an empty cell, anything else its str()."""
        self._writer.writerow([guard("" if c is None else str(c)) for c in cells])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Write every row."""
        for row in rows:
            self.writerow(row)


def split_cell(cell: str | None) -> list[str]:
    """Return the `;`-separated items of a list cell, trimmed, empty ones left out."""
    if not cell:
        return []
    return [part.strip() for part in cell.split(";") if part.strip()]
