"""The composite GitHub Action (``action.yml``): its steps' commands run in order, with
the inputs it declares, as the runner would run them, and its outputs are the step's.

No network: ``python3 -m venv`` and ``pip install "$GITHUB_ACTION_PATH"`` run against
stand-ins that record what they were asked and give the venv this checkout's
releasecare; everything after the install is the real command. Budget: three runs of
``after-deploy`` on the five-commit test repository, about two seconds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Runner
from tests.test_after_deploy import CI_VARIABLES, github, outputs

ROOT = Path(__file__).parents[1]
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def read_yaml(text: str) -> Any:
    """PyYAML when installed; else the small subset action.yml keeps to (maps, lists of
    maps, plain or double-quoted scalars, ``|`` blocks)."""
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        return _subset(text.splitlines())
    return yaml.safe_load(text)


def _subset(lines: list[str]) -> Any:
    lines = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    pos = 0

    def indent_of(line: str) -> int:
        return len(line) - len(line.lstrip(" "))

    def block(indent: int) -> Any:
        if pos < len(lines) and lines[pos].strip().startswith("- "):
            return sequence(indent_of(lines[pos]))
        return mapping(indent_of(lines[pos]) if pos < len(lines) else indent)

    def sequence(indent: int) -> list[Any]:
        nonlocal pos
        items = []
        while pos < len(lines) and indent_of(lines[pos]) == indent:
            content = lines[pos].strip()
            if not content.startswith("- "):
                break
            lines[pos] = " " * (indent + 2) + content[2:]
            items.append(mapping(indent + 2))
        return items

    def mapping(indent: int) -> dict[str, Any]:
        nonlocal pos
        found: dict[str, Any] = {}
        while pos < len(lines) and indent_of(lines[pos]) == indent:
            content = lines[pos].strip()
            if content.startswith("- "):
                break
            key, _, rest = content.partition(":")
            rest = rest.strip()
            pos += 1
            if rest == "|":
                body = []
                while pos < len(lines) and indent_of(lines[pos]) > indent:
                    body.append(lines[pos])
                    pos += 1
                margin = min(indent_of(b) for b in body)
                found[key] = "\n".join(b[margin:] for b in body) + "\n"
            elif rest:
                found[key] = rest[1:-1] if rest.startswith('"') else rest
            else:
                found[key] = block(indent + 2)
        return found

    return block(0)


ACTION = read_yaml((ROOT / "action.yml").read_text(encoding="utf-8"))


def test_the_action_declares_the_inputs_and_outputs_of_the_ci_step() -> None:
    assert ACTION["runs"]["using"] == "composite"
    inputs = ACTION["inputs"]
    assert {"env", "version", "out", "customers", "notify", "database-url"} <= set(inputs)
    assert str(inputs["env"]["required"]).lower() == "true"
    steps = ACTION["runs"]["steps"]
    used = {
        name.removeprefix("inputs.")
        for step in steps
        for value in step.get("env", {}).values()
        for name in EXPRESSION.findall(str(value))
    }
    assert used == set(inputs)  # every input reaches a command, no undeclared one
    for step in steps:  # inputs only through the environment: never pasted into a script
        assert "${{" not in step["run"]
    assert {name: out["value"] for name, out in ACTION["outputs"].items()} == {
        name: f"${{{{ steps.after-deploy.outputs.{name} }}}}"
        for name in (
            "deployment-id",
            "affected-customers",
            "affected-customer-ids",
            "notices-dir",
            "impact-json",
        )
    }


def _stand_ins(folder: Path) -> Path:
    """A ``python3`` whose ``-m venv DIR`` makes DIR/bin/pip (records its arguments) and
    DIR/bin/releasecare (this checkout's)."""
    folder.mkdir()
    releasecare = Path(sys.executable).parent / "releasecare"
    (folder / "python3").write_text(
        "#!/bin/sh\n"
        '[ "$1 $2" = "-m venv" ] || exit 64\n'
        'mkdir -p "$3/bin"\n'
        f'printf \'#!/bin/sh\\necho "$@" >> {folder}/pip-args\\n\' > "$3/bin/pip"\n'
        f'printf \'#!/bin/sh\\nexec {releasecare} "$@"\\n\' > "$3/bin/releasecare"\n'
        'chmod +x "$3/bin/pip" "$3/bin/releasecare"\n',
        encoding="utf-8",
    )
    (folder / "python3").chmod(0o755)
    return folder


def run_action(
    repo: Path, tmp_path: Path, with_: dict[str, str], env: dict[str, str]
) -> list[subprocess.CompletedProcess[str]]:
    """Run each step of the action in order as the runner does (``bash -e``, the step's
    env with ``inputs`` filled in from ``with_`` or the defaults); stops at a failure."""
    inputs = {
        name: with_.get(name, str(spec.get("default", "")))
        for name, spec in ACTION["inputs"].items()
    }
    base = {k: v for k, v in os.environ.items() if k not in CI_VARIABLES}
    base |= env | {
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "GITHUB_ACTION_PATH": str(ROOT),
        "PATH": f"{_stand_ins(tmp_path / 'bin')}{os.pathsep}{os.environ['PATH']}",
    }
    (tmp_path / "runner-temp").mkdir()
    done = []
    for step in ACTION["runs"]["steps"]:
        assert step["shell"] == "bash"
        step_env = {
            key: EXPRESSION.sub(lambda m: inputs[m.group(1).removeprefix("inputs.")], str(value))
            for key, value in step.get("env", {}).items()
        }
        process = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=repo,
            env=base | step_env,
            capture_output=True,
            text=True,
        )
        done.append(process)
        if process.returncode:
            break
    return done


