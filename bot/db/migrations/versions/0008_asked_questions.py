"""asked questions: what attendees ask the bot, for the unanswered list and refine buttons

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 12:00:00

One row per free-text question (kept 90 days). /stats groups the unanswered ones by their
normalized text, hence (answered, normalized); the retention purge deletes by created_at;
"Delete my data" finds a person's rows by user_id. The id is a BIGINT on PostgreSQL (a busy
bot asks many questions) and SQLite's INTEGER PRIMARY KEY (its rowid) there, like the outbox.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "asked_questions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("normalized", sa.String(length=300), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asked_questions")),
    )
    with op.batch_alter_table("asked_questions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_asked_questions_answered_normalized", ["answered", "normalized"], unique=False
        )
        batch_op.create_index("ix_asked_questions_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_asked_questions_user_id", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("asked_questions", schema=None) as batch_op:
        batch_op.drop_index("ix_asked_questions_user_id")
        batch_op.drop_index("ix_asked_questions_created_at")
        batch_op.drop_index("ix_asked_questions_answered_normalized")
    op.drop_table("asked_questions")
