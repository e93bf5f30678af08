"""The GitLab deployments API: ``/api/v4/projects/{id}/deployments``.

SOURCE is the deployments URL. status success is a deploy that went live, failed
and canceled ones changed nothing, and created, running and blocked ones are under
way. The token goes in the PRIVATE-TOKEN header.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from releasecare.deploylogs import ReadOptions, Skipped
from releasecare.deploylogs._lines import parse_time
from releasecare.domain import DeployEvent
from releasecare.errors import shown
from releasecare.http import redact

STATUSES = {
    "success": "succeeded",
    "failed": "failed",
    "canceled": "failed",
    "created": "in_progress",
    "running": "in_progress",
    "blocked": "in_progress",
}


def read(source: str, options: ReadOptions) -> Iterator[DeployEvent | Skipped]:
    identity = "gitlab:" + redact(source).rstrip("/")
    client = options.client(
        "GITLAB_TOKEN",
        {"Accept": "application/json"},
        token_header="PRIVATE-TOKEN",
        token_prefix="",
    )
    with client:
        for page_url, page in client.pages(source):
            base = redact(page_url)
            if not isinstance(page, list):
                yield Skipped(f"{base}: $", "expected a list of deployments")
                continue
            for index, record in enumerate(page):
                yield _event(record, f"{base}: $[{index}]", identity, options)


def _event(
    record: Any, location: str, identity: str, options: ReadOptions
) -> DeployEvent | Skipped:
    if not isinstance(record, dict):
        return Skipped(location, "a deployment must be an object")
    environment = record.get("environment")
    name = environment.get("name") if isinstance(environment, dict) else None
    if not isinstance(name, str) or not name:
        return Skipped(f"{location}.environment.name", "missing")
    status = record.get("status")
    if status not in STATUSES:
        return Skipped(f"{location}.status", f"unknown GitLab status {shown(status)}")
    for key in ("id", "sha", "ref", "created_at"):
        if record.get(key) in (None, ""):
            return Skipped(f"{location}.{key}", "missing")
    try:
        created = parse_time(record["created_at"], options.timezone)
        finished = None
        if status in ("success", "failed", "canceled") and isinstance(
            record.get("updated_at"), str
        ):
            finished = parse_time(record["updated_at"], options.timezone)
    except ValueError as exc:
        return Skipped(f"{location}.created_at", str(exc))
    ref, sha = str(record["ref"]), str(record["sha"])
    return DeployEvent(
        version=ref if ref != sha else sha,
        sha=sha,
        status=STATUSES[status],
        deployed_at=created,
        finished_at=finished,
        environment=name,
        external_id=str(record["id"]),
        source=identity,
        location=location,
    )
