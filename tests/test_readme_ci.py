"""The README's "In CI" commands work when followed as written: the "Anywhere else"
block runs, line by line in bash, in the bundled example repository, twice (a re-run
records once). Budget: one example build and four CLI processes, a few seconds."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.test_after_deploy import CI_VARIABLES
from tests.test_example import EXAMPLE, ROOT, build


def readme_block(heading: str) -> str:
    """The first ```sh block under ``heading`` in README.md."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(heading) :]
    found = re.search(r"```sh\n(.*?)```", section, re.S)
    assert found, f"no sh block under {heading!r}"
    return found.group(1)


def test_the_readmes_ci_commands_run_as_written(tmp_path: Path) -> None:
    repo = build(tmp_path / "shopfront")
    customers = json.loads((EXAMPLE / "customers.json").read_text(encoding="utf-8"))
    for customer in customers:  # the example's freeze windows must not depend on today
        customer.pop("freeze", None)
    (repo / "customers.json").write_text(json.dumps(customers), encoding="utf-8")
    script = readme_block("### Anywhere else")
    assert "releasecare after-deploy" in script and "releasecare before-deploy" in script
    env = {k: v for k, v in os.environ.items() if k not in CI_VARIABLES}
    env |= {
        "BUILD_ID": "build-17",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
    }
    assert shutil.which("releasecare", path=env["PATH"])
    for attempt in ("first", "again"):
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", "-c", script],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, f"{attempt}: {done.stdout}\n{done.stderr}"
        verb = "recorded" if attempt == "first" else "already recorded"
        assert f"{verb} deployment #1: v1.5.0 on production-eu (succeeded, run build-17)" in (
            done.stdout
        )
    notices = repo / "releasecare-notices"
    assert json.loads((notices / "impact.json").read_text())["customers"]
    assert any(p.suffix == ".html" for p in notices.rglob("*"))
