"""The head revision of penpals' migrations, read from the files' text (no Alembic)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import migrations

_REVISION = re.compile(r"^(down_revision|revision)\b[^=]*=\s*(.+)$", re.MULTILINE)


@cache
def quick_head() -> str | None:
    """Return the head revision read from the migration files' text; None if unsure.

    A shortcut for the check every command makes at start; Alembic decides whenever
    this finds anything but one plain chain.
    """
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (Path(migrations.__file__).parent / "versions").glob("*.py"):
        found = dict(_REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revision = found["revision"].strip().strip("\"'")
        down = found.get("down_revision", "None").strip()
        if not re.fullmatch(r"\w+", revision) or not re.fullmatch(r"None|([\"'])\w+\1", down):
            return None  # a merge or something unusual: let Alembic read it
        revisions.add(revision)
        if down != "None":
            downs.add(down.strip("\"'"))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None
