"""digest marks: what each customer on a daily or weekly cadence was last told

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:20:00

One row per (customer, environment): the deployment the customer's last digest, or a
notice sent to them at once, brought them up to. ``notify --digest`` tells them the
net difference from there to what the environment runs now.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_marks",
        sa.Column("customer_id", sa.String(length=255), nullable=False),
        sa.Column("environment", sa.String(length=128), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "environment", name=op.f("pk_digest_marks")),
    )


def downgrade() -> None:
    op.drop_table("digest_marks")
