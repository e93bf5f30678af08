"""``notify``: each affected customer's notice to their current contacts, through the
outbox, exactly once as far as the receiver allows.

1. Plan (one transaction): the notices step gives the newest notice version of each
   customer the deployment affects (``notices.deliverable``); each customer's
   current contacts give the targets; one outbox row per (version, channel, target)
   is added, with its ``webhook-id`` / ``Message-ID``, before anything is sent.
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
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from releasecare import digests
from releasecare.config import Config
from releasecare.crashpoints import crash_point
from releasecare.delivery import CHANNELS, channel
from releasecare.delivery.outcome import Outcome
from releasecare.delivery.targets import Notice, Sending, Target
from releasecare.domain import Customer, Deployment, Incident
from releasecare.errors import InputError, NotFound, did_you_mean
from releasecare.incident_notices import deliverable_incident
from releasecare.notices import deliverable
from releasecare.store import customers as customer_store
from releasecare.store import deliveries as outbox_store
from releasecare.store import deployments as deployment_store
from releasecare.store import noticeversions as version_store
from releasecare.store import statements, transaction
from releasecare.store.deliveries import Delivery
from releasecare.store.noticeversions import NoticeVersion

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# How a run reports each target: sent now or before (skipped), waiting for a retry
# later, failed (permanent), given up (too many attempts), unknown (may have
# arrived), and in a dry run what would be sent.
REPORT_STATES = ("sent", "skipped", "waiting", "failed", "given_up", "unknown", "would_send")
# A channel whose receivers cannot drop a repeat: an attempt in flight says "unknown".
NO_REPEATS = frozenset({"slack"})

sleep: Callable[[float], None] = time.sleep  # tests may replace it
_jitter = random.Random()


@dataclass(frozen=True)
class NotifyRequest:
    deploy_id: int | None = None
    channels: tuple[str, ...] = ()  # none: every channel
    customers: tuple[str, ...] = ()  # none: every affected customer
    dry_run: bool = False
    resend: bool = False
    notify_first: bool = False
    allow_insecure_localhost: bool = False
    incident_id: int | None = None  # an incident's notice instead of a deployment's
    digest: bool = False  # the digests that are due instead


@dataclass(frozen=True)
class Told:
    """One target's line in the report."""

    customer_id: str
    channel: str
    target: str
    state: str
    reason: str = ""
    attempts: int = 0
    code: int | None = None
    message_id: str = ""
    version: int = 0


@dataclass(frozen=True)
class NotifyResult:
    deployment: Deployment | None
    told: list[Told] = field(default_factory=list)
    dry_run: bool = False
    baseline: bool = False  # the environment's first deploy: nothing sent
    nothing_changed: bool = False  # a deploy that never reached customers
    unreachable: bool = False  # every target tried was unreachable
    incident: Incident | None = None  # notify --incident: the incident
    digest: bool = False  # notify --digest

    def count(self, state: str) -> int:
        return sum(1 for t in self.told if t.state == state)

    @property
    def what(self) -> str:
        """What was delivered, as the report names it."""
        if self.incident is not None:
            return f"incident #{self.incident.id}"
        if self.digest:
            return "digests"
        return f"deployment #{self.deployment.id}" if self.deployment else "notices"

    @property
    def counts(self) -> dict[str, int]:
        """How many targets ended in each state (only the states that occur)."""
        return {s: self.count(s) for s in REPORT_STATES if self.count(s)}

    @property
    def exit_code(self) -> int:
        """0: everything delivered, skipped or waiting; 1: any failed or given up;
        3: every target tried was unreachable."""
        if self.unreachable:
            return 3
        return 1 if any(t.state in ("failed", "given_up") for t in self.told) else 0


@dataclass
class _Work:
    row: Delivery
    target: Target
    notice: Notice
    module: Any


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
        planned = _plan(session, config, request, sending)
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


