"""The delivery outbox: rows written before sending, claimed one attempt at a time.

Rows are added with ``INSERT ... ON CONFLICT DO NOTHING`` on (notice version,
channel, target), so two ``notify`` runs at once add each row once. An attempt is
claimed by a conditional update (the attempts count it saw): of two runs only one
wins it, and the claim holds the row until ``next_attempt_at`` (a lease) so that a
run that died mid-send leaves the row to be tried again later.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from releasecare.store.models import DeliveryRow, DisabledTargetRow, NoticeVersionRow
from releasecare.store.reads import Reader
from releasecare.store.upsert import insert

# waiting: for the customer's next digest (never sent on its own); digested: a digest
# told the customer (or, when the net difference was nothing, had nothing to tell).
STATES = ("pending", "sent", "failed", "given_up", "unknown", "waiting", "digested")


@dataclass(frozen=True)
class Delivery:
    id: int
    notice_version_id: int
    customer_id: str
    channel: str
    target_key: str
    target: str
    message_id: str
    state: str
    attempts: int
    last_code: int | None
    last_reply: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    subject: str = ""
    version: int = 0
    deployment_id: int | None = None


def add(session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
    """Add pending rows (notice_version_id, customer_id, channel, target_key, target,
    message_id; ``state`` "waiting" and a ``last_reply`` for a notice that waits for a
    digest); a row that is there already is left as it is."""
    now = datetime.now(UTC)
    values = [
        {"state": "pending", "last_reply": None, **row, "attempts": 0}
        | {"created_at": now, "updated_at": now}
        for row in rows
    ]
    if not values:
        return
    values.sort(key=lambda r: (r["notice_version_id"], r["channel"], r["target_key"]))
    statement = insert(session, DeliveryRow).on_conflict_do_nothing(
        index_elements=["notice_version_id", "channel", "target_key"]
    )
    session.execute(statement, values)


def for_subject(session: Session, subject: str, customer_ids: Collection[str]) -> list[Delivery]:
    """Every row of every version of ``subject`` for these customers."""
    return _query(
        session,
        _joined()
        .where(NoticeVersionRow.subject == subject)
        .where(DeliveryRow.customer_id.in_(list(customer_ids))),
    )


def listing(
    session: Session, *, customer_id: str | None = None, state: str | None = None
) -> list[Delivery]:
    """Rows newest first, of one customer or state when given."""
    query = _joined()
    if customer_id is not None:
        query = query.where(DeliveryRow.customer_id == customer_id)
    if state is not None:
        query = query.where(DeliveryRow.state == state)
    return _query(session, query.order_by(DeliveryRow.created_at.desc(), DeliveryRow.id.desc()))


def waiting(session: Session, customer_id: str) -> list[Delivery]:
    """The customer's rows that wait for their next digest, oldest first."""
    return _query(
        session,
        _joined()
        .where(DeliveryRow.customer_id == customer_id, DeliveryRow.state == "waiting")
        .order_by(DeliveryRow.created_at, DeliveryRow.id),
    )


def with_waiting(session: Session, customer_ids: Collection[str] | None = None) -> set[str]:
    """Which of these customers (or of all) have rows waiting for a digest."""
    query = select(DeliveryRow.customer_id).where(DeliveryRow.state == "waiting").distinct()
    if customer_ids is not None:
        query = query.where(DeliveryRow.customer_id.in_(list(customer_ids)))
    return set(session.scalars(query))


def latest_version_rows(session: Session, subject: str, customer_id: str) -> list[Delivery]:
    """The rows of the customer's newest version of ``subject``."""
    newest = (
        select(func.max(NoticeVersionRow.version))
        .where(NoticeVersionRow.subject == subject, NoticeVersionRow.customer_id == customer_id)
        .scalar_subquery()
    )
    return _query(
        session,
        _joined().where(
            NoticeVersionRow.subject == subject,
            NoticeVersionRow.customer_id == customer_id,
            NoticeVersionRow.version == newest,
        ),
    )


def settle(session: Session, delivery_ids: Collection[int], reply: str) -> None:
    """Waiting rows a digest has told (state ``digested``, ``reply`` saying which)."""
    if not delivery_ids:
        return
    session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id.in_(list(delivery_ids)), DeliveryRow.state == "waiting")
        .values(state="digested", last_reply=reply, updated_at=datetime.now(UTC))
    )


