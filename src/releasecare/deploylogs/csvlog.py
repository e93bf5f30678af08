"""The generic deploy log as CSV: the JSONL fields as columns, one deploy per row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from releasecare.deploylogs import ReadOptions, Skipped
from releasecare.deploylogs._lines import numbered_lines, open_source
from releasecare.deploylogs.jsonl import OPTIONAL, REQUIRED, event_from
from releasecare.domain import DeployEvent
from releasecare.errors import shown


def read(source: str, options: ReadOptions) -> Iterator[DeployEvent | Skipped]:
    identity = "generic"  # the same deploys as JSONL or CSV are the same deploys
    with open_source(source) as stream:
        header: list[str] | None = None
        for location, text, problem in numbered_lines(source, stream):
            if text is None:
                yield Skipped(location, problem)
                continue
            if not text.strip():
                continue
            try:
                (row,) = csv.reader(io.StringIO(text)) or [[]]
            except csv.Error as exc:  # a cell over csv's size limit (128 KiB)
                yield Skipped(location, f"not a CSV row ({exc})")
                continue
            if header is None:
                header = [h.strip().lstrip("\ufeff") for h in row]
                missing = [k for k in REQUIRED if k not in header]
                unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
                if missing or unknown:
                    yield Skipped(
                        location,
                        f"header: missing {missing}"
                        if missing
                        else f"header: unknown column {shown(unknown[0])}",
                    )
                    return
                continue
            if len(row) != len(header):
                yield Skipped(location, f"{len(row)} cells, the header has {len(header)}")
                continue
            record = {k: (v if v != "" else None) for k, v in zip(header, row, strict=True)}
            yield event_from(record, location, identity, options)
