"""The CLI's database settings read without pydantic are the ones Settings reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.bootstrap import Services
from bots.cli_settings import CHECKED, DatabaseSettings, quick_settings
from bots.services_wiring import MAKERS
from bots.settings import Settings


def test_checked_names_every_setting_that_is_not_a_plain_string() -> None:
    """A new setting pydantic checks (a number, a range) must be listed in CHECKED."""
    plain = {str, str | None}
    checked = {
        n for n, f in Settings.model_fields.items() if f.annotation not in plain or f.metadata
    }
    assert checked == set(CHECKED)


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"PENPALS_DATABASE_URL": "sqlite:///x.db", "PENPALS_COMMUNITY": "slack:T1"},
        {"penpals_database_url": "postgresql://u:p%40ss@h/db", "SLACK_BOT_TOKEN": "xoxb-1"},
        {"PENPALS_COMMUNITY": "", "PENPALS_LOG_LEVEL": "DEBUG", "OTHER": "1"},
    ],
)
def test_quick_settings_read_what_settings_reads(
    environ: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for key in [k for k in __import__("os").environ if k.lower().startswith("penpals_")]:
        monkeypatch.delenv(key)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    quick = quick_settings()
    full = Settings()
    assert quick == DatabaseSettings(database_url=full.database_url, community=full.community)


def test_quick_settings_read_a_env_file_under_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "PENPALS_DATABASE_URL='sqlite:///from-file.db'\nPENPALS_COMMUNITY=discord:1 # comment\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("PENPALS_DATABASE_URL", raising=False)
    monkeypatch.setenv("PENPALS_COMMUNITY", "slack:T9")
    full = Settings()
    assert quick_settings() == DatabaseSettings(
        database_url=full.database_url, community=full.community
    )
    assert full.database_url == "sqlite:///from-file.db" and full.community == "slack:T9"


@pytest.mark.parametrize(
    ("environ", "env_file"),
    [
        ({"PENPALS_DELIVERY_CONCURRENCY": "0"}, None),  # Settings refuses it: it must say so
        ({"penpals_slack_port": "3000"}, None),
        ({}, "PENPALS_HEALTH_PORT=8080\n"),
        ({}, "PENPALS_DATABASE_URL\n"),  # a key without a value
        ({"PENPALS_COMMUNITY": "a", "penpals_community": "b"}, None),
    ],
)
def test_quick_settings_leave_to_settings_what_it_checks(
    environ: dict[str, str],
    env_file: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    if env_file is not None:
        (tmp_path / ".env").write_text(env_file, encoding="utf-8")
    assert quick_settings(environ) is None


def test_every_service_has_a_maker() -> None:
    """Each service Services declares is built on first use (the parts are built at once)."""
    parts = {"engine", "uow", "clock", "platforms", "wake", "delivery_concurrency"}
    assert set(Services.__annotations__) - parts == set(MAKERS)
