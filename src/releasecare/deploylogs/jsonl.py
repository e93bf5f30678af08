"""The generic deploy log: one JSON object per line, as any CI can write it.

{"environment": "production-eu", "version": "v2.4.0", "status": "succeeded",
 "deployed_at": "2026-11-20T09:14:00+01:00", "id": "pipeline-8812"}
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from releasecare import jsontext
from releasecare.deploylogs import ReadOptions, Skipped
from releasecare.deploylogs._lines import check_status, numbered_lines, open_source, parse_time
from releasecare.domain import DEPLOY_STATUSES, DeployEvent

REQUIRED = ("version", "status", "deployed_at")
OPTIONAL = ("environment", "id", "sha", "finished_at", "description")


def read(source: str, options: ReadOptions) -> Iterator[DeployEvent | Skipped]:
    identity = "generic"  # ids come from the CI that wrote the log, not from the file
    with open_source(source) as stream:
        for location, text, problem in numbered_lines(source, stream):
            if text is None:
                yield Skipped(location, problem)
                continue
            if not text.strip():
                continue
            try:
                record = jsontext.loads(text)
            except jsontext.JsonProblem as exc:
                yield Skipped(location, exc.problem)
                continue
            yield event_from(record, location, identity, options)


_STATUSES = frozenset(DEPLOY_STATUSES)


def event_from(
    record: Any, location: str, source: str, options: ReadOptions
) -> DeployEvent | Skipped:
    """One record as an event, or a Skipped naming the field at fault."""
    # The common well-formed record takes a short path (an ingest reads millions);
    # anything unusual goes through the careful checks below, which name the field.
    if type(record) is dict and "finished_at" not in record and "sha" not in record:
        version, status, when = (
            record.get("version"),
            record.get("status"),
            record.get("deployed_at"),
        )
        env, ident = record.get("environment"), record.get("id")
        if (
            type(version) is str
            and version
            and version == version.strip()
            and type(status) is str
            and status in _STATUSES
            and type(when) is str
            and (env is None or (type(env) is str and env and env == env.strip()))
            and (ident is None or (type(ident) is str and ident and ident == ident.strip()))
        ):
            try:
                moment: datetime | None = datetime.fromisoformat(when)
            except ValueError:
                moment = None
            if moment is not None and moment.tzinfo is not None and 1 < moment.year < 9999:
                return DeployEvent(
                    version, status, moment, env, ident, None, None, source, location
                )
    return _careful(record, location, source, options)


def _careful(
    record: Any, location: str, source: str, options: ReadOptions
) -> DeployEvent | Skipped:
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
