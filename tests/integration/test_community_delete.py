"""`penpals community delete REF`: an organiser removes one community's data, only after confirming.

Two communities run a published round each (applications, members, groups, outbox,
audit); deleting one leaves the other exactly as it was. SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from adapters.storage.deletion import community_counts
from bots.cli import app
from core.model import Community, CommunitySettings, Platform

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "applicants.csv"
A, B = "slack:TAAAA", "discord:4242"


def _published(cli, ref: str) -> None:  # type: ignore[no-untyped-def]
    for args in (
        ("round", "create", "R1"),
        ("round", "open", "R1"),
        ("applications", "import", "R1", str(SAMPLE)),
        ("applications", "approve", "R1", "--all"),
        ("round", "close", "R1"),
        ("round", "match", "R1", "--publish", "--seed", "1"),
    ):
        cli(*args, "--community", ref)


async def _counts(url: str, ref: str, community_id: int) -> dict[str, int]:
    platform, _, external = ref.partition(":")
    engine = create_async_engine(url)
    try:
        community = Community(community_id, Platform(platform), external, "", CommunitySettings())
        return await community_counts(engine, community)
    finally:
        await engine.dispose()


def _counted(url: str, ref: str, community_id: int) -> dict[str, int]:
    """Return the community's rows per table (the CLI runs its own event loops)."""
    return asyncio.run(_counts(url, ref, community_id))


@pytest.mark.parametrize("typed", ["slack:TBBBB", ""])
def test_a_delete_not_confirmed_deletes_nothing(cli, typed: str) -> None:  # type: ignore[no-untyped-def]
    """Typing anything but the reference at the prompt keeps everything."""
    cli("round", "create", "R1", "--community", A)

    refused = CliRunner().invoke(app, ["community", "delete", A], input=f"{typed}\n")

    assert refused.exit_code == 1, refused.output
    assert "nothing was deleted" in refused.output
    assert "R1" in cli("round", "list", "--community", A).output


def test_delete_removes_one_community_and_leaves_the_other(  # type: ignore[no-untyped-def]
    cli, database_url: str
) -> None:
    """After typing the reference, A's rows are gone from every table; B's are all there."""
    _published(cli, A)
    _published(cli, B)
    before_b = _counted(database_url, B, 2)
    assert before_b["groups"] > 20 and before_b["members"] == 60 and before_b["outbox"] > 0

    done = CliRunner().invoke(app, ["community", "delete", A], input=f"{A}\n")

    assert done.exit_code == 0, done.output
    assert "60 members" in done.output and "Deleted slack:TAAAA" in done.output
    assert _counted(database_url, A, 1) == {}
    assert _counted(database_url, B, 2) == before_b
    listing = cli("community", "list").output
    assert B in listing and A not in listing
    gone = CliRunner().invoke(app, ["community", "delete", A, "--yes"])
    assert gone.exit_code == 1 and "no community" in gone.output
