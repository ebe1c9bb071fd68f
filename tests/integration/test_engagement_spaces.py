"""The figures engagement keeps its pair spaces by: they change whenever the spaces do."""

from __future__ import annotations

from dataclasses import replace

from core.delivery.outbox import ActionKind, NewAction
from core.model import Platform
from core.ports import NewGroup
from tests.integration.storage_support import (
    T0,
    UowFactory,
    make_community,
    make_members,
    make_round,
)


async def _version(uow_factory: UowFactory, round_id: int) -> tuple[int, ...]:
    async with uow_factory() as uow:
        return await uow.engagement.spaces_version(round_id)


async def test_spaces_version_follows_groups_members_and_made_spaces(
    uow_factory: UowFactory,
) -> None:
    """A space made, a group ended or regrouped, a member gone: each changes the figures;
    another round's changes and a pending space do not."""
    community_id = await make_community(uow_factory)
    round_id = await make_round(uow_factory, community_id, "Spring")
    other = await make_round(uow_factory, community_id, "Autumn")
    a, b, c, d, e = await make_members(uow_factory, community_id, 5)
    async with uow_factory() as uow:
        await uow.groups.replace_proposal(
            round_id, [NewGroup(1, (a, b), 0.5, ()), NewGroup(2, (c, d, e), 0.5, ())]
        )
        await uow.groups.publish(round_id)
        await uow.commit()
    seen = [await _version(uow_factory, round_id)]

    def space(key: str, number: int, round_: int) -> NewAction:
        action = ActionKind.CREATE_SPACE
        return NewAction(key, community_id, Platform.DISCORD, action, {"group": number}, T0, round_)

    async with uow_factory() as uow:  # pending spaces, and another round's: the same
        await uow.outbox.enqueue([space("s:g1", 1, round_id), space("a:g1", 1, other)])
        await uow.groups.add(other, NewGroup(1, (a, c), 0.1, ()), published=True)
        await uow.commit()
    assert await _version(uow_factory, round_id) == seen[-1]

    async with uow_factory() as uow:  # a space made
        stored = await uow.outbox.by_keys(["s:g1"])
        await uow.outbox.finish(stored["s:g1"].id, {"space_id": "C1"}, T0)
        await uow.commit()
    seen.append(await _version(uow_factory, round_id))

    async with uow_factory() as uow:  # a member leaves the group of three
        trio = (await uow.groups.find_many(round_id, [2]))[2]
        await uow.groups.save(replace(trio, member_ids=(c, d)))
        await uow.commit()
    seen.append(await _version(uow_factory, round_id))

    async with uow_factory() as uow:  # a pair ends and a new one takes its number's place
        pair = (await uow.groups.find_many(round_id, [1]))[1]
        await uow.groups.save(replace(pair, active=False))
        await uow.groups.add(round_id, NewGroup(3, (a, e), 0.1, ()), published=True)
        await uow.commit()
    seen.append(await _version(uow_factory, round_id))

    assert len(set(seen)) == len(seen)
