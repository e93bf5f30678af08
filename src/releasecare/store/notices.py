"""Remember every notice written, once per customer, subject and format."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from releasecare.store.models import NoticeRow
from releasecare.store.upsert import insert


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
    """Upsert one row per (customer, deployment, format): rendering twice records once,
    and two renders of one deploy at the same time do not fail on each other."""
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
    now = datetime.now(UTC)
    rows = [
        {
            "customer_id": notice.customer_id,
            "subject": subject,
            "deployment_id": deployment_id,
            "incident_id": incident_id,
            "format": notice.format,
            "path": str(notice.path),
            "sha256": notice.sha256,
            "rendered_at": now,
        }
        for notice in notices
    ]
    if not rows:
        return
    rows.sort(key=lambda row: (row["customer_id"], row["format"]))  # one lock order
    statement = insert(session, NoticeRow)
    new = statement.excluded
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["customer_id", "subject", "format"],
            set_={"path": new.path, "sha256": new.sha256, "rendered_at": new.rendered_at},
            # The same notice rendered again changes nothing, its time included.
            where=(NoticeRow.path != new.path) | (NoticeRow.sha256 != new.sha256),
        ),
        rows,
    )
