"""Deployments: record one, ingest many, and each environment's history.

A deploy source yields ``DeployEvent`` records; this module checks them against
the configuration, resolves commit shas to release tags, and stores them through
the store in bulk, so that a million-line log goes through in bounded memory.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasecare.config import Config
from releasecare.crashpoints import crash_point
from releasecare.deploylogs import ReadOptions, Skipped, read_events
from releasecare.domain import DEPLOY_STATUSES, NAME_LIMITS, SHA_TEXT, DeployEvent, Deployment
from releasecare.errors import (
    GitError,
    InputError,
    RecordError,
    did_you_mean,
    nearest_tags_hint,
    shown,
)
from releasecare.forked import can_fork, iterate_in_child
from releasecare.gitrepo import (
    UNSHALLOW_HINT,
    clone_is_shallow,
    nearest_release_containing,
    resolve,
)
from releasecare.releases import store_deployed_history
from releasecare.store import deployments as store
from releasecare.store import releases as release_store
from releasecare.store.models import driver_time
from releasecare.text import inert
from releasecare.versions import in_order

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

BATCH = 20_000
# Below this a second process costs more than it saves (about 60,000 JSONL events).
BACKGROUND_FROM_BYTES = 8 * 1024 * 1024
SHA = re.compile(f"^{SHA_TEXT}$")


@dataclass(frozen=True)
class IngestSummary:
    read: int
    created: int

    @property
    def unchanged(self) -> int:
        return self.read - self.created


def checked_event(event: DeployEvent, latest: datetime | None = None) -> DeployEvent:
    """One check for every deploy, recorded or ingested: no control characters in the
    fields that name things, and none longer than the store keeps (refused, naming
    the field); no time after ``latest`` (now and the configured tolerance); none in
    a description (taken out: it is text someone wrote)."""
    where = event.location or event.source
    if len(event.source) > NAME_LIMITS["source"]:
        # Where a log came from (its path or URL) only tells sources apart.
        event = replace(event, source=_bounded(event.source))
    for name in ("version", "environment", "external_id", "sha", "source"):
        value = getattr(event, name)
        if value is None:
            continue
        if not value.isprintable():
            raise RecordError(where, "contains control characters", field=name)
        if len(value) > NAME_LIMITS[name]:
            raise RecordError(
                where, f"longer than {NAME_LIMITS[name]} characters ({len(value)})", field=name
            )
    if latest is not None:
        for name in ("deployed_at", "finished_at"):
            moment = getattr(event, name)
            if moment is not None and moment > latest:
                raise RecordError(
                    where,
                    f"{moment.isoformat()} is in the future (more than the "
                    "[deployments] future_tolerance_minutes from now)",
                    field=name,
                )
    if event.description is not None and not event.description.isprintable():
        return replace(event, description=inert(event.description))
    return event


def _bounded(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{source[: NAME_LIMITS['source'] - 17]}#{digest}"


def _commit_named(repo: Path, rev: str) -> str | None:
    """The commit ``rev`` names in ``repo`` (a sha, a branch), or None."""
    try:
        return resolve(repo, rev)
    except (GitError, InputError):
        return None


def record_deployment(
    session: Session,
    config: Config,
    event: DeployEvent,
    *,
    at_given: bool = True,
    repo: Path | None = None,
) -> tuple[Deployment, bool]:
    """Store one deployment; the same deploy recorded twice is stored once.

    The version must be a scanned release; when it is not and ``repo`` is a shallow
    clone, the clone is what is wrong (exit 3, with the fix).
    """
    event = checked_event(event, config.latest_allowed())
    if event.environment is not None:
        config.check_environment(event.environment)
    if event.status not in DEPLOY_STATUSES:
        raise InputError(
            f"unknown status {event.status!r}", hint=f"one of {', '.join(DEPLOY_STATUSES)}"
        )
    known = release_store.positions(session)
    if event.version not in known:
        if repo is not None and clone_is_shallow(repo):
            raise GitError(
                f"version {event.version!r} is not a known release, and {repo} is a shallow clone",
                hint=f"{UNSHALLOW_HINT}; then `releasecare release scan`",
            )
        commit = _commit_named(repo, event.version) if known and repo else None
        if commit is not None and repo is not None:
            # A commit (continuous deployment): it stands for the nearest release
            # containing it, else for itself; its own history makes the range exact.
            store_deployed_history(session, config, repo, commit)
            version = nearest_release_containing(repo, commit, known) or event.version
            deployed = replace(event, version=version, sha=commit)
            return store.record(session, deployed, at_given=at_given)
        if not known:
            raise InputError(
                f"version {event.version!r} cannot be placed: no releases are known yet",
                hint="run `releasecare release scan` first",
            )
        raise InputError(
            f"version {event.version!r} is not a known release",
            hint=f"{nearest_tags_hint(in_order(known), event.version)}; "
            "run `releasecare release scan` if it is new",
        )
    if event.sha is None and event.version in known:
        # The deployment keeps its own commit: its range never moves with the tag.
        release = release_store.get_release(session, event.version)
        event = replace(event, sha=release.sha if release else None)
    return store.record(session, event, at_given=at_given)


@dataclass(frozen=True)
class RowContext:
    """What turning events into rows needs; plain data, so another process can do it."""

    environments: frozenset[str]  # empty: any environment goes
    positions: dict[str, int]  # release tag -> version position
    commits: dict[str, str]  # release tag -> its commit
    repo: Path | None  # for resolving commit shas to release tags
    dialect: str  # how times are written (see driver_time)
    recorded_at: object  # this ingest's time, as the driver writes it
    latest: datetime | None = None  # no deploy may claim a later time
    skip_invalid: bool = False  # an unknown release is skipped, not an error


def row_context(
    session: Session,
    config: Config,
    repo: Path | None,
    recorded_at: datetime | None = None,
    *,
    skip_invalid: bool = False,
) -> RowContext:
    dialect = session.connection().dialect.name
    now = recorded_at or datetime.now(UTC)
    return RowContext(
        environments=frozenset(config.environments),
        positions=release_store.positions(session),
        commits=release_store.commits(session),
        repo=repo,
        dialect=dialect,
        recorded_at=driver_time(dialect)(now),
        latest=config.latest_allowed(now),
        skip_invalid=skip_invalid,
    )


def ingest_events(
    session: Session, config: Config, events: Iterable[DeployEvent], *, repo: Path | None = None
) -> IngestSummary:
    """Store every event in bulk within the caller's transaction.

    An event without an environment, or with one the config does not know, stops
    the ingest with an error naming where it came from.
    """
    summary = store_rows(session, rows_from_events(events, row_context(session, config, repo)))
    _store_deployed_histories(session, config, repo)
    return summary


def ingest_source(
    session: Session,
    config: Config,
    source: str,
    fmt: str,
    options: ReadOptions,
    *,
    repo: Path | None = None,
    skipped: list[Skipped] | None = None,
) -> IngestSummary:
    """Read ``source`` and store its events within the caller's transaction.

    A large log file is read (parsed, checked, turned into rows) by a second
    process while this one writes: on a million-line log the two halves take about
    as long as each other, so together they take about half as long.
    """
    if options.environment:
        config.check_environment(options.environment)
    context = row_context(session, config, repo, skip_invalid=options.skip_invalid)
    if worth_a_second_process(source):
        batches = _rows_in_child(source, fmt, options, context, skipped)
    else:
        found = skipped if skipped is not None else []
        batches = rows_from_events(read_events(source, fmt, options, found), context, found)
    summary = store_rows(session, batches)
    _store_deployed_histories(session, config, repo)
    return summary


def _store_deployed_histories(session: Session, config: Config, repo: Path | None) -> None:
    """Every deployed commit the stored graph lacks gets its history stored (exact
    ranges for commits no tag contains); without the repository, they keep their
    release's range."""
    if repo is None:
        return
    for sha in store.commits_outside_graph(session):
        store_deployed_history(session, config, repo, sha)


