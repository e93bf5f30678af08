"""The report's customer view: what each customer went through in the period, worst
first, and one customer's period as a timeline.

A customer *received* a deploy when it reached their environment with a
customer-facing change to a component they use (impact's rule: a change with no
component reaches everyone there only with ``[impact] unmapped = "everyone"``).
Incidents are those that started in the period, with the impact minutes
``affected`` gives (the customers fixed at the resolution, the registry's while open).
Notices sent are notice versions with a delivery sent in the period.

Worst first means: most impact minutes, then most incidents, then most changes taken
away (removed), then the customer id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from releasecare.affected import Hurt, hurt_among, in_registry
from releasecare.config import Config
from releasecare.deployfacts import Facts
from releasecare.domain import ALL, Change, Customer, Incident
from releasecare.store.incidents import AffectedRow
from releasecare.store.reports import SentNotice
from releasecare.text import plural


@dataclass(frozen=True)
class CustomerRow:
    customer_id: str
    name: str
    timezone: str
    deploys: int
    added: int  # customer-facing changes received
    removed: int  # ... and taken away
    incidents: int
    impact_minutes: int
    notices: int

    @property
    def touched(self) -> bool:
        return bool(self.deploys or self.incidents or self.notices)


@dataclass(frozen=True)
class Event:
    """One line of a customer's timeline."""

    at: datetime
    kind: str  # "deployment", "incident", "notice"
    title: str
    detail: str
    environment: str | None = None
    ref: int | None = None  # the deployment's, incident's or notice version's id
    minutes: int | None = None


@dataclass
class _Receipts:
    """Each customer-facing change a deploy brought or took away, once per deploy:
    ``deploy[i]`` and ``removed[i]`` of event i; ``index[env][component]`` the events
    of a component there (None: a change with no component, for everyone)."""

    deploy: list[int]
    sha: list[str]
    removed: list[bool]
    index: dict[str, dict[str | None, list[int]]]

    def of(self, customer: Customer) -> set[int]:
        found: set[int] = set()
        envs = self.index if ALL in customer.environments else customer.environments
        for env in envs:
            there = self.index.get(env)
            if there is None:
                continue
            if ALL in customer.components:
                for events in there.values():
                    found.update(events)
                continue
            for key in (*customer.components, None):
                found.update(there.get(key, ()))
        return found


def _receipts(
    facts: Sequence[Facts], changes: Mapping[str, Change], unmapped: str, component: str | None
) -> _Receipts:
    receipts = _Receipts([], [], [], {})
    for number, fact in enumerate(facts):
        if not fact.facing:
            continue
        there = receipts.index.setdefault(fact.deployment.environment, {})
        removed = set(fact.removed)
        for sha in sorted(fact.facing):
            keys: tuple[str | None, ...] = changes[sha].components
            if component is not None and component not in keys:
                continue
            if not keys:
                if unmapped != "everyone":
                    continue
                keys = (None,)
            event = len(receipts.deploy)
            receipts.deploy.append(number)
            receipts.sha.append(sha)
            receipts.removed.append(sha in removed)
            for key in keys:
                there.setdefault(key, []).append(event)
    return receipts


def _hurt(
    incidents: Sequence[Incident],
    fixed: Mapping[int, Sequence[AffectedRow]],
    customers: Sequence[Customer],
    now: datetime,
) -> dict[str, list[tuple[Incident, Hurt]]]:
    """Customer id -> the incidents that hurt them, with their minutes."""
    found: dict[str, list[tuple[Incident, Hurt]]] = {}
    for incident in incidents:
        stored = list(fixed.get(incident.id, ()))
        if incident.is_open or not stored:
            stored = in_registry(incident, customers, [r for r in stored if r.named])
        for hurt in hurt_among(incident, stored, now):
            found.setdefault(hurt.customer_id, []).append((incident, hurt))
    return found


