"""Several communities in one database: --community on every command, `community list`."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from bots.cli import app

# Commands that work on no single community (schema, files, the rehearsal, the bots).
NOT_IN_A_COMMUNITY = {
    "db upgrade",
    "db current",
    "match",
    "demo",
    "run discord",
    "run slack",
    "run all",
    "discord sync",
    "community list",
    "community delete",  # names its community as an argument, never the default
}


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if hasattr(command, "commands"):
            found.update(_commands(command, f"{path} "))
        else:
            found[path] = command
    return found


def test_every_community_command_takes_the_community_option() -> None:
    """Each command that works on a community offers --community, PENPALS_COMMUNITY by default."""
    commands = _commands(typer.main.get_command(app))
    missing = []
    for path, command in commands.items():
        options = {o: p for p in command.params for o in p.opts}
        if path in NOT_IN_A_COMMUNITY:
            assert "--community" not in options, path
        elif "--community" not in options:
            missing.append(path)
        else:
            assert options["--community"].envvar == "PENPALS_COMMUNITY", path
    assert not missing
    assert "round list" in commands and "survey show" in commands


def test_the_option_chooses_the_community_and_the_variable_is_the_default(cli) -> None:  # type: ignore[no-untyped-def]
    """Rounds made with --community stay in theirs; without it PENPALS_COMMUNITY is used."""
    cli("round", "create", "Alpha", "--community", "slack:TAAAA")
    cli("round", "create", "Beta", "--community", "discord:4242")
    cli("round", "create", "Local")  # PENPALS_COMMUNITY=local:cli-test (the fixture)
    slack = cli("round", "list", "--community", "slack:TAAAA").output
    assert "Alpha" in slack and "Beta" not in slack and "Local" not in slack
    default = cli("round", "list").output
    assert "Local" in default and "Alpha" not in default
    refused = cli("round", "open", "Beta", "--community", "slack:TAAAA", code=1)
    assert "Beta" in refused.output
    assert "draft" in cli("round", "show", "Beta", "--community", "discord:4242").output


def test_community_list_shows_platform_and_rounds(cli) -> None:  # type: ignore[no-untyped-def]
    """`penpals community list` shows every community with its platform and rounds."""
    assert "No community yet" in cli("community", "list").output
    cli("round", "create", "Alpha", "--community", "slack:TAAAA")
    cli("round", "open", "Alpha", "--community", "slack:TAAAA")
    cli("round", "create", "Beta", "--community", "discord:4242")
    cli("topics", "list", "--community", "discord:99")  # reading creates nothing
    listing = cli("community", "list").output
    lines = {line.split()[1]: line for line in listing.splitlines() if ":" in line}
    assert set(lines) == {"slack:TAAAA", "discord:4242"}
    assert "slack" in lines["slack:TAAAA"] and "Alpha (open)" in lines["slack:TAAAA"]
    assert "Beta (draft)" in lines["discord:4242"]


@pytest.mark.parametrize("ref", ["slack", "nowhere:T1", "slack:"])
def test_a_malformed_community_is_one_sentence(cli, ref: str) -> None:  # type: ignore[no-untyped-def]
    """A --community that is not PLATFORM:ID is refused with exit 2."""
    result = cli("round", "list", "--community", ref, code=2)
    assert "Error:" in result.output
