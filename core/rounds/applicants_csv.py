"""Read and write the interchange files of ../shared/specs/applicants-csv.md.

`read_applicants` validates a whole file and either returns every row or raises
CsvInvalid listing every bad row with its line number: nothing is matched (or
imported) until the file is clean. It accepts a UTF-8 BOM, CRLF line ends, quoted
cells with commas or line breaks, and any Unicode name.

Every file written here is opened by organisers in spreadsheets, and members choose
their names: a cell that a spreadsheet would run as a formula is neutralised as the
OWASP CSV-injection guidance says (`guard`: a leading apostrophe before `=`, `+`, `-`,
`@`, a tab or a carriage return, at the start of the cell and after each `;`, the cell
separator of spreadsheets in many locales), and the readers undo the guard
(`unguard`), so penpals reads its own files back to the same values.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.errors import InvalidValue, PenpalsError
from core.messages import vocab
from core.model import Profile
from core.rounds.pairs_csv import PAIRS_COLUMNS as PAIRS_COLUMNS
from core.rounds.pairs_csv import PairsRow as PairsRow
from core.rounds.pairs_csv import read_pairs as read_pairs
from core.rounds.pairs_csv import write_pairs as write_pairs
from core.rounds.profiles import ProfileInvalid, build_profile
from core.rounds.safe_csv import FORMULA_TRIGGERS as FORMULA_TRIGGERS
from core.rounds.safe_csv import GUARD as GUARD
from core.rounds.safe_csv import SafeWriter, split_cell, unguard
from core.rounds.safe_csv import guard as guard

REQUIRED = ("id", "name", "country", "timezone", "languages", "sector", "career_stage")
OPTIONAL = (
    "interests",
    "wish_sectors",
    "wish_career_stages",
    "wish_interests",
    "wish_countries",
    "previous_partners",
)
# Not in the spec, read when present: a national program separates partners by these.
EXTRA = ("institution", "region", "introduction")
APPLICANT_COLUMNS = REQUIRED + OPTIONAL
KNOWN = frozenset(APPLICANT_COLUMNS + EXTRA)


@dataclass(frozen=True, slots=True)
class ApplicantRow:
    id: str
    profile: Profile
    previous_partners: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class CsvInvalid(PenpalsError):
    """The file has bad rows; `problems` lists each with its line number."""

    def __init__(self, problems: Sequence[RowProblem], *, source: str = "the file") -> None:
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(
            f"{source} has {count} invalid row{'s' if count != 1 else ''}: "
            "fix them and run the command again (nothing was changed)"
        )


def decode(data: bytes, *, source: str = "the file") -> str:
    """Decode UTF-8 (with or without BOM), reporting the line of a bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvInvalid(
            [RowProblem(line, "the file is not UTF-8 text: save it as UTF-8 (CSV UTF-8)")],
            source=source,
        ) from None


