"""Whole-document JSON exports (helm, heroku, argocd): small files, read at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from releasecare import jsontext
from releasecare.deploylogs import ReadOptions, Skipped
from releasecare.deploylogs._lines import open_source, parse_time
from releasecare.errors import RecordError

# An export of a few thousand releases is well under this; anything larger is not one.
MAX_DOCUMENT = 64 << 20


def load_document(source: str) -> Any:
    """The parsed document; a broken one is a RecordError naming line and column."""
    name = "<stdin>" if source == "-" else source
    with open_source(source) as stream:
        raw = stream.read(MAX_DOCUMENT + 1)
    if len(raw) > MAX_DOCUMENT:
        raise RecordError(name, f"larger than {MAX_DOCUMENT >> 20} MiB; not an export")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RecordError(f"{name}:{line}", "not UTF-8 text") from None
    try:
        return jsontext.loads(text)
    except jsontext.JsonProblem as exc:
        raise RecordError(f"{name}:{exc.line}", exc.problem) from None


def records(document: Any, source: str, path: str = "$") -> Iterator[tuple[str, Any]]:
    """``(location, record)`` for each element of a JSON list."""
    name = "<stdin>" if source == "-" else source
    if not isinstance(document, list):
        raise RecordError(f"{name}: {path}", "expected a JSON list of releases")
    for index, record in enumerate(document):
        yield f"{name}: {path}[{index}]", record


class Fields:
    """Typed access to one record's fields; a problem becomes a Skipped naming the field."""

    def __init__(self, record: Any, location: str, options: ReadOptions) -> None:
        if not isinstance(record, dict):
            raise _Bad(location, "a record must be a JSON object")
        self.record = record
        self.location = location
        self.options = options

    def text(self, key: str, *, required: bool = True, numbers: bool = False) -> str | None:
        value = self.record.get(key)
        if value is None:
            if required:
                raise _Bad(f"{self.location}.{key}", "missing")
            return None
        if numbers and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise _Bad(f"{self.location}.{key}", f"must be a string, not {json.dumps(value)[:30]}")
        return value

    def time(self, key: str, *, required: bool = True) -> Any:
        value = self.text(key, required=required)
        if value is None:
            return None
        try:
            return parse_time(value, self.options.timezone)
        except ValueError as exc:
            raise _Bad(f"{self.location}.{key}", str(exc)) from None


class _Bad(Exception):
    def __init__(self, location: str, reason: str) -> None:
        super().__init__(reason)
        self.skipped = Skipped(location, reason)


Bad = _Bad
