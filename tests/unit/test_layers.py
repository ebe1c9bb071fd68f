"""The arrows between the layers point inwards: bots -> adapters -> core (issue 16).

Read from the source with ast, so imports inside functions and under TYPE_CHECKING
count as much as those at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported(path: Path) -> set[str]:
    """Return every module name *path* imports, at any place in the file."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def importers_of(package: str, layer: str) -> list[str]:
    """Return the modules under *layer*/ that import anything of *package*."""
    return sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / layer).rglob("*.py")
        if any(n == package or n.startswith(package + ".") for n in imported(path))
    )


def test_no_adapter_imports_bots() -> None:
    """Adapters use core's types and Protocols; the composition root passes them in."""
    assert importers_of("bots", "adapters") == []


def test_core_imports_neither_adapters_nor_bots() -> None:
    """The core is the innermost layer: it names no adapter and no composition root."""
    assert importers_of("adapters", "core") == []
    assert importers_of("bots", "core") == []


def test_the_check_sees_a_type_checking_import(tmp_path: Path) -> None:
    """An import under TYPE_CHECKING counts: the arrow points up all the same."""
    module = tmp_path / "m.py"
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import bots.x\n")
    assert "bots.x" in imported(module)
