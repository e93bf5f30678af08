"""What the reliability report reads: a period's deployments, changes, incidents and
sent notices, each in a few set-based queries over a store Reader (``reads``).

The report covers thousands of deployments at once, so nothing here runs a query per
deployment or per customer: each function is one query (or one per ``BATCH`` of
ids), and the rows come back as the domain's plain dataclasses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from releasecare.domain import REACHED_CUSTOMERS, Change, ComponentSpan, Deployment, Incident
from releasecare.store.incidents import AffectedRow
from releasecare.store.reads import (
    _DEPLOYMENT,
    Reader,
    _chunks,
    _deployment,
    _time,
    changes_by_sha,
    stored_time,
)


def deployments_between(
    reader: Reader, since: datetime, until: datetime, environment: str | None = None
) -> list[Deployment]:
    """Deployments with ``since <= deployed_at < until``, per environment in time order."""
    m = reader.marker
    sql = f"{_DEPLOYMENT} WHERE deployed_at >= {m} AND deployed_at < {m}"
    params: list[object] = [reader.time(since), reader.time(until)]
    if environment is not None:
        sql += f" AND environment = {m}"
        params.append(environment)
    return [
        _deployment(row)
        for row in reader.rows(f"{sql} ORDER BY environment, deployed_at, id", params)
    ]


def around(
    reader: Reader, since: datetime, until: datetime, environment: str | None = None
) -> tuple[list[Deployment], list[Deployment]]:
    """Per environment, the last deploy that reached customers before ``since`` (what
    it ran when the period began) and the first one from ``until`` on (what undid or
    followed the period's last deploy)."""
    return (
        _first_per_environment(reader, "deployed_at < {m}", since, environment, newest=True),
        _first_per_environment(reader, "deployed_at >= {m}", until, environment, newest=False),
    )


def _first_per_environment(
    reader: Reader, where: str, moment: datetime, environment: str | None, *, newest: bool
) -> list[Deployment]:
    m = reader.marker
    reached = sorted(REACHED_CUSTOMERS)
    order = "DESC" if newest else "ASC"
    condition = where.format(m=m) + f" AND status IN ({reader.marks(len(reached))})"
    params: list[object] = [reader.time(moment), *reached]
    if environment is not None:
        condition += f" AND environment = {m}"
        params.append(environment)
    columns = _DEPLOYMENT.removeprefix("SELECT ").removesuffix(" FROM deployments")
    rows = reader.rows(
        f"SELECT {columns} FROM (SELECT {columns}, ROW_NUMBER() OVER (PARTITION BY environment "
        f"ORDER BY deployed_at {order}, id {order}) AS place FROM deployments "
        f"WHERE {condition}) AS ranked WHERE place = 1 ORDER BY environment",
        params,
    )
    return [_deployment(row) for row in rows]


def release_commits(reader: Reader) -> dict[str, tuple[int, str]]:
    """Tag -> (version position, commit) of every release."""
    rows = reader.rows("SELECT tag, position, sha FROM releases WHERE position >= 0")
    return {tag: (position, sha) for tag, position, sha in rows}


def changes(reader: Reader, shas: Sequence[str]) -> dict[str, Change]:
    """The stored changes among ``shas`` with their components, by sha; without their
    files and message bodies, which a report never shows."""
    return changes_by_sha(reader, shas, full=False)


_INCIDENT = (
    "SELECT id, title, environment, status, started_at, resolved_at, severity, "
    "suspect_deployment_id, public_title, source, external_id, suspect_named FROM incidents"
)


def incidents(
    reader: Reader, since: datetime, until: datetime, environment: str | None = None
) -> list[Incident]:
    """Incidents that started in the period, and those whose suspect deploy is one of
    the period's, oldest first, with their components (and the components' own
    times). Their updates are not read: a report counts, it does not retell."""
    m = reader.marker
    start, end = reader.time(since), reader.time(until)
    where = (
        f" WHERE ((started_at >= {m} AND started_at < {m}) OR suspect_deployment_id IN "
        f"(SELECT id FROM deployments WHERE deployed_at >= {m} AND deployed_at < {m}))"
    )
    params: list[object] = [start, end, start, end]
    if environment is not None:
        where += f" AND environment = {m}"
        params.append(environment)
    rows = reader.rows(f"{_INCIDENT}{where} ORDER BY started_at, id", params)
    spans: dict[int, list[ComponentSpan]] = {}
    for chunk in _chunks([row[0] for row in rows]):
        for incident_id, key, started, resolved in reader.rows(
            f"SELECT incident_id, component, started_at, resolved_at FROM incident_components "
            f"WHERE incident_id IN ({reader.marks(len(chunk))}) ORDER BY incident_id, component",
            chunk,
        ):
            spans.setdefault(incident_id, []).append(
                ComponentSpan(key, stored_time(started), stored_time(resolved))
            )
    found = []
    for row in rows:
        own = tuple(spans.get(row[0], ()))
        found.append(
            Incident(
                id=row[0],
                title=row[1],
                environment=row[2],
                status=row[3],
                started_at=_time(row[4]),
                resolved_at=stored_time(row[5]),
                severity=row[6],
                components=tuple(s.component for s in own),
                suspect_deployment_id=row[7],
                public_title=row[8],
                source=row[9],
                external_id=row[10],
                suspect_named=bool(row[11]),
                spans=own,
            )
        )
    return found


def incident_customers(reader: Reader, incident_ids: Sequence[int]) -> dict[int, list[AffectedRow]]:
    """The customers stored for each incident (named at open, fixed at resolution)."""
    found: dict[int, list[AffectedRow]] = {}
    for chunk in _chunks(incident_ids):
        for incident_id, customer_id, name, components, named in reader.rows(
            f"SELECT incident_id, customer_id, name, components, named FROM incident_customers "
            f"WHERE incident_id IN ({reader.marks(len(chunk))}) ORDER BY incident_id, customer_id",
            chunk,
        ):
            found.setdefault(incident_id, []).append(
                AffectedRow(customer_id, name, tuple(components.split()), bool(named))
            )
    return found


@dataclass(frozen=True)
class SentNotice:
    """One notice version that reached a customer: when first, and through which channels."""

    customer_id: str
    notice_version_id: int
    subject: str  # "deployment:<id>" or "incident:<id>"
    title: str
    sent_at: datetime
    channels: tuple[str, ...]


def notices_sent(
    reader: Reader, since: datetime, until: datetime, customer_id: str | None = None
) -> list[SentNotice]:
    """The notice versions first sent in the period (a delivery in state ``sent``),
    oldest first."""
    m = reader.marker
    where = f"d.state = 'sent' AND d.sent_at >= {m} AND d.sent_at < {m}"
    params: list[object] = [reader.time(since), reader.time(until)]
    if customer_id is not None:
        where += f" AND d.customer_id = {m}"
        params.append(customer_id)
    rows = reader.rows(
        f"SELECT d.customer_id, d.notice_version_id, v.subject, v.title, d.sent_at, d.channel "
        f"FROM deliveries d JOIN notice_versions v ON v.id = d.notice_version_id "
        f"WHERE {where} ORDER BY d.notice_version_id, d.sent_at, d.channel",
        params,
    )
    first: dict[int, SentNotice] = {}
    channels: dict[int, set[str]] = {}
    for customer, version_id, subject, title, sent_at, channel in rows:
        moment = _time(sent_at)
        known = first.get(version_id)
        if known is None or moment < known.sent_at:
            first[version_id] = SentNotice(customer, version_id, subject, title, moment, ())
        channels.setdefault(version_id, set()).add(channel)
    sent = [replace(s, channels=tuple(sorted(channels[k]))) for k, s in first.items()]
    return sorted(sent, key=lambda s: (s.sent_at, s.notice_version_id))
