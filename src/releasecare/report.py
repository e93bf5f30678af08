"""The reliability report: DORA's four keys with every failed deploy counted, per
environment and per component, and what each customer went through (issue #21).

Everything comes from the database (a team's shared PostgreSQL needs no repository):
each deploy's change set is git's difference from the stored commit graph
(``ancestry``), walked once per deploy over one shared ``Graph``.

The figures, as defined here (README, "The reliability report"):

- **Deployment frequency**: deploys that reached customers (status succeeded, or
  rolled_back: it reached them before it was undone) per day and per week of the
  period.
- **Lead time for changes**: from a change's commit time (its author date) to the first
  deploy in the period that brought it to the environment; median and 90th percentile
  (nearest rank). A change counts once per environment.
- **Change failure rate**: failed deploys over every deploy with an outcome (in-progress
  ones are left out). A deploy counts as failed when its status is ``failed``; when it
  was rolled back (status ``rolled_back``, or the next deploy there went back to an
  earlier version or only took changes away, as ``impact`` calls a rollback); or when
  it is the suspect of an incident. Each failure says which of the three.
- **Failed-deployment recovery time**: for a failure with an incident, from the
  incident's start to its resolution (the last one, when it caused several); else from
  the deploy to the next deploy there that reached customers (for a rollback: the
  rollback). A failure not recovered yet is counted apart.

A figure that rests on fewer than ``MIN_SAMPLE`` observations is reported as too little
data, with its n, instead of a number. Frequency is a count over a known period, so
it is always given.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from releasecare.config import Config
from releasecare.deployfacts import Facts, changes_of, deploy_facts
from releasecare.domain import Change, Deployment
from releasecare.errors import InputError, NotFound
from releasecare.incidents import known_components
from releasecare.report_customers import CustomerRow, Event, customer_rows, customer_timeline
from releasecare.store import reads
from releasecare.store import reports as store
from releasecare.store.reads import Reader, collector_paused, reading
from releasecare.times import EXAMPLE, parse_time

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MIN_SAMPLE = 5
DEFAULT_DAYS = 90
REASONS = ("failed", "rolled_back", "incident")


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime

    @property
    def days(self) -> float:
        return (self.until - self.since).total_seconds() / 86400


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile (seconds) of ``n`` observations; None when n is
    below ``MIN_SAMPLE``."""

    n: int
    median: float | None
    p90: float | None

    @property
    def enough(self) -> bool:
        return self.n >= MIN_SAMPLE


@dataclass(frozen=True)
class Failure:
    """A deploy counted as failed: why (``REASONS``, in that order), the incidents it is
    the suspect of, the deploy that rolled it back, and its recovery."""

    deployment: Deployment
    reasons: tuple[str, ...]
    incidents: tuple[int, ...]
    rolled_back_by: int | None
    started_at: datetime
    recovered_at: datetime | None
    recovered_by: str | None  # "deployment #12", "incident #3 resolved"

    @property
    def recovery_seconds(self) -> float | None:
        if self.recovered_at is None:
            return None
        return max((self.recovered_at - self.started_at).total_seconds(), 0.0)


@dataclass(frozen=True)
class Keys:
    """The four keys for one environment or one component."""

    scope: str  # "environment" or "component"
    key: str
    name: str
    deploys: int  # reached customers
    attempts: int  # every deploy with an outcome
    per_day: float
    per_week: float
    lead_time: Spread
    failures: tuple[Failure, ...]
    recovery: Spread
    unrecovered: int

    @property
    def failure_rate(self) -> float | None:
        if self.attempts < MIN_SAMPLE:
            return None
        return len(self.failures) / self.attempts


@dataclass(frozen=True)
class Week:
    start: date  # a Monday (UTC)
    deploys: int
    failures: int


@dataclass(frozen=True)
class ReliabilityReport:
    period: Period
    environment: str | None
    component: str | None
    environments: tuple[Keys, ...]
    components: tuple[Keys, ...]
    customers: tuple[CustomerRow, ...]
    weeks: tuple[Week, ...]
    deploys: int  # in the period, with an outcome
    incidents: int  # started in the period
    unknown_changes: int  # deploys whose change set the stored history cannot give
    customer: CustomerRow | None = None  # --customer
    timeline: tuple[Event, ...] = ()
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    min_sample: int = MIN_SAMPLE

    @property
    def empty(self) -> bool:
        return not self.deploys and not self.incidents


