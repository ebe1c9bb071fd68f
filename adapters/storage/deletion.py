"""Delete one community and everything of it, in one transaction (`penpals community delete`).

Uninstalling penpals from a Slack workspace (or removing the bot from a Discord
server) keeps the community's data; only an organiser's explicit delete removes it.
The rows go child tables first (the metadata's dependency order), each table by
the column that ties it to the community: its community id, or a round, group,
survey or member of the community. Discord's thread budget goes by the server id;
a Slack workspace's installation (its tokens) by the team id. Other communities'
rows are never touched: every condition names this community's ids.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.storage.orm import Base
from core.model import Community, Platform

# What ties a table to a community, tried in this order: (column, parent table).
_LINKS = (
    ("community_id", "communities"),
    ("round_id", "rounds"),
    ("group_id", "groups"),
    ("survey_id", "surveys"),
    ("member_id", "members"),
)


def _ids_of(parent: str, community_id: int) -> Any:
    """Return a subquery of the ids of *parent* rows belonging to the community."""
    t = Base.metadata.tables
    rounds = select(t["rounds"].c.id).where(t["rounds"].c.community_id == community_id)
    if parent == "communities":
        return select(t["communities"].c.id).where(t["communities"].c.id == community_id)
    if parent == "rounds":
        return rounds
    if parent == "groups":
        return select(t["groups"].c.id).where(t["groups"].c.round_id.in_(rounds))
    if parent == "surveys":
        return select(t["surveys"].c.id).where(t["surveys"].c.round_id.in_(rounds))
    return select(t["members"].c.id).where(t["members"].c.community_id == community_id)


def _condition(table: Table, community: Community) -> Any:
    """Return the WHERE clause selecting *table*'s rows of the community, or None."""
    c = table.c
    if table.name == "communities":
        return c.id == community.id
    if table.name == "thread_wakes":
        return (c.platform == community.platform.value) & (c.place == community.external_id)
    if table.name in ("slack_installations", "slack_bots"):
        if community.platform is not Platform.SLACK:
            return None
        return c.team_id == community.external_id
    found = [
        c[column].in_(_ids_of(parent, community.id))
        for column, parent in _LINKS
        if column in c and parent != table.name
    ]
    return or_(*found) if found else None


async def community_counts(engine: AsyncEngine, community: Community) -> dict[str, int]:
    """Return, per table, how many rows of the community there are (what a delete removes)."""
    counts: dict[str, int] = {}
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            where = _condition(table, community)
            if where is None:
                continue
            n = await connection.scalar(select(func.count()).select_from(table).where(where))
            if n:
                counts[table.name] = int(n)
    return counts


async def delete_community(engine: AsyncEngine, community: Community) -> dict[str, int]:
    """Delete every row of *community* (children first), in one transaction; return counts."""
    removed: dict[str, int] = {}
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            where = _condition(table, community)
            if where is None:
                continue
            result = await connection.execute(delete(table).where(where))
            if result.rowcount:
                removed[table.name] = int(result.rowcount)
    return removed
