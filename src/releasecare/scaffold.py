"""``releasecare init``: propose a commented configuration for a repository.

One component per top-level source folder, anchored at the root (``/web/``); a
monorepo folder such as ``src/``, ``services/`` or ``packages/`` that holds more
folders than files of its own proposes one component per folder inside it
(``/src/cartservice/``; ``/src/flask/`` for a single-package ``src/`` layout). Docs,
tests and deployment folders are left out; CODEOWNERS adds what it suggests.
"""

from __future__ import annotations

import re
from collections import Counter
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
# Folders that say how the product is built, deployed or released, not what it does.
# ``protos/`` is not among them: an API's definitions may be what customers use.
DEPLOYMENT_FOLDERS = {
    "terraform",
    "helm",
    "helm-chart",
    "kustomize",
    "kubernetes-manifests",
    "istio-manifests",
    "k8s",
    "deploy",
    "release",
    "requirements",
}
# Folders whose sub-folders are the components (one service or package each).
MONOREPO_FOLDERS = {"src", "services", "packages", "apps", "libs", "modules", "components"}
CODEOWNERS_LOCATIONS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")


def propose_components(paths: Iterable[str]) -> dict[str, Component]:
    """Components proposed from the repository's file paths, each anchored at the root."""
    inside: dict[str, set[str]] = {}
    own_files: Counter[str] = Counter()
    for path in paths:
        parts = path.split("/")
        if len(parts) < 2 or not _product_folder(parts[0]):
            continue
        folders = inside.setdefault(parts[0], set())
        if len(parts) > 2:
            folders.add(parts[1])
        elif not _is_note(parts[1]):
            own_files[parts[0]] += 1
    proposals: dict[str, Component] = {}
    for top in sorted(inside):
        for folder in _component_folders(top, inside[top], own_files[top]):
            name = folder.rsplit("/", 1)[-1]
            key = component_key(name)
            if key in proposals:
                key = component_key(folder)
            proposals[key] = Component(key=key, name=component_name(name), paths=(f"/{folder}/",))
    return proposals


def _component_folders(top: str, inside: set[str], own_files: int) -> list[str]:
    """``top`` itself, or its folders when it is a monorepo folder holding more folders
    than files of its own (a ``src/`` of C files with a few sub-folders stays one)."""
    if top.lower() not in MONOREPO_FOLDERS or len(inside) <= own_files:
        return [top]
    return [f"{top}/{name}" for name in sorted(inside) if _product_folder(name)]


def _product_folder(name: str) -> bool:
    lowered = name.lower()
    return not name.startswith(".") and not (
        lowered in NOT_PRODUCT or lowered in DEPLOYMENT_FOLDERS
    )


def _is_note(name: str) -> bool:
    """A file that says something about its folder rather than being part of it."""
    return name.startswith(".") or name.upper().startswith(("README", "LICENSE", "CHANGELOG"))


def component_key(text: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-._").lower()
    return key or "component"


# A trailing "service" or "svc" names how the part is built, not what it is for.
_SERVICE_SUFFIX = re.compile(r"(?<=[A-Za-z0-9])[-_ ]?(?:service|svc)$", re.IGNORECASE)


def component_name(text: str) -> str:
    """A folder's or team's name as a reader would write it, inventing no word:
    "cartservice" gives "Cart", "helm_chart" "Helm Chart", "productCatalog"
    "Product Catalog"."""
    stem = _SERVICE_SUFFIX.sub("", text.strip())
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", stem)
    words = [word for word in re.split(r"[-_\s]+", spaced) if word]
    return " ".join(word[:1].upper() + word[1:] for word in words) or text


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
        '# .gitignore rules ("/web/" is the top-level web folder, "web/" any folder named',
        "# web); a file may belong to several components. Rename them to the words your",
        '# customers use ("Checkout", not "billing-svc"). Docs, tests and deployment',
        "# folders (terraform/, helm-chart/, ...) are not proposed: add them if customers",
        "# should hear about their changes.",
    ]
    merged = _merge(components, codeowners or {})
    if not merged:
        lines += [
            "",
            "# No source folders found; describe a component like this:",
            "# [components.checkout]",
            '# name = "Checkout"',
            '# paths = ["/services/checkout/"]',
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


def _merge(
    components: Mapping[str, Component], codeowners: Mapping[str, Component]
) -> dict[str, Component]:
    """The folder proposals, then CODEOWNERS' for other keys and other paths (a team
    that owns ``/billing/`` adds nothing to the folder proposal ``/billing/``)."""
    merged = dict(components)
    taken = {component.paths for component in components.values()}
    for key, component in codeowners.items():
        if component.paths not in taken:
            merged.setdefault(key, component)
    return merged


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'
