"""The country cap: how many of one country a matching may place, and who waits.

A community may cap the share of a round's matched participants from one country;
the latest applications of a country over it are waitlisted for the next round.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

from core.messages import vocab
from core.model import Application, Community, PairingRule

CAP_PREFIX = "over the country cap"


def cap_limit(counts: Mapping[str, int], cap: float) -> int:
    """Return the most people one country may have in the largest round the cap allows.

    With L people at most from each country (the earliest of each), a round has
    T(L) = sum(min(n_c, L)) people, and the cap holds when L <= cap * T(L). That
    slack, cap * T(L) - L, is concave in L (T grows by the number of countries with
    more than L, which only falls) and 0 at L = 0, so the L that satisfy it form an
    interval [0, L*]: L* is found by counting up. Taking min(n_c, L*) from each
    country is the largest round of all that keep the cap: any round whose biggest
    country has M people is no larger than T(M), and M <= cap * T(M) means M <= L*.
    0 means no round with anyone in it can keep the cap (fewer than 1/cap countries).
    """
    if not counts:
        return 0
    best = 0
    for limit in range(1, max(counts.values()) + 1):
        if limit > cap * sum(min(n, limit) for n in counts.values()) + 1e-9:
            break
        best = limit
    return best


def country_cap(
    apps: Sequence[Application], cap: float | None
) -> tuple[list[Application], list[tuple[Application, str]], bool]:
    """Split applications into admitted and over-the-cap, the latest of a country first out.

    Returns (admitted, over, applied). The admitted are the largest set in which no
    country has more than *cap* of the people (see cap_limit). When no such set has
    anyone in it (the people come from fewer than 1/cap countries), the cap cannot
    be met by any round: everyone is admitted and *applied* is False, so the preview
    can say so rather than waitlist the whole round.
    """
    if cap is None or not apps:
        return list(apps), [], True
    counts = Counter(a.profile.country for a in apps)
    limit = cap_limit(counts, cap)
    if limit == 0:
        return list(apps), [], False
    total = sum(min(n, limit) for n in counts.values())
    seen: Counter[str] = Counter()
    admitted, over = [], []
    for app in sorted(apps, key=lambda a: (a.submitted_at, a.id)):
        seen[app.profile.country] += 1
        if seen[app.profile.country] > limit:
            why = (
                f"{CAP_PREFIX}: at most {cap:.0%} of the matched participants "
                f"({limit} of {total}) from {vocab.country_name(app.profile.country)}, "
                "the latest applications waitlisted first; waitlisted for the next round"
            )
            over.append((app, why))
        else:
            admitted.append(app)
    return admitted, over, True


def cap_summary(
    placed: Sequence[str], over: int, cap: float | None, *, applied: bool = True
) -> str:
    """Say in words what the country cap did to a matching (placed: their countries)."""
    if cap is None:
        return ""
    if not applied:
        return (
            f"country cap of {cap:.0%} not applied: the approved come from fewer than "
            f"{math.ceil(1 / cap - 1e-9)} countries, so no round could keep it "
            "(change it with `penpals community configure --country-cap`)"
        )
    if not placed:
        return f"country cap of {cap:.0%}: nobody placed"
    country, top = Counter(placed).most_common(1)[0]
    return (
        f"country cap of {cap:.0%} of the matched participants: {over} waitlisted "
        f"(the latest applications of the countries over it); the largest country, "
        f"{vocab.country_name(country)}, has {top} of {len(placed)} "
        f"({top / len(placed):.1%})"
    )


def community_cap(community: Community) -> float | None:
    """Return the community's country cap, or None where it does not apply."""
    # A national program (pairing by institution or region) has one country by design.
    if community.settings.pairing_rule is not PairingRule.COUNTRY:
        return None
    return community.settings.country_cap
