"""incident updates: the id an imported update has in its tool

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:00:00

``incident import`` keeps each update's own id from the export (a Statuspage
incident update's id), so a re-import changes the update it matches rather than
adding another; unique per incident. Updates made at the CLI, and imported ones
without an id, have none (NULL: never equal, so never in conflict).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incident_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_incident_updates_incident_id_external_id"),
            ["incident_id", "external_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("incident_updates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_incident_updates_incident_id_external_id"), type_="unique"
        )
        batch_op.drop_column("external_id")
