"""What ``notify`` sends, planned in one transaction before anything is sent.

The request, and the report of each target (``Told``, ``NotifyResult``). The plan:
the notice versions a deployment's, an incident's or a digest's customers are due,
each customer's current contacts as targets, and one outbox row per (version,
channel, target), added with its ``webhook-id`` / ``Message-ID`` before the first
send. What needs nothing (sent before, disabled, waiting for a digest, changed
since it was sent) is reported and not planned. ``outbox`` sends what is planned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from releasecare import digests
from releasecare.config import Config
from releasecare.delivery import CHANNELS, channel
from releasecare.delivery.targets import Notice, Sending, Target
from releasecare.domain import Customer, Deployment, Incident
from releasecare.errors import NotFound
from releasecare.incident_notices import deliverable_incident
from releasecare.notices import deliverable
from releasecare.store import customers as customer_store
from releasecare.store import deliveries as outbox_store
from releasecare.store import deployments as deployment_store
from releasecare.store import noticeversions as version_store
from releasecare.store.deliveries import Delivery
from releasecare.store.noticeversions import NoticeVersion

# How a run reports each target: sent now or before (skipped), waiting for a retry
# later, failed (permanent), given up (too many attempts), unknown (may have
# arrived), and in a dry run what would be sent.
REPORT_STATES = ("sent", "skipped", "waiting", "failed", "given_up", "unknown", "would_send")


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
class Work:
    """An outbox row to send: its target, the notice, and the channel's module."""

    row: Delivery
    target: Target
    notice: Notice
    module: Any


def plan_notify(
    session: Any, config: Config, request: NotifyRequest, sending: Sending
) -> tuple[NotifyResult, list[Work]]:
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
) -> tuple[NotifyResult, list[Work]]:
    told, work = list(result.told), []
    for planned in plans:
        more, rows = _plan_rows(session, request, sending, planned)
        told += more
        work += rows
    return replace(result, told=told), work


def _plan_incident(
    session: Any, config: Config, request: NotifyRequest, sending: Sending
) -> tuple[NotifyResult, list[Work]]:
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
) -> tuple[NotifyResult, list[Work]]:
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
                report_line(
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
) -> tuple[list[Told], list[Work]]:
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
    work: list[Work] = []
    for version, target, notice, module, _ in wanted:
        row = current[(version.id, target.channel, target.key)]
        again = request.resend and row.state in ("failed", "given_up", "unknown")
        if again and outbox_store.reopen(session, row):
            row = replace(row, state="pending", attempts=0, next_attempt_at=None)
        line = report_line(row, "", row.last_reply or "")
        if row.state == "pending":
            work.append(Work(row, target, notice, module))
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


def report_line(row: Delivery, state: str, reason: str) -> Told:
    """An outbox row's line in the report, in ``state`` for ``reason``."""
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
