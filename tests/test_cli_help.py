"""``releasecare --help`` stays instant: no heavy library is imported for it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from releasecare.cli import cli

HEAVY = ("sqlalchemy", "git", "jinja2", "alembic", "requests", "markdown_it", "pathspec")


@pytest.mark.parametrize(
    "args", [["--help"], ["deploy", "--help"], ["notes", "render", "--help"], ["--version"]]
)
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    code = (
        "import sys\n"
        "from releasecare.cli import main\n"
        f"sys.argv = ['releasecare', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "HEAVY []" in out, out


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "releasecare", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("releasecare, version ")


def test_every_command_has_help_and_is_in_readme() -> None:
    from pathlib import Path

    import click

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")

    def walk(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
        found = []
        for name, command in group.commands.items():
            full = f"{prefix} {name}".strip()
            found.append((full, command))
            if isinstance(command, click.Group):
                found.extend(walk(command, full))
        return found

    for name, command in walk(cli, ""):
        assert command.help, f"`releasecare {name}` has no help text"
        if not isinstance(command, click.Group):
            assert f"releasecare {name}" in readme, f"`releasecare {name}` is not in README.md"
