"""No circle of imports inside core/ (issue 16).

The graph is built from the source with ast, not by importing: an edge A -> B for every
`import core.B` / `from core.B import x` / `from core.B import module` in module A,
wherever it stands (top level, inside a function, or under `if TYPE_CHECKING:`). Imports
inside functions and under TYPE_CHECKING count too: a circle hidden that way is still
a circle a reader has to hold in mind, and it breaks as soon as the import moves up.
Importing a package (core/x/__init__.py) counts as an edge to that package's module.
Checked: circles between modules. Not checked: circles between packages (core.rounds
-> core.matching -> core.rounds): the capabilities still lean on each other through
rounds, messages and ports (package_graph below shows them), which takes moving more
than types; `cycles(package_graph(import_graph()))` lists them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"


def module_name(path: Path) -> str:
    """Return the dotted name of a module under the repository root."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def core_modules() -> dict[str, Path]:
    """Return every module of core/ by dotted name."""
    return {module_name(p): p for p in sorted(CORE.rglob("*.py"))}


def imports_of(path: Path, known: Iterable[str]) -> set[str]:
    """Return the core modules *path* imports (runtime, deferred and TYPE_CHECKING alike)."""
    names = set(known)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from core.x import y` names module core.x.y when y is a module.
            targets = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        else:
            continue
        for target in targets:
            if target in names:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    """Return core's import graph: module -> the core modules it imports."""
    modules = core_modules()
    graph = {name: imports_of(path, modules) - {name} for name, path in modules.items()}
    # `from core.x import y` where y is a module also lists core.x itself: a package's
    # __init__ imports nothing here, so that edge only says "the package is loaded".
    for targets in graph.values():
        for t in list(targets):
            if any(o.startswith(t + ".") for o in targets):
                targets.discard(t)
    return graph


def package_of(module: str) -> str:
    """Return the capability a module belongs to: core.x for core.x.y, else itself."""
    parts = module.split(".")
    return ".".join(parts[:2])


def package_graph(graph: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """Return the graph between capabilities (core.rounds, core.matching, core.model...)."""
    out: dict[str, set[str]] = {}
    for module, targets in graph.items():
        edges = out.setdefault(package_of(module), set())
        edges |= {package_of(t) for t in targets} - {package_of(module)}
    return out


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Return one circle per strongly connected component with more than one node."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_core_modules_import_each_other_without_a_circle() -> None:
    """No core module reaches itself again through its imports, at any depth."""
    assert cycles(import_graph()) == []


def test_surveys_reports_audit_and_ports_are_out_of_every_circle() -> None:
    """The circles issue 16 named (ports-surveys, reports-messages, ports-audit) are gone."""
    in_circles = {m for c in cycles(import_graph()) for m in c}
    named = {"core.ports", "core.audit", "core.messages.render", "core.reports.service"}
    assert not in_circles & named
    assert not {m for m in in_circles if m.startswith(("core.surveys", "core.rounds"))}


def test_the_check_finds_a_circle() -> None:
    """The cycle finder reports a circle of three and ignores a chain."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_sees_deferred_and_type_checking_imports() -> None:
    """Imports inside functions and under TYPE_CHECKING are edges of the graph."""
    graph = import_graph()
    # core.ports imports the survey types under TYPE_CHECKING only.
    assert "core.surveys.model" in graph["core.ports"]
