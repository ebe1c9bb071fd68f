"""Grow a matching to maximum cardinality with Edmonds' blossom algorithm.

The feasibility graph is dense (most applicants share English), so it is never
built: neighbours are enumerated type by type (see matching_index), labelling each
unlabelled member of a compatible type once per search. Three facts keep the
searches short:

- an augmenting path joins two exposed people of one connected component, so a
  component with at most one exposed person needs no search at all;
- a new outer vertex first looks for an exposed neighbour, which in a dense graph
  ends most searches after a handful of steps;
- when a search from r fails, its tree ("Hungarian tree") can be deleted: no later
  augmenting path can use it (Edmonds 1965), so each failure is paid for once.

The search itself is the classic single-root version with base pointers
(kept in a union-find) and parent links, as in e-maxx's "Edmonds' algorithm".
"""

from __future__ import annotations

from collections import deque

import numpy as np

from core.matching_index import Index

_ODD, _OUTER = 1, 2


class _Forest:
    """Alternating tree of one search, rooted at an exposed vertex."""

    def __init__(self, index: Index, mate: list[int], dead: list[bool], root: int) -> None:
        self.ix = index
        self.mate = mate
        self.dead = dead
        self.root = root
        self.label: dict[int, int] = {root: _OUTER}
        self.parent: dict[int, int] = {}
        self.uf: dict[int, int] = {}  # blossom union-find; a set's representative is its base
        self.queue: deque[int] = deque([root])
        self.pointer: dict[int, int] = {}  # per type: first member that may be unlabelled
        self.outer_in: dict[int, dict[int, list[int]]] = {}  # per type: base -> outer members
        self._add_outer(root)

    def base(self, v: int) -> int:
        uf = self.uf
        root = v
        while root in uf:
            root = uf[root]
        while v != root:  # path compression
            uf[v], v = root, uf[v]
        return root

    def _add_outer(self, v: int) -> None:
        self.label[v] = _OUTER
        self.outer_in.setdefault(self.ix.type_of[v], {}).setdefault(v, []).append(v)

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

    def _contract(self, v: int, w: int, exposed: _Exposed) -> int:
        """Shrink the blossom closed by the edge v-w; return an exposed vertex if one is found."""
        top = self._lca(v, w)
        marks: set[int] = set()
        self._mark_path(v, top, w, marks)
        self._mark_path(w, top, v, marks)
        for b in sorted(marks):
            if b != top:
                self.uf[b] = top
        for b in sorted(marks):
            if self.label.get(b) != _OUTER:
                found = self._grow(b, exposed)
                if found >= 0:
                    return found
        return -1

    def _grow(self, v: int, exposed: _Exposed) -> int:
        """Make v outer; return an exposed neighbour of v if there is one."""
        self._add_outer(v)
        self.queue.append(v)
        x = exposed.neighbour(self.ix.type_of[v], self.ix.prev[v], self.root)
        if x >= 0:
            self.parent[x] = v
        return x

    def search(self, exposed: _Exposed) -> int:
        """Return the exposed end of an augmenting path from the root, or -1."""
        found = exposed.neighbour(self.ix.type_of[self.root], self.ix.prev[self.root], self.root)
        if found >= 0:
            self.parent[found] = self.root
            return found
        while self.queue:
            v = self.queue.popleft()
            for u in self.ix.compatible_list(self.ix.type_of[v]):
                found = self._label_members(v, u, exposed)
                if found < 0:
                    found = self._join_blossoms(v, u, exposed)
                if found >= 0:
                    return found
        return -1

    def _label_members(self, v: int, u: int, exposed: _Exposed) -> int:
        """Label v's unlabelled neighbours of type u as odd and their mates as outer."""
        members = self.ix.members[u]
        k = self.pointer.get(u, 0)
        skipped = -1
        label, dead, mate, prev = self.label, self.dead, self.mate, self.ix.prev[v]
        while k < len(members):
            w = members[k]
            k += 1
            if w in label or dead[w]:
                continue
            if w in prev:
                if skipped < 0:
                    skipped = k - 1  # still unlabelled for the next scanner
                continue
            label[w] = _ODD
            self.parent[w] = v
            m = mate[w]
            if m < 0:
                return w
            found = self._grow(m, exposed)
            if found >= 0:
                return found
        self.pointer[u] = skipped if skipped >= 0 else k
        return -1

    def _join_blossoms(self, v: int, u: int, exposed: _Exposed) -> int:
        """Contract a blossom for each outer neighbour of type u with another base than v."""
        groups = self.outer_in.get(u)
        if not groups:
            return -1
        merged: dict[int, list[int]] = {}
        for key, group in groups.items():
            b = self.base(key)
            into = merged.get(b)
            if into is None:
                merged[b] = group
            elif len(into) >= len(group):
                into.extend(group)
            else:
                group.extend(into)
                merged[b] = group
        self.outer_in[u] = merged
        prev = self.ix.prev[v]
        for key, group in list(merged.items()):
            if self.base(key) == self.base(v):
                continue
            w = next((w for w in group if w not in prev), -1)
            if w >= 0:
                found = self._contract(v, w, exposed)
                if found >= 0:
                    return found
        return -1


