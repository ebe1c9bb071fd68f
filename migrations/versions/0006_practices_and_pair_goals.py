"""A community's practices (named contact, time commitment, guidance) and each pair's goals.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add communities.practices and create pair_goals."""
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("practices", sa.JSON(), nullable=True))
    op.create_table(
        "pair_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_pair_goals_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_goals")),
        sa.UniqueConstraint("group_id", name=op.f("uq_pair_goals_group_id")),
    )


def downgrade() -> None:
    """Drop pair_goals and communities.practices."""
    op.drop_table("pair_goals")
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_column("practices")
