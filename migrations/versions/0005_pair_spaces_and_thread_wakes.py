"""Record each pair space's platform id, and the threads the bot made or woke (Discord's budget).

Existing spaces are copied from the outbox (done create_space actions), so a space made
before this revision is known as well.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 13:20:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create pair_spaces (filled from the outbox) and thread_wakes."""
    spaces = op.create_table(
        "pair_spaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("space_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_pair_spaces_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_spaces")),
        sa.UniqueConstraint("platform", "key", name=op.f("uq_pair_spaces_platform_key")),
    )
    with op.batch_alter_table("pair_spaces", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pair_spaces_platform_space_id"), ["platform", "space_id"], unique=False
        )
    op.create_table(
        "thread_wakes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("place", sa.String(length=64), nullable=False),
        sa.Column("thread_id", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_wakes")),
        sa.UniqueConstraint(
            "platform", "place", "thread_id", name=op.f("uq_thread_wakes_platform_place_thread_id")
        ),
    )
    with op.batch_alter_table("thread_wakes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_thread_wakes_platform_place_at"), ["platform", "place", "at"]
        )

    outbox = sa.table(
        "outbox",
        sa.column("key", sa.String),
        sa.column("community_id", sa.Integer),
        sa.column("platform", sa.String),
        sa.column("kind", sa.String),
        sa.column("state", sa.String),
        sa.column("result", sa.JSON),
        sa.column("done_at", sa.DateTime(timezone=True)),
    )
    rows = op.get_bind().execute(
        sa.select(
            outbox.c.key,
            outbox.c.community_id,
            outbox.c.platform,
            outbox.c.result,
            outbox.c.done_at,
        ).where(outbox.c.kind == "create_space", outbox.c.state == "done")
    )
    found = []
    for key, community_id, platform, result, done_at in rows:
        result = json.loads(result) if isinstance(result, str) else (result or {})
        if result.get("space_id"):
            found.append(
                {
                    "key": key,
                    "community_id": community_id,
                    "platform": platform,
                    "space_id": str(result["space_id"]),
                    "created_at": done_at or datetime.now(UTC),
                }
            )
    if found:
        op.bulk_insert(spaces, found)


def downgrade() -> None:
    """Drop what upgrade() added."""
    with op.batch_alter_table("thread_wakes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_wakes_platform_place_at"))
    op.drop_table("thread_wakes")
    with op.batch_alter_table("pair_spaces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_spaces_platform_space_id"))
    op.drop_table("pair_spaces")