def _plan(
    session: Any, config: Config, request: NotifyRequest, sending: Sending
) -> tuple[NotifyResult, list[_Work]]:
    """What to send: the report of what needs nothing, and the outbox rows to work."""
    if request.incident_id is not None:
        return _plan_incident(session, config, request, sending)
    if request.digest:
        return _plan_digests(session, config, request, sending)
    assert request.deploy_id is not None
    found = deliverable(
        session, config, request.deploy_id, only=request.customers, store=not request.dry_run
    )
    impact = found.impact
    result = NotifyResult(impact.deployment, dry_run=request.dry_run)
    if impact.changed_nothing:
        return replace(result, nothing_changed=True), []
    if not request.notify_first and _first_on_environment(session, impact.deployment):
        return replace(result, baseline=True), []
    customers = {ci.customer.id: ci.customer for ci in impact.customers}
    subject = f"deployment:{request.deploy_id}"
    deployment = impact.deployment
    assert deployment is not None
    now: list[NoticeVersion] = []
    waits: dict[str, list[NoticeVersion]] = defaultdict(list)
    told: list[Told] = []
    plans: list[Planned] = []
    behind = outbox_store.with_waiting(
        session, [c.id for c in customers.values() if not digests.on_digest(c)]
    )
    for version in found.versions:
        customer = customers[version.customer_id]
        if not digests.on_digest(customer) and customer.id not in behind:
            now.append(version)
            continue
        decision = digests.decide(session, config, customer, deployment, version)
        if decision.action == "send":
            now.append(version)
            if not request.dry_run:
                digests.mark_told(session, customer, deployment)
        elif decision.action == "wait":
            waits[decision.reason].append(version)
            if not request.dry_run:
                digests.mark_told(session, customer, deployment, baseline=True)
        elif decision.action == "covered":
            told.append(Told(customer.id, "-", "-", "skipped", decision.reason))
        else:
            plans.extend(_digest_plan(session, config, request, customer, told))
    plans.insert(0, Planned(subject, now, customers))
    plans[1:1] = [Planned(subject, v, customers, waiting=why) for why, v in waits.items()]
    return _plan_all(session, request, sending, replace(result, told=told), plans)


def _plan_all(
    session: Any,
    request: NotifyRequest,
    sending: Sending,
    result: NotifyResult,
    plans: Sequence[Planned],
) -> tuple[NotifyResult, list[_Work]]:
    told, work = list(result.told), []
    for planned in plans:
        more, rows = _plan_rows(session, request, sending, planned)
        told += more
        work += rows
    return replace(result, told=told), work


def _plan_incident(
    session: Any, config: Config, request: NotifyRequest, sending: Sending
) -> tuple[NotifyResult, list[_Work]]:
    """An incident's notice as it stands: every update is a new version, sent at once
    (no ``--resend`` needed, whatever the customer's cadence), to each affected
    customer still in the registry."""
    assert request.incident_id is not None
    found = deliverable_incident(
        session, config, request.incident_id, only=request.customers, store=not request.dry_run
    )
    result = NotifyResult(None, dry_run=request.dry_run, incident=found.incident)
    planned = Planned(
        f"incident:{found.incident.id}",
        [v for v in found.versions if v.customer_id in found.customers],
        dict(found.customers),
        each_version=True,
    )
    return _plan_all(session, request, sending, result, [planned])


def _plan_digests(
    session: Any, config: Config, request: NotifyRequest, sending: Sending
) -> tuple[NotifyResult, list[_Work]]:
    """``notify --digest``: each customer on a daily or weekly cadence (or those of
    ``request.customers``) whose digest is due gets one, with the net difference since
    they were last told; a digest not yet delivered is tried again."""
    everyone = {c.id: c for c in customer_store.all_customers(session)}
    unknown = set(request.customers) - set(everyone)
    if unknown:
        raise NotFound(f"unknown customer: {', '.join(sorted(unknown))}")
    chosen = [everyone[i] for i in request.customers] if request.customers else everyone.values()
    told: list[Told] = []
    plans: list[Planned] = []
    moment = datetime.now(UTC)
    # A customer moved to "immediate" with news still waiting gets it in one digest.
    behind = outbox_store.with_waiting(session)
    for customer in sorted(chosen, key=lambda c: c.id):
        if not digests.on_digest(customer) and customer.id not in behind:
            continue
        next_at = digests.due(session, customer, moment)
        if next_at is None:
            plans.extend(_digest_plan(session, config, request, customer, told))
            continue
        plans.extend(_digest_retry(session, request, customer))
        waiting = outbox_store.waiting(session, customer.id)
        for row in waiting:
            told.append(
                _told(
                    row,
                    "waiting",
                    f"for the {customer.contacts.cadence} digest, next due at "
                    f"{next_at.isoformat(timespec='minutes')}",
                )
            )
    result = NotifyResult(None, told=told, dry_run=request.dry_run, digest=True)
    return _plan_all(session, request, sending, result, plans)


