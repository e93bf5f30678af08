"""Plain-data builders for notice tests: an Impact with customers, no database needed."""

from __future__ import annotations

from datetime import UTC, datetime

from releasecare.domain import (
    Change,
    Component,
    Customer,
    CustomerImpact,
    Deployment,
    Impact,
)

COMPONENTS = {
    "checkout": Component("checkout", "Checkout", paths=("services/checkout/",)),
    "billing-svc": Component("billing-svc", "Invoices", paths=("services/billing/",)),
    "search": Component("search", "Search", paths=("services/search/",)),
}
DEPLOYED = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)


def change(
    sha: str,
    summary: str,
    *,
    type: str | None = "feat",
    components: tuple[str, ...] = ("checkout",),
    note: str | None = None,
    breaking: bool = False,
    visible: bool = True,
) -> Change:
    return Change(
        sha=sha.ljust(40, "0"),
        summary=summary,
        type=type,
        breaking=breaking,
        customer_note=note,
        components=components,
        visible=visible,
        note_source="trailer" if note else None,
    )


def customer(
    id: str,
    name: str,
    *,
    components: tuple[str, ...] = ("*",),
    timezone: str = "Europe/Berlin",
    locale: str = "de-DE",
) -> Customer:
    return Customer(
        id=id,
        name=name,
        environments=("production-eu",),
        components=components,
        timezone=timezone,
        locale=locale,
    )


def impact(changes: list[Change], customers: list[Customer], *, rollback: bool = False) -> Impact:
    touched = []
    for c in customers:
        theirs = tuple(
            ch for ch in changes if c.components == ("*",) or set(c.components) & set(ch.components)
        )
        used = tuple(
            sorted(
                {
                    k
                    for ch in theirs
                    for k in ch.components
                    if c.components == ("*",) or k in c.components
                }
            )
        )
        touched.append(CustomerImpact(customer=c, components=used, changes=theirs))
    return Impact(
        environment="production-eu",
        version="v2.4.0",
        previous_version="v2.3.1",
        added=() if rollback else tuple(changes),
        removed=tuple(changes) if rollback else (),
        components=tuple(sorted({k for ch in changes for k in ch.components})),
        customers=tuple(touched),
        deployment=Deployment(
            id=7,
            environment="production-eu",
            version="v2.4.0",
            status="succeeded",
            deployed_at=DEPLOYED,
        ),
    )