def read_applicants(text: str, *, source: str = "the file") -> list[ApplicantRow]:
    """Parse and validate applicants.csv text; raise CsvInvalid listing every bad row."""
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[RowProblem] = []
    try:
        header = next(reader)
    except StopIteration:
        raise CsvInvalid(
            [RowProblem(1, "the file is empty: it needs a header row")], source=source
        ) from None
    except csv.Error as exc:
        raise CsvInvalid([_csv_error(exc, text, 1, [])], source=source) from None
    columns = [unguard(h).strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise CsvInvalid(
            [RowProblem(1, f"the header lacks required column(s): {', '.join(missing)}")],
            source=source,
        )
    counts = Counter(columns)  # one pass: a header of 100,000 columns is read at once
    duplicated = sorted(c for c, n in counts.items() if c and n > 1)
    if duplicated:
        shown = ", ".join(duplicated[:10]) + (" ..." if len(duplicated) > 10 else "")
        raise CsvInvalid(
            [RowProblem(1, f"the header repeats column(s): {shown}")],
            source=source,
        )
    # Only the columns penpals reads: a row of many unknown columns costs nothing more.
    index = {name: i for i, name in enumerate(columns) if name in KNOWN}

    rows: list[ApplicantRow] = []
    first_line_of_id: dict[str, int] = {}
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(_csv_error(exc, text, line, columns))
            break  # the reader cannot resynchronise after a quoting error
        start, line = line, reader.line_num + 1
        if not cells or all(not c.strip() for c in cells):
            continue  # blank lines carry nothing
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            problems.append(
                RowProblem(
                    start,
                    f"the row has {len(cells)} cells but the header has {len(columns)}: "
                    "quote cells that contain commas",
                )
            )
            continue
        row = {name: (unguard(cells[i]) if i < len(cells) else "") for name, i in index.items()}
        parsed = _parse_row(row, start)
        if isinstance(parsed, list):
            problems.extend(RowProblem(start, reason) for reason in parsed)
            continue
        if parsed.id in first_line_of_id:
            problems.append(
                RowProblem(
                    start,
                    f"duplicate id {parsed.id!r} (first on line {first_line_of_id[parsed.id]}): "
                    "every applicant needs a unique id",
                )
            )
            continue
        first_line_of_id[parsed.id] = start
        rows.append(parsed)
    if problems:
        raise CsvInvalid(_merge(problems), source=source)
    return rows


def _csv_error(exc: csv.Error, text: str, line: int, columns: Sequence[str]) -> RowProblem:
    """Say what the csv module refused on *line*: an oversized field by name, else quoting."""
    if "field limit" not in str(exc):
        if line == 1:
            return RowProblem(1, f"the header row is not valid CSV ({exc})")
        return RowProblem(line, f"not valid CSV ({exc}); check the quotes")
    limit = csv.field_size_limit()
    where = "a field"
    position = _oversized_cell(text, line, limit)
    if position is not None:
        name = columns[position] if position < len(columns) else ""
        where = f"the {name} field" if name else f"field {position + 1}"
        if line == 1:
            where = f"header cell {position + 1}"
    return RowProblem(
        line,
        f"{where} is longer than {limit:,} characters, more than a CSV file of applicants "
        "can hold: shorten it (nothing else on this line or after it was read)",
    )


def _oversized_cell(text: str, line: int, limit: int) -> int | None:
    """Return the index of the first cell over *limit* characters in the record on *line*."""
    lines = io.StringIO(text, newline="").readlines()
    offset = sum(len(part) for part in lines[: line - 1])
    cell = length = 0
    quoted = False
    i = offset
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"':
                if text.startswith('"', i + 1):
                    i += 1  # an escaped quote
                    length += 1
                else:
                    quoted = False
            else:
                length += 1
        elif ch == '"':
            quoted = True
        elif ch == ",":
            cell, length = cell + 1, 0
        elif ch in "\r\n":
            break
        else:
            length += 1
        if length > limit:
            return cell
        i += 1
    return None


def _merge(problems: list[RowProblem]) -> list[RowProblem]:
    """Join several reasons for the same line into one problem, in line order."""
    by_line: dict[int, list[str]] = {}
    for p in problems:
        by_line.setdefault(p.line, []).append(p.reason)
    return [RowProblem(line, "; ".join(reasons)) for line, reasons in sorted(by_line.items())]


def _parse_row(row: dict[str, str], line: int) -> ApplicantRow | list[str]:
    """Check a row with the signup forms' own rules (core.rounds.profiles); list what is wrong."""
    reasons: list[str] = []
    for name in REQUIRED:
        if not row.get(name, "").strip():
            reasons.append(
                f"{name} is empty" + (": give at least one" if name == "languages" else "")
            )
    ident = ""
    if "id is empty" not in reasons:
        try:
            ident = vocab.member_id(row["id"])
        except InvalidValue as exc:
            reasons.append(f"id: {exc}")
    previous: dict[str, None] = {}
    for part in split_cell(row.get("previous_partners")):
        try:
            previous[vocab.member_id(part)] = None
        except InvalidValue as exc:
            reasons.append(f"previous_partners: {exc}")
            break
    previous.pop(ident, None)
    try:
        profile = build_profile(
            name=row.get("name", ""),
            country=row.get("country", ""),
            timezone=row.get("timezone", ""),
            languages=split_cell(row.get("languages")),
            sector=row.get("sector", ""),
            career_stage=row.get("career_stage", ""),
            interests=split_cell(row.get("interests")),
            introduction=row.get("introduction", ""),
            wish_sectors=split_cell(row.get("wish_sectors")),
            wish_career_stages=split_cell(row.get("wish_career_stages")),
            wish_interests=split_cell(row.get("wish_interests")),
            wish_countries=split_cell(row.get("wish_countries")),
            institution=row.get("institution", ""),
            region=row.get("region", ""),
        )
    except ProfileInvalid as exc:
        empty = {r.split(" is empty")[0] for r in reasons if " is empty" in r}
        reasons.extend(f"{field}: {why}" for field, why in exc.fields.items() if field not in empty)
        return reasons
    if reasons:
        return reasons
    return ApplicantRow(id=ident, profile=profile, previous_partners=tuple(previous), line=line)


def write_applicants(rows: Iterable[ApplicantRow], out: io.TextIOBase | io.StringIO) -> None:
    """Write applicants.csv (spec columns, plus institution/region when any is set)."""
    rows = list(rows)
    extra = [c for c in ("institution", "region") if any(getattr(r.profile, c) for r in rows)]
    writer = SafeWriter(out)
    writer.writerow([*APPLICANT_COLUMNS, *extra])
    for r in rows:
        p = r.profile
        writer.writerow(
            [
                r.id,
                p.name,
                p.country,
                p.timezone,
                ";".join(p.languages),
                p.sector,
                p.career_stage,
                ";".join(p.interests),
                ";".join(p.wishes.sectors),
                ";".join(p.wishes.career_stages),
                ";".join(p.wishes.interests),
                ";".join(p.wishes.countries),
                ";".join(r.previous_partners),
                *(getattr(p, c) for c in extra),
            ]
        )
