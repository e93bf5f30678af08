"""``releasecare --help`` stays instant: no heavy library is imported for it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from releasecare.cli import cli

# Besides click and the standard library, `--help` may load the CLI's own modules and
# the two plain modules its options and errors are made of: nothing else.
ALLOWED = {"releasecare", "releasecare.__main__", "releasecare.errors", "releasecare.domain"}
PROBE = """
import sys
before = set(sys.modules)
from releasecare.cli import main
sys.argv = ['releasecare', *{args!r}]
try:
    main()
except SystemExit:
    pass
stdlib = sys.stdlib_module_names
loaded = sorted(
    name for name in set(sys.modules) - before
    if name.split('.')[0] not in stdlib and not name.startswith('_')
)
print('LOADED', ' '.join(loaded))
"""


def loaded_by(args: list[str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("LOADED"))
    return line.split()[1:]


def not_allowed(modules: list[str]) -> list[str]:
    return [
        name
        for name in modules
        if name.split(".")[0] != "click"
        and name not in ALLOWED
        and not name.startswith("releasecare.cli")
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["deploy", "--help"],
        ["notes", "render", "--help"],
        ["impact", "--help"],
        ["--version"],
    ],
)
def test_help_loads_only_click_the_standard_library_and_the_cli(args: list[str]) -> None:
    loaded = loaded_by(args)
    assert "releasecare.cli" in loaded  # the probe saw the imports
    assert not_allowed(loaded) == []


def test_the_allow_list_catches_a_heavy_import() -> None:
    assert not_allowed(["click.core", "releasecare.cli.deploy", "sqlalchemy.orm", "git"]) == [
        "sqlalchemy.orm",
        "git",
    ]
    assert not_allowed(["releasecare.store.engine"]) == ["releasecare.store.engine"]


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