def customer_rows(
    customers: Sequence[Customer],
    facts: Sequence[Facts],
    changes: Mapping[str, Change],
    incidents: Sequence[Incident],
    fixed: Mapping[int, Sequence[AffectedRow]],
    sent: Sequence[SentNotice],
    unmapped: str,
    component: str | None,
    now: datetime,
) -> list[CustomerRow]:
    """Every customer's period, worst first."""
    receipts = _receipts(facts, changes, unmapped, component)
    taken = {e for e, removed in enumerate(receipts.removed) if removed}
    hurt = _hurt(incidents, fixed, customers, now)
    notices: dict[str, int] = {}
    for notice in sent:
        notices[notice.customer_id] = notices.get(notice.customer_id, 0) + 1
    rows = []
    for customer in customers:
        events = receipts.of(customer)
        removed = len(events & taken)
        theirs = hurt.get(customer.id, [])
        rows.append(
            CustomerRow(
                customer_id=customer.id,
                name=customer.name,
                timezone=customer.timezone,
                deploys=len(set(map(receipts.deploy.__getitem__, events))),
                added=len(events) - removed,
                removed=removed,
                incidents=len(theirs),
                impact_minutes=sum(h.minutes for _, h in theirs),
                notices=notices.get(customer.id, 0),
            )
        )
    rows.sort(key=lambda r: (-r.impact_minutes, -r.incidents, -r.removed, r.customer_id))
    return rows


def customer_timeline(
    customer: Customer,
    facts: Sequence[Facts],
    changes: Mapping[str, Change],
    incidents: Sequence[Incident],
    fixed: Mapping[int, Sequence[AffectedRow]],
    sent: Sequence[SentNotice],
    config: Config,
    component: str | None,
    now: datetime,
) -> list[Event]:
    """The deploys they received, the incidents that hurt them and the notices they
    were sent, in time order."""
    receipts = _receipts(facts, changes, config.unmapped, component)
    per_deploy: dict[int, list[int]] = {}
    for event in sorted(receipts.of(customer)):
        per_deploy.setdefault(receipts.deploy[event], []).append(event)
    names = {key: c.name for key, c in config.components.items()}
    events: list[Event] = []
    for number, mine in per_deploy.items():
        fact = facts[number]
        deployment = fact.deployment
        taken = sum(receipts.removed[e] for e in mine)
        used = sorted(
            {
                names.get(k, k)
                for e in mine
                for k in changes[receipts.sha[e]].components
                if customer.uses(k)
            }
        )
        counts = [f"{len(mine) - taken} added"] if len(mine) > taken else []
        counts += [f"{taken} removed"] if taken else []
        detail = plural(len(mine), "customer-facing change") + f" ({', '.join(counts)})"
        detail += f" to {', '.join(used)}" if used else ""
        if fact.rolled_back_by is not None:
            detail += f"; rolled back by deployment #{fact.rolled_back_by}"
        word = "Rolled back to" if fact.rollback else "Deployed"
        events.append(
            Event(
                at=deployment.deployed_at,
                kind="deployment",
                title=f"{word} {deployment.version} on {deployment.environment}",
                detail=detail,
                environment=deployment.environment,
                ref=deployment.id,
            )
        )
    for incident, hurt in _hurt(incidents, fixed, [customer], now).get(customer.id, []):
        state = "resolved" if not incident.is_open else f"{incident.status}, still open"
        parts = f" via {', '.join(names.get(k, k) for k in hurt.components)}"
        events.append(
            Event(
                at=incident.started_at,
                kind="incident",
                title=f"Incident #{incident.id}: {incident.public_title or incident.title}",
                detail=f"{hurt.minutes} minutes ({state})" + (parts if hurt.components else ""),
                environment=incident.environment,
                ref=incident.id,
                minutes=hurt.minutes,
            )
        )
    for notice in sent:
        if notice.customer_id != customer.id:
            continue
        events.append(
            Event(
                at=notice.sent_at,
                kind="notice",
                title=f"Notice sent: {notice.title}",
                detail=f"by {', '.join(notice.channels)} ({notice.subject.replace(':', ' #')})",
                ref=notice.notice_version_id,
            )
        )
    kinds = {"deployment": 0, "incident": 1, "notice": 2}
    events.sort(key=lambda e: (e.at, kinds[e.kind], e.ref or 0))
    return events
