"""Every application command and persistent button of penpals, for the client to register."""

from __future__ import annotations

from discord import app_commands

from adapters.discord import (
    console_files,
    console_matching,
    console_settings,
    console_surveys,
    console_topics,
    engagement,
    goals,
    members,
    organisers,
    privacy,
    reports,
    surveys,
)

DYNAMIC_ITEMS = (
    *organisers.DYNAMIC_ITEMS,
    *engagement.DYNAMIC_ITEMS,
    *privacy.DYNAMIC_ITEMS,
    *surveys.DYNAMIC_ITEMS,
    *goals.DYNAMIC_ITEMS,
    *console_settings.DYNAMIC_ITEMS,
)


def register(tree: app_commands.CommandTree) -> None:
    """Add penpals' commands to *tree* (global commands: one set for every server)."""
    penpals = privacy.PenpalsCommands()
    console = (
        console_matching.MatchCommands(),
        console_surveys.SurveyCommands(),
        *console_settings.COMMANDS,
    )
    for command in (
        *members.COMMANDS,
        *organisers.COMMANDS,
        *engagement.COMMANDS,
        *console,
        penpals,
    ):
        tree.add_command(command)
    # Extra subcommands live with their feature; override: each client registers again.
    round_group = next(c for c in organisers.COMMANDS if c.name == "round")
    assert isinstance(round_group, app_commands.Group)
    for command in (
        *engagement.ROUND_COMMANDS,
        *console_files.ROUND_COMMANDS,
        *console_settings.ROUND_COMMANDS,
        *console_topics.ROUND_COMMANDS,
    ):
        round_group.add_command(command, override=True)
    for command in reports.PENPALS_COMMANDS:
        penpals.add_command(command, override=True)
