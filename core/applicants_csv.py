"""Read and write the interchange files of ../shared/specs/applicants-csv.md.

`read_applicants` validates a whole file and either returns every row or raises
CsvInvalid listing every bad row with its line number: nothing is matched (or
imported) until the file is clean. It accepts a UTF-8 BOM, CRLF line ends, quoted
cells with commas or line breaks, and any Unicode name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from core import vocab
from core.errors import InvalidValue, PenpalsError
from core.model import Profile, Wishes

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
PAIRS_COLUMNS = ("group", "members", "score", "reasons")


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


def _split(cell: str | None) -> list[str]:
    if not cell:
        return []
    return [part.strip() for part in cell.split(";") if part.strip()]


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
        raise CsvInvalid(
            [RowProblem(1, f"the header row is not valid CSV ({exc})")], source=source
        ) from None
    columns = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise CsvInvalid(
            [RowProblem(1, f"the header lacks required column(s): {', '.join(missing)}")],
            source=source,
        )
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise CsvInvalid(
            [RowProblem(1, f"the header repeats column(s): {', '.join(duplicated)}")],
            source=source,
        )
    index = {name: i for i, name in enumerate(columns)}

    rows: list[ApplicantRow] = []
    first_line_of_id: dict[str, int] = {}
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(RowProblem(line, f"not valid CSV ({exc}); check the quotes"))
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
        row = {name: (cells[i] if i < len(cells) else "") for name, i in index.items()}
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


def _merge(problems: list[RowProblem]) -> list[RowProblem]:
    """Join several reasons for the same line into one problem, in line order."""
    by_line: dict[int, list[str]] = {}
    for p in problems:
        by_line.setdefault(p.line, []).append(p.reason)
    return [RowProblem(line, "; ".join(reasons)) for line, reasons in sorted(by_line.items())]


def _parse_row(row: dict[str, str], line: int) -> ApplicantRow | list[str]:
    reasons: list[str] = []

    def field(name: str, check: Callable[[str], str]) -> str:
        value = (row.get(name) or "").strip()
        if not value:
            reasons.append(f"{name} is empty")
            return ""
        try:
            return check(value)
        except InvalidValue as exc:
            reasons.append(f"{name}: {exc}")
            return ""

    def listed(
        name: str, check: Callable[[str], str], *, required: bool = False
    ) -> tuple[str, ...]:
        parts = _split(row.get(name))
        if required and not parts:
            reasons.append(f"{name} is empty: give at least one")
        out: dict[str, None] = {}
        for part in parts:
            try:
                out[check(part)] = None
            except InvalidValue as exc:
                reasons.append(f"{name}: {exc}")
        return tuple(out)

    ident = (row.get("id") or "").strip()
    if not ident:
        reasons.append("id is empty")
    name = " ".join((row.get("name") or "").split())
    if not name:
        reasons.append("name is empty")
    country = field("country", vocab.country)
    timezone = field("timezone", vocab.timezone)
    languages = listed("languages", vocab.language, required=True)
    sector = field("sector", vocab.sector)
    stage = field("career_stage", vocab.career_stage)
    interests = listed("interests", vocab.tag)
    wishes = Wishes(
        sectors=listed("wish_sectors", vocab.sector),
        career_stages=listed("wish_career_stages", vocab.career_stage),
        interests=listed("wish_interests", vocab.tag),
        countries=listed("wish_countries", vocab.country),
    )
    previous = tuple(dict.fromkeys(p for p in _split(row.get("previous_partners")) if p != ident))
    if reasons:
        return reasons
    profile = Profile(
        name=name,
        country=country,
        timezone=timezone,
        languages=languages,
        sector=sector,
        career_stage=stage,
        interests=interests,
        introduction=(row.get("introduction") or "").strip(),
        wishes=wishes,
        institution=(row.get("institution") or "").strip(),
        region=(row.get("region") or "").strip(),
    )
    return ApplicantRow(id=ident, profile=profile, previous_partners=previous, line=line)


def write_applicants(rows: Iterable[ApplicantRow], out: io.TextIOBase | io.StringIO) -> None:
    """Write applicants.csv (spec columns, plus institution/region when any is set)."""
    rows = list(rows)
    extra = [c for c in ("institution", "region") if any(getattr(r.profile, c) for r in rows)]
    writer = csv.writer(out, lineterminator="\n")
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


@dataclass(frozen=True, slots=True)
class PairsRow:
    group: int | None
    members: tuple[str, ...]
    score: float | None
    reasons: tuple[str, ...]


def write_pairs(rows: Iterable[PairsRow], out: io.TextIOBase | io.StringIO) -> None:
    """Write pairs.csv: groups first, then one row per unplaced applicant."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PAIRS_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                "" if r.group is None else r.group,
                ";".join(r.members),
                "" if r.score is None else f"{r.score:g}",
                # ';' separates list items in a cell, so reasons never contain one.
                "; ".join(reason.replace(";", ",") for reason in r.reasons),
            ]
        )
