"""Customers: upsert by id, prune, and the query that finds who a change touches."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from releasecare.domain import ALL, Contacts, Customer, FreezeWindow
from releasecare.store import reads
from releasecare.store.models import (
    CustomerComponentRow,
    CustomerEnvironmentRow,
    CustomerRow,
    FreezeWindowRow,
)
from releasecare.store.upsert import insert


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int
    unchanged: int
    pruned: int


def upsert(session: Session, customers: Sequence[Customer], *, prune: bool = False) -> UpsertResult:
    """Insert or update every customer by id; with ``prune`` delete those not given.

    Safe when imports run at once: each customer's row is inserted with ``ON CONFLICT
    DO NOTHING`` (a concurrent import of the same one waits, then finds it stored),
    and the stored ones are read locked (``FOR UPDATE``) before they are compared and
    replaced, so an import never overwrites one it has not seen. Rows are taken in
    id order, so two imports never wait for each other in a circle.
    """
    wanted = {c.id: c for c in customers}
    ids = sorted(wanted)
    now = datetime.now(UTC)
    created: set[str] = set()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        created.update(
            session.scalars(
                insert(session, CustomerRow)
                .values([_columns(wanted[i], now) for i in chunk])
                .on_conflict_do_nothing(index_elements=["id"])
                .returning(CustomerRow.id)
            )
        )
    updated = unchanged = 0
    for start in range(0, len(ids), BATCH):
        rows = session.scalars(
            select(CustomerRow)
            .where(CustomerRow.id.in_(ids[start : start + BATCH]))
            .order_by(CustomerRow.id)
            .with_for_update()
            .options(
                selectinload(CustomerRow.environments),
                selectinload(CustomerRow.components),
                selectinload(CustomerRow.freeze),
            )
            .execution_options(populate_existing=True)
        )
        for row in rows:
            customer = wanted[row.id]
            if row.id not in created:
                if to_domain(row) == customer:
                    unchanged += 1
                    continue
                updated += 1
            _fill(row, customer, now)
    pruned = 0
    if prune:
        gone = sorted(set(session.scalars(select(CustomerRow.id))) - set(ids))
        for start in range(0, len(gone), BATCH):
            session.execute(
                delete(CustomerRow).where(CustomerRow.id.in_(gone[start : start + BATCH]))
            )
        pruned = len(gone)
    session.flush()
    return UpsertResult(len(created), updated, unchanged, pruned)


# Customers per statement: a row has 9 columns, and drivers cap the parameters.
BATCH = 1_000


def count_missing(session: Session, keep: Iterable[str]) -> int:
    """How many stored customers ``--prune`` would remove."""
    ids = set(session.scalars(select(CustomerRow.id)))
    return len(ids - set(keep))


def _columns(customer: Customer, now: datetime) -> dict[str, Any]:
    """The customer's own row (its environments, components and freeze windows are rows
    of their own)."""
    return {
        "id": customer.id,
        "name": customer.name,
        "timezone": customer.timezone,
        "locale": customer.locale,
        "tier": customer.tier,
        "all_environments": ALL in customer.environments,
        "all_components": ALL in customer.components,
        "contacts": customer.contacts.as_json(),
        "updated_at": now,
    }


def _fill(row: CustomerRow, customer: Customer, now: datetime) -> None:
    for key, value in _columns(customer, now).items():
        if key != "id":
            setattr(row, key, value)
    row.environments = [
        CustomerEnvironmentRow(environment=e)
        for e in sorted(set(customer.environments))
        if e != ALL
    ]
    row.components = [
        CustomerComponentRow(component=c) for c in sorted(set(customer.components)) if c != ALL
    ]
    row.freeze = [
        FreezeWindowRow(start=w.start, end=w.end, reason=w.reason) for w in customer.freeze
    ]


def to_domain(row: CustomerRow) -> Customer:
    return Customer(
        id=row.id,
        name=row.name,
        environments=(ALL,)
        if row.all_environments
        else tuple(sorted(e.environment for e in row.environments)),
        components=(ALL,)
        if row.all_components
        else tuple(sorted(c.component for c in row.components)),
        timezone=row.timezone,
        locale=row.locale,
        tier=row.tier,
        contacts=Contacts.from_json(row.contacts),
        freeze=tuple(FreezeWindow(w.start, w.end, w.reason) for w in row.freeze),
    )


def get(session: Session, customer_id: str) -> Customer | None:
    with reads.reading(session) as reader:
        return reads.customer(reader, customer_id)


def all_customers(session: Session) -> list[Customer]:
    with reads.reading(session) as reader:
        return reads.all_customers(reader)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CustomerRow)) or 0


def touched_by(
    session: Session, environment: str, components: Collection[str]
) -> list[tuple[Customer, tuple[str, ...]]]:
    """Customers on ``environment`` who use any of ``components``, with the ones they use."""
    with reads.reading(session) as reader:
        return reads.touched_by(reader, environment, sorted(components))
