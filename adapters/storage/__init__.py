"""Storage adapter: SQLAlchemy tables, repositories and unit of work, Alembic migrations.

The names below are imported when first used: importing a light module of this
package (mapping.py, revisions.py, sqlite_read.py) does not import SQLAlchemy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "DEFAULT_DATABASE_URL": "adapters.storage.engine",
    "create_engine": "adapters.storage.engine",
    "SchemaOutdated": "adapters.storage.migrate",
    "check_schema": "adapters.storage.migrate",
    "upgrade": "adapters.storage.migrate",
    "upgrade_async": "adapters.storage.migrate",
    "SqlUnitOfWork": "adapters.storage.uow",
    "unit_of_work_factory": "adapters.storage.uow",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)
