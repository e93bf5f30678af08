"""Remember every notice written, once per customer, subject and format."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from releasecare.store.models import NoticeRow


class Written(Protocol):
    @property
    def customer_id(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def path(self) -> Path: ...
    @property
    def sha256(self) -> str: ...


def remember(session: Session, deployment_id: int, notices: Iterable[Written]) -> None:
    """Upsert one row per (customer, deployment, format): rendering twice records once."""
    _remember(session, f"deployment:{deployment_id}", notices, deployment_id=deployment_id)


def remember_incident(
    session: Session, incident_id: int, version: int, notices: Iterable[Written]
) -> None:
    """One row per (customer, incident version, format): each update's notice is kept."""
    _remember(session, f"incident:{incident_id}:u{version}", notices, incident_id=incident_id)


def _remember(
    session: Session,
    subject: str,
    notices: Iterable[Written],
    *,
    deployment_id: int | None = None,
    incident_id: int | None = None,
) -> None:
    existing = {
        (r.customer_id, r.format): r
        for r in session.scalars(select(NoticeRow).where(NoticeRow.subject == subject))
    }
    now = datetime.now(UTC)
    for notice in notices:
        row = existing.get((notice.customer_id, notice.format))
        if row is None:
            row = NoticeRow(
                customer_id=notice.customer_id,
                subject=subject,
                deployment_id=deployment_id,
                incident_id=incident_id,
                format=notice.format,
            )
            session.add(row)
        elif (row.path, row.sha256) == (str(notice.path), notice.sha256):
            continue  # the same notice rendered again: nothing changes
        row.path = str(notice.path)
        row.sha256 = notice.sha256
        row.rendered_at = now
