"""Pipelines at once: every write that can race stores once, and no error reaches a user.

Each test runs its commands as real ``releasecare`` processes: a launcher process
imports everything once and forks one child per command, each running the CLI's
entry point with its own output and database connections; the children wait on a
pipe and start together when it closes. Then the test compares the database with
what the same commands store when they run one after another.

* ``test_pipelines_at_once``: 32 processes at once, 8 of each of 4 commands: ``deploy
  record`` (4 with one external id and different statuses, 2 with their own ids, 2
  with no id and the same time), ``deploy ingest`` of 8 overlapping logs,
  ``release scan`` of 2 new releases, ``customers import`` of 4 overlapping files
  (each twice).
* ``test_first_use_at_once``: 8 processes at once on an empty database (4 scans and
  4 customer imports): the schema is created once, the history stored once.
* ``test_same_deploy_without_id_or_time_at_once``: 4 ``deploy record`` of one
  version with no id and no time: one deployment. (The window is short: without the
  environment's lock it failed on PostgreSQL in 2 of 5 runs, 3 and 4 deployments.)

Budget: all of them on both databases take about 25 s on a 2-core machine (the
32-process test about 7 s per database, its sequential twin included; the processes
fork from one that imported everything once); the limit is 40 s. Nothing is random:
the inputs are fixed and the only variable is the operating system's scheduling,
which the start pipe makes as tight as it can.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from releasecare.store.engine import SCHEMA_HEAD
from tests.conftest import fresh_postgres_database
from tests.gitfactory import GitRepoFactory
from tests.helpers import CONFIG, CUSTOMERS, Runner

PROCESSES_PER_COMMAND = 8
# How long the commands may take together; far above what they take (a few seconds).
DEADLINE_S = 120

# One process imports releasecare and its libraries once, then forks one child per
# command; the children wait on a pipe and start together when it closes. Each
# child runs the CLI's entry point as ``python -m releasecare ARGS`` would, with its
# own stdout, stderr and database connections.
LAUNCHER = """
import json, os, sys, time
spec = json.loads(sys.argv[1])
import releasecare.cli, releasecare.deployments, releasecare.registry, releasecare.releases
import releasecare.store.engine, releasecare.documents, sqlalchemy.dialects.sqlite
try:
    import psycopg, sqlalchemy.dialects.postgresql
except ImportError:
    pass
