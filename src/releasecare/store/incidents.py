"""Incidents as notices need them: the ones on an environment during a period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from releasecare.domain import Incident, IncidentUpdate
from releasecare.store.models import IncidentRow


def during(
    session: Session, environment: str, start: datetime | None, end: datetime
) -> list[Incident]:
    """Incidents on ``environment`` that were open at some point in ``(start, end]``."""
    query = select(IncidentRow).where(
        IncidentRow.environment == environment, IncidentRow.started_at <= end
    )
    if start is not None:
        query = query.where(or_(IncidentRow.resolved_at.is_(None), IncidentRow.resolved_at > start))
    rows = session.scalars(
        query.order_by(IncidentRow.started_at).options(
            selectinload(IncidentRow.components), selectinload(IncidentRow.updates)
        )
    )
    return [
        Incident(
            id=row.id,
            title=row.title,
            environment=row.environment,
            status=row.status,
            started_at=row.started_at,
            resolved_at=row.resolved_at,
            severity=row.severity,
            components=tuple(sorted(c.component for c in row.components)),
            suspect_deployment_id=row.suspect_deployment_id,
            updates=tuple(IncidentUpdate(u.status, u.message, u.at) for u in row.updates),
        )
        for row in rows
    ]
