"""Reading and writing the applicant and pairing files of the spec."""

import io

import pytest

from core.rounds.applicants_csv import (
    ApplicantRow,
    CsvInvalid,
    PairsRow,
    decode,
    read_applicants,
    write_applicants,
    write_pairs,
)

HEADER = (
    "id,name,country,timezone,languages,sector,career_stage,interests,"
    "wish_sectors,wish_career_stages,wish_interests,wish_countries,previous_partners"
)


def csv_text(*rows: str, header: str = HEADER, newline: str = "\n") -> str:
    return newline.join([header, *rows]) + newline


def problems(text: str) -> dict[int, str]:
    with pytest.raises(CsvInvalid) as caught:
        read_applicants(text)
    return {p.line: p.reason for p in caught.value.problems}


def test_valid_row_becomes_a_profile() -> None:
    """A clean row is read into a profile with canonical codes."""
    rows = read_applicants(
        csv_text(
            "a1,Åsa Lindqvist,se,Europe/Stockholm,sv;EN,academic,early,spaces;advocacy,"
            "public,mid,leadership,fi;us,b2;b3"
        )
    )
    (row,) = rows
    assert row.id == "a1" and row.line == 2
    p = row.profile
    assert (p.name, p.country, p.languages) == ("Åsa Lindqvist", "SE", ("sv", "en"))
    assert p.interests == ("spaces", "advocacy")
    assert p.wishes.sectors == ("public",) and p.wishes.countries == ("FI", "US")
    assert row.previous_partners == ("b2", "b3")


def test_bom_crlf_quoted_commas_and_unicode_are_accepted() -> None:
    """A UTF-8 BOM, CRLF line ends, quoted commas and any Unicode name are read."""
    text = "\ufeff" + csv_text(
        '1,"Núñez, José María",es,Europe/Madrid,es;en,public,senior,,,,,,',
        "2,Nguyễn Thị Lan,vn,Asia/Ho_Chi_Minh,vi;en,school,student,,,,,,",
        '3,"李 ""Li"" 华",cn,Asia/Shanghai,zh,national,mid,,,,,,',
        newline="\r\n",
    )
    rows = read_applicants(text)
    assert [r.profile.name for r in rows] == ["Núñez, José María", "Nguyễn Thị Lan", '李 "Li" 华']
    assert [r.line for r in rows] == [2, 3, 4]


def test_every_bad_row_is_reported_with_its_line_and_reason() -> None:
    """Each bad row is reported with its line number; good rows do not hide bad ones."""
    found = problems(
        csv_text(
            "1,Ana,BR,America/Sao_Paulo,pt,academic,mid,,,,,,",
            "2,Bob,XX,America/Sao_Paulo,pt,academic,mid,,,,,,",
            "3,Cy,FI,Mars/Olympus,pt,academic,mid,,,,,,",
            "4,Di,FI,Europe/Helsinki,,academic,mid,,,,,,",
            "5,Ed,FI,Europe/Helsinki,fi,library,boss,,,,,,",
            ",Fay,FI,Europe/Helsinki,fi,public,mid,,,,,,",
            "1,Gus,FI,Europe/Helsinki,fi,public,mid,,,,,,",
            "8,Hal,FI,Europe/Helsinki,fi,public,mid,,museum,,,zz,",
        )
    )
    assert set(found) == {3, 4, 5, 6, 7, 8, 9}
    assert "country" in found[3] and "XX" in found[3]
    assert "time zone" in found[4]
    assert "languages is empty" in found[5]
    assert "sector" in found[6] and "career stage" in found[6]
    assert "id is empty" in found[7]
    assert "duplicate id '1'" in found[8] and "line 2" in found[8]
    assert "wish_sectors" in found[9] and "wish_countries" in found[9]


def test_line_numbers_count_physical_lines_of_multiline_cells() -> None:
    """A quoted cell spanning lines shifts the line numbers of later rows."""
    found = problems(
        csv_text(
            '1,"Ana\nSecond line",BR,America/Sao_Paulo,pt,academic,mid,,,,,,',
            "2,Bob,XX,America/Sao_Paulo,pt,academic,mid,,,,,,",
        )
    )
    assert list(found) == [4]


def test_missing_required_column_is_a_header_problem() -> None:
    """A header without a required column is reported on line 1."""
    found = problems("id,name,country\n1,Ana,BR\n")
    assert 1 in found and "timezone" in found[1] and "sector" in found[1]


def test_unknown_columns_are_ignored_and_order_does_not_matter() -> None:
    """Extra columns are ignored and required ones may come in any order."""
    text = "name,favourite_colour,id,career_stage,sector,languages,timezone,country\n"
    text += "Ana,green,1,mid,public,pt,America/Sao_Paulo,br\n"
    (row,) = read_applicants(text)
    assert row.id == "1" and row.profile.country == "BR"


def test_too_many_cells_is_reported() -> None:
    """An unquoted comma that adds a cell is reported with a hint to quote."""
    found = problems(csv_text("1,Ana,Maria,BR,America/Sao_Paulo,pt,academic,mid,,,,,,"))
    assert "quote" in found[2] or "country" in found[2]


def test_empty_file_and_non_utf8_bytes_are_reported() -> None:
    """An empty file and a file that is not UTF-8 each get a clear problem."""
    assert 1 in problems("")
    with pytest.raises(CsvInvalid) as caught:
        decode(HEADER.encode() + b"\n1,Jos\xe9,ES,Europe/Madrid,es,public,mid\n")
    assert caught.value.problems[0].line == 2
    assert "UTF-8" in caught.value.problems[0].reason


def test_blank_lines_are_skipped() -> None:
    """Blank lines between rows carry nothing and are not errors."""
    rows = read_applicants(csv_text("", "1,Ana,BR,America/Sao_Paulo,pt,academic,mid,,,,,,", ""))
    assert len(rows) == 1


def test_applicants_round_trip_through_the_writer() -> None:
    """What write_applicants writes, read_applicants reads back unchanged."""
    rows = read_applicants(
        csv_text('x,"Ó, Brien",ie,Europe/Dublin,en;ga,health,senior,a;b,school,early,c,FI,y')
    )
    buf = io.StringIO()
    write_applicants(rows, buf)
    again = read_applicants(buf.getvalue())
    assert [(r.id, r.profile, r.previous_partners) for r in again] == [
        (r.id, r.profile, r.previous_partners) for r in rows
    ]
    assert isinstance(again[0], ApplicantRow)


def test_pairs_file_lists_groups_then_unplaced() -> None:
    """pairs.csv has the spec's columns, groups first and unplaced with an empty group."""
    buf = io.StringIO()
    write_pairs(
        [
            PairsRow(1, ("a", "b"), 112.0, ("shared interests: x", "wish met; for a")),
            PairsRow(None, ("c",), None, ("no partner shares a language",)),
        ],
        buf,
    )
    lines = buf.getvalue().splitlines()
    assert lines[0] == "group,members,score,reasons"
    assert lines[1].startswith("1,a;b,112,")
    assert "wish met, for a" in lines[1]
    assert lines[2] == ",c,,no partner shares a language"