def _joined() -> Any:
    """Outbox rows with what they say of their notice version (every query's shape)."""
    return select(
        DeliveryRow,
        NoticeVersionRow.subject,
        NoticeVersionRow.version,
        NoticeVersionRow.deployment_id,
    ).join(NoticeVersionRow, NoticeVersionRow.id == DeliveryRow.notice_version_id)


def get(session: Session, delivery_id: int) -> Delivery | None:
    rows = _query(
        session,
        _joined().where(DeliveryRow.id == delivery_id),
    )
    return rows[0] if rows else None


# A run executes these once per row, on the driver's cursor (``engine.statements``):
# SQLAlchemy's building, compiling and type processing would cost more than the
# statements themselves.
_CLAIM = (
    "UPDATE deliveries SET attempts = {m}, state = {m}, next_attempt_at = {m}, updated_at = {m}"
    " WHERE id = {m} AND attempts = {m} AND state = {m}"
)
_RECORD = (
    "UPDATE deliveries SET state = {m}, last_code = {m}, last_reply = {m},"
    " next_attempt_at = {m}, updated_at = {m}, sent_at = {m} WHERE id = {m}"
)
_DISABLE = (
    "INSERT INTO disabled_targets (customer_id, channel, target_key, reason, disabled_at)"
    " VALUES ({m}, {m}, {m}, {m}, {m}) ON CONFLICT (customer_id, channel, target_key) DO NOTHING"
)


def claim(
    writer: Reader,
    delivery: Delivery,
    *,
    now: datetime,
    lease_until: datetime,
    state: str = "pending",
) -> bool:
    """Take the next attempt of ``delivery`` for this run: True when no other run took
    it since ``delivery`` was read. The row holds until ``lease_until``; ``state`` is
    what it says while the attempt runs (``unknown`` for a channel that cannot tell
    a repeat: if the run dies, the row says the message may have gone)."""
    writer.cursor.execute(
        _CLAIM.format(m=writer.marker),
        (
            delivery.attempts + 1,
            state,
            writer.time(lease_until),
            writer.time(now),
            delivery.id,
            delivery.attempts,
            delivery.state,
        ),
    )
    return bool(writer.cursor.rowcount == 1)


def record(
    writer: Reader,
    delivery: Delivery,
    *,
    state: str,
    code: int | None,
    reply: str | None,
    next_attempt_at: datetime | None,
    sent: bool,
) -> None:
    """What the attempt came to (``delivery`` as it was read: a row sent before keeps
    its time)."""
    now = datetime.now(UTC)
    writer.cursor.execute(
        _RECORD.format(m=writer.marker),
        (
            state,
            code,
            reply,
            writer.time(next_attempt_at),
            writer.time(now),
            writer.time(now if sent else delivery.sent_at),
            delivery.id,
        ),
    )


def disable(writer: Reader, customer_id: str, channel: str, key: str, reason: str) -> None:
    """Nothing more goes to this target until the customer's contact for it changes."""
    writer.cursor.execute(
        _DISABLE.format(m=writer.marker),
        (customer_id, channel, key, reason, writer.time(datetime.now(UTC))),
    )


def reopen(session: Session, delivery: Delivery) -> bool:
    """An ``unknown``, failed or given-up row made pending again, its attempts counted
    from nought (``notify --resend``)."""
    result = session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id == delivery.id, DeliveryRow.state == delivery.state)
        .values(state="pending", attempts=0, next_attempt_at=None, updated_at=datetime.now(UTC))
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def disabled(session: Session, customer_ids: Collection[str]) -> dict[tuple[str, str, str], str]:
    """(customer, channel, target key) -> why, for the targets receivers said are gone."""
    rows = session.scalars(
        select(DisabledTargetRow).where(DisabledTargetRow.customer_id.in_(list(customer_ids)))
    )
    return {(r.customer_id, r.channel, r.target_key): r.reason for r in rows}


def _query(session: Session, query: Any) -> list[Delivery]:
    return [
        Delivery(
            id=row.id,
            notice_version_id=row.notice_version_id,
            customer_id=row.customer_id,
            channel=row.channel,
            target_key=row.target_key,
            target=row.target,
            message_id=row.message_id,
            state=row.state,
            attempts=row.attempts,
            last_code=row.last_code,
            last_reply=row.last_reply,
            next_attempt_at=row.next_attempt_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            sent_at=row.sent_at,
            subject=subject,
            version=version,
            deployment_id=deployment_id,
        )
        for row, subject, version, deployment_id in session.execute(query)
    ]
