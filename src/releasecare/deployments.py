"""Deployments: record one, ingest many, and each environment's history.

A deploy source yields ``DeployEvent`` records; this module checks them against
the configuration, resolves commit shas to release tags, and stores them through
the store in bulk, so that a million-line log goes through in bounded memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.orm import Session

from releasecare.config import Config
from releasecare.domain import DEPLOY_STATUSES, DeployEvent, Deployment
from releasecare.errors import InputError, RecordError, did_you_mean
from releasecare.store import deployments as store
from releasecare.store import releases as release_store

BATCH = 20_000
SHA = re.compile(r"^[0-9a-f]{7,40}$")


@dataclass(frozen=True)
class IngestSummary:
    read: int
    created: int

    @property
    def unchanged(self) -> int:
        return self.read - self.created


def check_environment(config: Config, environment: str) -> None:
    """An environment must be one the config names (when the config names any)."""
    if config.environments and environment not in config.environments:
        raise InputError(
            f"unknown environment {environment!r}",
            hint=did_you_mean(environment, config.environments)
            or f"known environments: {', '.join(config.environments)}",
        )


def record_deployment(
    session: Session, event: DeployEvent, *, at_given: bool = True
) -> tuple[Deployment, bool]:
    """Store one deployment; the same deploy recorded twice is stored once."""
    if event.status not in DEPLOY_STATUSES:
        raise InputError(
            f"unknown status {event.status!r}", hint=f"one of {', '.join(DEPLOY_STATUSES)}"
        )
    known = release_store.positions(session)
    if known and event.version not in known:
        from releasecare.impact import nearest_tags_hint

        raise InputError(
            f"version {event.version!r} is not a known release",
            hint=nearest_tags_hint(known, event.version)
            + "; run `releasecare release scan` if it is new",
        )
    return store.record(session, event, at_given=at_given)


def ingest_events(
    session: Session, config: Config, events: Iterable[DeployEvent], *, repo: Path | None = None
) -> IngestSummary:
    """Store every event in bulk within the caller's transaction.

    An event without an environment, or with one the config does not know, stops
    the ingest with an error naming where it came from.
    """
    resolve = _sha_resolver(session, repo)
    releases = release_store.positions(session)
    known = releases.__contains__
    before = store.count(session)
    in_progress = store.in_progress_stored(session)
    read = 0
    batch: list[tuple[DeployEvent, str]] = []
    environments = config.environments
    looks_like_sha = SHA.match
    for event in events:
        read += 1
        environment = event.environment
        if environment is None:
            raise RecordError(
                event.location or event.source, "no environment in the record", field="environment"
            )
        if environments and environment not in environments:
            hint = did_you_mean(environment, environments)
            raise RecordError(
                event.location or event.source,
                f"unknown environment {environment!r}" + (f" ({hint})" if hint else ""),
                field="environment",
            )
        if looks_like_sha(event.version) or (event.sha and releases and not known(event.version)):
            # A commit (or a branch name with its commit) stands for the nearest release
            # tag containing it; the commit itself is kept as the sha.
            sha = event.sha or event.version
            event = replace(event, sha=sha, version=resolve(sha))
        batch.append((event, environment))
        if len(batch) >= BATCH:
            in_progress = store.insert_many(session, batch, in_progress=in_progress)
            batch = []
    store.insert_many(session, batch, in_progress=in_progress)
    return IngestSummary(read=read, created=store.count(session) - before)


def _sha_resolver(session: Session, repo: Path | None) -> Callable[[str], str]:
    """Map a commit sha to the nearest release tag that contains it (cached per sha)."""
    positions = release_store.positions(session)
    cache: dict[str, str] = {}

    def resolve(sha: str) -> str:
        if sha in positions or repo is None or not positions:
            return sha
        if sha not in cache:
            from releasecare.gitrepo import nearest_release_containing

            cache[sha] = nearest_release_containing(repo, sha, positions) or sha
        return cache[sha]

    return resolve


def deployment_history(
    session: Session, environment: str | None = None
) -> list[tuple[Deployment, str | None]]:
    """Deployments per environment in order, each with the version the environment had before."""
    rows: list[tuple[Deployment, str | None]] = []
    current: dict[str, str | None] = {}
    for deployment in store.history(session, environment):
        rows.append((deployment, current.get(deployment.environment)))
        if deployment.status == "succeeded":
            current[deployment.environment] = deployment.version
    return rows
