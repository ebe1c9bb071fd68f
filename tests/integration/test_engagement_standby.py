"""A new partner from the standby pool: the odd one out, the waitlist or a volunteer, within
the hard rules; the organisers told when nobody fits; the offer lapsing on an answer."""

from __future__ import annotations

import pytest

from core.errors import Conflict
from core.model import ApplicationStatus as A
from core.model import MemberRef
from core.ports import UnitOfWorkFactory
from tests.integration.engagement_support import LOCAL, PAIR, Applicant, running_round
from tests.support import Program

STANDBY = {
    # The odd one out: a second applicant from Brazil cannot join the pair as a third.
    "odd one out": ([*PAIR, Applicant("beatriz", "BR")], []),
    "waitlisted": ([*PAIR, Applicant("wakana", "JP", status=A.WAITLISTED)], []),
    "volunteer": (PAIR, [Applicant("victor", "KE")]),
}


@pytest.mark.parametrize("source", list(STANDBY))
async def test_accepting_the_offer_pairs_the_active_partner_from_the_standby_pool(
    p: Program, uow_factory: UnitOfWorkFactory, source: str
) -> None:
    """The partner who wrote last gets a new pair space with someone from the pool."""
    applicants, earlier = STANDBY[source]
    r = await running_round(p, uow_factory, applicants, earlier=earlier)
    active = "ana"
    silent = r.partner_of(active)
    if earlier:
        assert await r.engagement.volunteer(r.community, MemberRef(LOCAL, "victor"))
    r.say(active, 0.5)
    await r.day(29)
    accepted = await r.accept(active)
    await r.delivery.run_due()
    assert accepted.source == source and accepted.number == 2
    newcomer = r.partner_of(active)
    assert newcomer not in (active, silent)
    assert accepted.partner == newcomer
    assert r.platform.spaces[r.space_of(active)].messages[0][1].title == "Meet your partner"
    assert "took up the offer" in r.platform.alerts[-1].body
    async with uow_factory() as uow:
        groups = {g.number: g for g in await uow.groups.list(r.round.id, active_only=False)}
        newcomer_id = await uow.members.find(r.community.id, MemberRef(LOCAL, newcomer))
        app = await uow.applications.find(r.round.id, newcomer_id or 0)
    assert not groups[1].active and groups[2].active
    assert app is not None and app.status is A.APPROVED


async def test_the_new_partner_respects_the_hard_rules(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Same country and no shared language rule the first in line out: a volunteer fits."""
    applicants = [
        *PAIR,
        Applicant("aino", "FI"),  # an odd one out from the active partner's country
        Applicant("wakana", "JP", languages=("ja",), status=A.WAITLISTED),
    ]
    r = await running_round(p, uow_factory, applicants, earlier=[Applicant("victor", "KE")])
    await r.engagement.volunteer(r.community, MemberRef(LOCAL, "victor"))
    (space,) = r.platform.spaces.values()
    active = next(m for m in space.members if m in ("ana", "aino"))
    r.say(active, 0.5)
    await r.day(29)
    accepted = await r.accept(active)
    assert (accepted.partner, accepted.source) == ("victor", "volunteer")


async def test_when_nobody_fits_the_organisers_are_told(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """An empty pool leaves the pair as it is and asks the organisers to step in."""
    r = await running_round(p, uow_factory, PAIR)
    r.say("ana", 0.5)
    await r.day(29)
    accepted = await r.accept("ana")
    await r.delivery.run_due()
    assert accepted.number is None
    assert "nobody in the standby pool fits" in r.platform.alerts[-1].body
    assert len(r.platform.spaces) == 1


async def test_the_offer_lapses_when_the_partner_writes_again(
    p: Program, uow_factory: UnitOfWorkFactory
) -> None:
    """Bruno answers after the offer went out: the pair continues."""
    r = await running_round(p, uow_factory, [*PAIR, Applicant("wakana", "JP", status=A.WAITLISTED)])
    r.say("ana", 0.5)
    await r.day(29)
    r.say("bruno", 29.5)
    p.clock.set(r.at(30))
    with pytest.raises(Conflict, match="active again"):
        await r.accept("ana")
