"""Who an incident hurt, and for how long.

Affected are the customers on the incident's environment who use one of its
components (every customer there when it names none), and anyone named with
``--customer``. While the incident is open they are read from the registry; when
it resolves they are fixed in the store, so later changes to the registry do not
rewrite history.

Impact minutes run from the start to the resolution (to now while open). When the
components carry their own times (an importer gives them), each component counts
from its own start to its own end, and a customer's minutes are the time any of
their components was affected (overlaps counted once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from releasecare.domain import ALL, ComponentSpan, Customer, Incident
from releasecare.store import customers as customer_store
from releasecare.store import incidents as store
from releasecare.store.incidents import AffectedRow
from releasecare.text import duration_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Hurt:
    """One affected customer: their components among the incident's, and the minutes."""

    customer_id: str
    name: str
    components: tuple[str, ...]
    named: bool
    minutes: int
    per_component: tuple[tuple[str, int], ...]  # (component, minutes), in key order


def affected_now(session: Session, incident: Incident) -> list[AffectedRow]:
    """The customers the registry says the incident affects, and those named at open."""
    named = [row for row in store.affected(session, incident.id) if row.named]
    if incident.components:
        touched = customer_store.touched_by(session, incident.environment, incident.components)
    else:
        touched = [
            (c, ())
            for c in customer_store.all_customers(session)
            if c.lives_on(incident.environment)
        ]
    return with_named(named, touched)


def in_registry(
    incident: Incident, customers: Sequence[Customer], named: Sequence[AffectedRow] = ()
) -> list[AffectedRow]:
    """``affected_now`` over customers already loaded (a report has them all)."""
    wanted = set(incident.components)
    touched: list[tuple[Customer, Sequence[str]]] = []
    for customer in customers:
        if not customer.lives_on(incident.environment):
            continue
        if not wanted:
            touched.append((customer, ()))
            continue
        used = wanted if ALL in customer.components else wanted & set(customer.components)
        if used:
            touched.append((customer, tuple(sorted(used))))
    return with_named(named, touched)


def with_named(
    named: Sequence[AffectedRow], touched: Sequence[tuple[Customer, Sequence[str]]]
) -> list[AffectedRow]:
    """The customers named at open and those the registry touches, by id."""
    found = {row.customer_id: row for row in named}
    for customer, used in touched:
        if customer.id not in found:
            found[customer.id] = AffectedRow(customer.id, customer.name, tuple(used))
    return [found[key] for key in sorted(found)]


def affected_customers(session: Session, incident: Incident) -> list[AffectedRow]:
    """Fixed at the resolution; read from the registry while open, and for a resolved
    incident that has none kept (one resolved before releasecare kept them)."""
    if not incident.is_open:
        fixed = store.affected(session, incident.id)
        if fixed:
            return fixed
    return affected_now(session, incident)


def _span_times(
    incident: Incident, span: ComponentSpan, now: datetime
) -> tuple[datetime, datetime]:
    start = span.started_at or incident.started_at
    end = span.resolved_at or incident.resolved_at or max(now, start)
    return start, max(start, end)


def _minutes(intervals: Sequence[tuple[datetime, datetime]]) -> int:
    """Whole minutes (rounded) covered by any of ``intervals``, overlaps once."""
    total = 0.0
    reach: datetime | None = None
    for start, end in sorted(intervals):
        if reach is not None and start < reach:
            start = reach
        if end > start:
            total += (end - start).total_seconds()
        reach = end if reach is None else max(reach, end)
    return int(total / 60 + 0.5)


def incident_minutes(incident: Incident, now: datetime | None = None) -> int:
    """How long the incident lasted (so far, while open)."""
    moment = now or datetime.now(UTC)
    end = incident.resolved_at or max(moment, incident.started_at)
    return _minutes([(incident.started_at, end)])


def has_own_times(incident: Incident) -> bool:
    """Whether any component carries times of its own (then minutes differ per component)."""
    return any(s.started_at or s.resolved_at for s in incident.spans)


def hurt(session: Session, incident: Incident, now: datetime | None = None) -> list[Hurt]:
    """Every affected customer with their impact minutes, by customer id."""
    return hurt_among(incident, affected_customers(session, incident), now)


def hurt_among(
    incident: Incident, rows: Sequence[AffectedRow], now: datetime | None = None
) -> list[Hurt]:
    """``rows`` (the incident's affected customers) with their impact minutes."""
    moment = now or datetime.now(UTC)
    spans = {s.component: _span_times(incident, s, moment) for s in incident.spans}
    whole = incident_minutes(incident, moment)
    result = []
    for row in rows:
        theirs = [c for c in row.components if c in spans]
        per_component = tuple((c, _minutes([spans[c]])) for c in sorted(theirs))
        minutes = _minutes([spans[c] for c in theirs]) if theirs else whole
        result.append(
            Hurt(row.customer_id, row.name, row.components, row.named, minutes, per_component)
        )
    return result


def incident_events(
    session: Session, customer_id: str, environments: Sequence[str], now: datetime | None = None
) -> list[dict[str, Any]]:
    """The incidents that hurt a customer, as ``customers show`` lists them beside their
    deploys (newest first). ``environments``: theirs, or ("*",) for all."""
    events = []
    on = None if ALL in environments else set(environments)
    for incident in store.listing(session):
        if on is not None and incident.environment not in on:
            continue
        mine = next((h for h in hurt(session, incident, now) if h.customer_id == customer_id), None)
        if mine is None:
            continue
        length = duration_text(mine.minutes * 60) + (" so far" if incident.is_open else "")
        parts = f" via {', '.join(mine.components)}" if mine.components else ""
        events.append(
            {
                "at": incident.started_at.isoformat(),
                "kind": "incident",
                "incident_id": incident.id,
                "environment": incident.environment,
                "status": incident.status,
                "components": list(mine.components),
                "minutes": mine.minutes,
                "summary": f"incident #{incident.id} on {incident.environment} "
                f"({incident.status}, {length}){parts}: {incident.title}",
            }
        )
    return events
