"""Line-by-line reading shared by the text formats: bounded memory, exact line numbers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from releasecare import times
from releasecare.domain import DEPLOY_STATUSES
from releasecare.errors import InputError, shown

# One deploy record is a few hundred bytes; a longer line is not a record.
MAX_LINE = 1 << 20


@contextmanager
def open_source(source: str) -> Iterator[BinaryIO]:
    if source == "-":
        yield sys.stdin.buffer
        return
    path = Path(source)
    if path.is_dir():
        raise InputError(f"{source}: is a folder, not a deploy log")
    if not path.is_file():
        raise InputError(f"{source}: no such file")
    try:
        with path.open("rb") as handle:
            yield handle
    except PermissionError as exc:
        raise InputError(f"{source}: cannot be read: {exc.strerror}") from None


def numbered_lines(source: str, stream: BinaryIO) -> Iterator[tuple[str, str | None, str]]:
    """``(location, text or None, problem)`` per line; text None when the line is unusable.

    Lines end in LF, CRLF or a lone CR (old Mac exports). A line longer than MAX_LINE
    is skipped through without being held in memory.
    """
    name = "<stdin>" if source == "-" else source
    number = 0
    for raw in _raw_lines(stream):
        number += 1
        location = f"{name}:{number}"
        if raw is None:
            yield location, None, f"line longer than {MAX_LINE // 1024} KiB"
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield location, None, f"not UTF-8 text (byte {exc.start + 1})"
            continue
        yield location, text.strip("\r\n"), ""


def _raw_lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """The lines of ``stream`` with their ends; None for a line longer than MAX_LINE."""
    carry = b""  # the start of a line a lone CR may end
    while True:
        raw = stream.readline(MAX_LINE + 1)
        at_end = not raw
        if carry:
            raw, carry = carry + raw, b""
        if not raw:
            return
        cr = raw.find(b"\r")
        if cr == -1 or (cr == len(raw) - 2 and raw.endswith(b"\n")):  # LF or CRLF
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                carry = _drain(stream)
                yield None
                continue
            yield raw
            continue
        parts = raw.splitlines(keepends=True)
        if not raw.endswith(b"\n") and not at_end:
            # Cut short (by the size limit or the end of the file): the last part may
            # go on, or a CR ending it may be the first half of a CRLF.
            carry = parts.pop()
        yield from parts
        if len(carry) > MAX_LINE:
            carry = _drain(stream)
            yield None


def _drain(stream: BinaryIO) -> bytes:
    """Read past the rest of an oversized line; what follows its end is returned."""
    while True:
        more = stream.readline(MAX_LINE)
        cr = more.find(b"\r")
        if cr != -1:
            return more[cr + 1 :].removeprefix(b"\n")
        if not more or more.endswith(b"\n"):
            return b""


def parse_time(value: object, timezone: str | None) -> datetime:
    """An ISO 8601 time of a log record; naive times only with ``--timezone``."""
    try:
        return times.parse_time(
            value, timezone=timezone, naive_hint=" (say which zone with --timezone)"
        )
    except times.UnknownZone as exc:
        raise InputError(f"--timezone: {exc}") from None


def check_status(value: object) -> str:
    if value not in DEPLOY_STATUSES:
        raise ValueError(f"{shown(value)} is not one of {', '.join(DEPLOY_STATUSES)}")
    return str(value)
