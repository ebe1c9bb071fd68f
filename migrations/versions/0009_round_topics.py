"""A round's own topics, each in any of the supported languages (core.rounds.round_topics).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 19:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create round_topic_texts: one row per round, topic position and language."""
    op.create_table(
        "round_topic_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_round_topic_texts_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_topic_texts")),
        sa.UniqueConstraint(
            "round_id", "position", "lang", name=op.f("uq_round_topic_texts_round_id_position_lang")
        ),
    )


def downgrade() -> None:
    """Drop round_topic_texts."""
    op.drop_table("round_topic_texts")
