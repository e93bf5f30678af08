"""notice versions with their content, the delivery outbox, disabled targets

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:00:00

``deliveries`` was never written by any release: it is made again in the outbox's
shape (one row per notice version, channel and target, with its state and the next
attempt), keyed to ``notice_versions``, which hold every format of what a customer is
told, so that ``notify`` needs no output folder.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_notice_id"))
    op.drop_table("deliveries")
    op.create_table(
        "notice_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("md", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("txt", sa.Text(), nullable=False),
        sa.Column("json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["deployments.id"],
            name=op.f("fk_notice_versions_deployment_id_deployments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_notice_versions_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_versions")),
        sa.UniqueConstraint(
            "customer_id",
            "subject",
            "version",
            name=op.f("uq_notice_versions_customer_id_subject_version"),
        ),
    )
    with op.batch_alter_table("notice_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_versions_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notice_versions_subject"), ["subject"], unique=False)
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_version_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("target_key", sa.String(length=64), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_code", sa.Integer(), nullable=True),
        sa.Column("last_reply", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_version_id"],
            ["notice_versions.id"],
            name=op.f("fk_deliveries_notice_version_id_notice_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "notice_version_id",
            "channel",
            "target_key",
            name=op.f("uq_deliveries_notice_version_id_channel_target_key"),
        ),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deliveries_notice_version_id"), ["notice_version_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_deliveries_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_deliveries_state"), ["state"], unique=False)
    op.create_table(
        "disabled_targets",
        sa.Column("customer_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("target_key", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "customer_id", "channel", "target_key", name=op.f("pk_disabled_targets")
        ),
    )


def downgrade() -> None:
    op.drop_table("disabled_targets")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_state"))
        batch_op.drop_index(batch_op.f("ix_deliveries_customer_id"))
        batch_op.drop_index(batch_op.f("ix_deliveries_notice_version_id"))
    op.drop_table("deliveries")
    with op.batch_alter_table("notice_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_versions_subject"))
        batch_op.drop_index(batch_op.f("ix_notice_versions_customer_id"))
    op.drop_table("notice_versions")
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notices.id"],
            name=op.f("fk_deliveries_notice_id_notices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_deliveries_idempotency_key")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_notice_id"), ["notice_id"], unique=False)
