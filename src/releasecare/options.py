"""Options the config builds for steps whose modules are heavy to import.

``[release]``'s change types become ``ChangeOptions`` (for ``changes``, which brings
git), ``[customers] csv_columns`` become ``CsvColumns`` (for ``customers``, which
brings HTTP and CSV). They live here, plain frozen dataclasses importing nothing, so
that loading the config (every command, ``impact`` too) imports neither step.
"""

from __future__ import annotations

from dataclasses import dataclass

INTERNAL_TYPES = ("chore", "ci", "build", "test", "refactor", "style", "docs")
VISIBLE_TYPES = ("feat", "fix", "perf")


@dataclass(frozen=True)
class ChangeOptions:
    internal_types: tuple[str, ...] = INTERNAL_TYPES
    visible_types: tuple[str, ...] = VISIBLE_TYPES
    changes_dir: str = "changes"
    component_changes_visible: bool = False
    first_parent: bool = False


@dataclass(frozen=True)
class CsvColumns:
    """Column names of a CSV export (a CRM's names can be mapped in config)."""

    id: str = "id"
    name: str = "name"
    environments: str = "environments"
    components: str = "components"
    timezone: str = "timezone"
    locale: str = "locale"
    tier: str = "tier"
    email: str = "email"
    webhook_url: str = "webhook_url"
    webhook_secret_env: str = "webhook_secret_env"
    slack_url_env: str = "slack_url_env"
    cadence: str = "cadence"
    freeze: str = "freeze"