def _digest_plan(
    session: Any, config: Config, request: NotifyRequest, customer: Customer, told: list[Told]
) -> list[Planned]:
    """The customer's digest now (composed and stored, in a dry run only composed), and
    its undelivered predecessor's rows; a digest with nothing to tell is said."""
    plans = _digest_retry(session, request, customer)
    digest = digests.compose(session, config, customer, store=not request.dry_run)
    if digest is None:
        return plans
    if digest.version is None:
        told.append(
            Told(
                customer.id,
                "-",
                "-",
                "skipped",
                "nothing left to tell: what it brought was taken back before the digest",
            )
        )
        return plans
    mine = {customer.id: customer}
    return [*plans, Planned(digests.SUBJECT, [digest.version], mine, each_version=True)]


def _digest_retry(session: Any, request: NotifyRequest, customer: Customer) -> list[Planned]:
    """The customer's newest digest again when one of its targets (of the channels
    asked for) still waits for it: a row pending, or none yet (an earlier run sent it
    on other channels only)."""
    rows = outbox_store.latest_version_rows(session, digests.SUBJECT, customer.id)
    have = {(r.channel, r.target_key): r.state for r in rows}
    wanted = [
        (name, target.key)
        for name in request.channels or tuple(CHANNELS)
        for target in channel(name).targets(customer)
    ]
    if not rows or all(have.get(key, "pending") != "pending" for key in wanted):
        return []
    newest = version_store.latest(session, digests.SUBJECT, [customer.id]).get(customer.id)
    if newest is None:
        return []
    return [Planned(digests.SUBJECT, [newest], {customer.id: customer}, each_version=True)]


@dataclass(frozen=True)
class Planned:
    """The notice versions of one subject to send, and their customers (contacts)."""

    subject: str
    versions: Sequence[NoticeVersion]
    customers: Mapping[str, Customer]
    # Every new version goes out (an incident's updates); else a version that changed
    # after an earlier one was sent waits for --resend.
    each_version: bool = False
    # Why these notices wait for the customer's digest (None: they are sent).
    waiting: str | None = None


