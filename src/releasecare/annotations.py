"""Findings as a CI shows them: GitHub Actions workflow commands, within its limits.

GitHub keeps at most 10 annotations of each kind per step; the tenth of a kind says
how many more the log holds, so none is dropped without a word.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from releasecare.voice import Finding

PER_KIND = 10


def github(findings: Sequence[Finding], kind: str) -> list[str]:
    """``::error file=…,line=…::message`` lines for ``findings`` (kind error/warning)."""
    lines = [_command(kind, f) for f in findings[: PER_KIND - 1]]
    rest = len(findings) - len(lines)
    if rest == 1:
        lines.append(_command(kind, findings[-1]))
    elif rest > 1:
        lines.append(f"::{kind} title=releasecare::{rest} more {kind}s; the log lists them all")
    return lines


def escape_data(text: str) -> str:
    """Text as the message of a workflow command (``%``, CR and LF escaped)."""
    return _data(text)


def escape_property(text: str) -> str:
    """Text as a property value of a workflow command (also ``:`` and ``,``)."""
    return _property(text)


def _command(kind: str, finding: Finding) -> str:
    where, _, line = finding.location.rpartition(":")
    properties = [f"title={_property('releasecare ' + finding.rule)}"]
    if where and line.isdigit():
        properties[:0] = [f"file={_property(where)}", f"line={line}"]
    message = finding.message if not finding.text else f"{finding.message}: {finding.text}"
    if not where and finding.location:
        message = f"{finding.location}: {message}"
    return f"::{kind} {','.join(properties)}::{_data(message)}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def plain(findings: Iterable[Finding], kind: str | None = None) -> list[str]:
    """One line per finding for a person (and any CI's log), with its text and
    suggestion below it; ``kind`` (error, warning) after the location when given."""
    lines = []
    for f in findings:
        lines.append(f"{f.location}: {kind + ': ' if kind else ''}{f.rule}: {f.message}")
        if f.text:
            lines.append(f"    text: {f.text}")
        if f.span and f.span != f.text:
            lines.append(f"    span: {f.span}")
        if f.suggestion:
            lines.append(f"    suggestion: {f.suggestion}")
    return lines
