"""Every application command and persistent button of penpals, for the client to register."""

from __future__ import annotations

from discord import app_commands

from adapters.discord import members, organisers

DYNAMIC_ITEMS = organisers.DYNAMIC_ITEMS


def register(tree: app_commands.CommandTree) -> None:
    """Add penpals' commands to *tree* (global commands: one set for every server)."""
    for command in (*members.COMMANDS, *organisers.COMMANDS):
        tree.add_command(command)
