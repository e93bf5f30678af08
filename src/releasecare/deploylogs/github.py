"""The GitHub REST deployments API: ``/repos/{owner}/{repo}/deployments`` and each
deployment's statuses.

SOURCE is the deployments URL. A deployment's state is its newest status: success
means it went live (succeeded), failure and error mean it failed, inactive means it
was live and has since been replaced (succeeded), and queued, pending or
in_progress (or no status yet) mean it is still under way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from releasecare.deploylogs import ReadOptions, Skipped
from releasecare.deploylogs._lines import parse_time
from releasecare.domain import DeployEvent
from releasecare.http import Client, redact

STATES = {
    "success": "succeeded",
    "inactive": "succeeded",
    "failure": "failed",
    "error": "failed",
    "queued": "in_progress",
    "pending": "in_progress",
    "in_progress": "in_progress",
}


def read(source: str, options: ReadOptions) -> Iterator[DeployEvent | Skipped]:
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    identity = "github:" + redact(source).rstrip("/")
    with options.client("GITHUB_TOKEN", headers) as client:
        for page_url, page in client.pages(source):
            if not isinstance(page, list):
                yield Skipped(f"{redact(page_url)}: $", "expected a list of deployments")
                continue
            for index, record in enumerate(page):
                location = f"{redact(page_url)}: $[{index}]"
                yield _event(record, location, identity, client, options)


def _event(
    record: Any, location: str, identity: str, client: Client, options: ReadOptions
) -> DeployEvent | Skipped:
    if not isinstance(record, dict):
        return Skipped(location, "a deployment must be an object")
    for key in ("id", "sha", "ref", "environment", "created_at"):
        if record.get(key) in (None, ""):
            return Skipped(f"{location}.{key}", "missing")
    try:
        created = parse_time(record["created_at"], options.timezone)
    except ValueError as exc:
        return Skipped(f"{location}.created_at", str(exc))
    state, finished = "in_progress", None
    url = record.get("statuses_url")
    if isinstance(url, str) and url:
        listed = client.get_json(url)
        if isinstance(listed, list) and listed and isinstance(listed[0], dict):
            newest = listed[0]  # GitHub lists statuses newest first
            state = STATES.get(str(newest.get("state")), "in_progress")
            if isinstance(newest.get("created_at"), str) and state != "in_progress":
                finished = parse_time(newest["created_at"], options.timezone)
    ref, sha = str(record["ref"]), str(record["sha"])
    return DeployEvent(
        version=ref if ref != sha else sha,
        sha=sha,
        status=state,
        deployed_at=created,
        finished_at=finished,
        environment=str(record["environment"]),
        external_id=str(record["id"]),
        source=identity,
        location=location,
        description=record.get("description") or None,
    )
