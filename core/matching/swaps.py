"""Exchange partners between two pairs, or with an unplaced person, all at once (numpy).

For every candidate pair (u, v) the exchange it suggests is scored at once:

- u and v both placed: u takes v and their old partners take each other (when
  those two may meet);
- one of them unplaced: the other takes them and leaves their old partner unplaced.

Neither changes how many people are placed. The exchanges that raise the total pair
score are applied best first, each only if nobody in it was moved already in this
round; a few rounds follow. It is the depth-two case of matching_cycles, cheap
enough for pools too big for that search (tens of thousands of people).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.matching.candidates import Edges
from core.matching.index import (
    INTEREST_POINTS,
    INTERESTS_COUNTED,
    WISH_POINTS,
    WORKDAY_HOURS,
    Index,
)

ROUNDS = 12  # at most; they usually stop gaining after six or so
EPSILON = 1e-6


def swap_pairs(
    index: Index, edges: Edges, mate: list[int], rounds: int = ROUNDS, fixed: Sequence[int] = ()
) -> int:
    """Apply gaining two-pair exchanges (in place); return how many.

    People in *fixed* keep their partner, or stay unplaced.
    """
    n = index.n
    if not n or not len(edges.left):
        return 0
    partner = np.array(mate, dtype=np.int64)
    placed = np.flatnonzero(partner >= 0)
    pair = np.zeros(n, dtype=np.float64)
    pair[placed] = index.weight_pairs(placed, partner[placed])
    wishful = WISH_POINTS * np.array([w != 0 for w in index.wish_of], dtype=np.float64)
    tags = INTEREST_POINTS * np.minimum(
        np.array([m.bit_count() for m in index.interests_of], dtype=np.float64),
        INTERESTS_COUNTED,
    )
    active = np.arange(len(edges.left))
    if len(fixed):
        held = np.zeros(n, dtype=np.bool_)
        held[list(fixed)] = True
        held[[mate[v] for v in fixed if mate[v] >= 0]] = True  # their partners stay too
        active = np.flatnonzero(~held[edges.left] & ~held[edges.right])
    applied = 0
    for _ in range(rounds):
        u, v, w_uv = edges.left[active], edges.right[active], edges.weight[active]
        mu, mv = partner[u], partner[v]
        gain = np.full(len(u), -1.0)
        both = (mu >= 0) & (mv >= 0) & (mu != v)
        rows = np.flatnonzero(both)
        a, b = mu[rows], mv[rows]
        # What a and b could score at most rules most exchanges out before scoring them.
        most = wishful[a] + wishful[b] + np.minimum(tags[a], tags[b]) + WORKDAY_HOURS
        keep = w_uv[rows] + most - pair[u[rows]] - pair[v[rows]] > EPSILON
        rows, a, b = rows[keep], a[keep], b[keep]
        ok = index.feasible_pairs(a, b)
        rows, a, b = rows[ok], a[ok], b[ok]
        gain[rows] = w_uv[rows] + index.weight_pairs(a, b) - pair[u[rows]] - pair[v[rows]]
        only_u = (mu >= 0) & (mv < 0)
        gain[only_u] = w_uv[only_u] - pair[u[only_u]]
        only_v = (mv >= 0) & (mu < 0)
        gain[only_v] = w_uv[only_v] - pair[v[only_v]]
        good = np.flatnonzero(gain > EPSILON)
        if not len(good):
            break
        good = good[np.argsort(-gain[good], kind="stable")]
        moved = [False] * n
        mate_list = partner.tolist()
        for x, y in zip(u[good].tolist(), v[good].tolist(), strict=True):
            px, py = mate_list[x], mate_list[y]
            if moved[x] or moved[y] or (px >= 0 and moved[px]) or (py >= 0 and moved[py]):
                continue
            for p in (x, y, px, py):
                if p >= 0:
                    moved[p] = True
                    mate_list[p] = -1
            mate_list[x], mate_list[y] = y, x
            if px >= 0 and py >= 0:
                mate_list[px], mate_list[py] = py, px
            applied += 1
        partner = np.array(mate_list, dtype=np.int64)
        changed = np.array(moved, dtype=np.bool_)
        touched = np.flatnonzero(changed & (partner >= 0))
        pair[changed] = 0.0
        pair[touched] = index.weight_pairs(touched, partner[touched])
        # Only exchanges around someone who moved can have changed their gain.
        active = active[changed[edges.left[active]] | changed[edges.right[active]]]
    mate[:] = partner.tolist()
    return applied
