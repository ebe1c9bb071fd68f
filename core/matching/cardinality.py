"""Grow a matching to maximum cardinality with Edmonds' blossom algorithm.

The feasibility graph is dense (most applicants share English), so it is never
built. Neighbours are enumerated by language class (people with the same set of
languages) and, inside a class, by type (same separation too): a search labels each
member once, skips a whole type that shares v's separation, and remembers which
types are used up. Four facts keep the searches short:

- an augmenting path joins two exposed people of one connected component, so a
  component with at most one exposed person needs no search at all;
- a new outer vertex first looks for an exposed neighbour, which in a dense graph
  ends most searches after a handful of steps;
- outer vertices of one type in one blossom have the same neighbours, so once one
  has scanned in vain the others skip until the tree changes;
- when a search from r fails, its tree ("Hungarian tree") can be deleted: no later
  augmenting path can use it (Edmonds 1965), so each failure is paid for once.

The search itself is the classic single-root version with base pointers (kept in
a union-find) and parent links, as in e-maxx's "Edmonds' algorithm". A failed
search over a dense pool of 18,000 costs about a second; the usual ones, far less.
"""

from __future__ import annotations

from collections import deque

from core.matching.exposed import Exposed, crowded_types, short_paths
from core.matching.index import Index, bit_list

_ODD, _OUTER = 1, 2


