"""Add engagement: weekly message counts per pair member, pauses and the standby pool.

Counts only: no table holds the contents of a message.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 05:53:32.699814
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the pair_activity, pauses and standby tables."""
    op.create_table(
        "pair_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_pair_activity_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_pair_activity_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_activity")),
        sa.UniqueConstraint(
            "group_id", "member_id", "week", name=op.f("uq_pair_activity_group_id_member_id_week")
        ),
    )
    with op.batch_alter_table("pair_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_activity_member_id"), ["member_id"], unique=False)

    op.create_table(
        "pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("starts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_pauses_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_pauses_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pauses")),
    )
    with op.batch_alter_table("pauses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pauses_round_id_member_id"), ["round_id", "member_id"], unique=False
        )

    op.create_table(
        "standby",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_standby_community_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_standby_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_standby_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standby")),
    )
    with op.batch_alter_table("standby", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standby_community_id"), ["community_id"], unique=False)


def downgrade() -> None:
    """Drop the standby, pauses and pair_activity tables."""
    with op.batch_alter_table("standby", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standby_community_id"))
    op.drop_table("standby")

    with op.batch_alter_table("pauses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pauses_round_id_member_id"))
    op.drop_table("pauses")

    with op.batch_alter_table("pair_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_activity_member_id"))
    op.drop_table("pair_activity")