start_r, start_w = os.pipe()
children = {}
for n, args in enumerate(spec["commands"]):
    out = os.path.join(spec["folder"], f"{n}")
    pid = os.fork()
    if pid == 0:
        os.close(start_w)
        for fd, name in ((1, ".out"), (2, ".err")):
            os.dup2(os.open(out + name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
        os.read(start_r, 1)  # returns when the launcher closes its end: all at once
        began, code = time.monotonic(), 0
        try:
            releasecare.cli.cli.main(args=args, prog_name="releasecare")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 99
        sys.stdout.flush()
        sys.stderr.flush()
        with open(out + ".time", "w") as timing:
            timing.write(str(time.monotonic() - began))
        os._exit(code)
    children[pid] = n
os.close(start_r)
os.close(start_w)
codes = {}
while children:
    pid, status = os.wait()
    codes[children.pop(pid)] = os.waitstatus_to_exitcode(status)
print(json.dumps(codes))
"""


@dataclass
class Finished:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_at_once(cwd: Path, db_url: str, commands: list[tuple[str, ...]]) -> list[Finished]:
    """Run every command in its own process, all released at the same moment."""
    folder = cwd.parent / f"at-once-{time.monotonic_ns()}"
    folder.mkdir()
    env = {**os.environ, "RELEASECARE_DATABASE_URL": db_url}
    env.pop("RELEASECARE_DEBUG", None)
    spec = {"folder": str(folder), "commands": [list(c) for c in commands]}
    launched = subprocess.run(
        [sys.executable, "-c", LAUNCHER, json.dumps(spec)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
        check=True,
    )
    codes = {int(n): code for n, code in json.loads(launched.stdout).items()}
    return [
        Finished(
            args=args,
            returncode=codes[n],
            stdout=(folder / f"{n}.out").read_text(encoding="utf-8"),
            stderr=(folder / f"{n}.err").read_text(encoding="utf-8"),
            seconds=float((folder / f"{n}.time").read_text()),
        )
        for n, args in enumerate(commands)
    ]


def assert_all_succeeded(finished: list[Finished]) -> None:
    failed = [f for f in finished if f.returncode != 0 or f.stderr.strip()]
    report = "\n".join(
        f"{' '.join(f.args)}: exit {f.returncode} after {f.seconds:.2f} s\n{f.stderr}"
        for f in failed
    )
    assert not failed, f"{len(failed)} of {len(finished)} commands failed:\n{report}"


# --- the project ----------------------------------------------------------------


def make_repo(root: Path) -> GitRepoFactory:
    """Three releases (v1.0.0 to v1.2.0); ``add_releases`` adds v1.3.0 and v1.4.0."""
    git = GitRepoFactory(root / "shop")
    git.commit(
        "feat(checkout): pay by card",
        files={"services/checkout/app.py": "print('pay')\n", "releasecare.toml": CONFIG},
        when="2026-10-01T10:00:00+00:00",
    )
    git.tag("v1.0.0")
    git.commit(
        "feat(invoices): PDF download\n\nCustomer-Note: You can now download invoices as PDF.",
        files={"services/invoices/pdf.py": "pdf = 1\n"},
        when="2026-10-10T10:00:00+00:00",
    )
    git.tag("v1.1.0")
    git.commit(
        "perf(search): faster results",
        files={"services/search/index.py": "i = 1\n", "docs/search.md": "# Search\n"},
        when="2026-10-20T10:00:00+00:00",
    )
    git.tag("v1.2.0", message="Faster search")
    return git


def add_releases(git: GitRepoFactory) -> None:
    for n in range(3, 5):
        for m in range(3):
            git.commit(
                f"fix(checkout): totals round correctly, part {n}.{m}",
                files={
                    f"services/checkout/totals_{n}_{m}.py": f"x = {n}{m}\n",
                    f"services/search/rank_{n}_{m}.py": f"r = {m}\n",
                },
                when=f"2026-11-0{n}T1{m}:00:00+00:00",
            )
        git.tag(f"v1.{n}.0")


def customer(n: int) -> dict[str, Any]:
    return {
        "id": f"cust-{n}",
        "name": f"Customer {n}",
        "environments": ["production-eu"] if n % 2 else ["staging", "production-eu"],
        "components": ["checkout", "search"] if n % 3 else "*",
        "timezone": "Europe/Berlin",
        "locale": "de-DE",
    }


def customer_files(root: Path) -> list[Path]:
    """Four overlapping files; a customer in several is the same in each, and acme
    is renamed in all (an update every import makes)."""
    acme = {**CUSTOMERS[0], "name": "Acme AG", "components": ["checkout"]}
    windows = [range(0, 4), range(2, 6), range(4, 8), range(0, 8)]
    paths = []
    for i, window in enumerate(windows):
        path = root / f"customers-{i}.json"
        path.write_text(json.dumps([acme, *(customer(n) for n in window)]), encoding="utf-8")
        paths.append(path)
    return paths


def deploy_logs(root: Path) -> list[Path]:
    """Eight overlapping windows over 12 deploys; one id is in progress in some logs
    and succeeded in others (it ends succeeded in any order)."""
    deploys = []
    for n in range(12):
        deploys.append(
            {
                "environment": "staging" if n % 3 == 0 else "production-eu",
                "version": f"v1.{n % 3}.0",
                "status": "succeeded",
                "deployed_at": f"2026-10-25T{n:02d}:30:00+00:00",
                **({"id": f"ingest-{n}"} if n % 4 else {}),
            }
        )
    paths = []
    for i in range(PROCESSES_PER_COMMAND):
        window = [dict(d) for d in deploys[i : i + 5]]
        if i % 2 and window[0].get("id") == "ingest-5":
            window[0]["status"] = "in_progress"
        if i == 1:
            window[-1] = {**window[-1], "status": "in_progress"}
        path = root / f"deploys-{i}.jsonl"
        path.write_text("".join(json.dumps(d) + "\n" for d in window), encoding="utf-8")
        paths.append(path)
    return paths


def record_commands() -> list[tuple[str, ...]]:
    """4 records of one external id (its status ends succeeded in any order), 2 with
    ids of their own, 2 with neither an id nor a different time (one deploy)."""
    record = ("deploy", "record", "--json", "--env")
    same = (*record, "production-eu", "--version", "v1.1.0", "--at", "2026-10-26T09:00:00+00:00")
    commands = [
        (*same, "--id", "run-1", "--status", status)
        for status in ("in_progress", "failed", "succeeded", "succeeded")
    ]
    commands += [
        (
            *record,
            "staging",
            "--version",
            "v1.2.0",
            "--at",
            f"2026-10-26T1{n}:00:00Z",
            "--id",
            f"run-{n}",
        )
        for n in (2, 3)
    ]
    at = "2026-10-27T09:00:00+00:00"
    commands += [(*record, "production-eu", "--version", "v1.2.0", "--at", at)] * 2
    return commands


def busy_commands(root: Path) -> list[tuple[str, ...]]:
    logs = deploy_logs(root)
    files = customer_files(root)
    commands = record_commands()
    commands += [("deploy", "ingest", str(log), "--format", "jsonl", "--json") for log in logs]
    commands += [("release", "scan")] * PROCESSES_PER_COMMAND
    commands += [
        ("customers", "import", str(files[i % len(files)])) for i in range(PROCESSES_PER_COMMAND)
    ]
    return commands


def prepared(root: Path, db_url: str) -> Runner:
    """The project after a first scan and import, with two releases not scanned yet."""
    git = make_repo(root)
    (root / "customers.json").write_text(json.dumps(CUSTOMERS), encoding="utf-8")
    project = Runner(cwd=git.path, db_url=db_url)
    project.ok("release", "scan")
    project.ok("customers", "import", str(root / "customers.json"))
    add_releases(git)
    return project


# --- what the database holds ----------------------------------------------------


def stored(db_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table by its natural keys (no surrogate ids, no times of writing)."""
    from sqlalchemy import create_engine, text

    queries = {
        "releases": "SELECT tag, sha, position, previous_tag, scanned_at IS NOT NULL, message "
        "FROM releases",
        "changes": "SELECT c.sha, r.tag, c.ordinal, c.summary, c.type, c.visible, "
        "c.customer_note FROM changes c LEFT JOIN releases r ON r.id = c.release_id",
        "change_files": "SELECT c.sha, f.path, f.status FROM change_files f "
        "JOIN changes c ON c.id = f.change_id",
        "change_components": "SELECT c.sha, k.component FROM change_components k "
        "JOIN changes c ON c.id = k.change_id",
        "commits": "SELECT sha, generation, parents FROM commits",
        "deployments": "SELECT environment, version, sha, status, deployed_at, finished_at, "
        "source, external_id FROM deployments",
        "customers": "SELECT id, name, timezone, locale, all_environments, all_components "
        "FROM customers",
        "customer_environments": "SELECT customer_id, environment FROM customer_environments",
        "customer_components": "SELECT customer_id, component FROM customer_components",
        "freeze_windows": 'SELECT customer_id, start, "end", reason FROM freeze_windows',
        "settings": "SELECT key, value FROM settings",
        "alembic_version": "SELECT version_num FROM alembic_version",
    }
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return {
                table: sorted((tuple(row) for row in connection.execute(text(query))), key=repr)
                for table, query in queries.items()
            }
    finally:
        engine.dispose()


def one_after_another(root: Path, db_url: str, commands: list[tuple[str, ...]]) -> None:
    project = Runner(cwd=root / "shop", db_url=db_url)
    for args in commands:
        project.ok(*args)


def assert_same_as_sequential(db_url: str, sequential_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """What the commands stored at once equals what they store one after another."""
    at_once, in_turn = stored(db_url), stored(sequential_url)
    for table in in_turn:
        assert at_once[table] == in_turn[table], f"{table} differs from a sequential run"
    return at_once


# --- the tests ------------------------------------------------------------------


@pytest.fixture
def second_db(tmp_path: Path, db_url: str) -> Iterator[str]:
    """A second empty database of the same kind, for the sequential run."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'sequential' / 'releasecare.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


def test_pipelines_at_once(tmp_path: Path, db_url: str, second_db: str) -> None:
    project = prepared(tmp_path / "at-once", db_url)
    commands = busy_commands(tmp_path / "at-once")

    finished = run_at_once(project.cwd, db_url, commands)

    assert_all_succeeded(finished)
    records = [json.loads(f.stdout) for f in finished if f.args[:2] == ("deploy", "record")]
    ids = [r["deployment"]["id"] for r in records]
    assert len(set(ids[:4])) == 1, "one external id, one deployment"
    assert len(set(ids[6:8])) == 1, "one environment, version and time: one deployment"
    assert len(set(ids)) == 4
    assert sum(r["created"] for r in records) == 4, "each deployment is new exactly once"

    ingests = [json.loads(f.stdout) for f in finished if f.args[:2] == ("deploy", "ingest")]
    assert sum(i["created"] for i in ingests) == 12, "each logged deploy is new exactly once"

    (tmp_path / "sequential").mkdir()
    prepared(tmp_path / "sequential", second_db)
    one_after_another(tmp_path / "sequential", second_db, busy_commands(tmp_path / "sequential"))
    state = assert_same_as_sequential(db_url, second_db)
    statuses = {row[7]: row[3] for row in state["deployments"] if row[7]}
    assert statuses["run-1"] == "succeeded"
    assert statuses["ingest-5"] == "succeeded"
    assert len(state["releases"]) == 5
    assert len(state["customers"]) == 3 + 8
    assert ("acme", "Acme AG") in [row[:2] for row in state["customers"]]


def test_first_use_at_once(tmp_path: Path, db_url: str, second_db: str) -> None:
    git = make_repo(tmp_path / "at-once")
    files = customer_files(tmp_path / "at-once")
    commands: list[tuple[str, ...]] = [("release", "scan")] * 4
    commands += [("customers", "import", str(files[i])) for i in range(4)]

    finished = run_at_once(git.path, db_url, commands)

    assert_all_succeeded(finished)
    (tmp_path / "sequential").mkdir()
    make_repo(tmp_path / "sequential")
    files = customer_files(tmp_path / "sequential")
    one_after_another(
        tmp_path / "sequential",
        second_db,
        [("release", "scan")] * 4 + [("customers", "import", str(f)) for f in files],
    )
    state = assert_same_as_sequential(db_url, second_db)
    assert len(state["releases"]) == 3
    assert state["alembic_version"] == [(SCHEMA_HEAD,)]


def test_same_deploy_without_id_or_time_at_once(tmp_path: Path, db_url: str) -> None:
    """'This version is on E now', from 4 pipelines at once: one deployment (the rule
    "the latest deploy on E, same version and status" holds the environment's lock)."""
    project = prepared(tmp_path, db_url)
    command = ("deploy", "record", "--json", "--env", "staging", "--version", "v1.1.0")

    finished = run_at_once(project.cwd, db_url, [command] * 4)

    assert_all_succeeded(finished)
    records = [json.loads(f.stdout) for f in finished]
    assert len({r["deployment"]["id"] for r in records}) == 1
    assert sum(r["created"] for r in records) == 1
    listed = project.json("deploy", "list", "--env", "staging")["deployments"]
    assert len(listed) == 1


def test_same_incidents_imported_at_once(tmp_path: Path, db_url: str) -> None:
    """Two pipelines importing the same Statuspage export and two the same PagerDuty
    one, at once: each incident stored once, each update once (the incident's row
    is the lock a re-import waits on)."""
    project = prepared(tmp_path, db_url)
    data = Path(__file__).parent / "data" / "incidents"
    commands = [
        ("incident", "import", str(data / name), "--format", fmt, "--env", "production-eu")
        for name, fmt in [
            ("statuspage_incidents.json", "statuspage"),
            ("pagerduty_incidents.json", "pagerduty"),
        ]
        for _ in range(2)
    ]

    finished = run_at_once(project.cwd, db_url, [(*c, "--json") for c in commands])

    assert all(f.returncode == 0 for f in finished), [f.stderr for f in finished]
    outcomes: dict[str, list[str]] = {}
    for f in finished:
        for item in json.loads(f.stdout)["incidents"]:
            outcomes.setdefault(item["external_id"], []).append(item["outcome"])
    assert {key: sorted(found) for key, found in outcomes.items()} == {
        key: ["created", "unchanged"] for key in outcomes
    }
    listed = project.json("incident", "list")["incidents"]
    assert len(listed) == 6
    sequential = {
        "p31zjtct2jer": 5,
        "x8ghy3kl9m2n": 4,
        "k2jd8s7f6g5h": 2,
        "PT4KHLK": 2,
        "PX1ABCD": 2,
        "PZ9WXYZ": 2,
    }
    assert {i["external_id"]: len(i["updates"]) for i in listed} == sequential
