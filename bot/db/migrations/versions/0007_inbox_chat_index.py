"""inbox: a chat's unfinished updates found by chat; autovacuum keeps up with the queue

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 05:35:00

The claim rule looks for another unfinished update of the same chat. With only the
(state, update_id) index, PostgreSQL answered that by walking every pending or processing
entry, and every state change leaves a dead entry behind until VACUUM: storing a batch of 18
updates took 45 ms after 5,000 updates and kept growing. By chat, it stays at 6 ms. The
queue changes fast, so on PostgreSQL autovacuum analyzes and cleans it after a fixed number
of changes rather than a fraction of a table that only grows (the planner needs to know that
almost every row is done to pick the chat index).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_AUTOVACUUM = (
    "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, "
    "autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000"
)


def upgrade() -> None:
    op.create_index("ix_inbox_chat_state", "inbox_updates", ["chat_id", "state", "update_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE inbox_updates SET ({QUEUE_AUTOVACUUM})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE inbox_updates RESET (autovacuum_vacuum_scale_factor, "
            "autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor, "
            "autovacuum_analyze_threshold)"
        )
    op.drop_index("ix_inbox_chat_state", table_name="inbox_updates")
