"""``releasecare init``: propose a commented configuration for a repository.

One component per top-level source folder (one per service in monorepo folders
such as ``services/`` or ``packages/``), plus what CODEOWNERS suggests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from releasecare.domain import Component

# Folders that hold no customer-facing product: proposing them would only add noise.
NOT_PRODUCT = {
    "docs",
    "doc",
    "tests",
    "test",
    "scripts",
    "tools",
    "ci",
    "benchmarks",
    "examples",
    "build",
    "dist",
    "node_modules",
    "vendor",
    "third_party",
    "infra",
}
MONOREPO_FOLDERS = {"services", "packages", "apps", "libs", "modules", "components"}
CODEOWNERS_LOCATIONS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")


def propose_components(paths: Iterable[str]) -> dict[str, Component]:
    """Components proposed from the repository's file paths."""
    folders: set[str] = set()
    for path in paths:
        parts = path.split("/")
        if len(parts) < 2 or parts[0].startswith(".") or parts[0].lower() in NOT_PRODUCT:
            continue
        if parts[0] in MONOREPO_FOLDERS and len(parts) >= 3:
            folders.add(f"{parts[0]}/{parts[1]}")
        else:
            folders.add(parts[0])
    proposals = {}
    for folder in sorted(folders):
        key = component_key(folder.split("/")[-1])
        if key in proposals:
            key = component_key(folder)
        proposals[key] = Component(
            key=key, name=_title(folder.split("/")[-1]), paths=(f"{folder}/",)
        )
    return proposals


def component_key(text: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-._").lower()
    return key or "component"


def _title(folder: str) -> str:
    return re.sub(r"[-_]+", " ", folder).strip().capitalize() or folder


def find_codeowners(repo: Path) -> Path | None:
    for location in CODEOWNERS_LOCATIONS:
        if (repo / location).is_file():
            return repo / location
    return None


# A version tag: an optional prefix of letters, then at least MAJOR.MINOR.
_VERSION_TAG = re.compile(r"^(?P<prefix>[A-Za-z]*[-_]?)\d+\.\d+")
DEFAULT_TAG_PATTERN = "v[0-9]*.*"


def propose_tag_pattern(tags: Iterable[str]) -> str:
    """A ``tag_pattern`` matching the repository's version tags and not its others.

    The prefix most version tags share (``v1.2.0``: "v"; ``3.0.0``: none) followed by
    a digit and a dot, so that stray tags such as ``v0``, ``v3-demo`` or ``latest``
    stay out.
    """
    prefixes: dict[str, int] = {}
    for tag in tags:
        match = _VERSION_TAG.match(tag)
        if match:
            prefixes[match["prefix"]] = prefixes.get(match["prefix"], 0) + 1
    if not prefixes:
        return DEFAULT_TAG_PATTERN
    prefix = max(sorted(prefixes), key=prefixes.__getitem__)
    return f"{prefix}[0-9]*.*"


def render_config(
    product: str,
    components: Mapping[str, Component],
    codeowners: Mapping[str, Component] | None = None,
    tag_pattern: str = DEFAULT_TAG_PATTERN,
) -> str:
    """The text of a commented ``releasecare.toml``."""
    lines = [
        "# releasecare configuration. Reference: README.md, section Configuration.",
        "",
        "[product]",
        "# The name customers know your product by; it appears in every notice.",
        f"name = {_toml_string(product)}",
        "",
        "[release]",
        "# Which tags are releases. They are ordered as versions (v1.10.0 after v1.9.0).",
        f"tag_pattern = {_toml_string(tag_pattern)}",
        "",
        "[database]",
        "# SQLite next to this file; use postgresql+psycopg://... when several pipelines",
        "# share one history. RELEASECARE_DATABASE_URL and --db override this.",
        'url = "sqlite:///.releasecare/releasecare.db"',
        "",
        "# Components are the parts of the product as customers know them. `paths` use",
        "# .gitignore rules; a file may belong to several components. Rename them to the",
        '# words your customers use ("Checkout", not "billing-svc").',
    ]
    merged = dict(components)
    for key, component in (codeowners or {}).items():
        merged.setdefault(key, component)
    if not merged:
        lines += [
            "",
            "# No source folders found; describe a component like this:",
            "# [components.checkout]",
            '# name = "Checkout"',
            '# paths = ["services/checkout/"]',
        ]
    for key, component in merged.items():
        origin = (
            "  # proposed from CODEOWNERS"
            if codeowners and key in codeowners and key not in components
            else ""
        )
        lines += [
            "",
            f"[components.{key}]{origin}",
            f"name = {_toml_string(component.name)}",
            f"description = {_toml_string(component.description)}",
            "paths = [" + ", ".join(_toml_string(p) for p in component.paths) + "]",
        ]
    lines += [
        "",
        "# Deploy targets. Customers name the environments they live on.",
        "[environments.production]",
        'name = "Production"',
        "",
        "[environments.staging]",
        'name = "Staging"',
        "",
    ]
    return "\n".join(lines)


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'
