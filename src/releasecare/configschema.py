"""The schema of ``releasecare.toml``, and the checks of a value's type and meaning.

Every table's keys and their types, the values a key may take, the numbers' bounds;
each check raises ``ConfigError`` naming the file and the dotted key. Adding a key is
one line in ``SCHEMA``; ``config`` builds the options from the checked data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from releasecare.errors import ConfigError, did_you_mean, shown
from releasecare.pathpatterns import pattern_problem
from releasecare.voice import DEPENDENCY_MODES, NOTE_SOURCES

KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

# The schema: table -> key -> expected type. Nested per-key tables (components,
# environments) are described by ITEM_SCHEMAS. Adding a key is one line here.
StrList = list[str]
SCHEMA: dict[str, dict[str, Any]] = {
    "": {"templates": str},
    "product": {"name": str, "url": str},
    "release": {
        "tag_pattern": str,
        "order": str,
        "first_parent": bool,
        "changes_dir": str,
        "internal_types": StrList,
        "visible_types": StrList,
        "component_changes_visible": bool,
    },
    "database": {"url": str, "busy_timeout": float},
    "mapping": {"import_codeowners": bool, "ignore": StrList},
    "impact": {"unmapped": str},
    "voice": {
        "internal_hosts": StrList,
        "jargon": StrList,
        "allow": StrList,
        "max_length": int,
        "subject_fallback": bool,  # deprecated: [notes] source
    },
    "notes": {"source": str, "dependency_updates": str},
    "customers": {"csv_columns": dict, "token_env": str, "prune_limit": float, "source": str},
    "incidents": {
        "lookback_hours": float,
        "people": StrList,
        "import_env": str,
        "component_map": dict,
        "pagerduty": dict,
        "statuspage": dict,
    },
    "deployments": {"future_tolerance_minutes": int},
    "delivery": {
        "max_attempts": int,
        "backoff": float,
        "max_backoff": float,
        "run_time": float,
        "timeout": float,
        "email": dict,
    },
}
# [delivery.email]: the SMTP server notices go through (secrets: variables' names).
EMAIL_SCHEMA: dict[str, Any] = {
    "host": str,
    "port": int,
    "security": str,
    "username_env": str,
    "password_env": str,
    "from": str,
    "unsubscribe_url": str,
}
SMTP_PORTS = {"starttls": 587, "tls": 465, "plain": 25}
ITEM_SCHEMAS: dict[str, dict[str, Any]] = {
    "components": {"name": str, "description": str, "paths": StrList},
    "environments": {"name": str, "timezone": str},
}
CHOICES: dict[str, tuple[str, ...]] = {
    "release.order": ("version", "date"),
    "impact.unmapped": ("ignore", "everyone"),
    "notes.source": NOTE_SOURCES,
    "notes.dependency_updates": DEPENDENCY_MODES,
    "delivery.email.security": tuple(SMTP_PORTS),
}


# [incidents.pagerduty], [incidents.statuspage]: how `incident import` reaches the API.
IMPORT_SOURCE_SCHEMA: dict[str, Any] = {"token_env": str}


# Numbers with a floor: the key, the smallest value that makes sense, and why.
MINIMUMS: dict[str, tuple[int, str]] = {
    "voice.max_length": (1, "the longest note in characters"),
    "deployments.future_tolerance_minutes": (0, "minutes a deploy's time may lie ahead of now"),
}
MAXIMUMS = {"deployments.future_tolerance_minutes": 60 * 24 * 366}
# Strings that must say something.
NON_EMPTY = ("product.name", "release.tag_pattern", "database.url", "customers.token_env")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_values(path: Path, data: Mapping[str, Any]) -> None:
    """The values whose type is right but whose meaning is not (types already checked)."""

    def value(dotted: str) -> Any:
        table, _, key = dotted.rpartition(".")
        return data.get(table, {}).get(key)

    for dotted, (least, meaning) in MINIMUMS.items():
        number = value(dotted)
        if number is not None and number < least:
            raise ConfigError(path, dotted, f"must be at least {least} ({meaning}); got {number}")
        most = MAXIMUMS.get(dotted)
        if number is not None and most is not None and number > most:
            raise ConfigError(path, dotted, f"must be at most {most} ({meaning}); got {number}")
    for dotted in NON_EMPTY:
        text = value(dotted)
        if text is not None and not text.strip():
            raise ConfigError(path, dotted, "must not be empty")
    token_env = value("customers.token_env")
    if token_env is not None and not ENV_NAME.match(token_env):
        raise ConfigError(
            path,
            "customers.token_env",
            f"must be the NAME of an environment variable; got {shown(token_env)}",
        )
    release = data.get("release", {})
    both = set(release.get("internal_types", ())) & set(release.get("visible_types", ()))
    if both:
        raise ConfigError(
            path,
            "release.visible_types",
            f"{shown(sorted(both)[0])} is also in release.internal_types; "
            "a type is one or the other",
        )
    patterns = [
        (f"components.{k}.paths", v.get("paths", [])) for k, v in data.get("components", {}).items()
    ]
    patterns.append(("mapping.ignore", data.get("mapping", {}).get("ignore", [])))
    for dotted, listed in patterns:
        for pattern in listed:
            problem = pattern_problem(pattern)
            if problem is not None:
                raise ConfigError(path, dotted, f"{shown(pattern)}: {problem}")


def share(path: Path, dotted: str, table: Mapping[str, Any]) -> float | None:
    value = table.get(dotted.rpartition(".")[2])
    if value is None:
        return None
    if not 0 <= float(value) <= 1:
        raise ConfigError(path, dotted, f"must be a share from 0 to 1; got {shown(value)}")
    return float(value)


def seconds(path: Path, dotted: str, table: Mapping[str, Any]) -> float | None:
    value = table.get(dotted.rpartition(".")[2])
    if value is None:
        return None
    if not 0 < float(value) < float("inf"):
        raise ConfigError(path, dotted, f"must be a number of seconds above 0; got {value!r}")
    return float(value)


def check_table(path: Path, table: str, values: Any, keys: Mapping[str, Any]) -> None:
    if not isinstance(values, dict):
        raise ConfigError(path, table, f"must be a table ([{table}])")
    for key, value in values.items():
        dotted = f"{table}.{key}"
        if key not in keys:
            raise ConfigError(path, dotted, "unknown key", hint=did_you_mean(key, keys))
        check_type(path, dotted, value, keys[key])
        choices = CHOICES.get(dotted)
        if choices and value not in choices:
            raise ConfigError(
                path, dotted, f"must be one of {', '.join(choices)}; got {shown(value)}"
            )


def check_type(path: Path, dotted: str, value: Any, expected: Any) -> None:
    if expected is StrList:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(path, dotted, f"must be a list of strings; got {describe(value)}")
        return
    # bool is an int in Python; a TOML `true` where a number belongs is still wrong.
    # A share may be written as a whole number (0, 1).
    accepted = (int, float) if expected is float else expected
    if (expected in (int, float) and isinstance(value, bool)) or not isinstance(value, accepted):
        raise ConfigError(
            path,
            dotted,
            f"must be {_TYPE_NAMES.get(expected, expected.__name__)}; got {describe(value)}",
        )


_TYPE_NAMES = {
    str: "a string",
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    dict: "a table",
}


def describe(value: Any) -> str:
    names = {
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a table",
    }
    return f"{names.get(type(value), type(value).__name__)} ({shown(value)})"
