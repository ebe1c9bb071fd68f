"""The synthetic pool generator: valid, realistic, deterministic."""

from __future__ import annotations

import io
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from core.matching.synthetic import generate_pool
from core.rounds.applicants_csv import ApplicantRow, read_applicants, write_applicants

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "applicants.csv"


@pytest.fixture(scope="module")
def pool() -> list[ApplicantRow]:
    return generate_pool(1162, seed=7)


def _csv(rows: list[ApplicantRow]) -> str:
    out = io.StringIO()
    write_applicants(rows, out)
    return out.getvalue()


def _zones_by_country() -> dict[str, set[str]]:
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    zones: dict[str, set[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, zone = line.split("\t")[:3]
            zones.setdefault(code, set()).add(zone)
    return zones


def test_same_seed_same_pool() -> None:
    """A seed always gives the same pool; another seed gives another one."""
    assert generate_pool(200, seed=3) == generate_pool(200, seed=3)
    assert generate_pool(200, seed=3) != generate_pool(200, seed=4)


def test_ids_are_numbered(pool: list[ApplicantRow]) -> None:
    """Ids run a0001, a0002, ... in order."""
    assert [r.id for r in pool[:3]] == ["a0001", "a0002", "a0003"]
    assert len({r.id for r in pool}) == len(pool) == 1162


def test_every_row_survives_the_csv_validator(pool: list[ApplicantRow]) -> None:
    """Written as applicants.csv and read back, every row is valid and unchanged."""
    back = read_applicants(_csv(pool))
    assert [(r.id, r.profile, r.previous_partners) for r in back] == [
        (r.id, r.profile, r.previous_partners) for r in pool
    ]


def test_time_zones_belong_to_the_country(pool: list[ApplicantRow]) -> None:
    """Each time zone is one tzdata lists for the applicant's country."""
    zones = _zones_by_country()
    assert all(r.profile.timezone in zones[r.profile.country] for r in pool)


def test_countries_are_skewed_with_a_long_tail(pool: list[ApplicantRow]) -> None:
    """About 95 countries at ILN size, a few big ones, none above a fifth of the pool."""
    counts = Counter(r.profile.country for r in pool)
    assert 80 <= len(counts) <= 115
    assert max(counts.values()) <= 0.2 * len(pool)
    assert {c for c, _ in counts.most_common(8)} & {"US", "AU", "GB", "CA"}
    assert sum(1 for n in counts.values() if n <= 3) >= 30
    assert len({r.profile.country for r in generate_pool(20_000, seed=7)}) > len(counts)


def test_languages_are_mostly_english_plus_national(pool: list[ApplicantRow]) -> None:
    """Most speak English; many also a national language; a few only their own."""
    with_english = sum("en" in r.profile.languages for r in pool)
    only_other = sum(r.profile.languages != ("en",) and len(r.profile.languages) == 1 for r in pool)
    assert 0.8 * len(pool) <= with_english < len(pool)
    assert 0 < only_other < 0.1 * len(pool)
    assert len({lang for r in pool for lang in r.profile.languages}) >= 30


def test_sectors_stages_interests_and_wishes(pool: list[ApplicantRow]) -> None:
    """Academic librarians lead, interests vary from none to five, about half have wishes."""
    sectors = Counter(r.profile.sector for r in pool)
    assert sectors.most_common(1)[0][0] == "academic"
    assert len(sectors) == 8
    assert {len(r.profile.interests) for r in pool} == {0, 1, 2, 3, 4, 5}
    assert len({t for r in pool for t in r.profile.interests}) == 20
    wishers = sum(bool(r.profile.wishes) for r in pool)
    assert 0.4 * len(pool) <= wishers <= 0.6 * len(pool)
    assert all(r.profile.country not in r.profile.wishes.countries for r in pool)


def test_repeat_participants_name_earlier_partners_in_the_pool(pool: list[ApplicantRow]) -> None:
    """About 15% list earlier partners: other people in the pool, abroad, sharing a language."""
    by_id = {r.id: r for r in pool}
    repeaters = [r for r in pool if r.previous_partners]
    assert 0.08 * len(pool) <= len(repeaters) <= 0.2 * len(pool)
    for r in repeaters:
        for other in r.previous_partners:
            partner = by_id[other].profile
            assert partner.country != r.profile.country
            assert set(partner.languages) & set(r.profile.languages)
            assert r.id in by_id[other].previous_partners


def test_names_are_diverse_unicode(pool: list[ApplicantRow]) -> None:
    """Names use many scripts and diacritics, and a few carry a comma."""
    names = [r.profile.name for r in pool]
    assert sum(not n.isascii() for n in names) >= 0.15 * len(names)
    assert any("," in n for n in names)
    assert len(set(names)) >= 0.8 * len(names)


def test_sample_file_is_the_generator_output() -> None:
    """samples/applicants.csv is generate_pool(60, seed=2027), with a quoted comma name."""
    text = SAMPLE.read_text(encoding="utf-8")
    assert text == _csv(generate_pool(60, seed=2027))
    assert any(line.split(",", 1)[1].startswith('"') for line in text.splitlines()[1:])
    assert len(read_applicants(text)) == 60
