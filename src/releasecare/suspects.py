"""The suspect deploy: which deployment probably caused an incident, and why we think so.

A candidate is a deployment to the incident's environment that reached customers,
at most ``[incidents] lookback_hours`` (24) before the incident started, whose added
or removed changes touch one of the incident's components (any component when it
names none). Its changes are the deploy's impact (``impact.impact_of_deployment``),
internal changes included: a refactoring can break checkout as well as a feature.
The nearest candidate is the suspect; the others are listed, nearest first. No
candidate is said plainly, never guessed. Failed deploys and rollbacks from the
start of the window to the incident's end (now, while open) are shown beside them:
they are often the story.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from releasecare.config import Config
from releasecare.domain import Change, Deployment, Incident
from releasecare.errors import ReleasecareError
from releasecare.impact import impact_of_deployment
from releasecare.store import deployments as deployment_store
from releasecare.store import incidents as store
from releasecare.text import duration_text, plural
from releasecare.times import zone

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Candidate:
    deployment: Deployment
    components: tuple[str, ...]  # the incident's components (or any) its changes touch
    changes: tuple[Change, ...]  # its changes touching them, added then removed
    before: timedelta  # how long before the incident started
    rollback: bool


@dataclass(frozen=True)
class Nearby:
    """A failed deploy or a rollback around the start; ``offset`` < 0: before it."""

    deployment: Deployment
    kind: str  # "failed" or "rollback"
    offset: timedelta


@dataclass(frozen=True)
class Linking:
    environment: str
    components: tuple[str, ...]
    started_at: datetime
    lookback: timedelta
    candidates: tuple[Candidate, ...]  # nearest first
    nearby: tuple[Nearby, ...]  # in time order
    unreadable: tuple[tuple[Deployment, str], ...] = ()  # changes unknown, and why

    @property
    def chosen(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def link_suspect(
    session: Session,
    config: Config,
    environment: str,
    components: Sequence[str],
    started_at: datetime,
    *,
    until: datetime | None = None,
) -> Linking:
    """The candidates for an incident on ``environment`` from ``started_at``, and the
    failed deploys and rollbacks from the start of the window to ``until`` (now)."""
    lookback = config.incidents.lookback
    end = max(until or datetime.now(UTC), started_at)
    wanted = set(components)
    candidates: list[Candidate] = []
    nearby: list[Nearby] = []
    unreadable: list[tuple[Deployment, str]] = []
    voice, edits = config.voice_options(), config.overrides()
    for deployment in store.deployments_between(session, environment, started_at - lookback, end):
        offset = deployment.deployed_at - started_at
        if not deployment.reached_customers:
            if deployment.status == "failed":
                nearby.append(Nearby(deployment, "failed", offset))
            continue
        try:
            impact = impact_of_deployment(
                session, deployment, unmapped=config.unmapped, voice=voice, edits=edits
            )
        except ReleasecareError as exc:
            unreadable.append((deployment, exc.message))
            continue
        if impact.rollback:
            nearby.append(Nearby(deployment, "rollback", offset))
        if deployment.deployed_at > started_at:
            continue
        touching = _touching(impact.changes, wanted)
        if not touching:
            continue
        touched = {k for c in touching for k in c.components}
        candidates.append(
            Candidate(
                deployment=deployment,
                components=tuple(sorted(touched & wanted if wanted else touched)),
                changes=touching,
                before=-offset,
                rollback=impact.rollback,
            )
        )
    candidates.sort(key=lambda c: (c.before, -c.deployment.id))
    return Linking(
        environment=environment,
        components=tuple(components),
        started_at=started_at,
        lookback=lookback,
        candidates=tuple(candidates),
        nearby=tuple(nearby),
        unreadable=tuple(unreadable),
    )


def linking_for(
    session: Session, config: Config, incident: Incident, *, now: datetime | None = None
) -> Linking:
    """The linking as it reads now for a stored incident (up to its end, or now)."""
    return link_suspect(
        session,
        config,
        incident.environment,
        incident.components,
        incident.started_at,
        until=incident.resolved_at or now,
    )


def deployment_line(config: Config, deployment: Deployment, incident: Incident) -> str:
    """ "v2.4.0 to production-eu at 09:14 UTC (#7), 38 minutes before the incident started"."""
    offset = (deployment.deployed_at - incident.started_at).total_seconds()
    side = "before" if offset <= 0 else "after"
    return (
        f"{deployment.version} to {deployment.environment} at "
        f"{clock(config, deployment.environment, deployment.deployed_at, incident.started_at)}"
        f" (#{deployment.id}), {duration_text(abs(offset))} {side} the incident started"
    )


def _names(config: Config, keys: Sequence[str]) -> str:
    names = [config.components[k].name if k in config.components else k for k in keys]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def clock(config: Config, environment: str, moment: datetime, day_of: datetime) -> str:
    """``09:14 UTC`` in the environment's time zone; with the date when not ``day_of``'s."""
    env = config.environments.get(environment)
    local = moment.astimezone(zone(env.timezone if env else "UTC"))
    same_day = local.date() == day_of.astimezone(local.tzinfo).date()
    return local.strftime("%H:%M %Z" if same_day else "%Y-%m-%d %H:%M %Z")


def explain(config: Config, candidate: Candidate, started_at: datetime) -> str:
    """ "v2.4.0 to production-eu at 09:14 UTC changed Checkout, 38 minutes before the
    incident started"."""
    d = candidate.deployment
    verb = "rolled back" if candidate.rollback else "changed"
    at = clock(config, d.environment, d.deployed_at, started_at)
    return (
        f"{d.version} to {d.environment} at {at} (#{d.id}) "
        f"{verb} {_names(config, candidate.components)}, "
        f"{duration_text(candidate.before.total_seconds())} before the incident started"
    )


def verdict(config: Config, linking: Linking) -> str:
    """The one line that says which deploy is suspect and why, or that none is."""
    window = duration_text(linking.lookback.total_seconds())
    where = f"no deploy to {linking.environment} in the {window} before the incident started"
    what = _names(config, linking.components) if linking.components else "any component"
    chosen = linking.chosen
    if chosen is None:
        return f"no suspect deploy: {where} changed {what}"
    line = f"suspect: {explain(config, chosen, linking.started_at)}"
    others = len(linking.candidates) - 1
    if others:
        line += f"; the nearest of {plural(len(linking.candidates), 'candidate')}"
    return line


def nearby_line(config: Config, item: Nearby, started_at: datetime) -> str:
    d = item.deployment
    when = duration_text(abs(item.offset.total_seconds()))
    side = "before" if item.offset.total_seconds() <= 0 else "after"
    what = "failed deploy of" if item.kind == "failed" else "rollback to"
    return (
        f"{what} {d.version} on {d.environment} at "
        f"{clock(config, d.environment, d.deployed_at, started_at)} (#{d.id}), "
        f"{when} {side} the incident started"
    )


def suspect_changes(session: Session, config: Config, incident: Incident) -> tuple[Change, ...]:
    """The stored suspect's changes that touch the incident's components (any, when it
    names none), whether it was linked or named."""
    if incident.suspect_deployment_id is None:
        return ()
    deployment = deployment_store.get(session, incident.suspect_deployment_id)
    if deployment is None:
        return ()
    impact = impact_of_deployment(
        session,
        deployment,
        unmapped=config.unmapped,
        voice=config.voice_options(),
        edits=config.overrides(),
    )
    return _touching(impact.changes, set(incident.components))


def _touching(changes: Sequence[Change], wanted: set[str]) -> tuple[Change, ...]:
    return tuple(c for c in changes if c.components and (not wanted or wanted & set(c.components)))
