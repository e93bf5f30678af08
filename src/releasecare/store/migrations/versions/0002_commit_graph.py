"""the commit graph, for change sets computed from the database; settings

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 01:40:00

Changes may have no release (a deployed commit no tag contains yet). Releases are
marked unscanned: the next ``release scan`` walks them again and
stores the graph (a deploy's change set needs it; the changes stored before were
attributed by version order, not by git's reachability).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commits",
        sa.Column("sha", sa.String(length=64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("parents", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sha", name=op.f("pk_commits")),
    )
    with op.batch_alter_table("commits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commits_generation"), ["generation"], unique=False)
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.alter_column("release_id", existing_type=sa.Integer(), nullable=True)
    op.execute("UPDATE releases SET scanned_at = NULL")


def downgrade() -> None:
    op.execute("DELETE FROM changes WHERE release_id IS NULL")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.alter_column("release_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("settings")
    with op.batch_alter_table("commits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commits_generation"))
    op.drop_table("commits")
