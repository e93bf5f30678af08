"""The generic deploy log: one JSON object per line, as any CI can write it.

{"environment": "production-eu", "version": "v2.4.0", "status": "succeeded",
 "deployed_at": "2026-11-20T09:14:00+01:00", "id": "pipeline-8812"}
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from releasecare.deploylogs import ReadOptions, Skipped
from releasecare.deploylogs._lines import check_status, numbered_lines, open_source, parse_time
from releasecare.domain import DeployEvent

REQUIRED = ("version", "status", "deployed_at")
OPTIONAL = ("environment", "id", "sha", "finished_at", "description")


def read(source: str, options: ReadOptions) -> Iterator[DeployEvent | Skipped]:
    identity = f"jsonl:{source}"
    with open_source(source) as stream:
        for location, text, problem in numbered_lines(source, stream):
            if text is None:
                yield Skipped(location, problem)
                continue
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Skipped(location, f"not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            yield event_from(record, location, identity, options)


def event_from(
    record: Any, location: str, source: str, options: ReadOptions
) -> DeployEvent | Skipped:
    """One record as an event, or a Skipped naming the field at fault."""
    if not isinstance(record, dict):
        return Skipped(location, "a record must be a JSON object")
    for key in REQUIRED:
        if key not in record:
            return Skipped(location, f"field {key!r}: missing")
    field = "version"
    try:
        version = _text(record["version"])
        field = "status"
        status = check_status(record["status"])
        field = "deployed_at"
        deployed_at = parse_time(record["deployed_at"], options.timezone)
        field = "finished_at"
        finished = record.get("finished_at")
        finished_at = None if finished is None else parse_time(finished, options.timezone)
        field = "environment"
        environment = None if record.get("environment") is None else _text(record["environment"])
        field = "id"
        external_id = None if record.get("id") is None else _text(record["id"], numbers=True)
        field = "sha"
        sha = None if record.get("sha") is None else _text(record["sha"])
    except ValueError as exc:
        return Skipped(location, f"field {field!r}: {exc}")
    return DeployEvent(
        version=version,
        status=status,
        deployed_at=deployed_at,
        environment=environment,
        external_id=external_id,
        sha=sha,
        finished_at=finished_at,
        source=source,
        location=location,
    )


def _text(value: Any, *, numbers: bool = False) -> str:
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a non-empty string, not {json.dumps(value)[:40]}")
    return value.strip()