def worth_a_second_process(source: str) -> bool:
    """A regular file big enough, on a system that can fork."""
    if not can_fork() or source == "-" or "://" in source:
        return False
    try:
        return os.path.getsize(source) >= BACKGROUND_FROM_BYTES and Path(source).is_file()
    except OSError:
        return False  # the reader says what is wrong with it


def _rows_in_child(
    source: str,
    fmt: str,
    options: ReadOptions,
    context: RowContext,
    skipped: list[Skipped] | None,
) -> Iterator[list[store.Row]]:
    """Batches of rows from ``source``, read, checked and built by a forked child.

    Rows, not events, cross the pipe: a tuple of strings pickles several times
    faster than a dataclass. The records skipped come last.
    """

    def produce() -> Iterator[tuple[str, Any]]:
        found: list[Skipped] = []
        for rows in rows_from_events(read_events(source, fmt, options, found), context, found):
            yield "rows", rows
        yield "skipped", found

    for kind, payload in iterate_in_child(produce, label=source):
        if kind == "rows":
            yield payload
        elif skipped is not None:
            skipped.extend(payload)


def store_rows(session: Session, batches: Iterable[list[store.Row]]) -> IngestSummary:
    in_progress = store.in_progress_stored(session)
    read = created = 0
    for rows in batches:
        read += len(rows)
        inserted, in_progress = store.insert_rows(session, rows, in_progress=in_progress)
        created += inserted
        crash_point("ingest:after-rows")
    return IngestSummary(read=read, created=created)


