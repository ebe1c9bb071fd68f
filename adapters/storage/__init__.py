"""Storage adapter: SQLAlchemy tables, repositories and unit of work, Alembic migrations."""

from adapters.storage.engine import DEFAULT_DATABASE_URL, create_engine
from adapters.storage.migrate import SchemaOutdated, check_schema, upgrade, upgrade_async
from adapters.storage.uow import SqlUnitOfWork, unit_of_work_factory

__all__ = [
    "DEFAULT_DATABASE_URL",
    "SchemaOutdated",
    "SqlUnitOfWork",
    "check_schema",
    "create_engine",
    "unit_of_work_factory",
    "upgrade",
    "upgrade_async",
]
