"""Build step: compile the gettext catalogs into .mo files; the rest is in pyproject.toml.

A wheel (`pip install .`, `python -m build`) carries core/locale/<lang>/LC_MESSAGES/
<domain>.mo instead of the .po sources, compiled by Babel (a build requirement in
pyproject.toml, as `pybabel compile` would). Editable installs and checkouts keep
reading the .po files, which core.messages.i18n compiles in memory with Babel when no
up-to-date .mo is there.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py


def compile_catalog(po: Path) -> bytes:
    """Return the .mo bytes of one catalog (fuzzy entries left out)."""
    lang, domain = po.parent.parent.name, po.stem
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=domain)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


class BuildPyWithCatalogs(build_py):
    """Copy the packages as usual, then turn each catalog's .po into its .mo."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the source tree is used as is; core.messages.i18n reads the .po files
        for po in sorted(Path(self.build_lib, "core", "locale").glob("*/LC_MESSAGES/*.po")):
            po.with_suffix(".mo").write_bytes(compile_catalog(po))
            po.unlink()  # one catalog per language in the wheel, never a stale pair


setup(cmdclass={"build_py": BuildPyWithCatalogs})