def rows_from_events(
    events: Iterable[DeployEvent], context: RowContext, skipped: list[Skipped] | None = None
) -> Iterator[list[store.Row]]:
    """Check each event and turn it into a row to store, in batches of ``BATCH``.

    The checks are ``record_deployment``'s: a version that is no release (nor a
    commit) stops the ingest, or with ``context.skip_invalid`` is added to
    ``skipped``. No database: this runs in whichever process reads the events.
    """
    resolve = _sha_resolver(context.positions, context.repo)
    releases = context.positions
    commits = context.commits
    known = releases.__contains__
    environments = context.environments
    looks_like_sha = SHA.match
    stamp = driver_time(context.dialect)
    recorded = context.recorded_at
    latest = context.latest
    batch: list[store.Row] = []
    for event in events:
        environment = event.environment
        if environment is None:
            raise RecordError(
                event.location or event.source, "no environment in the record", field="environment"
            )
        if environments and environment not in environments:
            hint = did_you_mean(environment, environments)
            raise RecordError(
                event.location or event.source,
                f"unknown environment {shown(environment)}" + (f" ({hint})" if hint else ""),
                field="environment",
            )
        event = checked_event(event, latest)
        version, sha = event.version, event.sha
        if looks_like_sha(version) or (sha and releases and not known(version)):
            # A commit (or a branch name with its commit) stands for the nearest release
            # tag containing it; the commit itself is kept as the sha.
            sha = sha or version
            version = resolve(sha)
        elif not known(version):
            problem = unknown_release(event.version, releases)
            if not context.skip_invalid:
                raise RecordError(event.location or event.source, problem, field="version")
            if skipped is not None:
                skipped.append(Skipped(event.location or event.source, problem))
            continue
        sha = sha or commits.get(version)
        finished = event.finished_at
        batch.append(
            (
                environment,
                version,
                sha,
                event.status,
                stamp(event.deployed_at),
                None if finished is None else stamp(finished),
                event.source,
                event.external_id,
                event.description,
                recorded,
            )
        )
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _sha_resolver(positions: dict[str, int], repo: Path | None) -> Callable[[str], str]:
    """Map a commit sha to the nearest release tag that contains it (cached per sha)."""
    cache: dict[str, str] = {}

    def resolve(sha: str) -> str:
        if sha in positions or repo is None or not positions:
            return sha
        if sha not in cache:
            cache[sha] = nearest_release_containing(repo, sha, positions) or sha
        return cache[sha]

    return resolve


def unknown_release(version: str, positions: dict[str, int]) -> str:
    """Why ``version`` cannot be recorded: no release is known, or it is not one."""
    if not positions:
        return (
            f"version {version!r} cannot be placed: no releases are known yet "
            "(run `releasecare release scan` first)"
        )
    return (
        f"version {version!r} is not a known release "
        f"({nearest_tags_hint(in_order(positions), version)}; "
        "run `releasecare release scan` if it is new)"
    )


@dataclass(frozen=True)
class HistoryRow:
    """One deployment in its environment's history.

    ``kind``: ``first`` (nothing was known there before: impact assumes the release
    before it), ``update``, ``rollback`` (an older version than the one it had),
    ``redeploy`` (the same version again), or ``failed`` / ``in_progress`` (it never
    reached customers and changed nothing).
    """

    deployment: Deployment
    previous_version: str | None
    kind: str


def deployment_history(session: Session, environment: str | None = None) -> list[HistoryRow]:
    """Deployments per environment in order, each with the version the environment had
    before and what kind of deploy it was."""
    positions = release_store.positions(session)
    rows: list[HistoryRow] = []
    current: dict[str, str] = {}
    before = {pos: tag for tag, pos in positions.items()}
    for deployment in store.history(session, environment):
        previous = current.get(deployment.environment)
        kind = _kind(deployment, previous, positions)
        if kind == "first" and deployment.version in positions:
            # What impact assumes the environment had: the release before.
            previous = before.get(positions[deployment.version] - 1)
        rows.append(HistoryRow(deployment, previous, kind))
        if deployment.reached_customers:
            current[deployment.environment] = deployment.version
    return rows


def _kind(deployment: Deployment, previous: str | None, positions: dict[str, int]) -> str:
    if not deployment.reached_customers:
        return deployment.status
    if previous is None:
        return "first"
    if previous == deployment.version:
        return "redeploy"
    if deployment.version in positions and previous in positions:
        older = positions[deployment.version] < positions[previous]
        return "rollback" if older else "update"
    return "update"  # a version not scanned yet cannot be placed
