"""The two settings a database command needs, read without pydantic when that is exact.

`penpals round list` and the other database commands read PENPALS_DATABASE_URL and
PENPALS_COMMUNITY only. Building bots.settings.Settings imports pydantic-settings,
which takes about a third of such a command's start-up; both settings are plain
strings, which Settings takes as they are, so reading them directly gives the same
values. Whenever Settings could decide otherwise (a setting that it checks is set, a
.env file it might read differently), this defers to Settings itself, so every
mistake is still reported as before.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Settings' fields that are not plain strings: pydantic checks their values (a number,
# a range), so if any of them is given, Settings is built to check it.
CHECKED = (
    "delivery_concurrency",
    "slack_port",
    "slack_create_interval",
    "slack_purpose_interval",
    "health_port",
)
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./penpals.db"
DEFAULT_COMMUNITY = "local:default"
PREFIX = "penpals_"
ENV_FILE = ".env"  # Settings.model_config's env_file, in the working directory


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """What bots.bootstrap.build() and the CLI's community choice read."""

    database_url: str = DEFAULT_DATABASE_URL
    community: str = DEFAULT_COMMUNITY
    delivery_concurrency: int = 1


def quick_settings(environ: dict[str, str] | None = None) -> DatabaseSettings | None:
    """Return the database settings read directly, or None when Settings must decide."""
    found: dict[str, str | None] = {}
    seen: set[str] = set()
    for key, value in (os.environ if environ is None else environ).items():
        name = key.lower()  # Settings is not case-sensitive
        if name in seen:
            return None  # the same setting twice, in two cases: let Settings choose
        seen.add(name)
        found[name] = value
    env_file = Path(ENV_FILE)
    if env_file.exists() or env_file.is_symlink():
        from_file = _read_env_file(env_file)
        if from_file is None:
            return None
        for name, stored in from_file.items():
            found.setdefault(name, stored)  # the environment wins over the file
    if any(PREFIX + name in found for name in CHECKED):
        return None
    url = found.get(PREFIX + "database_url", DEFAULT_DATABASE_URL)
    community = found.get(PREFIX + "community", DEFAULT_COMMUNITY)
    if url is None or community is None:
        return None  # `KEY` without a value in .env: Settings says what is wrong
    return DatabaseSettings(database_url=url, community=community)


def _read_env_file(path: Path) -> dict[str, str | None] | None:
    """Return the .env file's settings as Settings reads them (python-dotenv), or None."""
    if not path.is_file():
        return None
    try:
        from dotenv import dotenv_values

        values = dotenv_values(path, encoding="utf-8")
    except Exception:  # unreadable, not UTF-8...: Settings reports it its own way
        return None
    read: dict[str, str | None] = {}
    for key, value in values.items():
        name = key.lower()
        if name in read:
            return None
        read[name] = value
    return read
