"""Read the customer registry from TOML, JSON, CSV, standard input or a URL.

Every row is validated (ids, time zones, locales, freeze windows, contacts) and
either the whole source is read or an error names the row and the field; nothing
is returned half-read. Naive freeze times are read in the customer's time zone.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from releasecare import http, jsontext, times
from releasecare.domain import ALL, CADENCES, NAME_LIMITS, Contacts, Customer, FreezeWindow
from releasecare.errors import InputError, RecordError, did_you_mean, shown
from releasecare.options import CsvColumns

KEYS = (
    "id",
    "name",
    "environments",
    "components",
    "timezone",
    "locale",
    "tier",
    "contacts",
    "freeze",
)
CONTACT_KEYS = ("email", "webhook", "slack", "cadence")
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class SourceOptions:
    csv_columns: CsvColumns = field(default_factory=CsvColumns)
    token_env: str | None = None
    timeout: float = http.DEFAULT_TIMEOUT
    max_retries: int = http.DEFAULT_RETRIES
    format: str | None = None


def read_customers(source: str, options: SourceOptions | None = None) -> list[Customer]:
    """Every customer of ``source``, validated; raises on the first bad row."""
    options = options or SourceOptions()
    if source.startswith(("https://", "http://")):
        client = http.Client(
            token_env=options.token_env,
            headers={"Accept": "application/json"},
            options=http.Options.of(options.timeout, options.max_retries),
        )
        with client:
            data = client.get_json(source)
        where = http.redact(source)
        return parse_records(_as_list(data, where), where)
    fmt = options.format or _format_of(source)
    text = _read_text(source)
    if fmt == "csv":
        return parse_records(_csv_rows(text, source, options.csv_columns), source, row_label="line")
    if fmt == "toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{source}: not valid TOML: {exc}") from None
        except RecursionError:
            raise InputError(f"{source}: not valid TOML here: nested too deeply") from None
        unknown = set(data) - {"customer"}
        if unknown:
            raise RecordError(
                source,
                f"unknown top-level key {shown(sorted(unknown)[0])}; "
                "customers are [[customer]] tables",
            )
        return parse_records(data.get("customer", []), source, row_label="customer")
    try:
        data = jsontext.loads(text)
    except jsontext.JsonProblem as exc:
        raise RecordError(f"{source}:{exc.line}", exc.problem) from None
    return parse_records(_as_list(data, source), source)


def _format_of(source: str) -> str:
    suffix = Path(source).suffix.lower()
    return {".toml": "toml", ".csv": "csv"}.get(suffix, "json")


def _read_text(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot be read: {exc.strerror}") from None


def _as_list(data: Any, source: str) -> list[Any]:
    if isinstance(data, dict) and isinstance(data.get("customers"), list):
        return list(data["customers"])
    if isinstance(data, list):
        return data
    raise RecordError(source, 'expected a list of customers, or {"customers": [...]}')


def _csv_rows(text: str, source: str, columns: CsvColumns) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _csv_records(reader, source, columns)
    except csv.Error as exc:  # a cell over csv's size limit (128 KiB)
        # The row at fault is the one after the last line read whole.
        line = reader.line_num + 1
        raise RecordError(f"{source}:{line}", f"not a CSV row ({exc})") from None


def _csv_records(
    reader: csv.DictReader[str], source: str, columns: CsvColumns
) -> list[dict[str, Any]]:
    header = reader.fieldnames or []
    for required in (columns.id, columns.name):
        if required not in header:
            raise RecordError(
                f"{source}:1", f"no column {required!r} in the header", field=required
            )
    rows = []
    for row in reader:
        cell = _cells(row)

        record: dict[str, Any] = {"id": cell(columns.id), "name": cell(columns.name)}
        for key in ("environments", "components"):
            value = cell(getattr(columns, key))
            if value:
                record[key] = (
                    ALL if value == ALL else [v.strip() for v in value.split(";") if v.strip()]
                )
        for key in ("timezone", "locale", "tier"):
            if cell(getattr(columns, key)):
                record[key] = cell(getattr(columns, key))
        contacts: dict[str, Any] = {}
        if cell(columns.email):
            contacts["email"] = [e.strip() for e in cell(columns.email).split(";") if e.strip()]
        if cell(columns.webhook_url):
            contacts["webhook"] = {"url": cell(columns.webhook_url)}
            if cell(columns.webhook_secret_env):
                contacts["webhook"]["secret_env"] = cell(columns.webhook_secret_env)
        if cell(columns.slack_url_env):
            contacts["slack"] = {"url_env": cell(columns.slack_url_env)}
        if cell(columns.cadence):
            contacts["cadence"] = cell(columns.cadence)
        if contacts:
            record["contacts"] = contacts
        if cell(columns.freeze):
            windows = []
            for part in cell(columns.freeze).split(";"):
                start, _, rest = part.strip().partition("/")
                end, _, reason = rest.partition("/")
                windows.append(
                    {"start": start, "end": end, **({"reason": reason} if reason else {})}
                )
            record["freeze"] = windows
        rows.append(record)
    return rows


def _cells(row: Mapping[str, Any]) -> Callable[[str], str]:
    def cell(name: str) -> str:
        value = row.get(name)
        return value.strip() if isinstance(value, str) else ""

    return cell


def parse_records(records: Sequence[Any], source: str, *, row_label: str = "") -> list[Customer]:
    """Validate raw records into customers; errors name the source and the row."""
    customers: list[Customer] = []
    seen: dict[str, tuple[str, str]] = {}
    for index, record in enumerate(records):
        if row_label == "line":
            where = f"{source}:{index + 2}"
        elif row_label:
            where = f"{source}: {row_label}[{index}]"
        else:
            where = f"{source}: [{index}]"
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            where += f" (id {shown(record['id'])})"
        customer = parse_customer(record, where)
        # Ids that differ only in case are one customer typed twice (and one folder
        # on a file system that ignores case).
        key = customer.id.casefold()
        if key in seen:
            first, first_id = seen[key]
            how = (
                "duplicate id"
                if first_id == customer.id
                else f"id differs from {first_id!r} only in case"
            )
            raise RecordError(where, f"{how}, first used at {first}", field="id")
        seen[key] = (where, customer.id)
        customers.append(customer)
    return customers


def parse_customer(record: Any, where: str) -> Customer:
    if not isinstance(record, dict):
        raise RecordError(where, "a customer must be an object/table")
    for key in record:
        if key not in KEYS:
            hint = did_you_mean(key, KEYS)
            raise RecordError(where, "unknown key" + (f" ({hint})" if hint else ""), field=key)
    customer_id = _text(record, "id", where, required=True)
    name = _text(record, "name", where, required=True)
    timezone = _timezone(record.get("timezone", "UTC"), where)
    locale = record.get("locale", "en")
    if not isinstance(locale, str) or not _LOCALE.match(locale):
        raise RecordError(
            where, f"{shown(locale)} is not a locale like 'de-DE' or 'en'", field="locale"
        )
    tier = record.get("tier")
    if tier is not None and not isinstance(tier, str):
        raise RecordError(where, "must be a string", field="tier")
    for key, value in (("id", customer_id), ("tier", tier), ("locale", locale)):
        _fits(value, NAME_LIMITS[key], where, key)
    return Customer(
        id=customer_id,
        name=name,
        environments=_keys(record.get("environments", ALL), "environments", where),
        components=_keys(record.get("components", ALL), "components", where),
        timezone=timezone,
        locale=locale.replace("_", "-"),
        tier=tier,
        contacts=_contacts(record.get("contacts", {}), where),
        freeze=_freeze(record.get("freeze", []), timezone, where),
    )


def _text(record: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = record.get(key)
    if value is None and required:
        raise RecordError(where, "missing", field=key)
    if not isinstance(value, str) or (required and not value.strip()):
        raise RecordError(where, "must be a non-empty string", field=key)
    if _CONTROL.search(value):
        raise RecordError(where, "contains control characters", field=key)
    return value.strip()


def _keys(value: Any, key: str, where: str) -> tuple[str, ...]:
    if value == ALL:
        return (ALL,)
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise RecordError(where, 'must be a non-empty list of keys, or "*"', field=key)
    for item in value:
        _fits(item.strip(), NAME_LIMITS["key"], where, key)
    return tuple(sorted({v.strip() for v in value}))


def _fits(value: str | None, limit: int, where: str, key: str) -> None:
    """Refuse text longer than the store keeps."""
    if value is not None and len(value) > limit:
        raise RecordError(where, f"longer than {limit} characters ({len(value)})", field=key)


def _timezone(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise RecordError(where, "must be an IANA time zone name", field="timezone")
    try:
        times.check_zone(value)
    except times.UnknownZone:
        hint = times.zone_hint(value)
        raise RecordError(
            where,
            f"unknown time zone {shown(value)}" + (f" ({hint})" if hint else ""),
            field="timezone",
        ) from None
    return value


def _contacts(value: Any, where: str) -> Contacts:
    if not isinstance(value, dict):
        raise RecordError(where, "must be an object", field="contacts")
    for key in value:
        if key not in CONTACT_KEYS:
            hint = did_you_mean(key, CONTACT_KEYS)
            raise RecordError(
                where, "unknown contact" + (f" ({hint})" if hint else ""), field=f"contacts.{key}"
            )
    emails = value.get("email", [])
    if isinstance(emails, str):
        emails = [emails]
    if not isinstance(emails, list) or not all(
        isinstance(e, str) and _EMAIL.match(e) for e in emails
    ):
        raise RecordError(where, "must be a list of e-mail addresses", field="contacts.email")
    webhook = value.get("webhook") or {}
    if not isinstance(webhook, dict) or set(webhook) - {"url", "secret_env"}:
        raise RecordError(
            where,
            "takes url and secret_env (the NAME of the environment "
            "variable holding the secret, never the secret)",
            field="contacts.webhook",
        )
    url = webhook.get("url")
    if url is not None and not _allowed_url(url):
        raise RecordError(where, "must be an https:// URL", field="contacts.webhook.url")
    slack = value.get("slack") or {}
    if not isinstance(slack, dict) or set(slack) - {"url_env"}:
        raise RecordError(
            where,
            "takes url_env: the NAME of the environment variable that "
            "holds the Slack webhook URL (a secret), never the URL itself",
            field="contacts.slack",
        )
    cadence = value.get("cadence", "immediate")
    if cadence not in CADENCES:
        hint = did_you_mean(str(cadence), CADENCES) if isinstance(cadence, str) else None
        raise RecordError(
            where,
            f"must be one of {', '.join(CADENCES)}" + (f" ({hint})" if hint else ""),
            field="contacts.cadence",
        )
    return Contacts(
        email=tuple(emails),
        webhook_url=url,
        webhook_secret_env=webhook.get("secret_env"),
        slack_url_env=slack.get("url_env"),
        cadence=cadence,
    )


def _allowed_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    if url.startswith("https://"):
        return True
    host = url.removeprefix("http://").split("/", 1)[0].rsplit(":", 1)[0]
    return url.startswith("http://") and host in ("localhost", "127.0.0.1", "[::1]")


def _freeze(value: Any, timezone: str, where: str) -> tuple[FreezeWindow, ...]:
    if not isinstance(value, list):
        raise RecordError(where, "must be a list of windows", field="freeze")
    windows = []
    for i, window in enumerate(value):
        name = f"freeze[{i}]"
        if not isinstance(window, dict):
            raise RecordError(where, "must be an object with start and end", field=name)
        start = _moment(window.get("start"), timezone, where, f"{name}.start")
        end = _moment(window.get("end"), timezone, where, f"{name}.end")
        if end <= start:
            raise RecordError(where, "ends before it starts", field=f"{name}.end")
        reason = window.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise RecordError(where, "must be a string", field=f"{name}.reason")
        windows.append(FreezeWindow(start=start, end=end, reason=reason))
    return tuple(sorted(windows, key=lambda w: w.start))


def _moment(value: Any, timezone: str, where: str, name: str) -> datetime:
    try:
        return times.parse_time(value, timezone=timezone)
    except ValueError as exc:
        raise RecordError(where, str(exc), field=name) from None


def check_references(
    customers: Sequence[Customer], environments: Iterable[str], components: Iterable[str]
) -> list[str]:
    """Warnings for environments or components a customer names that config does not know."""
    known_envs, known_components = set(environments), set(components)
    warnings = []
    for customer in customers:
        for env in customer.environments:
            if env != ALL and known_envs and env not in known_envs:
                hint = did_you_mean(env, known_envs)
                warnings.append(
                    f"customer {customer.id!r}: unknown environment {env!r}"
                    + (f" ({hint})" if hint else "")
                )
        for key in customer.components:
            if key != ALL and known_components and key not in known_components:
                hint = did_you_mean(key, known_components)
                warnings.append(
                    f"customer {customer.id!r}: unknown component {key!r}"
                    + (f" ({hint})" if hint else "")
                )
    return warnings
