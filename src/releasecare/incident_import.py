"""``incident import``: a tool's incidents (``incidentimports``) into the store.

Idempotent by the tool and the incident's id there (the incidents table's unique
source and external id): a re-import updates the incident and its updates and never
stores one twice (an update is the same update by its own id in the tool, else by
its time, status and message). The tool's history is kept as it was, without the
lifecycle's rules for the CLI: PagerDuty re-triggers after an acknowledgement,
Statuspage goes back to investigating.

The tool's component or service names map onto component keys through
``[incidents.component_map]``; a name that is a component's key or its customer-facing
name (either case) needs no entry. Unknown names are reported, never silently
dropped. A new incident gets its suspect deploy as ``incident open`` links one, and a
resolved one fixes the customers it affected, so that imported incidents behave like
opened ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from releasecare.affected import affected_now
from releasecare.config import Config
from releasecare.deploylogs import Skipped
from releasecare.domain import ComponentSpan, Incident, IncidentUpdate
from releasecare.errors import InputError
from releasecare.http import redact
from releasecare.incidentimports import (
    ImportedComponent,
    ImportedIncident,
    ReadOptions,
    format_for,
    read_incidents,
)
from releasecare.incidents import lint_message
from releasecare.store import incidents as store
from releasecare.store.incidents import NewIncident
from releasecare.suspects import link_suspect, verdict
from releasecare.voicelint import Finding

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

OUTCOMES = ("created", "updated", "unchanged")


@dataclass(frozen=True)
class Outcome:
    """One incident of the export: stored as ``outcome`` (created, updated, unchanged);
    the names no component key matched; the suspect linked, for a new one."""

    incident: Incident
    outcome: str
    unknown_components: tuple[str, ...]
    suspect_line: str | None = None
    # The incident voice rules over its messages, when it is new or changed (warnings:
    # the tool's words are recorded as they were).
    warnings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class IncidentImport:
    source: str
    format: str
    environment: str
    incidents: tuple[Outcome, ...]
    skipped: tuple[Skipped, ...] = ()  # what the export lists that is no incident

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.incidents if item.outcome == outcome)

    @property
    def unknown_components(self) -> tuple[str, ...]:
        return tuple(sorted({n for item in self.incidents for n in item.unknown_components}))


def import_environment(config: Config, environment: str | None) -> str:
    """``--env``, else ``[incidents] import_env``; one of them is needed."""
    chosen = environment or config.incidents.import_env
    if chosen is None:
        raise InputError(
            "--env is required: which environment are these incidents on?",
            hint="give --env E, or set import_env in [incidents] of releasecare.toml",
        )
    config.check_environment(chosen)
    return chosen


def import_incidents(
    session: Session,
    config: Config,
    source: str,
    fmt: str,
    *,
    environment: str | None = None,
    token_env: str | None = None,
    now: datetime | None = None,
) -> IncidentImport:
    """Read ``source`` whole (a malformed export stores nothing), then store each of its
    incidents within the caller's transaction."""
    format_for(fmt)
    env = import_environment(config, environment)
    options = ReadOptions(token_env=token_env or config.incidents.token_envs.get(fmt))
    found = read_incidents(source, fmt, options)
    outcomes = tuple(
        store_incident(session, config, item, fmt, env, now=now) for item in found.incidents
    )
    return IncidentImport(redact(source), fmt, env, outcomes, tuple(found.skipped))


def component_key(config: Config, name: str) -> str | None:
    """The component key a tool's component or service ``name`` maps to: the config's
    ``[incidents.component_map]``, else a component whose key or customer-facing name
    it is (case aside); None when none matches."""
    mapping = config.incidents.component_map
    if name in mapping:
        return mapping[name]
    folded = name.casefold()
    for tool_name, key in mapping.items():
        if tool_name.casefold() == folded:
            return key
    for key, component in config.components.items():
        if folded in (key.casefold(), component.name.casefold()):
            return key
    return None


def spans_of(
    config: Config, components: Sequence[ImportedComponent]
) -> tuple[tuple[ComponentSpan, ...], tuple[str, ...]]:
    """The component keys with their times (two names for one key: the widest span;
    None, the incident's own time, is the widest), and the names that map to none."""
    spans: dict[str, ComponentSpan] = {}
    unknown: list[str] = []
    for item in components:
        key = component_key(config, item.name)
        if key is None:
            unknown.append(item.name)
            continue
        span = ComponentSpan(key, item.started_at, item.resolved_at)
        seen = spans.get(key)
        if seen is not None:
            start = _widest(seen.started_at, span.started_at, later=False)
            end = _widest(seen.resolved_at, span.resolved_at, later=True)
            span = ComponentSpan(key, start, end)
        spans[key] = span
    return tuple(spans[k] for k in sorted(spans)), tuple(dict.fromkeys(unknown))


def _widest(a: datetime | None, b: datetime | None, *, later: bool) -> datetime | None:
    if a is None or b is None:
        return None
    return max(a, b) if later else min(a, b)


def store_incident(
    session: Session,
    config: Config,
    item: ImportedIncident,
    source: str,
    environment: str,
    *,
    now: datetime | None = None,
) -> Outcome:
    """Create or update one imported incident and its updates."""
    spans, unknown = spans_of(config, item.components)
    new = NewIncident(
        title=item.title,
        environment=environment,
        started_at=item.started_at,
        severity=item.severity,
        spans=spans,
        public_title=item.public_title,
        source=source,
        external_id=item.external_id,
        status=item.status,
        resolved_at=item.resolved_at,
    )
    # The upsert comes first, as in `incident open`: a concurrent import of the same
    # incident waits for this one, then finds it stored.
    incident, created = store.open_incident(session, new)
    before = None if created else store.get(session, incident.id, for_update=True)
    changed = created or store.apply_import(session, incident.id, new)
    updates = [(IncidentUpdate(u.status, u.message, u.at), u.external_id) for u in item.updates]
    changed = store.sync_updates(session, incident.id, updates) or changed
    line = None
    keys = tuple(s.component for s in spans)
    moved = before is not None and (
        before.started_at != item.started_at or set(before.components) != set(keys)
    )
    if created or (moved and before is not None and not before.suspect_named):
        linking = link_suspect(session, config, environment, keys, item.started_at, until=now)
        suspect = linking.chosen.deployment.id if linking.chosen else None
        store.complete(session, incident.id, suspect, named=False, customers=())
        line = verdict(config, linking)
    stored = store.get(session, incident.id)
    assert stored is not None
    # Fixed when it resolves, as at the CLI: again only when what decides who was hurt
    # changed (a wording edit keeps the customers fixed then).
    refix = (
        before is None
        or before.is_open
        or before.environment != environment
        or set(before.components) != set(keys)
    )
    if not stored.is_open and refix:
        store.fix_customers(session, incident.id, affected_now(session, stored))
    outcome = "created" if created else "updated" if changed else "unchanged"
    warnings = (
        tuple(
            finding
            for u in item.updates
            if u.message
            for finding in lint_message(
                session,
                config,
                u.message,
                u.status,
                f"{source} {item.external_id} update at {u.at.isoformat()}",
            )
        )
        if outcome != "unchanged"
        else ()
    )
    return Outcome(stored, outcome, unknown, line, warnings)