def _plan_rows(
    session: Any, request: NotifyRequest, sending: Sending, planned: Planned
) -> tuple[list[Told], list[_Work]]:
    """The outbox rows of ``planned`` (added when new), what needs nothing reported,
    and the rows to send; a notice that waits for a digest gets ``waiting`` rows."""
    customers = planned.customers
    subject = planned.subject
    names = request.channels or tuple(CHANNELS)
    disabled = outbox_store.disabled(session, customers)
    existing = outbox_store.for_subject(session, subject, customers)
    rows: dict[tuple[str, str, str], list[Delivery]] = defaultdict(list)
    for row in existing:
        rows[(row.customer_id, row.channel, row.target_key)].append(row)
    told: list[Told] = []
    wanted: list[tuple[NoticeVersion, Target, Notice, Any, str]] = []
    additions = []
    for version in planned.versions:
        customer = customers[version.customer_id]
        notice = Notice(
            customer_id=customer.id,
            customer_name=customer.name,
            version=version.version,
            version_key=version.key,
            subject=version.subject,
            title=version.title,
            documents=version.documents,
        )
        for name in names:
            module = channel(name)
            for target in module.targets(customer):
                key = (customer.id, name, target.key)
                line = Told(customer.id, name, target.shown, "", version=version.version)
                if key in disabled:
                    told.append(replace(line, state="skipped", reason=f"disabled: {disabled[key]}"))
                    continue
                mine = next((r for r in rows[key] if r.notice_version_id == version.id), None)
                earlier = [
                    r.version
                    for r in rows[key]
                    if r.version < version.version and r.state in ("sent", "unknown")
                ]
                if mine is None and earlier and not (request.resend or planned.each_version):
                    told.append(
                        replace(
                            line,
                            state="skipped",
                            reason=f"version {max(earlier)} was sent; the notice changed since "
                            f"(version {version.version}): --resend sends it",
                        )
                    )
                    continue
                message_id = (
                    mine.message_id if mine else module.message_id_for(version.key, target, sending)
                )
                if request.dry_run:
                    if planned.waiting and (mine is None or mine.state == "waiting"):
                        told.append(replace(line, state="waiting", reason=planned.waiting))
                    else:
                        told.append(_dry(line, mine, message_id))
                    continue
                if mine is None:
                    additions.append(
                        {
                            "notice_version_id": version.id,
                            "customer_id": customer.id,
                            "channel": name,
                            "target_key": target.key,
                            "target": target.shown,
                            "message_id": message_id,
                        }
                        | (
                            {"state": "waiting", "last_reply": planned.waiting}
                            if planned.waiting
                            else {}
                        )
                    )
                wanted.append((version, target, notice, module, message_id))
    if request.dry_run:
        return told, []
    outbox_store.add(session, additions)
    current = {
        (r.notice_version_id, r.channel, r.target_key): r
        for r in outbox_store.for_subject(session, subject, customers)
    }
    work: list[_Work] = []
    for version, target, notice, module, _ in wanted:
        row = current[(version.id, target.channel, target.key)]
        again = request.resend and row.state in ("failed", "given_up", "unknown")
        if again and outbox_store.reopen(session, row):
            row = replace(row, state="pending", attempts=0, next_attempt_at=None)
        line = Told(
            row.customer_id,
            row.channel,
            row.target,
            "",
            row.last_reply or "",
            row.attempts,
            row.last_code,
            row.message_id,
            version.version,
        )
        if row.state == "pending":
            work.append(_Work(row, target, notice, module))
        elif row.state == "sent":
            sent = row.sent_at.isoformat() if row.sent_at else "before"
            told.append(replace(line, state="skipped", reason=f"already sent ({sent})"))
        elif row.state == "digested":
            told.append(replace(line, state="skipped"))
        else:
            told.append(replace(line, state=row.state))
    return told, work


def _first_on_environment(session: Any, deployment: Deployment | None) -> bool:
    """Whether ``deployment`` is the first to reach customers on its environment."""
    if deployment is None:
        return False
    before = deployment_store.previous_successful(
        session, deployment.environment, before=deployment
    )
    return before is None


def _dry(line: Told, row: Delivery | None, message_id: str) -> Told:
    if row is None or row.state == "pending":
        return replace(line, state="would_send", message_id=message_id)
    if row.state == "sent":
        return replace(line, state="skipped", reason="already sent", message_id=message_id)
    return replace(line, state=row.state, reason=row.last_reply or "", message_id=message_id)


def _send_all(engine: Engine, work: Sequence[_Work], sending: Sending) -> tuple[list[Told], bool]:
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
    queue: list[tuple[datetime, int, _Work]] = []
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
                    told.append(_told(item.row, "waiting", f"next attempt at {due.isoformat()}"))
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
                told.append(_told(row, "waiting", "another notify run is sending it"))
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
                told.append(_told(row, "waiting", f"{outcome.reason}; next attempt at {when}"))
            else:
                told.append(_told(row, state, outcome.reason))
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


def _told(row: Delivery, state: str, reason: str) -> Told:
    return Told(
        row.customer_id,
        row.channel,
        row.target,
        state,
        reason,
        row.attempts,
        row.last_code,
        row.message_id,
        row.version,
    )
