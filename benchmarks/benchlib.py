"""What the benchmarks share: child processes timed best of N, git, and a config for
an existing repository.

Children run with the bytecode cache on (``PYTHONDONTWRITEBYTECODE`` removed), as an
installed releasecare does: otherwise every start compiles every module again.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def releasecare(*args: str) -> list[str]:
    """The command line of a releasecare process (the CLI, as ``python -m releasecare``)."""
    return [sys.executable, "-m", "releasecare", *args]


def run(args: Sequence[str], cwd: Path | None = None) -> str:
    """Run a child to completion; its stdout."""
    done = subprocess.run(
        args, cwd=cwd, check=True, capture_output=True, text=True, env=child_env()
    )
    return done.stdout


def timed(args: Sequence[str], cwd: Path | None = None) -> float:
    """Seconds a child process takes, its output read by nobody (/dev/null)."""
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=child_env())
    return time.perf_counter() - started


def timed_read(args: Sequence[str], cwd: Path | None = None) -> float:
    """Seconds a child process takes, its output read through a pipe and discarded.

    As releasecare reads git: a pipe of a megabyte, read a megabyte at a time, and
    ``GIT_FLUSH=0`` (git otherwise writes to a pipe once per commit).
    """
    started = time.perf_counter()
    env = {**child_env(), "GIT_FLUSH": "0"}
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, env=env)
    assert process.stdout is not None
    try:
        import fcntl  # Linux only: the pipe size releasecare asks for too

        fcntl.fcntl(process.stdout.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass
    while process.stdout.read(1 << 20):
        pass
    process.stdout.close()
    if process.wait():
        raise subprocess.CalledProcessError(process.returncode, args)
    return time.perf_counter() - started


def git(repo: Path, *args: str) -> str:
    return run(["git", *args], cwd=repo)


def tags(repo: Path, pattern: str) -> list[str]:
    """The tags matching ``pattern`` (as releasecare's ``tag_pattern`` matches them)."""
    return git(repo, "tag", "--list", pattern, "--sort=version:refname").split()


def components_of(repo: Path) -> dict[str, str]:
    """Component key -> folder for an existing repository: one per service folder.

    Each top-level folder of HEAD is one, or, when it holds folders, each of those is
    (``numpy/linalg/``, ``numpy/fft/``, ...), as ``init`` proposes.
    """
    folders = git(repo, "ls-tree", "-r", "-d", "--name-only", "HEAD").split("\n")
    top = [f for f in folders if f and "/" not in f and not f.startswith(".")]
    found: dict[str, str] = {}
    for folder in top:
        inside = [f for f in folders if f.startswith(folder + "/") and f.count("/") == 1]
        for path in inside or [folder]:
            found[re.sub(r"[^A-Za-z0-9_]+", "-", path).strip("-_")] = path
    return found


def config_for(repo: Path, tag_pattern: str, environments: Sequence[str]) -> str:
    """A releasecare.toml for an existing repository (components: ``components_of``).

    numpy's commit types (ENH, BUG, API, DEP) are customer-facing besides the
    Conventional Commits ones, so that a deploy affects customers there too.
    """
    lines = ["[product]", "name = 'Bench'", "[release]", f"tag_pattern = '{tag_pattern}'"]
    lines += ["visible_types = ['feat', 'fix', 'perf', 'enh', 'bug', 'api', 'dep']"]
    for key, path in components_of(repo).items():
        lines += [f"[components.{key}]", f"name = '{path}'", f"paths = ['/{path}/']"]
    for env in environments:
        lines += [f"[environments.{env}]", f"name = '{env.title()}'"]
    return "\n".join(lines) + "\n"
