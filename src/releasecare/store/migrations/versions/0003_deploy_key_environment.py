"""a deployment's external id is unique per environment

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 14:40:00

One CI run (one external id) may deploy to several environments; the key was
(source, external id) and recorded the second environment as "already recorded".
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_deployments_source_external_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_deployments_source_external_id_environment",
            ["source", "external_id", "environment"],
        )


def downgrade() -> None:
    # Rows that share a run across environments cannot all survive the older key:
    # the later ones lose their external id.
    op.execute(
        "UPDATE deployments SET external_id = NULL WHERE external_id IS NOT NULL AND id NOT IN "
        "(SELECT MIN(id) FROM deployments WHERE external_id IS NOT NULL "
        "GROUP BY source, external_id)"
    )
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_deployments_source_external_id_environment", type_="unique")
        batch_op.create_unique_constraint(
            "uq_deployments_source_external_id", ["source", "external_id"]
        )
