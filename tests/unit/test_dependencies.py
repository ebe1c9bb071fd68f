"""Every third-party module the code imports comes from a distribution pyproject.toml declares.

CI installs into a fresh virtual environment (`.ci/run`), so a module that only the
developer's machine happens to have fails there; this test says which one, and why,
before CI does.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterable
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("core", "adapters", "bots", "migrations", "tests", "benchmarks")
# Our own top-level packages and modules: never a third-party import.
LOCAL = {*SCANNED, "setup", "conftest"}


def _canonical(name: str) -> str:
    """Return a distribution name as PEP 503 normalises it (`Discord.py` -> `discord-py`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_distributions(pyproject: Path = ROOT / "pyproject.toml") -> set[str]:
    """Return the distributions of `dependencies` and the `dev` extra, normalised."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    # A requirement starts with its name: `sqlalchemy[asyncio]>=2`, `discord.py>=2.6`.
    names = {re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", r).group(1) for r in requirements}  # type: ignore[union-attr]
    return {_canonical(n) for n in names}


def imported_modules(files: Iterable[Path]) -> dict[str, Path]:
    """Return each absolute top-level module imported by *files*, with one file importing it."""
    found: dict[str, Path] = {}
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path)
    return found


def third_party(modules: dict[str, Path]) -> dict[str, Path]:
    """Drop the standard library and penpals' own packages."""
    return {
        m: p
        for m, p in modules.items()
        if m not in sys.stdlib_module_names and m not in LOCAL and not m.startswith("__")
    }


def undeclared(modules: dict[str, Path], declared: set[str]) -> list[str]:
    """Return a sentence for each module no declared distribution provides."""
    providers = packages_distributions()
    problems = []
    for module, path in sorted(modules.items()):
        dists = {_canonical(d) for d in providers.get(module, [])}
        if not dists & declared:
            where = path.relative_to(ROOT)
            given = ", ".join(sorted(dists)) or "no installed distribution"
            problems.append(
                f"{module} (imported by {where}) comes from {given}, "
                "which pyproject.toml does not declare"
            )
    return problems


def source_files() -> list[Path]:
    return sorted(p for folder in SCANNED for p in (ROOT / folder).rglob("*.py"))


def test_every_third_party_import_is_a_declared_dependency() -> None:
    """Each module imported in core, adapters, bots, migrations, tests, benchmarks is declared."""
    modules = third_party(imported_modules(source_files()))
    assert "networkx" in modules and "sqlalchemy" in modules  # the scan sees the real imports
    assert undeclared(modules, declared_distributions()) == []


def test_a_missing_declaration_is_named(tmp_path: Path) -> None:
    """Without networkx declared the check names it and its importers."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    without = re.sub(r'^\s*"networkx[^"]*",\n', "", text, flags=re.MULTILINE)
    assert without != text
    (tmp_path / "pyproject.toml").write_text(without, encoding="utf-8")
    modules = third_party(imported_modules(source_files()))
    problems = undeclared(modules, declared_distributions(tmp_path / "pyproject.toml"))
    assert len(problems) == 1 and problems[0].startswith("networkx (imported by ")
