"""Forgetting and exporting a member's data, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots.cli import app
from core.delivery.outbox import ActionKind, ActionState, NewAction
from core.errors import NotFound
from core.model import ApplicationStatus, CommunitySettings, MemberRef, Platform, RoundState
from core.ports import NewApplication, NewGroup, NewRound, WeekCount
from core.privacy.service import FORGOTTEN_NAME, PrivacyService
from core.reports.service import ReportService
from tests.integration.test_cli import POOL, write_pool
from tests.support import FixedClock, profile

NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)
PEOPLE = [("u1", "Åsa Lindqvist", "SE"), ("u2", "Kenji Sato", "JP"), ("u3", "Renée Taylor", "US")]


async def setup(uow_factory):  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        community = await uow.communities.add(Platform.LOCAL, "c", "Club", CommunitySettings())
        round_ = await uow.rounds.add(
            NewRound(community.id, "2027A", None, None, NOW, None, 14, NOW)
        )
        await uow.rounds.save(replace(round_, state=RoundState.RUNNING))
        ids = {}
        for ext, name, country in PEOPLE:
            ids[ext] = await uow.members.ensure(community.id, MemberRef(Platform.LOCAL, ext), name)
            p = profile(name, country, interests=("spaces",))
            p = replace(p, introduction=f"I am {name}")
            await uow.applications.add(
                NewApplication(
                    round_.id,
                    ids[ext],
                    p,
                    ApplicationStatus.APPROVED,
                    NOW,
                    declared_previous_partners=("u2",) if ext == "u1" else ("u1",),
                )
            )
        group = await uow.groups.add(
            round_.id,
            NewGroup(1, (ids["u1"], ids["u2"], ids["u3"]), 1.0, ("wish met for u1 (spaces)",)),
            published=True,
        )
        await uow.engagement.record([WeekCount(group.id, ids["u1"], date(2027, 3, 8), 4)], NOW)
        await uow.outbox.enqueue(
            [
                NewAction(
                    "dm:u1",
                    community.id,
                    Platform.LOCAL,
                    ActionKind.DIRECT_MESSAGE,
                    {"member": "u1", "message": {"title": "Hi Åsa Lindqvist"}},
                    NOW,
                    round_.id,
                ),
                NewAction(
                    "dm:u2",
                    community.id,
                    Platform.LOCAL,
                    ActionKind.DIRECT_MESSAGE,
                    {"member": "u2", "message": {"title": "Hi"}},
                    NOW,
                    round_.id,
                ),
            ]
        )
        await uow.commit()
    return community, round_


async def test_forget_keeps_counts_and_removes_personal_data(uow_factory) -> None:  # type: ignore[no-untyped-def]
    community, round_ = await setup(uow_factory)
    reports = ReportService(uow=uow_factory)
    before = (await reports.round_report(community.id)).rounds[0]
    service = PrivacyService(uow=uow_factory, clock=FixedClock(NOW))
    done = await service.forget(community, MemberRef(Platform.LOCAL, "u1"))
    assert done.groups == 1 and done.cancelled_messages == 1 and done.applications == 1

    after = (await reports.round_report(community.id)).rounds[0]
    assert (
        (after.participants, after.groups, after.countries)
        == (
            before.participants,
            before.groups,
            before.countries,
        )
        == (3, 1, 3)
    )
    assert after.active_pairs == before.active_pairs == 1

    async with uow_factory() as uow:
        dump = []
        for a in await uow.applications.list(round_.id):
            dump.append(repr(a))
        dump += [repr(g) for g in await uow.groups.list(round_.id)]
        actions = await uow.outbox.list(community.id)
        dump += [repr(a) for a in actions]
        refs = await uow.members.refs([a.member_id for a in await uow.applications.list(round_.id)])
        dump += [repr(r) for r in refs.values()]
        assert await uow.members.find(community.id, MemberRef(Platform.LOCAL, "u1")) is None
    text = "\n".join(dump)
    for secret in ("Åsa", "I am Åsa", "'u1'", "u1 "):
        assert secret not in text
    assert FORGOTTEN_NAME in text and "forgotten:" in text
    dm = next(a for a in actions if a.key == "dm:u1")
    assert dm.state is ActionState.FAILED and dm.last_error == "member forgotten"
    assert next(a for a in actions if a.key == "dm:u2").state is ActionState.PENDING

    exported = await service.export(community, MemberRef(Platform.LOCAL, done.placeholder))
    assert exported["member"]["display_name"] == FORGOTTEN_NAME
    assert exported["applications"][0]["profile"]["introduction"] == ""
    assert exported["applications"][0]["profile"]["country"] == "SE"

    # Forgetting again is harmless: the old id is unknown, the placeholder changes nothing.
    with pytest.raises(NotFound):
        await service.forget(community, MemberRef(Platform.LOCAL, "u1"))
    again = await service.forget(community, MemberRef(Platform.LOCAL, done.placeholder))
    assert again.already_forgotten and again.placeholder == done.placeholder
    assert (await reports.round_report(community.id)).rounds[0].participants == 3


async def test_export_has_own_data_and_nothing_about_partners(uow_factory) -> None:  # type: ignore[no-untyped-def]
    community, _ = await setup(uow_factory)
    service = PrivacyService(uow=uow_factory, clock=FixedClock(NOW))
    data = await service.export(community, MemberRef(Platform.LOCAL, "u1"))
    assert data["member"]["display_name"] == "Åsa Lindqvist"
    assert [a["round"] for a in data["applications"]] == ["2027A"]
    assert data["applications"][0]["profile"]["introduction"] == "I am Åsa Lindqvist"
    assert data["groups"] == [
        {"round": "2027A", "group": 1, "published": True, "active": True, "goals": None}
    ]
    assert data["weekly_messages"][0]["messages"] == 4
    text = json.dumps(data, ensure_ascii=False)
    for partner in ("Kenji", "Renée", "u2", "u3", "JP"):
        assert partner not in text
    with pytest.raises(NotFound):
        await service.export(community, MemberRef(Platform.LOCAL, "nobody"))


def test_cli_forget_and_export(database_url: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PENPALS_DATABASE_URL", database_url)
    monkeypatch.setenv("PENPALS_COMMUNITY", "local:cli-test")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def cli(*args: str, code: int = 0, input: str | None = None):  # type: ignore[no-untyped-def]
        result = runner.invoke(app, list(args), input=input)
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result

    pool = write_pool(tmp_path / "applicants.csv")
    cli("round", "create", "2027A", "--starts", "2027-03-01")
    cli("round", "open", "2027A")
    cli("applications", "import", "2027A", str(pool))
    exported = json.loads(cli("member", "export", "a1").stdout)
    assert exported["applications"][0]["profile"]["name"] == POOL[0][1]
    cli("member", "export", "a1", "--out", "me.json")
    assert json.loads((tmp_path / "me.json").read_text(encoding="utf-8"))["member"]["id"] == "a1"

    refused = cli("member", "forget", "a1", input="n\n", code=1)
    assert "nothing was forgotten" in refused.output
    done = cli("member", "forget", "a1", "--yes").output
    assert "Forgot member a1" in done and "1 withdrawn" in done
    listing = cli("applications", "list", "2027A").output
    assert POOL[0][1] not in listing
    unknown = cli("member", "forget", "a1", "--yes", code=1)
    assert unknown.output.count("Error:") == 1 and "already forgotten" in unknown.output
    cli("member", "export", "zz", code=1)


async def test_pair_goals_are_exported_and_forgotten(uow_factory) -> None:  # type: ignore[no-untyped-def]
    """export-me includes the pair's goals; forget-me removes them for the pair."""
    community, round_ = await setup(uow_factory)
    from core.engagement.goals import GoalService

    goals = GoalService(uow=uow_factory, clock=FixedClock(NOW))
    u1 = MemberRef(Platform.LOCAL, "u1")
    saved = await goals.save(u1, round_.id, 1, "  Compare our reading clubs.  ")
    assert saved.startswith("Your goals are saved")
    assert (await goals.form(MemberRef(Platform.LOCAL, "u2"), round_.id, 1)).text == (
        "Compare our reading clubs."
    )
    service = PrivacyService(uow=uow_factory, clock=FixedClock(NOW))
    data = await service.export(community, u1)
    assert data["groups"][0]["goals"] == "Compare our reading clubs."
    await service.forget(community, MemberRef(Platform.LOCAL, "u2"))
    data = await service.export(community, u1)
    assert data["groups"][0]["goals"] is None