@SQLITE_ONLY
def test_the_actions_steps_install_and_run_after_deploy(project: Runner, tmp_path: Path) -> None:
    env = github(tmp_path)
    database = f"sqlite:///{tmp_path / 'kept.db'}"
    steps = run_action(
        project.cwd,
        tmp_path,
        {"env": "production-eu", "customers": "../customers.json", "database-url": database},
        env,
    )
    assert [s.returncode for s in steps] == [0, 0], [s.stderr for s in steps]
    assert (tmp_path / "bin" / "pip-args").read_text() == f"install --quiet {ROOT}\n"
    assert "recorded deployment #1: v1.1.0 on production-eu (succeeded, run 9001)" in (
        steps[1].stdout
    )
    assert (tmp_path / "kept.db").exists()  # the database-url input was used
    step_outputs = outputs(Path(env["GITHUB_OUTPUT"]))
    action_outputs = {
        name: EXPRESSION.sub(lambda m: step_outputs[m.group(1).rsplit(".", 1)[1]], out["value"])
        for name, out in ACTION["outputs"].items()
    }
    assert action_outputs["deployment-id"] == "1"
    assert action_outputs["affected-customer-ids"] == "acme"
    assert Path(project.cwd / action_outputs["impact-json"]).is_file()


@SQLITE_ONLY
def test_the_action_passes_its_inputs_as_data_and_installs_the_postgres_driver(
    project: Runner, tmp_path: Path
) -> None:
    env = github(tmp_path)
    steps = run_action(
        project.cwd,
        tmp_path,
        {
            "env": "production-eu",
            "customers": "$(touch pwned)",
            "database-url": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "notify": "true",
        },
        env,
    )
    assert (tmp_path / "bin" / "pip-args").read_text() == f"install --quiet {ROOT}[postgres]\n"
    # The step got as far as the database the input named (nothing listens there): the
    # inputs reached releasecare as data, --notify included, and no shell ran them.
    assert steps[1].returncode == 3
    assert "127.0.0.1:1/none cannot be reached" in steps[1].stderr
    assert not (project.cwd / "pwned").exists()
