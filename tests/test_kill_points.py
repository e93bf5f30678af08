"""``kill -9`` at fixed points of a release scan, a deploy ingest, a customers import
and a notes render (issue #17): the process SIGKILLs itself at a named point
(``RELEASECARE_TEST_KILL_AT``, see ``releasecare.crashpoints``). Afterwards the
database passes SQLite's integrity check, the same command run again completes, and
the database then holds exactly what a run that was never killed stores (nothing
twice); no notice is left half-written under its final name.

Budget: 6 kill points, each three subprocesses (the reference run, the killed one, the
run again) of about 1.3 s: under 30 s.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from releasecare.crashpoints import KILL_AT_ENV
from tests.helpers import Runner

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

LOG = [
    {
        "environment": "production-eu",
        "version": v,
        "status": "succeeded",
        "deployed_at": at,
        "id": f"run-{n}",
    }
    for n, (v, at) in enumerate(
        [("v1.0.0", "2026-11-01T10:00:00+00:00"), ("v1.2.0", "2026-11-02T10:00:00+00:00")]
    )
]

# point -> (what runs before, in-process; the command that is killed)
POINTS = {
    "scan:after-changes": ((), ("release", "scan")),
    "scan:after-graph": ((), ("release", "scan")),
    "ingest:after-rows": (("scan",), ("deploy", "ingest", "{log}", "--format", "jsonl")),
    "customers:after-upsert": ((), ("customers", "import", "{customers}")),
    "render:after-temporary-files": (
        ("scan", "customers", "ingest"),
        ("notes", "render", "2", "--format", "md", "--format", "html", "--feed", "--out", "{out}"),
    ),
    "render:after-first-rename": (
        ("scan", "customers", "ingest"),
        ("notes", "render", "2", "--format", "md", "--format", "html", "--feed", "--out", "{out}"),
    ),
}


def prepare(project: Runner, steps: tuple[str, ...], files: dict[str, str]) -> None:
    for step in steps:
        if step == "scan":
            project.ok("release", "scan")
        elif step == "customers":
            project.ok("customers", "import", files["customers"])
        else:
            project.ok("deploy", "ingest", files["log"], "--format", "jsonl")


def run(
    project: Runner, command: list[str], kill_at: str | None = None
) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != KILL_AT_ENV}
    if kill_at:
        env[KILL_AT_ENV] = kill_at
    return subprocess.run(
        [sys.executable, "-m", "releasecare", "--db", project.db_url, *command],
        cwd=project.cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def contents(db_url: str) -> dict[str, int]:
    """Each table's row count: what 'nothing stored twice' compares."""
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def files_under(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@SQLITE_ONLY
@pytest.mark.parametrize("point", sorted(POINTS))
def test_a_kill_at_a_point_leaves_a_consistent_database(
    project: Runner, tmp_path: Path, point: str
) -> None:
    steps, template = POINTS[point]
    (tmp_path / "log.jsonl").write_text("".join(json.dumps(e) + "\n" for e in LOG))
    files = {
        "log": str(tmp_path / "log.jsonl"),
        "customers": str(tmp_path / "customers.json"),
        "out": str(tmp_path / "notices"),
    }
    reference = Runner(cwd=project.cwd, db_url=f"sqlite:///{tmp_path / 'reference.db'}")
    for runner in (project, reference):
        prepare(runner, steps, files)
    command = [part.format(**files) for part in template]
    reference_out = tmp_path / "reference-notices"
    reference_command = [p.replace(files["out"], str(reference_out)) for p in command]
    assert run(reference, reference_command).returncode == 0

    killed = run(project, command, kill_at=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    contents(project.db_url)  # consistent right after the kill
    expected = files_under(reference_out)
    for name, data in files_under(tmp_path / "notices").items():
        if not name.rsplit("/", 1)[-1].endswith(".tmp"):
            assert data == expected[name], f"{name} is not whole"

    again = run(project, command)
    assert again.returncode == 0, again.stderr
    assert contents(project.db_url) == contents(reference.db_url)
    if point.startswith("render"):
        shown = {
            n: d for n, d in files_under(tmp_path / "notices").items() if not n.endswith(".tmp")
        }
        assert sorted(shown) == sorted(expected)
        for name in shown:
            if not name.endswith((".atom", ".feed.json")):  # these carry the time of writing
                assert shown[name] == expected[name], name