class _Forest:
    """Alternating tree of one search, rooted at an exposed vertex."""

    def __init__(self, index: Index, mate: list[int], live: _Live, root: int) -> None:
        self.ix = index
        self.mate = mate
        self.live = live
        self.dead = live.dead
        self.root = root
        self.label: dict[int, int] = {}
        self.parent: dict[int, int] = {}
        self.uf: dict[int, int] = {}  # blossom union-find; a set's representative is its base
        self.queue: deque[int] = deque()
        # Per language class: the types that may still have unlabelled members.
        self.pending: dict[int, list[int]] = {}
        self.pointer: dict[int, int] = {}  # per type: first member that may be unlabelled
        # Outer vertices per language class, base and separation. A few per separation
        # are enough: one more than anyone's number of past partners always leaves one.
        self.keep = 1 + index.most_past_partners
        self.groups: dict[int, dict[int, dict[int, list[int]]]] = {}
        # The bases of each class's groups, filed so that a scan skips in one step the
        # groups made only of people who share the scanner's separation.
        self.mono: dict[int, dict[int, dict[int, None]]] = {}  # class -> sep -> bases
        self.multi: dict[int, dict[int, None]] = {}  # class -> bases with several seps
        self.classes_of: dict[int, list[int]] = {}  # base -> classes where it has a group
        # Outer vertices of one type and base have the same neighbours, past partners
        # aside: once one of them has scanned everything in vain, the others can skip
        # until the tree changes. `events` counts changes; `scanned` remembers, per
        # (type, base), the count after such a scan (only if no past partner was skipped).
        self.events = 0
        self.scanned: dict[tuple[int, int], int] = {}
        self.excluded = False

    def base(self, v: int) -> int:
        uf = self.uf
        root = v
        while root in uf:
            root = uf[root]
        while v != root:  # path compression
            uf[v], v = root, uf[v]
        return root

    # --- outer groups ------------------------------------------------------------

    def _file(self, c: int, b: int) -> None:
        group = self.groups[c][b]
        if len(group) == 1:
            (sep,) = group
            self.mono.setdefault(c, {}).setdefault(sep, {})[b] = None
        else:
            self.multi.setdefault(c, {})[b] = None

    def _unfile(self, c: int, b: int) -> None:
        group = self.groups[c][b]
        if len(group) == 1:
            (sep,) = group
            bases = self.mono[c][sep]
            del bases[b]
            if not bases:
                del self.mono[c][sep]
        else:
            del self.multi[c][b]

    def _add_to_group(self, c: int, b: int, members: dict[int, list[int]]) -> None:
        groups = self.groups.setdefault(c, {})
        into = groups.get(b)
        if into is None:
            groups[b] = members
            self.classes_of.setdefault(b, []).append(c)
        else:
            self._unfile(c, b)
            if len(into) < len(members):
                into, members = members, into
                groups[b] = into
            for sep, more in members.items():
                kept = into.setdefault(sep, [])
                kept.extend(more[: self.keep - len(kept)])
        self._file(c, b)

    def _merge_base(self, b: int, top: int) -> None:
        """Move the outer groups of base b (now inside top's blossom) under top."""
        for c in self.classes_of.pop(b, []):
            self._unfile(c, b)
            self._add_to_group(c, top, self.groups[c].pop(b))

    # --- the search --------------------------------------------------------------

    def _lca(self, a: int, b: int) -> int:
        seen = set()
        while True:
            a = self.base(a)
            seen.add(a)
            if self.mate[a] == -1:
                break
            a = self.parent[self.mate[a]]
        while True:
            b = self.base(b)
            if b in seen:
                return b
            b = self.parent[self.mate[b]]

    def _mark_path(self, v: int, top: int, child: int, marks: set[int]) -> None:
        while self.base(v) != top:
            m = self.mate[v]
            marks.add(self.base(v))
            marks.add(self.base(m))
            self.parent[v] = child
            child = m
            v = self.parent[m]

    def _contract(self, v: int, w: int, exposed: Exposed) -> int:
        """Shrink the blossom closed by the edge v-w; return an exposed vertex if one is found."""
        top = self._lca(v, w)
        marks: set[int] = set()
        self._mark_path(v, top, w, marks)
        self._mark_path(w, top, v, marks)
        merged = sorted(marks - {top})
        self.events += 1
        for b in merged:
            self.uf[b] = top
        for b in merged:
            self._merge_base(b, top)
        for b in merged:
            if self.label.get(b) != _OUTER:
                found = self.grow(b, exposed)
                if found >= 0:
                    return found
        return -1

    def grow(self, v: int, exposed: Exposed) -> int:
        """Make v outer; return an exposed neighbour of v if there is one."""
        ix = self.ix
        self.events += 1
        self.label[v] = _OUTER
        self._add_to_group(ix.class_of[v], self.base(v), {ix.sep_of[v]: [v]})
        self.queue.append(v)
        x = exposed.neighbour(v, self.root)
        if x >= 0:
            self.parent[x] = v
        return x

    def search(self, exposed: Exposed) -> int:
        """Return the exposed end of an augmenting path from the root, or -1."""
        ix = self.ix
        found = self.grow(self.root, exposed)
        while found < 0 and self.queue:
            v = self.queue.popleft()
            if self.scanned.get((ix.type_of[v], self.base(v))) == self.events:
                continue  # someone just like v found nothing, and nothing changed since
            self.excluded = False
            pending, groups, sep, type_sep = self.pending, self.groups, ix.sep_of[v], ix.type_sep
            for c in ix.overlapping(ix.class_of[v]):
                # Most classes have nothing left for v (at most v's own type, which v
                # cannot meet): checked here, without a call.
                types = pending.get(c)
                if types is None or len(types) > 1 or (types and type_sep[types[0]] != sep):
                    found = self._label_class(v, c, exposed)
                    if found >= 0:
                        break
                outer = groups.get(c)
                if outer and (len(outer) > 1 or self.base(v) not in outer):
                    found = self._join_blossoms(v, c, exposed)
                    if found >= 0:
                        break
            if not self.excluded:
                self.scanned[(ix.type_of[v], self.base(v))] = self.events
        return found

    def _label_class(self, v: int, c: int, exposed: Exposed) -> int:
        """Label v's unlabelled neighbours in class c as odd and their mates as outer."""
        ix = self.ix
        label, dead, mate, prev, sep = self.label, self.dead, self.mate, ix.prev[v], ix.sep_of[v]
        types = self.pending.get(c, self.live.class_types[c])
        still: list[int] = []
        for u in types:
            if ix.type_sep[u] == sep:
                still.append(u)
                continue
            members = self.live.members[u]
            k = self.pointer.get(u, 0)
            skipped = -1
            while k < len(members):
                w = members[k]
                k += 1
                if w in label or dead[w]:
                    continue
                if w in prev:
                    self.excluded = True
                    if skipped < 0:
                        skipped = k - 1  # still unlabelled for the next scanner
                    continue
                label[w] = _ODD
                self.parent[w] = v
                m = mate[w]
                if m < 0:
                    return w
                found = self.grow(m, exposed)
                if found >= 0:
                    return found
            self.pointer[u] = skipped if skipped >= 0 else k
            if skipped >= 0:
                still.append(u)
        self.pending[c] = still
        return -1

    def _join_blossoms(self, v: int, c: int, exposed: Exposed) -> int:
        """Contract a blossom for each outer neighbour in class c with another base than v."""
        own, prev = self.ix.sep_of[v], self.ix.prev[v]
        bases = list(self.multi.get(c, ()))
        for sep, more in self.mono.get(c, {}).items():
            if sep != own:
                bases.extend(more)
        groups = self.groups.get(c, {})
        for b in bases:
            group = groups.get(b)
            if group is None or b == self.base(v):
                continue  # merged into another group, or v's own blossom
            w = -1
            for sep, members in group.items():
                if sep != own:
                    w = next((x for x in members if x not in prev), -1)
                    if w >= 0:
                        break
                    self.excluded = True
            if w >= 0:
                found = self._contract(v, w, exposed)
                if found >= 0:
                    return found
        return -1


