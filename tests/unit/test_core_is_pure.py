"""core/ must run without any platform, database or scheduler library."""

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "core"
FORBIDDEN = {"discord", "slack_bolt", "slack_sdk", "sqlalchemy", "apscheduler", "adapters", "bots"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_no_platform_or_storage_library(path: Path) -> None:
    """No module of core/ imports discord, slack, sqlalchemy, apscheduler, adapters or bots."""
    assert not imported_roots(path) & FORBIDDEN
