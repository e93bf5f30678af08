"""``notify``: each affected customer's notice to their current contacts, through the
outbox, exactly once as far as the receiver allows.

1. Plan (one transaction, ``delivery.plan``): one outbox row per (notice version,
   channel, target), with its ``webhook-id`` / ``Message-ID``, before anything is
   sent.
2. Send, one row at a time: the attempt is claimed (committed), sent, and what it
   came to recorded (committed). A run that dies between the send and the record
   leaves the row to be tried again with the same id (receivers drop the repeat),
   except for Slack, which cannot tell a repeat: its row says ``unknown`` while the
   attempt runs, and stays so (reported, not resent; ``--resend`` sends it again).
3. Temporary failures (5xx, 408, 429 with its ``Retry-After``, no connection) wait
   with exponential backoff and jitter and are tried again while the run's time
   (``[delivery] run_time``) lasts, at most ``[delivery] max_attempts`` in all (then
   ``given_up``); a later run sends the retries that have come due. Other 4xx,
   SMTP 5xx and refused certificates are ``failed``; Slack's answers that the
   webhook is gone disable the target until the contact changes.

A version is sent once to each target. When the content changed after a version was
sent (a later ``notes render``), the new version goes only with ``--resend``. The
first deploy recorded on an environment sets a baseline and sends nothing unless
``notify_first``: a new or lost database must not tell every customer about a
history it assumed.
"""

from __future__ import annotations

import functools
import heapq
import random
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from releasecare.config import Config
from releasecare.crashpoints import crash_point
from releasecare.delivery import CHANNELS
from releasecare.delivery.outcome import Outcome
from releasecare.delivery.plan import (
    NotifyRequest,
    NotifyResult,
    Told,
    Work,
    plan_notify,
    report_line,
)
from releasecare.delivery.targets import Sending
from releasecare.errors import InputError, did_you_mean
from releasecare.store import deliveries as outbox_store
from releasecare.store import statements, transaction
from releasecare.store.deliveries import Delivery

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# A channel whose receivers cannot drop a repeat: an attempt in flight says "unknown".
NO_REPEATS = frozenset({"slack"})

sleep: Callable[[float], None] = time.sleep  # tests may replace it
_jitter = random.Random()


def notify(
    engine: Engine,
    config: Config,
    request: NotifyRequest,
    *,
    smtp_context: ssl.SSLContext | None = None,
) -> NotifyResult:
    """Deliver deployment ``request.deploy_id``'s notices (see the module's text)."""
    for name in request.channels:
        if name not in CHANNELS:
            raise InputError(
                f"unknown channel {name!r}",
                hint=did_you_mean(name, CHANNELS) or f"one of {', '.join(CHANNELS)}",
            )
    sending = Sending(
        config.delivery,
        allow_insecure_localhost=request.allow_insecure_localhost,
        product=config.product,
        smtp_context=smtp_context,
    )
    with transaction(engine) as session:
        planned = plan_notify(session, config, request, sending)
    result, work = planned
    if work:
        crash_point("notify:after-plan")
    if not work:
        return result
    try:
        told, unreachable = _send_all(engine, work, sending)
    finally:
        sending.close()
    return replace(result, told=result.told + told, unreachable=unreachable)


def _send_all(engine: Engine, work: Sequence[Work], sending: Sending) -> tuple[list[Told], bool]:
    """Send every row, retrying what failed for the moment while the run's time lasts.
    Returns the report and whether every target tried was unreachable.

    What an attempt came to is recorded in the transaction that claims the next row
    (or on its own before a wait and at the end): one commit per row instead of two.
    A run that dies in between leaves that row claimed, as a run that dies right
    after a send always did: it is tried again, with the same id, once its lease
    has passed."""
    settings = sending.settings
    start = datetime.now(UTC)
    run_end = start + timedelta(seconds=settings.run_time)
    queue: list[tuple[datetime, int, Work]] = []
    for number, item in enumerate(work):
        heapq.heappush(queue, (item.row.next_attempt_at or start, number, item))
    told: list[Told] = []
    answered = tried = False
    sequence = len(work)
    unsaved: list[Callable[[Any], None]] = []

    def save(connection: Any) -> None:
        for step in unsaved:
            step(connection)
        unsaved.clear()

    try:
        while queue:
            due, _, item = heapq.heappop(queue)
            now = datetime.now(UTC)
            if due > now:
                if due > run_end:
                    told.append(
                        report_line(item.row, "waiting", f"next attempt at {due.isoformat()}")
                    )
                    continue
                if unsaved:
                    with statements(engine) as connection:
                        save(connection)
                sleep((due - now).total_seconds())
                now = datetime.now(UTC)
            row = item.row
            # Held while the attempt runs (one attempt takes at most timeout + 1 s): a
            # run that dies leaves the row to the next run once this has passed.
            lease = now + timedelta(seconds=2 * settings.timeout + 1)
            flight = "unknown" if row.channel in NO_REPEATS else "pending"
            with statements(engine) as connection:
                save(connection)
                claimed = outbox_store.claim(
                    connection, row, now=now, lease_until=lease, state=flight
                )
            if not claimed:
                told.append(report_line(row, "waiting", "another notify run is sending it"))
                continue
            tried = True
            outcome: Outcome = item.module.deliver(
                item.target, item.notice, row.message_id, sending
            )
            crash_point("notify:after-send")
            attempts = row.attempts + 1
            answered = answered or outcome.code is not None or outcome.state != "retry"
            state, later = _next(outcome, attempts, settings)
            unsaved.append(functools.partial(_record, row, outcome, state, later))
            row = replace(
                row,
                state=state,
                attempts=attempts,
                next_attempt_at=later,
                last_code=outcome.code,
                last_reply=outcome.reason,
            )
            if state == "pending" and later is not None and later <= run_end:
                sequence += 1
                heapq.heappush(queue, (later, sequence, replace(item, row=row)))
                continue
            if state == "pending":
                when = later.isoformat() if later else "the next run"
                told.append(
                    report_line(row, "waiting", f"{outcome.reason}; next attempt at {when}")
                )
            else:
                told.append(report_line(row, state, outcome.reason))
    finally:
        if unsaved:
            with statements(engine) as connection:
                save(connection)
    return told, tried and not answered


def _record(
    row: Delivery, outcome: Outcome, state: str, later: datetime | None, session: Any
) -> None:
    """What an attempt at ``row`` came to, in ``session``."""
    outbox_store.record(
        session,
        row,
        state=state,
        code=outcome.code,
        reply=outcome.reason,
        next_attempt_at=later,
        sent=state == "sent",
    )
    if outcome.disable:
        outbox_store.disable(session, row.customer_id, row.channel, row.target_key, outcome.reason)


def _next(outcome: Outcome, attempts: int, settings: Any) -> tuple[str, datetime | None]:
    """The row's state after an attempt, and when to try again."""
    if outcome.state in ("sent", "failed", "unknown"):
        return outcome.state, None
    if attempts >= settings.max_attempts:
        return "given_up", None
    return "pending", datetime.now(UTC) + timedelta(seconds=backoff(attempts, outcome, settings))


def backoff(attempts: int, outcome: Outcome, settings: Any) -> float:
    """Seconds to wait after ``attempts`` failed ones: the receiver's ``Retry-After``
    when it gave one, else ``backoff`` doubled per attempt, between half and all of
    it (jitter: runs that failed together do not come back together), capped."""
    if outcome.retry_after is not None:
        return float(min(outcome.retry_after, settings.max_backoff))
    full = min(settings.backoff * 2 ** (attempts - 1), settings.max_backoff)
    return float(full * _jitter.uniform(0.5, 1.0))