class _Exposed:
    """Exposed live vertices grouped by type, for the quick look-ahead."""

    def __init__(self, index: Index, mate: list[int], dead: list[bool]) -> None:
        self.ix = index
        self.by_type: dict[int, dict[int, None]] = {}
        for v, m in enumerate(mate):
            if m < 0 and not dead[v]:
                self.by_type.setdefault(index.type_of[v], {})[v] = None

    def remove(self, v: int) -> None:
        t = self.ix.type_of[v]
        group = self.by_type.get(t)
        if group is not None and v in group:
            del group[v]
            if not group:
                del self.by_type[t]

    def neighbour(self, t: int, prev: set[int], root: int) -> int:
        """Return an exposed vertex a member of type t may meet (other than root), or -1."""
        row = self.ix.compatible_row(t)
        for u, group in self.by_type.items():
            if row[u]:
                for x in group:
                    if x != root and x not in prev:
                        return x
        return -1


def _components(index: Index) -> list[int]:
    """Return a component id per type (type-level connectivity, ignoring past partners)."""
    count = len(index.members)
    component = np.full(count, -1, dtype=np.int64)
    for start in range(count):
        if component[start] >= 0:
            continue
        component[start] = start
        stack = [start]
        while stack:
            row = np.frombuffer(index.compatible_row(stack.pop()), dtype=np.bool_)
            reached = np.flatnonzero(row & (component < 0))
            component[reached] = start
            stack.extend(reached.tolist())
    return component.tolist()


def maximise(index: Index, mate: list[int]) -> None:
    """Augment *mate* (in place) until no augmenting path exists."""
    n = index.n
    dead = [False] * n
    component = _components(index)
    exposed_in: dict[int, int] = {}
    roots = [v for v in range(n) if mate[v] < 0]
    for v in roots:
        c = component[index.type_of[v]]
        exposed_in[c] = exposed_in.get(c, 0) + 1
    exposed = _Exposed(index, mate, dead)
    # Hard-to-place people first: their searches fail fast and prune the rest.
    roots.sort(key=lambda v: (index.compatible_count(index.type_of[v]), v))
    for r in roots:
        c = component[index.type_of[r]]
        if mate[r] >= 0 or dead[r] or exposed_in[c] <= 1:
            continue
        forest = _Forest(index, mate, dead, r)
        end = forest.search(exposed)
        if end >= 0:
            _augment(mate, forest.parent, end)
            exposed.remove(r)
            exposed.remove(end)
            exposed_in[c] -= 2
        else:
            for v in forest.label:
                dead[v] = True
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
