"""Deployments: idempotent writes, each environment's history, what came before."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from releasecare.domain import (
    DEPLOY_STATUSES,
    STATUS_MOVES,
    DeployEvent,
    Deployment,
)
from releasecare.store import reads
from releasecare.store.engine import driver_cursor
from releasecare.store.models import CommitRow, DeploymentRow
from releasecare.store.upsert import insert, serialize


def record(
    session: Session, event: DeployEvent, *, environment: str | None = None, at_given: bool = True
) -> tuple[Deployment, bool]:
    """Store ``event`` once; return the deployment and whether it was new.

    The natural key is (source, external id, environment) when the source has ids
    (one CI run may deploy to several environments), else (environment, version,
    time). When no time was given (``at_given`` False, a CLI
    "this version is on E now"), the same version already being the latest deploy on
    the environment with the same status is the same deploy, so running the step
    twice records once.

    Safe when pipelines record the same deploy at once: the row is one ``INSERT ...
    ON CONFLICT DO NOTHING`` (the others find it), a status moves in one ``UPDATE``
    that only a status it may move from matches, and the "latest on E" rule holds
    the environment's lock while it reads and writes.
    """
    env = environment or event.environment
    if env is None:
        raise ValueError("a deployment needs an environment")
    if event.external_id is None and not at_given:
        serialize(session, f"releasecare:deployments:{env}")
        latest = session.scalar(
            select(DeploymentRow)
            .where(DeploymentRow.environment == env)
            .order_by(DeploymentRow.deployed_at.desc(), DeploymentRow.id.desc())
            .limit(1)
        )
        if latest is not None and (latest.version, latest.status) == (event.version, event.status):
            return to_domain(latest), False
    row = session.scalar(
        insert(session, DeploymentRow)
        .values(
            environment=env,
            version=event.version,
            sha=event.sha,
            status=event.status,
            deployed_at=event.deployed_at,
            finished_at=event.finished_at,
            source=event.source,
            external_id=event.external_id,
            description=event.description,
            recorded_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing()
        .returning(DeploymentRow)
    )
    if row is not None:
        return to_domain(row), True
    # Stored already (by an earlier run, or by a pipeline that got there first).
    existing = _stored(session, event, env)
    # A later report may carry a newer status for the same deploy (in_progress ->
    # succeeded, or a failed CI attempt retried and shipped); the status moves as
    # STATUS_MOVES allows, nothing is added.
    moved = session.scalar(
        update(DeploymentRow)
        .where(DeploymentRow.id == existing.id, DeploymentRow.status.in_(_MOVES_TO[event.status]))
        .values(
            status=event.status,
            finished_at=func.coalesce(event.finished_at, DeploymentRow.finished_at),
        )
        .returning(DeploymentRow)
        .execution_options(synchronize_session=False)
    )
    if moved is not None:
        session.refresh(existing)
    return to_domain(existing), False


# Status -> the statuses that may move to it.
_MOVES_TO: dict[str, tuple[str, ...]] = {
    status: tuple(sorted(old for old, new in STATUS_MOVES.items() if status in new))
    for status in DEPLOY_STATUSES
}


def _stored(session: Session, event: DeployEvent, env: str) -> DeploymentRow:
    """The stored deploy an insert of ``event`` conflicted with: the same external id,
    else the same environment, time and version."""
    keys = [
        (DeploymentRow.environment == env)
        & (DeploymentRow.version == event.version)
        & (DeploymentRow.deployed_at == event.deployed_at)
    ]
    if event.external_id is not None:
        keys.insert(
            0,
            (DeploymentRow.source == event.source)
            & (DeploymentRow.external_id == event.external_id)
            & (DeploymentRow.environment == env),
        )
    for key in keys:
        found = session.scalar(select(DeploymentRow).where(key))
        if found is not None:
            return found
    raise AssertionError("an insert conflicted with no stored deployment")  # pragma: no cover


def get(session: Session, deployment_id: int) -> Deployment | None:
    with reads.reading(session) as reader:
        return reads.deployment(reader, deployment_id)


def latest(session: Session, environment: str, version: str) -> Deployment | None:
    """The newest deployment of ``version`` on ``environment``."""
    with reads.reading(session) as reader:
        return reads.latest_deployment(reader, environment, version)


def previous_successful(
    session: Session, environment: str, *, before: Deployment | None = None
) -> Deployment | None:
    """What ``environment`` ran before ``before`` (or now); see reads.previous_successful."""
    with reads.reading(session) as reader:
        return reads.previous_successful(reader, environment, before)


def history(session: Session, environment: str | None = None) -> list[Deployment]:
    """Deployments in the order they happened, per environment."""
    with reads.reading(session) as reader:
        return reads.deployment_history(reader, environment)


def to_domain(row: DeploymentRow) -> Deployment:
    return Deployment(
        id=row.id,
        environment=row.environment,
        version=row.version,
        status=row.status,
        deployed_at=row.deployed_at,
        external_id=row.external_id,
        source=row.source,
        sha=row.sha,
        finished_at=row.finished_at,
    )


def in_progress_stored(session: Session) -> bool:
    """Whether any stored deploy is still ``in_progress`` (one scan, once per ingest)."""
    found = select(DeploymentRow.id).where(DeploymentRow.status == "in_progress").limit(1)
    return session.scalar(found) is not None


# A deployment as the driver writes it, in _COLUMNS order; times already in the
# driver's form (see driver_time). Built by deployments.rows_from_events.
Row = tuple[str, str, str | None, str, object, object, str, str | None, str | None, object]


def insert_rows(session: Session, rows: list[Row], *, in_progress: bool = True) -> tuple[int, bool]:
    """Insert rows in bulk; a deploy already stored is skipped.

    ``ON CONFLICT DO NOTHING`` on both natural keys keeps a re-ingest idempotent and
    safe against a concurrent writer (which waits for this one's rows, or this one
    for its). Rows go straight to the driver's executemany: per-row ORM work would
    cap an ingest at a fraction of the rate a deploy log needs. A stored
    ``in_progress`` deploy whose source now reports a final status moves on.

    ``in_progress`` says whether in-progress deploys may be stored (see
    ``in_progress_stored``); without any, and none in ``rows``, there is nothing to
    move on, and no query looks. Returns the number of rows inserted (counted by
    the driver: rows another writer stored are not this ingest's), and the same
    ``in_progress`` for the next batch.
    """
    if not rows:
        return 0, in_progress
    in_progress = in_progress or any(row[3] == "in_progress" for row in rows)
    # In key order, each insert lands next to the one before in the (source, external
    # id) index instead of on a random page: fewer page splits on a large history.
    # The whole key breaks ties, so two ingests of one log take its rows in one order
    # and never wait for each other in a circle.
    rows.sort(key=lambda row: (row[6], row[7] or "", row[0], str(row[4]), row[1]))
    with driver_cursor(session) as (cursor, marker):
        cursor.executemany(
            f"INSERT INTO deployments ({_COLUMNS}) VALUES ({', '.join([marker] * 10)}) "
            "ON CONFLICT DO NOTHING",
            rows,
        )
        inserted = max(cursor.rowcount, 0)
        if not in_progress and inserted < len(rows) and not _writers_serialized(session):
            # A row met one stored meanwhile: a concurrent ingest may have committed an
            # in-progress deploy since this one looked. The insert waited for it, so
            # one more look sees it (else its final status here would be lost).
            in_progress = in_progress_stored(session)
        if not in_progress:
            return inserted, False
        finals = {
            (row[6], row[7], row[0]): (row[3], row[5], row[6], row[7], row[0])
            for row in rows
            if row[7] is not None and row[3] != "in_progress"
        }
        if finals:
            cursor.executemany(
                f"UPDATE deployments SET status = {marker}, "
                f"finished_at = COALESCE({marker}, finished_at) "
                f"WHERE source = {marker} AND external_id = {marker} AND environment = {marker} "
                "AND status = 'in_progress'",
                list(finals.values()),
            )
    return inserted, True


def _writers_serialized(session: Session) -> bool:
    """SQLite: a writing transaction holds the database from its start, so what it
    read first still holds when it writes."""
    return session.connection().dialect.name == "sqlite"


_COLUMNS = (
    "environment, version, sha, status, deployed_at, finished_at, source, "
    "external_id, description, recorded_at"
)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(DeploymentRow)) or 0


def commits_outside_graph(session: Session) -> list[str]:
    """Deployed commits (as recorded) that the stored commit graph does not hold."""
    rows = session.scalars(
        select(DeploymentRow.sha)
        .where(DeploymentRow.sha.is_not(None))
        .where(~exists().where(CommitRow.sha == DeploymentRow.sha))
        .distinct()
    )
    return [sha for sha in rows if sha]
