"""Incidents: opened once per external id, their updates, the customers they hurt.

``open_incident`` is an upsert (``INSERT ... ON CONFLICT DO NOTHING`` on the source
and external id, on SQLite and PostgreSQL alike), so two pipelines opening the same
incident at once store it once and neither fails. The lifecycle's rules live in
``releasecare.incidents``; this module stores what it decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from releasecare.domain import ComponentSpan, Deployment, Incident, IncidentUpdate
from releasecare.store.deployments import to_domain as deployment_domain
from releasecare.store.models import (
    ChangeRow,
    DeploymentRow,
    IncidentComponentRow,
    IncidentCustomerRow,
    IncidentRow,
    IncidentUpdateRow,
)
from releasecare.store.upsert import insert


@dataclass(frozen=True)
class NewIncident:
    """What ``open_incident`` stores; the first update (``message``) is optional."""

    title: str
    environment: str
    started_at: datetime
    severity: str | None = None
    spans: tuple[ComponentSpan, ...] = ()
    public_title: str | None = None
    source: str = "cli"
    external_id: str | None = None
    suspect_deployment_id: int | None = None
    suspect_named: bool = False
    status: str = "investigating"
    message: str | None = None
    named_customers: tuple[AffectedRow, ...] = ()
    # An imported incident's end (None: its start when it is resolved, else open).
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class AffectedRow:
    """A customer an incident affected, as stored (see ``IncidentCustomerRow``)."""

    customer_id: str
    name: str
    components: tuple[str, ...] = ()
    named: bool = False


def _loaded() -> tuple[LoaderOption, ...]:
    return (
        selectinload(IncidentRow.components),
        selectinload(IncidentRow.updates),
    )


def open_incident(session: Session, new: NewIncident) -> tuple[Incident, bool]:
    """Store ``new`` once: with an external id, a second open of the same id (a retried
    CI step, a concurrent pipeline) returns the stored incident and False."""
    values = {
        "title": new.title,
        "environment": new.environment,
        "severity": new.severity,
        "status": new.status,
        "started_at": new.started_at,
        "resolved_at": (new.resolved_at or new.started_at) if new.status == "resolved" else None,
        "suspect_deployment_id": new.suspect_deployment_id,
        "suspect_named": new.suspect_named,
        "source": new.source,
        "external_id": new.external_id,
        "public_title": new.public_title,
    }
    statement = insert(session, IncidentRow).values(**values)
    if new.external_id is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["source", "external_id"])
    incident_id = session.execute(statement.returning(IncidentRow.id)).scalar()
    if incident_id is None:
        assert new.external_id is not None  # the conflict was with this incident
        stored = by_external_id(session, new.source, new.external_id)
        assert stored is not None
        return stored, False
    session.add_all(
        IncidentComponentRow(
            incident_id=incident_id,
            component=span.component,
            started_at=span.started_at,
            resolved_at=span.resolved_at,
        )
        for span in new.spans
    )
    if new.message is not None:
        session.add(
            IncidentUpdateRow(
                incident_id=incident_id, status=new.status, message=new.message, at=new.started_at
            )
        )
    session.add_all(_customer_row(incident_id, row) for row in new.named_customers)
    session.flush()
    stored = get(session, incident_id)
    assert stored is not None
    return stored, True


def complete(
    session: Session,
    incident_id: int,
    suspect_id: int | None,
    *,
    named: bool,
    customers: Sequence[AffectedRow],
) -> Incident:
    """Set a new incident's suspect deploy (``named``: given, not linked) and keep the
    customers named at open."""
    row = session.get(IncidentRow, incident_id)
    if row is None:
        raise LookupError(incident_id)
    row.suspect_deployment_id = suspect_id
    row.suspect_named = named
    session.add_all(_customer_row(incident_id, c) for c in customers)
    session.flush()
    stored = get(session, incident_id)
    assert stored is not None
    return stored


def _customer_row(incident_id: int, row: AffectedRow) -> IncidentCustomerRow:
    return IncidentCustomerRow(
        incident_id=incident_id,
        customer_id=row.customer_id,
        name=row.name,
        components=" ".join(row.components),
        named=row.named,
    )


def by_external_id(session: Session, source: str, external_id: str) -> Incident | None:
    row = session.scalar(
        select(IncidentRow)
        .where(IncidentRow.source == source, IncidentRow.external_id == external_id)
        .options(*_loaded())
    )
    return None if row is None else to_domain(row)


def get(session: Session, incident_id: int, *, for_update: bool = False) -> Incident | None:
    """One incident; ``for_update`` locks its row (PostgreSQL) until the transaction ends,
    so two updates at once take turns."""
    query = select(IncidentRow).where(IncidentRow.id == incident_id).options(*_loaded())
    if for_update:
        query = query.with_for_update()
    row = session.scalar(query.execution_options(populate_existing=True))
    return None if row is None else to_domain(row)


def listing(
    session: Session,
    *,
    open_only: bool = False,
    environment: str | None = None,
    since: datetime | None = None,
) -> list[Incident]:
    """Incidents, newest start first; ``since``: those open at some point after it."""
    query = select(IncidentRow)
    if open_only:
        query = query.where(IncidentRow.resolved_at.is_(None))
    if environment is not None:
        query = query.where(IncidentRow.environment == environment)
    if since is not None:
        still_open = IncidentRow.resolved_at.is_(None)
        query = query.where(or_(still_open, IncidentRow.resolved_at >= since))
    rows = session.scalars(
        query.order_by(IncidentRow.started_at.desc(), IncidentRow.id.desc()).options(*_loaded())
    )
    return [to_domain(row) for row in rows]


def during(
    session: Session, environment: str, start: datetime | None, end: datetime
) -> list[Incident]:
    """Incidents on ``environment`` that were open at some point in ``(start, end]``."""
    query = select(IncidentRow).where(
        IncidentRow.environment == environment, IncidentRow.started_at <= end
    )
    if start is not None:
        query = query.where(or_(IncidentRow.resolved_at.is_(None), IncidentRow.resolved_at > start))
    rows = session.scalars(query.order_by(IncidentRow.started_at).options(*_loaded()))
    return [to_domain(row) for row in rows]


def add_update(
    session: Session, incident_id: int, update: IncidentUpdate, *, reopen: bool = False
) -> None:
    """Keep ``update`` and move the incident to its status: ``resolved`` sets the end;
    a reopen clears it and lets go of the customers fixed at the resolution."""
    row = session.get(IncidentRow, incident_id)
    if row is None:
        raise LookupError(incident_id)
    session.add(
        IncidentUpdateRow(
            incident_id=incident_id, status=update.status, message=update.message, at=update.at
        )
    )
    row.status = update.status
    if update.status == "resolved":
        row.resolved_at = update.at
    elif reopen or row.resolved_at is not None:
        row.resolved_at = None
        _forget_fixed(session, incident_id)
    session.flush()


def apply_import(session: Session, incident_id: int, new: NewIncident) -> bool:
    """Make a stored incident what its tool now says: title, public title, environment,
    severity, status, start, end and each component's times. True when anything
    changed. An incident no longer resolved lets go of the customers fixed then."""
    row = session.get(IncidentRow, incident_id)
    if row is None:
        raise LookupError(incident_id)
    values = {
        "title": new.title,
        "public_title": new.public_title,
        "environment": new.environment,
        "severity": new.severity,
        "status": new.status,
        "started_at": new.started_at,
        "resolved_at": (new.resolved_at or new.started_at) if new.status == "resolved" else None,
    }
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if changed and row.resolved_at is None:
        _forget_fixed(session, incident_id)
    spans = {span.component: span for span in new.spans}
    for stored in list(row.components):
        span = spans.pop(stored.component, None)
        if span is None:
            row.components.remove(stored)
            changed = True
        elif (stored.started_at, stored.resolved_at) != (span.started_at, span.resolved_at):
            stored.started_at, stored.resolved_at = span.started_at, span.resolved_at
            changed = True
    for span in spans.values():
        row.components.append(
            IncidentComponentRow(
                component=span.component, started_at=span.started_at, resolved_at=span.resolved_at
            )
        )
        changed = True
    session.flush()
    return changed


def sync_updates(
    session: Session, incident_id: int, updates: Sequence[tuple[IncidentUpdate, str | None]]
) -> bool:
    """Keep an imported incident's updates as its tool has them, each once: an update
    with its own id (``(update, id)``) is matched by that id, and changed where the
    tool changed it; one without is matched by its time, status and message. Updates
    with an id the tool no longer lists are removed; those without one stay (made
    here with ``incident update``, or history the tool has dropped since). True when
    anything changed."""
    rows = session.scalars(
        select(IncidentUpdateRow).where(IncidentUpdateRow.incident_id == incident_id)
    ).all()
    by_id = {r.external_id: r for r in rows if r.external_id is not None}
    plain = {(r.at, r.status, r.message) for r in rows if r.external_id is None}
    listed = set()
    changed = False
    for update, external_id in updates:
        if external_id is None:
            if (update.at, update.status, update.message) in plain:
                continue
            plain.add((update.at, update.status, update.message))
        else:
            listed.add(external_id)
            stored = by_id.get(external_id)
            if stored is not None:
                if (stored.at, stored.status, stored.message) != (
                    update.at,
                    update.status,
                    update.message,
                ):
                    stored.at, stored.status, stored.message = (
                        update.at,
                        update.status,
                        update.message,
                    )
                    changed = True
                continue
        session.add(
            IncidentUpdateRow(
                incident_id=incident_id,
                status=update.status,
                message=update.message,
                at=update.at,
                external_id=external_id,
            )
        )
        changed = True
    for external_id, stored in by_id.items():
        if external_id not in listed:
            session.delete(stored)
            changed = True
    session.flush()
    return changed


def _forget_fixed(session: Session, incident_id: int) -> None:
    session.execute(
        delete(IncidentCustomerRow).where(
            IncidentCustomerRow.incident_id == incident_id, IncidentCustomerRow.named.is_(False)
        )
    )


def fix_customers(session: Session, incident_id: int, rows: Sequence[AffectedRow]) -> None:
    """Keep ``rows`` as the customers the incident affected (those named at open stay)."""
    _forget_fixed(session, incident_id)
    named = {r.customer_id for r in affected(session, incident_id) if r.named}
    session.add_all(_customer_row(incident_id, r) for r in rows if r.customer_id not in named)
    session.flush()


def affected(session: Session, incident_id: int) -> list[AffectedRow]:
    """The customers stored for an incident: named at open, and fixed at resolution."""
    rows = session.scalars(
        select(IncidentCustomerRow)
        .where(IncidentCustomerRow.incident_id == incident_id)
        .order_by(IncidentCustomerRow.customer_id)
    )
    return [AffectedRow(r.customer_id, r.name, tuple(r.components.split()), r.named) for r in rows]


def deployments_between(
    session: Session, environment: str, start: datetime, end: datetime
) -> list[Deployment]:
    """The deployments to ``environment`` from ``start`` to ``end``, in time order: the
    ones an incident's suspect is looked for among."""
    rows = session.scalars(
        select(DeploymentRow)
        .where(
            DeploymentRow.environment == environment,
            DeploymentRow.deployed_at >= start,
            DeploymentRow.deployed_at <= end,
        )
        .order_by(DeploymentRow.deployed_at, DeploymentRow.id)
    )
    return [deployment_domain(row) for row in rows]


def author_names(session: Session) -> list[str]:
    """Every git author's name in the stored changes: people a customer never reads of."""
    names = session.scalars(select(ChangeRow.author_name).distinct())
    return sorted(n for n in names if n)


def to_domain(row: IncidentRow) -> Incident:
    components = sorted(row.components, key=lambda c: c.component)
    return Incident(
        id=row.id,
        title=row.title,
        environment=row.environment,
        status=row.status,
        started_at=row.started_at,
        resolved_at=row.resolved_at,
        severity=row.severity,
        components=tuple(c.component for c in components),
        suspect_deployment_id=row.suspect_deployment_id,
        updates=tuple(IncidentUpdate(u.status, u.message, u.at) for u in row.updates),
        public_title=row.public_title,
        source=row.source,
        external_id=row.external_id,
        suspect_named=row.suspect_named,
        spans=tuple(ComponentSpan(c.component, c.started_at, c.resolved_at) for c in components),
    )