class _Live:
    """Members of each type and types of each class, without deleted (dead) people.

    Lists are compacted once half their entries are dead, so walking them stays
    proportional to the living.
    """

    def __init__(self, index: Index) -> None:
        self.ix = index
        self.dead = [False] * index.n
        self.members = [list(m) for m in index.members]
        self.class_types = [list(t) for t in index.class_types]
        self._dead_in = [0] * len(self.members)
        self._empty_in = [0] * len(self.class_types)

    def kill(self, v: int) -> None:
        """Delete v from the graph for the rest of the augmentation."""
        self.dead[v] = True
        t = self.ix.type_of[v]
        self._dead_in[t] += 1
        if 2 * self._dead_in[t] > len(self.members[t]):
            self.members[t] = [w for w in self.members[t] if not self.dead[w]]
            self._dead_in[t] = 0
            if not self.members[t]:
                c = self.ix.type_class[t]
                self._empty_in[c] += 1
                if 2 * self._empty_in[c] > len(self.class_types[c]):
                    self.class_types[c] = [u for u in self.class_types[c] if self.members[u]]
                    self._empty_in[c] = 0


def _components(index: Index) -> list[int]:
    """Return a component id per type: a superset of the feasibility graph's components.

    Types that meet nobody are alone; the others are joined through shared languages
    (ignoring separation and past partners, which can only split components further).
    """
    parent = list(range(len(index.languages)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_language = []
    for mask in index.class_mask:
        langs = bit_list(mask)
        first_language.append(langs[0] if langs else -1)
        for lang in langs[1:]:
            a, b = find(langs[0]), find(lang)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return [
        find(first_language[c]) if index.compatible_count(t) else -1 - t
        for t, c in enumerate(index.type_class)
    ]


def maximise(index: Index, mate: list[int]) -> None:
    """Augment *mate* (in place) until no augmenting path exists."""
    live = _Live(index)
    component = _components(index)
    exposed = Exposed(index, mate)
    short_paths(index, mate, exposed, crowded_types(index))
    exposed_in: dict[int, int] = {}
    roots = [v for v in range(index.n) if mate[v] < 0]
    for v in roots:
        c = component[index.type_of[v]]
        exposed_in[c] = exposed_in.get(c, 0) + 1
    # Hard-to-place people first: their searches fail fast and prune the rest.
    roots.sort(key=lambda v: (index.compatible_count(index.type_of[v]), v))
    for r in roots:
        c = component[index.type_of[r]]
        if mate[r] >= 0 or live.dead[r] or exposed_in[c] <= 1:
            continue
        if not index.compatible_count(index.type_of[r]):
            continue  # meets nobody: nothing to search
        forest = _Forest(index, mate, live, r)
        end = forest.search(exposed)
        if end >= 0:
            _augment(mate, forest.parent, end)
            exposed.remove(r)
            exposed.remove(end)
            exposed_in[c] -= 2
        else:
            for v in forest.label:
                live.kill(v)
            exposed.remove(r)
            exposed_in[c] -= 1


def _augment(mate: list[int], parent: dict[int, int], end: int) -> None:
    v = end
    while v >= 0:
        pv = parent[v]
        ppv = mate[pv]
        mate[v] = pv
        mate[pv] = v
        v = ppv
