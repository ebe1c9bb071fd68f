"""A round found by its name, or NotFound with a hint (shared by every service)."""

from __future__ import annotations

from core.errors import NotFound
from core.model import Round
from core.ports import UnitOfWork


async def find_round(uow: UnitOfWork, community_id: int, name: str) -> Round:
    """Return the community's round called *name*, or raise NotFound with a hint."""
    found = await uow.rounds.find(community_id, name.strip())
    if found is None:
        raise NotFound(f"there is no round named {name!r}: see `penpals round list`")
    return found