def day_or_time(value: str | None, option: str, *, end: bool = False) -> datetime | None:
    """``--since``/``--until``: a date (``2026-10-01``, midnight UTC; as an end, the end
    of that day) or an ISO 8601 time with its UTC offset."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        pass
    else:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start + timedelta(days=1) if end else start
    try:
        return parse_time(value, naive_hint="; add one, or give a date")
    except ValueError as exc:
        raise InputError(
            f"{option}: {exc}", hint=f"a date (2026-10-01) or e.g. {EXAMPLE}"
        ) from None


def period_of(since: datetime | None, until: datetime | None, now: datetime) -> Period:
    """``--since``/``--until`` (default: the 90 days up to now)."""
    end = until or now
    start = since or end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise InputError(
            f"--since {start.isoformat()} is not before --until {end.isoformat()}",
            hint="give a --since earlier than --until",
        )
    return Period(start, end)


def build_report(
    db: Session | Reader,
    config: Config,
    period: Period,
    *,
    environment: str | None = None,
    component: str | None = None,
    customer_id: str | None = None,
    now: datetime | None = None,
) -> ReliabilityReport:
    """The report over ``period``, for one environment, component or customer if given."""
    moment = now or datetime.now(UTC)
    if environment is not None:
        config.check_environment(environment)
    if component is not None:
        known_components(config, [component])
    with reading(db) as reader, collector_paused():
        return _build(reader, config, period, environment, component, customer_id, moment)


def _build(
    reader: Reader,
    config: Config,
    period: Period,
    environment: str | None,
    component: str | None,
    customer_id: str | None,
    now: datetime,
) -> ReliabilityReport:
    customers = reads.all_customers(reader)
    if customer_id is not None:
        one = [c for c in customers if c.id == customer_id]
        if not one:
            raise NotFound(
                f"no customer with id {customer_id!r}",
                hint="`releasecare customers list` shows them",
            )
        customers = one
    facts, unknown = deploy_facts(reader, period.since, period.until, environment)
    changes = changes_of(reader, config, facts)
    incidents = store.incidents(reader, period.since, period.until, environment)
    by_id = {f.deployment.id: f for f in facts}
    for incident in incidents:
        suspect = by_id.get(incident.suspect_deployment_id or -1)
        if suspect is not None:
            suspect.incidents.append(incident)
    if component is not None:
        facts = [f for f in facts if component in f.components]
        kept = {f.deployment.id for f in facts}
        incidents = [
            i for i in incidents if component in i.components or i.suspect_deployment_id in kept
        ]
        customers = [c for c in customers if c.uses(component)]
    if environment is not None:
        customers = [c for c in customers if c.lives_on(environment)]
    started = [i for i in incidents if period.since <= i.started_at < period.until]
    failures = {f.deployment.id: _failure(f) for f in facts if _reasons(f)}
    leads = _lead_samples(facts, changes, component)
    names = {key: env.name for key, env in config.environments.items()}
    by_env: dict[str, list[Facts]] = {}
    for fact in facts:
        by_env.setdefault(fact.deployment.environment, []).append(fact)
    environments = tuple(
        _keys("environment", key, names.get(key, key), rows, failures, period, leads)
        for key, rows in sorted(by_env.items())
    )
    by_component: dict[str, list[Facts]] = {}
    for fact in facts:
        for key in fact.components:
            if component is None or key == component:
                by_component.setdefault(key, []).append(fact)
    components = tuple(
        _keys("component", key, _component_name(config, key), rows, failures, period, leads)
        for key, rows in sorted(by_component.items())
    )
    sent = store.notices_sent(reader, period.since, period.until, customer_id)
    fixed = store.incident_customers(reader, [i.id for i in started])
    rows = customer_rows(
        customers, facts, changes, started, fixed, sent, config.unmapped, component, now
    )
    timeline: tuple[Event, ...] = ()
    if customer_id is not None:
        timeline = tuple(
            customer_timeline(
                customers[0], facts, changes, started, fixed, sent, config, component, now
            )
        )
    return ReliabilityReport(
        period=period,
        environment=environment,
        component=component,
        environments=environments,
        components=components,
        customers=tuple(rows),
        weeks=tuple(_weeks(period, facts, failures)),
        deploys=len(facts),
        incidents=len(started),
        unknown_changes=unknown,
        customer=rows[0] if customer_id is not None and rows else None,
        timeline=timeline,
        generated_at=now,
    )


# --- the four keys -----------------------------------------------------------------


def _reasons(fact: Facts) -> tuple[str, ...]:
    deployment = fact.deployment
    found = []
    if deployment.status == "failed":
        found.append("failed")
    if deployment.status == "rolled_back" or fact.rolled_back_by is not None:
        found.append("rolled_back")
    if fact.incidents:
        found.append("incident")
    return tuple(found)


def _failure(fact: Facts) -> Failure:
    deployment = fact.deployment
    started: datetime = deployment.deployed_at
    recovered: datetime | None = None
    by: str | None = None
    if fact.incidents:
        started = min(i.started_at for i in fact.incidents)
        if all(i.resolved_at for i in fact.incidents):
            last = max(fact.incidents, key=lambda i: (i.resolved_at or started, i.id))
            recovered, by = last.resolved_at, f"incident #{last.id} resolved"
    elif fact.next_reached is not None:
        recovered = fact.next_reached.deployed_at
        by = f"deployment #{fact.next_reached.id}"
    return Failure(
        deployment=deployment,
        reasons=_reasons(fact),
        incidents=tuple(i.id for i in fact.incidents),
        rolled_back_by=fact.rolled_back_by,
        started_at=started,
        recovered_at=recovered,
        recovered_by=by,
    )


def spread(values: Sequence[float]) -> Spread:
    """Median and nearest-rank 90th percentile, or only n when there are too few."""
    if len(values) < MIN_SAMPLE:
        return Spread(len(values), None, None)
    ordered = sorted(values)
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]
    return Spread(len(ordered), float(statistics.median(ordered)), float(p90))


def _keys(
    scope: str,
    key: str,
    name: str,
    facts: Sequence[Facts],
    failures: Mapping[int, Failure],
    period: Period,
    leads: Mapping[int, Sequence[Lead]],
) -> Keys:
    reached = [f for f in facts if f.deployment.reached_customers]
    mine = [
        seconds
        for f in reached
        for seconds, components in leads.get(f.deployment.id, ())
        if scope == "environment" or key in components
    ]
    failed = tuple(failures[f.deployment.id] for f in facts if f.deployment.id in failures)
    recoveries = [s for s in (f.recovery_seconds for f in failed) if s is not None]
    return Keys(
        scope=scope,
        key=key,
        name=name,
        deploys=len(reached),
        attempts=len(facts),
        per_day=len(reached) / period.days,
        per_week=len(reached) / period.days * 7,
        lead_time=spread(mine),
        failures=failed,
        recovery=spread(recoveries),
        unrecovered=len(failed) - len(recoveries),
    )


# A lead time in seconds, and the components of its change.
Lead = tuple[float, tuple[str, ...]]


def _lead_samples(
    facts: Sequence[Facts], changes: Mapping[str, Change], component: str | None
) -> dict[int, list[Lead]]:
    """Deploy id -> the lead time of each change it was the first to bring to its
    environment (``component``: only that component's changes)."""
    seen: set[tuple[str, str]] = set()
    found: dict[int, list[Lead]] = {}
    reached = [f for f in facts if f.deployment.reached_customers]
    for fact in sorted(reached, key=lambda f: (f.deployment.deployed_at, f.deployment.id)):
        deployment = fact.deployment
        for sha in fact.added:
            change = changes.get(sha)
            if change is None or change.authored_at is None:
                continue
            if (deployment.environment, sha) in seen:
                continue
            if component is not None and component not in change.components:
                continue
            seen.add((deployment.environment, sha))
            seconds = max((deployment.deployed_at - change.authored_at).total_seconds(), 0.0)
            found.setdefault(deployment.id, []).append((seconds, change.components))
    return found


def _weeks(period: Period, facts: Iterable[Facts], failures: Mapping[int, Failure]) -> list[Week]:
    """Deploys that reached customers and failures per week (Mondays, UTC)."""
    first = period.since.astimezone(UTC).date()
    first -= timedelta(days=first.weekday())
    last = (period.until - timedelta(microseconds=1)).astimezone(UTC).date()
    counts: dict[date, list[int]] = {}
    day = first
    while day <= last:
        counts[day] = [0, 0]
        day += timedelta(days=7)
    for fact in facts:
        moment = fact.deployment.deployed_at.astimezone(UTC).date()
        week = counts.get(moment - timedelta(days=moment.weekday()))
        if week is None:
            continue
        week[0] += fact.deployment.reached_customers
        week[1] += fact.deployment.id in failures
    return [Week(start, n, failed) for start, (n, failed) in counts.items()]


def _component_name(config: Config, key: str) -> str:
    component = config.components.get(key)
    return component.name if component else key
