"""incidents: a customer-facing title, per-component times, the customers affected

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:50:00

An incident's title is internal; ``public_title`` is what customers read. Components
may carry their own times (importers give them). ``incident_customers`` keeps the
customers named at open and, once the incident resolves, those it affected, so that
later changes to the registry do not rewrite history. ``suspect_named``: the suspect
deploy was named (--deploy), not found by linking.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_title", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("suspect_named", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("incident_components", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(), nullable=True))
    op.create_table(
        "incident_customers",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("components", sa.Text(), nullable=False),
        sa.Column("named", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_customers_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "customer_id", name=op.f("pk_incident_customers")),
    )
    with op.batch_alter_table("incident_customers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_customers_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("incident_customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_customers_customer_id"))
    op.drop_table("incident_customers")
    with op.batch_alter_table("incident_components", schema=None) as batch_op:
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("started_at")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("suspect_named")
        batch_op.drop_column("public_title")
