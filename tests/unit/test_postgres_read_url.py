"""The quick PostgreSQL read connects exactly as the usual way would, or not at all.

For every URL, adapters/storage/postgres_read.connect_args gives either None (the
usual way decides) or the very arguments SQLAlchemy's asyncpg dialect passes to
asyncpg.connect for that URL once engine.database_url() has read it.
"""

from __future__ import annotations

import pytest
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

from adapters.storage.engine import database_url
from adapters.storage.postgres_read import connect_args


def usual_args(url: str) -> dict[str, object]:
    _, args = PGDialect_asyncpg().create_connect_args(database_url(url))
    return dict(args)


PLAIN = [
    "postgresql://user:pass@db.example.org:5432/penpals",
    "postgresql+asyncpg://postgres@127.0.0.1:55432/postgres",
    "postgres://user:pass@host/db",
    "postgresql://host/db",
    "postgresql://host",
    "postgresql:///db",
    "postgresql://",
    "postgresql://user@/db",
    "postgresql://:pass@host/db",
    "postgresql://user:@host/db",
    "postgresql://user:p%40ss%3Aw%2Frd@host/db",  # @ : / escaped
    "postgresql://user:pa:ss/word@host/db",  # : and / as they are, in the password
    "postgresql://us%20er:x@host/d%C3%A9j%C3%A0",
    "postgresql://user:x@[::1]:5433/db",
    "postgresql://user:x@host:0/db",
    "postgresql://host/a/b",
    "postgresql://user:x@host/",
]
NOT_PLAIN = [
    "postgresql://user:pass@host/db?sslmode=require",
    "postgresql://user:pass@host/db?ssl=true",
    "postgresql://user:pass@host/db?prepared_statement_cache_size=100",
    "postgresql://host/db?host=/run/postgresql",
    "postgresql://h1:5432,h2:5432/db",
    "postgresql://user:p@ss@host/db",  # a second @: SQLAlchemy reads it otherwise
    "postgresql://host:port/db",
    "postgresql://host:/db",
    "postgresql://host/db#part",
    "postgresql+psycopg://user:pass@host/db",
    "POSTGRESQL://host/db",
    "sqlite:///penpals.db",
    "mysql://user@host/db",
    "postgresql://ho st/db",
    "postgresql://a/b:c@host/db",
]


@pytest.mark.parametrize("url", PLAIN)
def test_a_plain_url_gives_the_usual_ways_arguments(url: str) -> None:
    assert connect_args(url) == usual_args(url)


@pytest.mark.parametrize("url", NOT_PLAIN)
def test_anything_else_is_left_to_the_usual_way(url: str) -> None:
    assert connect_args(url) is None


def test_the_password_is_decoded_as_the_usual_way_decodes_it() -> None:
    assert connect_args("postgresql://ana:p%40ss%25@h/db") == {
        "host": "h",
        "database": "db",
        "user": "ana",
        "password": "p@ss%",
    }
