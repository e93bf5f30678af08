"""Incident importers: one module per tool's export, each parsing it into plain data.

A registry maps format names to parsers (``statuspage``, ``pagerduty``), so a new
tool is one new module and one line here. Parsing is pure: a parser takes the
parsed JSON document and returns ``ImportedIncident`` records, or raises a
``RecordError`` naming the file (or URL) and the JSON path of the first thing wrong
(``incidents[3].incident_updates[0].created_at: not an ISO 8601 time``): a malformed
export is refused whole. Storing is ``incident_import``'s.

``read_incidents`` reads a file, ``-`` (standard input) or an http(s) URL through the
one HTTP client, with the tool's header scheme (PagerDuty's ``Token token=``,
Statuspage's ``OAuth``) and its paging (PagerDuty's ``more``/``offset``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import import_module
from typing import Any

from releasecare import http, times
from releasecare.deploylogs import Skipped
from releasecare.deploylogs._json import load_document
from releasecare.domain import NAME_LIMITS
from releasecare.errors import InputError, RecordError, did_you_mean
from releasecare.text import inert


@dataclass(frozen=True)
class ImportedComponent:
    """A component or service as the tool names it, and when it was affected (None:
    from the incident's start, to its end)."""

    name: str
    started_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class ImportedUpdate:
    """One update of the tool's history, as it was. ``status`` is a lifecycle status,
    or the tool's own word where it has one of its own (Statuspage's ``postmortem``);
    ``external_id`` is the update's id in the tool (None: it has none, and the time,
    status and message are its identity)."""

    status: str
    message: str
    at: datetime
    external_id: str | None = None


@dataclass(frozen=True)
class ImportedIncident:
    """One incident of an export. ``title`` is internal; ``public_title`` is what the
    tool showed customers (None: the tool is internal, as PagerDuty is). ``status`` is
    the lifecycle's (investigating, identified, monitoring, resolved)."""

    external_id: str
    title: str
    status: str
    started_at: datetime
    location: str  # where in the export, for messages
    public_title: str | None = None
    severity: str | None = None
    resolved_at: datetime | None = None
    components: tuple[ImportedComponent, ...] = ()
    updates: tuple[ImportedUpdate, ...] = ()


@dataclass(frozen=True)
class Export:
    """What an export holds: its incidents, and what it lists that is none (a
    Statuspage scheduled maintenance), each with where and why."""

    incidents: list[ImportedIncident]
    skipped: list[Skipped]


Parser = Callable[[Any, str], list[ImportedIncident | Skipped]]


@dataclass(frozen=True)
class Format:
    """How releasecare reads one tool: its parser (``module:function``), and through a
    URL, the token's variable and header scheme and whether the API pages by offset."""

    parser: str
    token_env: str
    token_prefix: str
    token_required: bool
    accept: str
    offset_paging: bool = False


FORMATS: dict[str, Format] = {
    "statuspage": Format(
        "releasecare.incidentimports.statuspage:parse",
        token_env="STATUSPAGE_TOKEN",
        token_prefix="OAuth ",
        token_required=False,  # the public /api/v2/incidents.json needs none
        accept="application/json",
    ),
    "pagerduty": Format(
        "releasecare.incidentimports.pagerduty:parse",
        token_env="PAGERDUTY_TOKEN",
        token_prefix="Token token=",
        token_required=True,
        accept="application/vnd.pagerduty+json;version=2",
        offset_paging=True,
    ),
}


def format_for(fmt: str) -> Format:
    found = FORMATS.get(fmt)
    if found is None:
        raise InputError(
            f"unknown incident format {fmt!r}",
            hint=did_you_mean(fmt, FORMATS) or f"known formats: {', '.join(sorted(FORMATS))}",
        )
    return found


def parser_for(fmt: str) -> Parser:
    module, _, function = format_for(fmt).parser.partition(":")
    parser: Parser = getattr(import_module(module), function)
    return parser


@dataclass(frozen=True)
class ReadOptions:
    """``token_env``: the variable holding the API token (None: the format's default,
    which the public Statuspage API lets be unset)."""

    token_env: str | None = None
    timeout: float = http.DEFAULT_TIMEOUT
    max_retries: int = http.DEFAULT_RETRIES
    max_pages: int | None = None  # None: the client's default


def is_url(source: str) -> bool:
    return source.startswith(("https://", "http://"))


def read_incidents(source: str, fmt: str, options: ReadOptions | None = None) -> Export:
    """Every incident of ``source`` (a file, ``-`` or a URL), parsed; a malformed export
    raises ``RecordError`` before anything is returned. An incident listed twice (pages
    that shifted while read) is kept once, as last listed."""
    options = options or ReadOptions()
    tool = format_for(fmt)
    parse = parser_for(fmt)
    found: list[ImportedIncident | Skipped] = []
    if is_url(source):
        for where, document in _fetch(source, tool, options):
            found += parse(document, where)
    else:
        found = parse(load_document(source), "<stdin>" if source == "-" else source)
    incidents = {i.external_id: i for i in found if isinstance(i, ImportedIncident)}
    return Export(list(incidents.values()), [i for i in found if isinstance(i, Skipped)])


def _fetch(source: str, tool: Format, options: ReadOptions) -> Iterator[tuple[str, Any]]:
    """``(where, document)`` per page of the API's answer."""
    settings = http.Options.of(options.timeout, options.max_retries)
    if options.max_pages is not None:
        settings = replace(settings, max_pages=options.max_pages)
    client = http.Client(
        token_env=options.token_env or tool.token_env,
        token_optional=options.token_env is None and not tool.token_required,
        headers={"Accept": tool.accept},
        options=settings,
        token_prefix=tool.token_prefix,
    )
    shown = http.redact(source)
    with client:
        if not tool.offset_paging:
            yield shown, client.get_json(source)
            return
        for number, (_, page) in enumerate(client.offset_pages(source), start=1):
            yield f"{shown} (page {number})", page


# --- typed access to a JSON document, failing with its path ------------------------


class Node:
    """A value at a JSON path of the export at ``where``; every problem is a
    ``RecordError`` naming both."""

    def __init__(self, value: Any, where: str, path: str = "") -> None:
        self.value = value
        self.where = where
        self.path = path

    def fail(self, problem: str, key: str | None = None) -> RecordError:
        path = self._join(key) if key is not None else self.path
        return RecordError(f"{self.where}: {path or '$'}", problem)

    def _join(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str) -> Node:
        if not isinstance(self.value, dict):
            raise self.fail("must be a JSON object")
        return Node(self.value.get(key), self.where, self._join(key))

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def items(self, key: str, *, required: bool = True) -> list[Node]:
        """The elements of the list at ``key`` (missing: none, unless ``required``)."""
        node = self.get(key)
        if node.value is None and not required:
            return []
        return node.elements()

    def elements(self) -> list[Node]:
        if not isinstance(self.value, list):
            raise self.fail("missing" if self.value is None else "must be a JSON list")
        return [Node(v, self.where, self._join(i)) for i, v in enumerate(self.value)]

    def identifier(self, key: str, *, required: bool = True) -> str | None:
        """An id at ``key`` (a string, or a whole number), as long as the store keeps."""
        value = self.text(key, required=required, numbers=True)
        if value is not None and len(value) > NAME_LIMITS["external_id"]:
            raise self.fail(f"longer than {NAME_LIMITS['external_id']} characters", key)
        return value

    def text(self, key: str, *, required: bool = True, numbers: bool = False) -> str | None:
        """A string at ``key`` without control characters (ids may be numbers with
        ``numbers``); blank is missing."""
        value = self.get(key).value
        if numbers and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail("missing", key)
            return None
        if not isinstance(value, str):
            raise self.fail(f"must be a string, not {json.dumps(value)[:30]}", key)
        return inert(value).strip()

    def body(self, key: str) -> str:
        """Free text at ``key`` (a message): may be empty, never missing its type."""
        value = self.get(key).value
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(f"must be a string, not {json.dumps(value)[:30]}", key)
        return inert(value).strip()

    def time(self, key: str, *, required: bool = True) -> datetime | None:
        """An ISO 8601 time with its offset at ``key``, kept to the microsecond."""
        value = self.get(key).value
        if value is None:
            if required:
                raise self.fail("missing", key)
            return None
        try:
            return times.parse_time(value)
        except ValueError as exc:
            raise self.fail(str(exc), key) from None

    def choice(self, key: str, choices: dict[str, Any], *, required: bool = True) -> Any:
        """``choices[value]`` for the string at ``key``; another value names the known."""
        value = self.text(key, required=required)
        if value is None:
            return None
        if value not in choices:
            raise self.fail(f"{value!r} is not one of {', '.join(choices)}", key)
        return choices[value]
