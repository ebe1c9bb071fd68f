"""The country cap holds on the matched participants of random pools, on both databases."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest

from core.model import ApplicationStatus as A
from core.model import MemberRef, Platform
from tests.support import Program, profile

COUNTRIES = ["FI", "BR", "NG", "AU", "CA", "JP", "KE", "PH", "DE", "MX", "IN", "SE"]


@pytest.mark.parametrize("seed", range(6))
async def test_no_country_above_the_cap_of_the_matched_on_random_pools(
    p: Program, seed: int
) -> None:
    """Random pools, some unplaceable: every country <= 20% of the placed, latest out first."""
    rnd = random.Random(seed)
    c = await p.communities.ensure(Platform.LOCAL, f"cap{seed}", "Cap")
    await p.rounds.create(c.id, "R", starts=p.clock.now() + timedelta(days=30))
    await p.rounds.open(c.id, "R")
    # A heavy country, several light ones; some speak only a language nobody else does,
    # so they are left unplaced and the matched set is smaller than the admitted one.
    weights = [rnd.randint(1, 3) for _ in COUNTRIES]
    weights[0] = rnd.randint(6, 15)
    submitted: dict[str, int] = {}
    for i in range(rnd.randint(20, 45)):
        country = rnd.choices(COUNTRIES, weights)[0]
        lonely = rnd.random() < 0.2
        languages = (f"x{i}",) if lonely else ("en",)
        await p.applications.submit(
            c,
            MemberRef(Platform.LOCAL, f"m{i}"),
            profile(f"M {i}", country, languages=languages),
        )
        submitted[f"m{i}"] = i
        p.clock.advance(minutes=1)
    await p.applications.decide(c.id, "R", A.APPROVED, all_pending=True)
    await p.rounds.close(c.id, "R")
    report = await p.matches.preview(c, "R")
    placed = [m for g in report.groups for m in g.members]
    if "not applied" in report.cap_note:
        pytest.skip("this pool has too few countries for any round to keep the cap")
    counts = Counter(m.country for m in placed)
    assert all(n <= 0.2 * len(placed) + 1e-9 for n in counts.values()), (counts, len(placed))
    for person, why in report.over_cap:
        assert why.startswith("over the country cap")
        same = [submitted[m.external_id] for m in placed if m.country == person.country]
        assert all(submitted[person.external_id] > s for s in same)
    assert f"{len(report.over_cap)} waitlisted" in report.cap_note
    # Publishing waitlists exactly those, and the report read back says the same.
    shown = await p.matches.show(c, "R")
    assert {x.external_id for x, _ in shown.over_cap} == {x.external_id for x, _ in report.over_cap}
    await p.matches.publish(c, "R")
    waitlisted = await p.applications.list(c.id, "R", [A.WAITLISTED])
    assert {a.member.external_id for a in waitlisted} == {x.external_id for x, _ in report.over_cap}
