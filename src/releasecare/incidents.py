"""Incidents: open one, move it through its lifecycle, list and show them.

The lifecycle is ``INCIDENT_STATUSES`` in order. At the CLI a status moves forward
only (or stays, for another update in the same state; any state may go to
resolved), and a resolved incident moves again only when reopened; an importer
records a tool's own history as it was. ``resolved`` sets the end. An update's
time is never before the incident's start nor before the update before it.

Opening links the suspect deploy (``suspects``) unless one is named, and keeps the
customers named with ``--customer``; resolving fixes the customers it affected
(``affected``). Customer-facing messages get the incident voice rules as warnings,
which never stop an update.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from releasecare.affected import Hurt, affected_now, has_own_times, hurt, incident_minutes
from releasecare.config import Config
from releasecare.domain import (
    INCIDENT_STATUSES,
    Change,
    ComponentSpan,
    Deployment,
    Incident,
    IncidentUpdate,
)
from releasecare.errors import InputError, NotFound, did_you_mean
from releasecare.store import customers as customer_store
from releasecare.store import deployments as deployment_store
from releasecare.store import incidents as store
from releasecare.store.incidents import AffectedRow, NewIncident
from releasecare.suspects import (
    Candidate,
    Linking,
    Nearby,
    deployment_line,
    explain,
    link_suspect,
    linking_for,
    nearby_line,
    suspect_changes,
)
from releasecare.suspects import verdict as verdict_line
from releasecare.text import has_controls
from releasecare.voicelint import Finding
from releasecare.voicelint.incident import lint_incident_message

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Opened:
    incident: Incident
    created: bool
    linking: Linking | None  # None: the suspect was named, or the incident was known
    warnings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Updated:
    incident: Incident
    warnings: tuple[Finding, ...] = ()


def next_statuses(current: str, *, reopen: bool = False) -> tuple[str, ...]:
    """The statuses an update may give an incident that is ``current``: the same or a
    later one; from resolved nothing, unless reopened (then any open state)."""
    if current == "resolved":
        return INCIDENT_STATUSES[:-1] if reopen else ()
    return INCIDENT_STATUSES[INCIDENT_STATUSES.index(current) :]


def _text(value: str | None, option: str, *, required: bool = False) -> str | None:
    """A value a person typed: stripped; blank is missing; control characters refused."""
    if value is None or not value.strip():
        if required:
            raise InputError(f"{option} may not be empty")
        return None
    if has_controls(value):
        raise InputError(f"{option} contains control characters")
    return value.strip()


def _not_ahead(moment: datetime, option: str, latest: datetime) -> None:
    """A time a person gave may be ahead of ours by the tolerance deploys get too."""
    if moment > latest:
        raise InputError(
            f"{option} {moment.isoformat()} is in the future",
            hint="give the time it happened, with its UTC offset (a clock may be ahead by "
            "[deployments] future_tolerance_minutes, 60 by default)",
        )


def known_components(config: Config, keys: Sequence[str]) -> tuple[str, ...]:
    """Component keys the config knows, each once, in the order given."""
    known = config.components
    for key in keys:
        if known and key not in known:
            names = {c.name.lower(): k for k, c in known.items()}
            hint = (
                f"{key!r} is what customers call it; its key is {names[key.lower()]!r}"
                if key.lower() in names
                else did_you_mean(key, known) or f"known components: {', '.join(known)}"
            )
            raise InputError(f"--component: unknown component {key!r}", hint=hint)
    return tuple(dict.fromkeys(keys))


def open_incident(
    session: Session,
    config: Config,
    *,
    title: str,
    environment: str,
    components: Sequence[str] = (),
    severity: str | None = None,
    started_at: datetime | None = None,
    deploy_id: int | None = None,
    customers: Sequence[str] = (),
    message: str | None = None,
    external_id: str | None = None,
    public_title: str | None = None,
    source: str = "cli",
    now: datetime | None = None,
) -> Opened:
    """Open an incident (once per ``external_id``), with its suspect deploy and the
    customers named; the message, if any, is its first update."""
    now = now or datetime.now(UTC)
    title_text = _text(title, "--title", required=True)
    assert title_text is not None
    config.check_environment(environment)
    keys = known_components(config, components)
    start = started_at or now
    _not_ahead(start, "--started-at", config.latest_allowed(now))
    text = _text(message, "--message")
    # The upsert is the transaction's first statement: a concurrent open of the same
    # id waits for it (a row lock on PostgreSQL, the write lock on SQLite) instead of
    # failing, and a retried step stops here. What needs reading comes after, in the
    # same transaction: an error there stores nothing.
    incident, created = store.open_incident(
        session,
        NewIncident(
            title=title_text,
            environment=environment,
            started_at=start,
            severity=severity,
            spans=tuple(ComponentSpan(key) for key in keys),
            public_title=_text(public_title, "--public-title"),
            source=source,
            external_id=_text(external_id, "--id"),
            message=text,
        ),
    )
    if not created:
        return Opened(incident, False, None)
    named = _named_customers(session, customers, keys)
    linking = None
    if deploy_id is not None:
        suspect = deployment_store.get(session, deploy_id)
        if suspect is None:
            raise NotFound(
                f"--deploy: no deployment with id {deploy_id}",
                hint="`releasecare deploy list` shows them",
            )
        if suspect.environment != environment:
            raise InputError(
                f"--deploy: deployment {deploy_id} went to {suspect.environment}, "
                f"the incident is on {environment}"
            )
        suspect_id: int | None = suspect.id
    else:
        linking = link_suspect(session, config, environment, keys, start)
        suspect_id = linking.chosen.deployment.id if linking.chosen else None
    incident = store.complete(
        session, incident.id, suspect_id, named=deploy_id is not None, customers=named
    )
    warnings = lint_message(session, config, text, incident.status, "--message") if text else ()
    return Opened(incident, True, linking, warnings)


def _named_customers(
    session: Session, ids: Sequence[str], components: Sequence[str]
) -> tuple[AffectedRow, ...]:
    rows = []
    for customer_id in dict.fromkeys(ids):
        customer = customer_store.get(session, customer_id)
        if customer is None:
            known = [c.id for c in customer_store.all_customers(session)]
            raise NotFound(
                f"--customer: no customer with id {customer_id!r}",
                hint=did_you_mean(customer_id, known) or "`releasecare customers list` shows them",
            )
        used = tuple(c for c in components if customer.uses(c))
        rows.append(AffectedRow(customer.id, customer.name, used, named=True))
    return tuple(rows)


def require(session: Session, incident_id: int, *, for_update: bool = False) -> Incident:
    """The incident ``incident_id``; NotFound (exit 2) when there is none."""
    incident = store.get(session, incident_id, for_update=for_update)
    if incident is None:
        raise NotFound(
            f"no incident with id {incident_id}", hint="`releasecare incident list` shows them"
        )
    return incident


def update_incident(
    session: Session,
    config: Config,
    incident_id: int,
    *,
    status: str,
    message: str,
    at: datetime | None = None,
    reopen: bool = False,
    now: datetime | None = None,
) -> Updated:
    """Keep one update and move the incident to ``status`` if the lifecycle allows it."""
    now = now or datetime.now(UTC)
    text = _text(message, "--message", required=True)
    assert text is not None
    incident = require(session, incident_id, for_update=True)
    if reopen and incident.status != "resolved":
        raise InputError(
            f"--reopen: incident {incident_id} is not resolved (it is {incident.status})",
            hint="leave out --reopen",
        )
    allowed = next_statuses(incident.status, reopen=reopen)
    if status not in allowed:
        if reopen:
            raise InputError(
                f"--reopen moves incident {incident_id} back to an open state, not to {status}",
                hint=f"allowed with --reopen: {', '.join(allowed)}",
            )
        if incident.status == "resolved":
            raise InputError(
                f"incident {incident_id} is resolved: it moves to {status} only when reopened",
                hint="add --reopen (then allowed: "
                f"{', '.join(next_statuses('resolved', reopen=True))})",
            )
        raise InputError(
            f"incident {incident_id} is {incident.status}: it cannot move back to {status}",
            hint=f"allowed next: {', '.join(allowed)}",
        )
    moment = at or now
    _not_ahead(moment, "--at", config.latest_allowed(now))
    if moment < incident.started_at:
        raise InputError(
            f"--at {moment.isoformat()} is before the incident started "
            f"({incident.started_at.isoformat()})"
        )
    if incident.updates and moment < incident.updates[-1].at:
        raise InputError(
            f"--at {moment.isoformat()} is before the previous update "
            f"({incident.updates[-1].at.isoformat()})",
            hint="updates are kept in the order they happened",
        )
    store.add_update(session, incident_id, IncidentUpdate(status, text, moment), reopen=reopen)
    if status == "resolved":
        resolved = require(session, incident_id)
        store.fix_customers(session, incident_id, affected_now(session, resolved))
    return Updated(
        require(session, incident_id), lint_message(session, config, text, status, "--message")
    )


def lint_message(
    session: Session, config: Config, message: str, status: str, location: str
) -> tuple[Finding, ...]:
    """The incident voice rules over one customer-facing message, as warnings."""
    voice = config.voice_options([*config.incidents.people, *store.author_names(session)])
    names = [c.name for c in config.components.values()]
    return tuple(lint_incident_message(message, status, location, voice, component_names=names))


def list_incidents(
    session: Session,
    config: Config,
    *,
    open_only: bool = False,
    environment: str | None = None,
    since: datetime | None = None,
) -> list[Incident]:
    """Incidents, newest first: only open ones, one environment's, those since a time."""
    if environment is not None:
        config.check_environment(environment)
    return store.listing(session, open_only=open_only, environment=environment, since=since)


