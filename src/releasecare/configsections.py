"""The ``[incidents]`` and ``[delivery]`` tables: their settings, and reading them.

``config`` hands each its table with every type already checked (``configschema``);
what is checked here is what the values mean: a look-back within a year, an import
environment and component keys the config knows, names of token variables, an SMTP
port that is one, a sender with an address, login variables that come in pairs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from releasecare.configschema import (
    EMAIL_SCHEMA,
    ENV_NAME,
    IMPORT_SOURCE_SCHEMA,
    SMTP_PORTS,
    check_table,
    describe,
    seconds,
)
from releasecare.errors import ConfigError, did_you_mean, shown


@dataclass(frozen=True)
class IncidentOptions:
    """``[incidents]``: how far before an incident's start a suspect deploy is looked
    for, and people's names that never reach a customer (beside the git authors).
    For ``incident import``: the environment imported incidents are on (``import_env``;
    None: ``--env`` is required), the tools' component and service names to component
    keys (``component_map``), and each format's token variable (``token_envs``)."""

    lookback: timedelta = timedelta(hours=24)
    people: tuple[str, ...] = ()
    import_env: str | None = None
    component_map: Mapping[str, str] = field(default_factory=dict)
    token_envs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EmailSettings:
    """``[delivery.email]``: where e-mail goes and as whom; credentials are the names
    of the environment variables that hold them."""

    host: str
    sender: str
    port: int = 587
    security: str = "starttls"
    username_env: str | None = None
    password_env: str | None = None
    unsubscribe_url: str | None = None


@dataclass(frozen=True)
class DeliverySettings:
    """``[delivery]``: how hard one ``notify`` run tries. ``backoff`` is the first wait
    after a temporary failure (doubled each time, with jitter, at most ``max_backoff``);
    a run waits for retries at most ``run_time`` seconds in all, and a delivery is
    given up after ``max_attempts``; ``timeout`` bounds one attempt."""

    max_attempts: int = 6
    backoff: float = 10.0
    max_backoff: float = 3600.0
    run_time: float = 120.0
    timeout: float = 30.0
    email: EmailSettings | None = None


def delivery(path: Path, table: Mapping[str, Any]) -> DeliverySettings:
    """``[delivery]`` and ``[delivery.email]`` (top-level types already checked)."""
    defaults = DeliverySettings()
    attempts = table.get("max_attempts", defaults.max_attempts)
    if attempts < 1:
        raise ConfigError(path, "delivery.max_attempts", f"must be 1 or more; got {attempts!r}")
    waits = {
        key: seconds(path, f"delivery.{key}", table) or getattr(defaults, key)
        for key in ("backoff", "max_backoff", "run_time", "timeout")
    }
    email = None
    if "email" in table:
        values = table["email"]
        check_table(path, "delivery.email", values, EMAIL_SCHEMA)
        for key in ("host", "from"):
            if not str(values.get(key, "")).strip():
                raise ConfigError(
                    path,
                    f"delivery.email.{key}",
                    "missing: [delivery.email] needs host and from",
                    hint='e.g. host = "smtp.example.com", from = "Shopfront <notices@example.com>"',
                )
        security = values.get("security", "starttls")
        port = values.get("port", SMTP_PORTS[security])
        if not 0 < port < 65536:
            raise ConfigError(path, "delivery.email.port", f"must be a port number; got {port!r}")
        if "@" not in values["from"]:
            raise ConfigError(path, "delivery.email.from", "must hold an e-mail address")
        unsubscribe = values.get("unsubscribe_url")
        if unsubscribe and not unsubscribe.startswith(("https://", "mailto:")):
            raise ConfigError(
                path, "delivery.email.unsubscribe_url", "must be an https:// or mailto: address"
            )
        if bool(values.get("username_env")) != bool(values.get("password_env")):
            raise ConfigError(
                path,
                "delivery.email.password_env"
                if values.get("username_env")
                else "delivery.email.username_env",
                "username_env and password_env go together (the names of the variables "
                "holding the login)",
            )
        email = EmailSettings(
            host=values["host"],
            sender=values["from"],
            port=port,
            security=security,
            username_env=values.get("username_env"),
            password_env=values.get("password_env"),
            unsubscribe_url=unsubscribe,
        )
    return DeliverySettings(max_attempts=attempts, email=email, **waits)


def incidents(
    path: Path,
    table: Mapping[str, Any],
    components: Collection[str],
    environments: Collection[str],
) -> IncidentOptions:
    """``[incidents]`` (types already checked): a look-back of more than nothing and at
    most a year, names that are not blank, an import environment the config knows, a
    component map onto known component keys, and the names of token variables."""
    hours = table.get("lookback_hours", 24)
    if not 0 < hours <= 24 * 366:
        raise ConfigError(
            path,
            "incidents.lookback_hours",
            f"must be more than 0 and at most a year of hours (8784); got {hours!r}",
            hint="e.g. lookback_hours = 24",
        )
    people = table.get("people", [])
    for index, name in enumerate(people):
        if not name.strip():
            raise ConfigError(path, f"incidents.people[{index}]", "a name may not be blank")
    import_env = table.get("import_env")
    if import_env is not None and (
        not import_env.strip() or (environments and import_env not in environments)
    ):
        raise ConfigError(
            path,
            "incidents.import_env",
            f"unknown environment {shown(import_env)}",
            hint=did_you_mean(import_env, environments)
            or f"known environments: {', '.join(environments) or 'none configured'}",
        )
    component_map = table.get("component_map", {})
    for name, key in component_map.items():
        dotted = f"incidents.component_map.{name}"
        if not isinstance(key, str):
            raise ConfigError(path, dotted, f"must be a component key; got {describe(key)}")
        if key not in components:
            raise ConfigError(
                path,
                dotted,
                f"unknown component {shown(key)}",
                hint=did_you_mean(key, components)
                or f"known components: {', '.join(components) or 'none configured'}",
            )
    token_envs = {}
    for fmt in ("pagerduty", "statuspage"):
        values = table.get(fmt, {})
        check_table(path, f"incidents.{fmt}", values, IMPORT_SOURCE_SCHEMA)
        if "token_env" in values:
            if not ENV_NAME.match(values["token_env"]):
                raise ConfigError(
                    path,
                    f"incidents.{fmt}.token_env",
                    "must be the NAME of an environment variable; "
                    f"got {shown(values['token_env'])}",
                )
            token_envs[fmt] = values["token_env"]
    return IncidentOptions(
        lookback=timedelta(hours=hours),
        people=tuple(n.strip() for n in people),
        import_env=import_env,
        component_map=dict(component_map),
        token_envs=token_envs,
    )
