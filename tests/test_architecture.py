"""The package's shape: no import cycle, not even one hidden inside a function or
under TYPE_CHECKING, and the libraries that belong to one layer stay in it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "src" / "releasecare"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """releasecare modules ``path`` imports anywhere in its text."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name in known:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(path, known) - {name} for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_the_package_has_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_sees_imports_in_functions_and_type_checking(tmp_path: Path) -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from releasecare.config import Config\n"
        "def f():\n    from releasecare import impact\n",
        encoding="utf-8",
    )
    known = {"releasecare.impact", "releasecare.config", "releasecare"}
    assert imports_of(probe, known) == {"releasecare.impact", "releasecare.config", "releasecare"}


def test_the_core_never_imports_click() -> None:
    edges_to_click = [
        name
        for name, path in modules().items()
        if not name.startswith("releasecare.cli")
        and name != "releasecare.__main__"
        and any(
            isinstance(node, (ast.Import, ast.ImportFrom))
            and any(
                (getattr(node, "module", None) or alias.name).split(".")[0] == "click"
                for alias in node.names
            )
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    ]
    assert edges_to_click == []


def importers(library: str) -> list[str]:
    """The releasecare modules that import ``library`` (or a module of it) anywhere."""
    return [
        name
        for name, path in modules().items()
        if any(
            (
                isinstance(node, ast.Import)
                and any(a.name.split(".")[0] == library for a in node.names)
            )
            or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == library)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    ]


def test_only_the_http_module_imports_requests() -> None:
    assert importers("requests") == ["releasecare.http"]


def test_only_templating_imports_jinja() -> None:
    """Every template, the user's too, runs in the one sandboxed environment."""
    assert importers("jinja2") == ["releasecare.templating"]


def test_the_code_map_names_every_module() -> None:
    import releasecare

    code_map = releasecare.__doc__ or ""
    missing = []
    for name, path in modules().items():
        parts = name.split(".")[1:]
        if not parts or parts[-1] == "__main__":
            continue
        if len(parts) > 1 or path.name == "__init__.py":
            # a package's modules are named by the package (``deploylogs/``, ``store/``)
            key = f"``{parts[0]}/``"
        else:
            key = f"``{parts[0]}``"
        if key not in code_map:
            missing.append(name)
    assert missing == []


def test_the_scan_starts_git_before_sqlalchemy_is_imported() -> None:
    """``release scan`` on a new database starts git first; importing the scan must not
    pull in SQLAlchemy through a module-level import (e.g. of ``impact``)."""
    import subprocess
    import sys

    code = "import sys, releasecare.releases; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
