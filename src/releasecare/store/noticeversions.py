"""Notice versions: what each customer is told about a subject, every format's content.

One row per (customer, subject, version). A render whose content is the one stored
last adds nothing; different content is the next version. Two renders at once never
fail on each other: the insert is ``ON CONFLICT DO NOTHING`` on the version's key,
and the loser reads what the winner stored.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from releasecare.store.models import NoticeVersionRow
from releasecare.store.upsert import insert

FORMATS = ("md", "html", "txt", "json")


@dataclass(frozen=True)
class NoticeVersion:
    """One stored notice version; ``documents`` maps each format to its text."""

    id: int
    customer_id: str
    subject: str
    version: int
    fingerprint: str
    title: str
    documents: Mapping[str, str]
    deployment_id: int | None = None
    incident_id: int | None = None
    created_at: datetime | None = None

    @property
    def key(self) -> str:
        """Names this version wherever it goes: the same in any database that stored
        the same content (so that a lost database cannot reuse a receiver's id)."""
        return f"{self.subject}/{self.customer_id}/{self.version}/{self.fingerprint[:16]}"


def save(
    session: Session,
    *,
    customer_id: str,
    subject: str,
    title: str,
    documents: Mapping[str, str],
    fingerprint: str,
    deployment_id: int | None = None,
    incident_id: int | None = None,
) -> tuple[NoticeVersion, bool]:
    """Store ``documents`` as the customer's newest version of ``subject`` unless it is
    already the newest; returns the newest version and whether this call made it."""
    missing = [fmt for fmt in FORMATS if fmt not in documents]
    if missing:
        raise ValueError(f"a notice version needs every format; missing {missing}")
    for _ in range(5):  # another writer may take the number we meant to use
        newest = latest(session, subject, [customer_id]).get(customer_id)
        if newest is not None and newest.fingerprint == fingerprint:
            return newest, False
        number = 1 if newest is None else newest.version + 1
        statement = insert(session, NoticeVersionRow).values(
            customer_id=customer_id,
            subject=subject,
            deployment_id=deployment_id,
            incident_id=incident_id,
            version=number,
            fingerprint=fingerprint,
            title=title,
            created_at=datetime.now(UTC),
            **{fmt: documents[fmt] for fmt in FORMATS},
        )
        result = session.execute(
            statement.on_conflict_do_nothing(
                index_elements=["customer_id", "subject", "version"]
            ).returning(NoticeVersionRow.id)
        )
        if result.scalar() is not None:
            stored = latest(session, subject, [customer_id])[customer_id]
            return stored, True
    raise RuntimeError(f"could not store a version of {subject} for {customer_id}")


def latest(
    session: Session, subject: str, customer_ids: Collection[str] | None = None
) -> dict[str, NoticeVersion]:
    """Each customer's newest version of ``subject`` (all customers, or those given)."""
    newest = (
        select(NoticeVersionRow.customer_id, func.max(NoticeVersionRow.version).label("v"))
        .where(NoticeVersionRow.subject == subject)
        .group_by(NoticeVersionRow.customer_id)
    )
    if customer_ids is not None:
        newest = newest.where(NoticeVersionRow.customer_id.in_(list(customer_ids)))
    top = newest.subquery()
    rows = session.scalars(
        select(NoticeVersionRow)
        .join(
            top,
            (NoticeVersionRow.customer_id == top.c.customer_id)
            & (NoticeVersionRow.version == top.c.v),
        )
        .where(NoticeVersionRow.subject == subject)
    )
    return {row.customer_id: to_domain(row) for row in rows}


def get(session: Session, version_id: int) -> NoticeVersion | None:
    row = session.get(NoticeVersionRow, version_id)
    return None if row is None else to_domain(row)


def to_domain(row: NoticeVersionRow) -> NoticeVersion:
    return NoticeVersion(
        id=row.id,
        customer_id=row.customer_id,
        subject=row.subject,
        version=row.version,
        fingerprint=row.fingerprint,
        title=row.title,
        documents={fmt: getattr(row, fmt) for fmt in FORMATS},
        deployment_id=row.deployment_id,
        incident_id=row.incident_id,
        created_at=row.created_at,
    )
