"""Which server an interaction's ids belong to (issue 14: communities are isolated).

A persistent button names its round by id in its custom id, and Discord user ids are
the same in every server, so a member of two servers could press, in one, a button
carrying the other's round (an old message, a forged id). A press made in a server
must name a round (or a survey of a round) of that server's community; a press in a
DM carries no server, and the core checks the member (goals: a member of the pair;
offers: made to them; surveys: one of the round's members).
"""

from __future__ import annotations

import discord

from adapters.discord.context import community_of, deps
from core.errors import NotAllowed, NotFound
from core.model import Community

ELSEWHERE = "this button belongs to another server: nothing was changed"


async def ensure_round_here(interaction: discord.Interaction, round_id: int) -> Community | None:
    """Return the server's community if round *round_id* is one of its rounds, None in a DM;
    refuse (NotAllowed, nothing changed) a round of another server's community."""
    if interaction.guild_id is None:
        return None
    community = await community_of(interaction)
    async with deps(interaction).services.uow(read_only=True) as uow:
        try:
            round_ = await uow.rounds.get(round_id)
        except NotFound:
            raise NotAllowed(ELSEWHERE) from None
    if round_.community_id != community.id:
        raise NotAllowed(ELSEWHERE)
    return community


async def ensure_survey_here(interaction: discord.Interaction, survey_id: int) -> None:
    """Refuse (NotAllowed, nothing changed) a survey of another server's round, pressed in
    a server; an unknown survey is left to the core to say so."""
    if interaction.guild_id is None:
        return
    async with deps(interaction).services.uow(read_only=True) as uow:
        survey = await uow.surveys.get(survey_id)
    if survey is not None:
        await ensure_round_here(interaction, survey.round_id)
