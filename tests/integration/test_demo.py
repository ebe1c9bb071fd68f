"""`penpals demo`: a whole round rehearsed on SQLite against the in-process platform."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from adapters.rehearsal import RehearsalPlatform
from bots import demo
from bots.bootstrap import build
from bots.settings import Settings
from core.communities.service import CommunityService
from core.delivery.outbox import space_key, topic_post_key
from core.errors import InvalidValue
from core.model import Group, Platform
from core.rounds.lifecycle import TOPIC_COUNT

SIZE = 60
ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "samples" / "applicants.csv"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder, as someone trying penpals from a fresh clone would."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def settings_in(folder: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{folder / demo.DEMO_DATABASE}")


async def published_groups(settings: Settings, round_name: str) -> tuple[int, list[Group]]:
    """Return the rehearsed round's id and its groups, read back from the demo database."""
    async with build(settings) as services:
        community = await services.communities.get(Platform.LOCAL, demo.COMMUNITY)
        round_ = await services.rounds.get(community.id, round_name)
        async with services.uow() as uow:
            return round_.id, await uow.groups.list(round_.id, active_only=False)


async def test_a_rehearsal_gives_each_group_one_space_every_topic_once_and_a_goodbye(
    folder: Path,
) -> None:
    """Every group: one space, nine topics in order, archived after a goodbye; nothing twice."""
    platform = RehearsalPlatform()
    settings = settings_in(folder)
    summary = await demo.rehearse(settings, applicants=None, size=SIZE, seed=3, platform=platform)
    round_id, groups = await published_groups(settings, summary.round)
    numbers = [g.number for g in groups]

    assert summary.groups == len(groups) > 0
    assert summary.participants + len(summary.unplaced) + len(summary.waitlisted) == SIZE
    created = Counter(key for method, key in platform.calls if method == "create_pair_space")
    assert created == Counter({space_key(round_id, n): 1 for n in numbers})
    posts = Counter(key for method, key in platform.calls if method == "post")
    assert set(posts.values()) == {1}
    assert summary.duplicate_posts == 0
    expected = {topic_post_key(round_id, n, k) for n in numbers for k in range(TOPIC_COUNT)}
    assert expected <= set(posts)
    assert summary.pair_posts == TOPIC_COUNT * len(groups)
    assert summary.topics_sent == len(platform.threads) == TOPIC_COUNT
    for space in platform.spaces.values():
        group = space.messages[0][0].removesuffix(":space")  # the introduction's key
        topics = [key for key, _ in space.messages if key.startswith(f"{group}:t")]
        assert topics == [f"{group}:t{k}" for k in range(TOPIC_COUNT)]
        assert space.archived and "keep in touch" in space.messages[-1][1].body
    assert summary.spaces == summary.spaces_archived == len(groups)
    assert summary.failed_actions == 0
    assert summary.nudges < len(groups) / 2, "most simulated pairs keep talking"


async def test_a_rehearsal_writes_its_report_with_the_same_figures(folder: Path) -> None:
    """reports/demo-<round>.json and .txt hold the summary's figures, next to the round report."""
    summary = await demo.rehearse(settings_in(folder), applicants=None, size=SIZE, seed=3)
    report = Path("reports") / f"demo-{summary.round}.json"
    stem = f"reports/report-{summary.round}"
    assert [str(p) for p in summary.reports] == [
        str(report),
        str(report.with_suffix(".txt")),
        f"{stem}.csv",
        f"{stem}.json",
        f"{stem}-by-round.png",
        f"{stem}-satisfaction.png",
        f"{stem}-activity.png",
    ]
    figures = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))["rounds"][0]
    assert [v["survey"] if "survey" in v else v["kind"] for v in figures["surveys"]] == [
        "mid",
        "end",
    ]
    assert all(v["invited"] == summary.participants for v in figures["surveys"])
    assert 0.5 < figures["survey_response_rate"] < 1 and 3 < figures["satisfaction"] <= 5
    assert len(summary.surveys) == 2 and "answered" in summary.surveys[0]
    data = json.loads((folder / report).read_text(encoding="utf-8"))
    for figure in ("groups", "participants", "pair_posts", "spaces_archived", "nudges"):
        assert data[figure] == getattr(summary, figure)
    assert len(data["unplaced"]) == len(summary.unplaced)
    assert data["simulated_days"] == summary.simulated_days >= 140
    text = (folder / report.with_suffix(".txt")).read_text(encoding="utf-8")
    assert f"pair posts       {summary.pair_posts:,}" in text


async def test_each_rehearsal_starts_from_a_fresh_database(folder: Path) -> None:
    """Running the demo again replaces its database: one community, one round."""
    settings = settings_in(folder)
    first = await demo.rehearse(settings, applicants=None, size=10, seed=1)
    second = await demo.rehearse(settings, applicants=None, size=10, seed=1)
    async with build(settings) as services:
        community = await services.communities.get(Platform.LOCAL, demo.COMMUNITY)
        rounds = await services.rounds.list(community.id)
    assert [s.round.name for s in rounds] == [second.round] == [first.round]
    assert not (folder / "penpals.db").exists()


async def test_the_demo_will_not_recreate_a_database_that_holds_a_real_community(
    sqlite_database_url: str,
) -> None:
    """Pointed at an organiser's database, the demo refuses and leaves it as it was."""
    async with build(Settings(database_url=sqlite_database_url)) as services:
        await CommunityService(uow=services.uow).ensure(Platform.DISCORD, "42", "Real Network")
    with pytest.raises(InvalidValue, match="something other than a penpals rehearsal"):
        await demo.rehearse(
            Settings(database_url=sqlite_database_url), applicants=None, size=10, seed=1
        )
    async with build(Settings(database_url=sqlite_database_url)) as services:
        assert await services.communities.get(Platform.DISCORD, "42")


def test_the_demo_runs_on_sqlite_only() -> None:
    """A PostgreSQL URL is refused: the rehearsal recreates its database every time."""
    with pytest.raises(InvalidValue, match="SQLite file of its own"):
        demo.sqlite_path("postgresql+asyncpg://postgres@127.0.0.1/penpals")


def test_the_demo_command_prints_the_summary_and_where_the_report_is(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`penpals demo --applicants samples/applicants.csv` rehearses the sample round."""
    demo.main(SAMPLE, 0, 1)
    printed = capsys.readouterr().out
    assert f"applicants       60 ({SAMPLE})" in printed
    assert "topics sent      9 of 9" in printed
    assert "Reports written: reports/demo-" in printed and "satisfaction.png" in printed
    assert "survey           mid-round check-in" in printed
    assert (folder / demo.DEMO_DATABASE).exists()


def test_a_bad_applicants_file_is_reported_by_line_with_exit_status_2(folder: Path) -> None:
    """Like `penpals match`: every bad row with its line number, nothing rehearsed."""
    bad = folder / "bad.csv"
    header = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    bad.write_text(
        f"{header}\n"
        "a1,Ana,BR,America/Sao_Paulo,pt;en,public,early,,,,,,\n"
        "a2,Ben,UK,Europe/London,en,public,early,,,,,,\n"
        "a3,Cy,FI,Europe/Helsinki,,public,early,,,,,,\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bots.cli", "demo", "--applicants", str(bad)],
        cwd=folder,
        # This checkout's penpals, whichever one pip installed.
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert f"{bad}: line 3: country" in done.stderr
    assert f"{bad}: line 4: languages" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (folder / demo.DEMO_DATABASE).exists()
    assert not (folder / "reports").exists()
