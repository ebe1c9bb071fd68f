"""Which language to speak to a pair, from what its members chose.

A member's own choice (made at signup) comes first, then the community's default
(core.messages.i18n.pick). A pair space is written to in the language its members
chose when they all chose the same one; otherwise in the community's default (the
introduction also says which languages the pair has in common).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.messages import i18n
from core.model import Community
from core.ports import UnitOfWork


async def pair_language(uow: UnitOfWork, community: Community, member_ids: Sequence[int]) -> str:
    """Return the language of messages to a pair space: theirs if they all chose it."""
    chosen = await uow.members.languages(member_ids)
    return pair_language_of([chosen.get(m) for m in member_ids], community)


def pair_language_of(choices: Sequence[str | None], community: Community) -> str:
    """Return a pair's language from its members' choices (None: no choice)."""
    distinct = set(choices)
    if len(distinct) == 1 and (only := distinct.pop()) is not None:
        return i18n.pick(only, community.settings.default_language)
    return i18n.pick(community.settings.default_language)