@dataclass(frozen=True)
class Report:
    """``incident show``: the incident, its suspect and why, who it hurt and how long."""

    incident: Incident
    minutes: int
    suspect: Deployment | None
    verdict: str  # one line: the suspect and why, or that there is none
    candidates: tuple[tuple[Candidate, str], ...]  # nearest first, each explained
    nearby: tuple[tuple[Nearby, str], ...]
    unreadable: tuple[str, ...]
    changes: tuple[Change, ...]  # the suspect's changes touching the components
    hurt: tuple[Hurt, ...]
    own_times: bool  # components carry their own times: minutes per component


def show_incident(
    session: Session, config: Config, incident_id: int, *, now: datetime | None = None
) -> Report:
    moment = now or datetime.now(UTC)
    incident = require(session, incident_id)
    linking = linking_for(session, config, incident, now=moment)
    suspect = (
        deployment_store.get(session, incident.suspect_deployment_id)
        if incident.suspect_deployment_id is not None
        else None
    )
    if suspect is not None and incident.suspect_named:
        verdict = f"suspect (named when opened): {deployment_line(config, suspect, incident)}"
    elif suspect is not None and linking.chosen and linking.chosen.deployment.id != suspect.id:
        verdict = (
            f"suspect (linked when opened): {deployment_line(config, suspect, incident)}; "
            f"now the nearest candidate is #{linking.chosen.deployment.id}"
        )
    else:
        verdict = verdict_line(config, linking)
    return Report(
        incident=incident,
        minutes=incident_minutes(incident, moment),
        suspect=suspect,
        verdict=verdict,
        candidates=tuple((c, explain(config, c, incident.started_at)) for c in linking.candidates),
        nearby=tuple((n, nearby_line(config, n, incident.started_at)) for n in linking.nearby),
        unreadable=tuple(
            f"#{d.id} {d.version}: its changes cannot be read ({why})"
            for d, why in linking.unreadable
        ),
        changes=suspect_changes(session, config, incident),
        hurt=tuple(hurt(session, incident, moment)),
        own_times=has_own_times(incident),
    )
