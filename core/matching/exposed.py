"""The exposed (unpaired) people, indexed for quick look-ups, and the short paths.

matching_cardinality's searches first look for an exposed neighbour of each new
outer vertex; people are filed by language class and type, so that look-up skips
whole groups that share the asker's separation. In a pool crowded by one country
the same index gives most of that country a partner before any search runs.
"""

from __future__ import annotations

from core.matching.index import Index


class Exposed:
    """Exposed live vertices by language class and type, for the quick look-ahead."""

    def __init__(self, index: Index, mate: list[int], types: set[int] | None = None) -> None:
        self.ix = index
        self.by_class: dict[int, dict[int, dict[int, None]]] = {}
        for v, m in enumerate(mate):
            if m < 0 and (types is None or index.type_of[v] in types):
                group = self.by_class.setdefault(index.class_of[v], {})
                group.setdefault(index.type_of[v], {})[v] = None

    def remove(self, v: int) -> None:
        c, t = self.ix.class_of[v], self.ix.type_of[v]
        types = self.by_class[c]
        del types[t][v]
        if not types[t]:
            del types[t]
            if not types:
                del self.by_class[c]

    def neighbour(self, v: int, root: int) -> int:
        """Return an exposed vertex (other than root) that v may meet, or -1."""
        ix = self.ix
        c, sep, prev = ix.class_of[v], ix.sep_of[v], ix.prev[v]
        overlapping = ix.overlapping(c)
        if len(self.by_class) < len(overlapping):
            mask = ix.class_mask[c]
            classes = [k for k in self.by_class if ix.class_mask[k] & mask]
        else:
            classes = [k for k in overlapping if k in self.by_class]
        for k in classes:
            for t, group in self.by_class[k].items():
                if ix.type_sep[t] != sep:
                    for x in group:
                        if x != root and x not in prev:
                            return x
        return -1


def crowded_types(index: Index) -> set[int]:
    """Return the types with more members than people they could meet."""
    return {t for t, people in enumerate(index.members) if len(people) > index.compatible_count(t)}


def short_paths(index: Index, mate: list[int], exposed: Exposed, crowded: set[int]) -> None:
    """Give exposed people of crowded types a partner along paths x - a = b - y, in place.

    A crowded type (60% of a pool from one country, say) keeps most of its members
    exposed, and each pair a = b of two people who could both meet one of them is an
    augmenting path of three edges. A search from x finds it too, but only after
    labelling everyone met before a: thousands of people per path, where here each
    pair costs two look-ups. (Taking every exposed person as an end is no good: it
    uses up the easy ends, and the searches from the hard to place then cost seconds
    at 100,000.)
    """
    ends = Exposed(index, mate, crowded)
    # Who meets no exposed crowded person, by language class and separation: the
    # exposed only grow fewer, so that stays true (past partners aside: not kept).
    alone: set[tuple[int, int]] = set()
    for a in range(index.n):
        b = mate[a]
        if b < a or not ends.by_class:
            continue
        kind = (index.class_of[a], index.sep_of[a])
        if kind in alone:
            continue
        x = ends.neighbour(a, -1)
        if x < 0:
            if not index.prev[a]:
                alone.add(kind)
            continue
        y = ends.neighbour(b, x)
        if y < 0:
            continue
        mate[x], mate[a], mate[b], mate[y] = a, x, y, b
        for v in (x, y):
            ends.remove(v)
            exposed.remove(v)
