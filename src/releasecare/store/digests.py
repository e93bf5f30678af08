"""Digest marks: per customer and environment, the deployment a customer on a daily or
weekly cadence was last told of (by a digest, or by a notice sent to them at once)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from releasecare.store.models import DigestMarkRow
from releasecare.store.upsert import insert


def marks(session: Session, customer_id: str) -> dict[str, int]:
    """environment -> the deployment the customer was last told of there."""
    rows = session.scalars(select(DigestMarkRow).where(DigestMarkRow.customer_id == customer_id))
    return {row.environment: row.deployment_id for row in rows}


def set_mark(
    session: Session, customer_id: str, environment: str, deployment_id: int, *, only_new: bool
) -> None:
    """The customer now knows ``environment`` as of ``deployment_id``; with ``only_new``
    an existing mark is kept (a baseline set once, when the first notice waits)."""
    statement = insert(session, DigestMarkRow).values(
        customer_id=customer_id,
        environment=environment,
        deployment_id=deployment_id,
        updated_at=datetime.now(UTC),
    )
    keys = ["customer_id", "environment"]
    if only_new:
        session.execute(statement.on_conflict_do_nothing(index_elements=keys))
    else:
        session.execute(
            statement.on_conflict_do_update(
                index_elements=keys,
                set_={"deployment_id": deployment_id, "updated_at": datetime.now(UTC)},
            )
        )
