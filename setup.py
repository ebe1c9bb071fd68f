"""Build step: compile the gettext catalogs into .mo files; the rest is in pyproject.toml.

A wheel (`pip install .`, `python -m build`) carries core/locale/<lang>/LC_MESSAGES/
penpals.mo instead of the .po sources. Editable installs and checkouts keep reading
the .po files, which core.i18n compiles in memory when no up-to-date .mo is there.
The compiler is core.i18n's own (standard library only), loaded by path so that the
build needs nothing beyond setuptools.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _compiler() -> Callable[[str], bytes]:
    spec = importlib.util.spec_from_file_location("_penpals_i18n", HERE / "core" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    compile_po: Callable[[str], bytes] = module.compile_po
    return compile_po


class BuildPyWithCatalogs(build_py):
    """Copy the packages as usual, then turn each catalog's .po into its .mo."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the source tree is used as is; core.i18n reads the .po files
        compile_po = _compiler()
        for po in sorted(Path(self.build_lib, "core", "locale").glob("*/LC_MESSAGES/*.po")):
            po.with_suffix(".mo").write_bytes(compile_po(po.read_text(encoding="utf-8")))
            po.unlink()  # one catalog per language in the wheel, never a stale pair


setup(cmdclass={"build_py": BuildPyWithCatalogs})
