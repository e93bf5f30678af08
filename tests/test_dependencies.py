"""The declared dependencies are exactly the third-party packages the code imports.

Every ``import`` in src/releasecare (at module level, inside functions, under
``TYPE_CHECKING``) is read with ``ast``; its top-level module name is mapped to the
distribution that provides it, and that set must equal ``[project] dependencies``.
The ``postgres`` extra may be imported too, but need not be.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "releasecare"
OWN = "releasecare"
ALLOWED_EXTRAS = ("postgres",)


def normalise(requirement: str) -> str:
    """A requirement's distribution name, PEP 503-normalised: no extras, no version."""
    name = re.split(r"[\s\[<>=!~;@(]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules(source: str) -> set[str]:
    """Top-level names of every absolute import in ``source``, wherever it stands."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


def third_party(modules: Iterable[str]) -> set[str]:
    return {m for m in modules if m not in sys.stdlib_module_names and m not in (OWN, "__future__")}


def code_modules() -> dict[str, list[str]]:
    """Third-party module -> the source files (relative) that import it."""
    users: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        for module in third_party(imported_modules(path.read_text(encoding="utf-8"))):
            users.setdefault(module, []).append(str(path.relative_to(ROOT)))
    return users


def pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        project: dict[str, object] = tomllib.load(f)["project"]
    return project


def declared() -> set[str]:
    requirements = pyproject()["dependencies"]
    assert isinstance(requirements, list)
    return {normalise(r) for r in requirements}


def allowed_optional() -> set[str]:
    extras = pyproject().get("optional-dependencies", {})
    assert isinstance(extras, dict)
    return {normalise(r) for extra in ALLOWED_EXTRAS for r in extras.get(extra, [])}


def test_declared_dependencies_are_the_imported_ones() -> None:
    providers = importlib.metadata.packages_distributions()
    wanted = declared() | allowed_optional()
    used: dict[str, str] = {}  # distribution -> where it is imported
    unknown: list[str] = []
    for module, files in code_modules().items():
        dists = {normalise(d) for d in providers.get(module, [])}
        if not dists:
            unknown.append(f"{module} (imported in {', '.join(files)})")
            continue
        # A module several distributions provide (namespace packages) counts as the
        # declared one when there is one.
        for dist in sorted(dists & wanted or dists):
            used.setdefault(dist, f"{module} in {', '.join(files)}")
    assert not unknown, f"imported but provided by no installed distribution: {unknown}"

    undeclared = {d: where for d, where in used.items() if d not in wanted}
    unused = declared() - set(used)
    assert not undeclared, f"imported but not in [project] dependencies: {undeclared}"
    assert not unused, f"in [project] dependencies but never imported: {sorted(unused)}"


def test_imports_are_found_wherever_they_stand() -> None:
    source = """
from __future__ import annotations
import os, yaml.loader as y
from typing import TYPE_CHECKING
from . import sibling
from .sub import thing
from releasecare.domain import Change

if TYPE_CHECKING:
    from attr import define

def late():
    import numpy
    from sqlalchemy.orm import Session

class Lazy:
    def method(self):
        try:
            import ujson
        except ImportError:
            pass
"""
    assert third_party(imported_modules(source)) == {
        "yaml",
        "attr",
        "numpy",
        "sqlalchemy",
        "ujson",
    }


def test_requirement_names_are_normalised() -> None:
    assert normalise("psycopg[binary]>=3.1") == "psycopg"
    assert normalise("GitPython>=3.1.40") == "gitpython"
    assert normalise("markdown_it.py ~= 3.0") == "markdown-it-py"
    assert normalise("MarkupSafe>=2.1; python_version >= '3.11'") == "markupsafe"
    assert normalise("requests") == "requests"
