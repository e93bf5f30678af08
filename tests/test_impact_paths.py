"""``impact`` reads a SQLite file through the driver alone (no SQLAlchemy) when the
file is at the current schema, and through a session otherwise: both print the same.

The same database is read both ways: ``sqlite:///FILE`` takes the light path,
``sqlite+pysqlite:///FILE`` (the same file, named as SQLAlchemy's driver URL) the
session path.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from releasecare.store.reads import SCHEMA_HEAD, sqlite_reader
from tests.gitfactory import GitRepoFactory
from tests.helpers import CONFIG, CUSTOMERS, Runner

EVERYONE = [
    *CUSTOMERS,
    {
        "id": "umbrella",
        "name": "Umbrella",
        "environments": "*",
        "components": "*",
        "contacts": {"email": ["ops@umbrella.example"]},
        "freeze": [
            {"start": "2026-11-05T00:00:00Z", "end": "2026-11-06T00:00:00Z", "reason": "Audit"},
            {"start": "2026-11-01T00:00:00Z", "end": "2026-11-02T00:00:00Z"},
        ],
    },
]


def _project(tmp_path: Path, *, unmapped: str = "ignore") -> tuple[Runner, Runner, dict[str, int]]:
    """A release branch (v1.0.1 hotfix that v1.1.0 lacks), deploys of every kind on
    production-eu, and a runner for each path over the one database."""
    repo = tmp_path / "shop"
    git = GitRepoFactory(repo)
    config = CONFIG + f'\n[impact]\nunmapped = "{unmapped}"\n'
    git.commit(
        "feat(checkout): pay by card",
        files={"services/checkout/a.py": "1", "releasecare.toml": config},
        when="2026-10-01T10:00:00+00:00",
    )
    git.tag("v1.0.0")
    git.branch("release/v1.0")
    git.commit(
        "fix(checkout): card payments no longer time out",
        files={"services/checkout/b.py": "2"},
        when="2026-10-02T10:00:00+00:00",
    )
    git.tag("v1.0.1")
    git.checkout("main")
    git.commit(
        "feat(search): search by order number (SRCH-12)",
        files={"services/search/s.py": "3"},
        when="2026-10-03T10:00:00+00:00",
    )
    git.commit(
        "feat(invoices): PDF invoices\n\nCustomer-Note: You can now download invoices as PDF.",
        files={"services/invoices/i.py": "4"},
        when="2026-10-04T10:00:00+00:00",
    )
    git.commit("docs: explain setup", files={"docs/setup.md": "5"}, when="2026-10-05T10:00:00Z")
    git.commit("refactor(checkout): tidy", files={"services/checkout/c.py": "6"})
    git.tag("v1.1.0")
    (repo / "customers.json").write_text(json.dumps(EVERYONE), encoding="utf-8")
    db = tmp_path / "releasecare.db"
    light, session = Runner(repo, f"sqlite:///{db}"), Runner(repo, f"sqlite+pysqlite:///{db}")
    session.ok("release", "scan")
    session.ok("customers", "import", "customers.json")
    deploys = {
        "first": session.deploy("v1.0.0", "2026-11-01T10:00:00Z"),
        "forward": session.deploy("v1.0.1", "2026-11-02T10:00:00Z"),
        "across": session.deploy("v1.1.0", "2026-11-05T10:00:00Z"),
        "failed": session.deploy("v1.0.0", "2026-11-06T10:00:00Z", "--status", "failed"),
        "rollback": session.deploy("v1.0.1", "2026-11-07T10:00:00Z"),
        "staging": session.deploy("v1.1.0", "2026-11-07T11:00:00Z", env="staging"),
    }
    return light, session, deploys


ASKED = [
    ["--env", "production-eu", "--version", "v1.1.0"],  # the recorded deploy
    ["--env", "production-eu", "--version", "v1.1.0", "--at", "2026-11-05T12:00:00Z"],
    ["--env", "staging", "--version", "v1.0.0", "--at", "2026-11-08T00:00:00Z"],  # backwards
    ["--env", "production-eu", "--version", "v9.9.9"],  # unknown: the same error
    ["--env", "production-eu", "--version", "v1.1.0", "--at", "2026-11-05T12:00:00", "--strict"],
    ["--env", "production-eu", "--version", "v1.1.0", "--at", "2026-11-05T12:00:00Z", "--strict"],
    ["12345"],  # no such deployment
]


@pytest.mark.parametrize("unmapped", ["ignore", "everyone"])
def test_impact_prints_the_same_through_both_paths(tmp_path: Path, unmapped: str) -> None:
    light, session, deploys = _project(tmp_path, unmapped=unmapped)
    asked = [[str(d)] for d in deploys.values()] + ASKED
    for args in asked:
        for extra in (["--json"], []):
            fast, slow = light("impact", *args, *extra), session("impact", *args, *extra)
            assert (fast.exit_code, fast.stdout, fast.stderr) == (
                slow.exit_code,
                slow.stdout,
                slow.stderr,
            ), args + extra
    # The scenarios are what they say: each kind of deploy is there to compare.
    found = {name: light.json("impact", str(d)) for name, d in deploys.items()}
    assert found["across"]["added"] and found["across"]["removed"]
    assert found["rollback"]["deployment"]["rollback"] is True
    assert found["failed"]["changes"] == [] and found["failed"]["customers"] == []
    assert any(c["freeze_conflicts"] for c in found["across"]["customers"])


# What impact needs none of (git, HTTP, CSV, the scan's parsing, CODEOWNERS' proposals,
# "did you mean", the time zone database when every environment is in UTC): the config
# it loads builds those steps' options without importing them (issue #15).
NOT_FOR_IMPACT = (
    "releasecare.changes",
    "releasecare.gitrepo",
    "releasecare.components",
    "releasecare.scaffold",
    "releasecare.customers",
    "releasecare.http",
    "releasecare.jsontext",
    "subprocess",
    "csv",
    "queue",
    "difflib",
    "zoneinfo",
)


def _loaded(code: str, *argv: str, cwd: Path | None = None) -> tuple[str, list[str]]:
    """Run ``code`` in a child Python: its stdout, and which of NOT_FOR_IMPACT (and
    SQLAlchemy) it had imported by the end."""
    watched = (*NOT_FOR_IMPACT, "sqlalchemy")
    probe = (
        f"{code}\nimport sys\n"
        f"print('LOADED', *[m for m in {watched!r} if m in sys.modules], file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], cwd=cwd, capture_output=True, text=True, check=True
    )
    last = done.stderr.strip().splitlines()[-1].split()
    assert last[0] == "LOADED", done.stderr
    return done.stdout, last[1:]


def test_importing_the_cli_and_impact_imports_none_of_the_other_steps() -> None:
    assert _loaded("import releasecare.cli, releasecare.impact")[1] == []


# The voice lint's rules: loaded when a subject is judged, not when its verdict is
# remembered (nor by importing impact: every command's config reads VoiceOptions).
LINT_RULES = tuple(
    f"releasecare.voicelint.{name}"
    for name in ("notetext", "people", "promises", "references", "wording")
)


def test_the_lint_rules_load_only_when_a_subject_is_judged(tmp_path: Path) -> None:
    light, _, deploys = _project(tmp_path)
    code = (
        "from releasecare.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"import sys\nprint('RULES', *[m for m in {LINT_RULES!r} if m in sys.modules])\n"
    )
    argv = ["--db", light.db_url, "impact", str(deploys["across"]), "--json"]

    def rules_loaded() -> list[str]:
        stdout, _ = _loaded(code, *argv, cwd=light.cwd)
        return stdout.strip().splitlines()[-1].split()[1:]

    assert rules_loaded() == list(LINT_RULES)  # the first impact judges its subjects
    assert rules_loaded() == []  # the next one remembers every verdict
    stdout, _ = _loaded(
        "import sys, releasecare.cli, releasecare.impact\n"
        f"print(*[m for m in {LINT_RULES!r} if m in sys.modules])"
    )
    assert stdout.split() == []


def test_the_light_path_imports_no_sqlalchemy(tmp_path: Path) -> None:
    light, _, deploys = _project(tmp_path)
    code = (
        "from releasecare.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
    )
    argv = ["--db", light.db_url, "impact", str(deploys["across"]), "--json"]
    stdout, loaded = _loaded(code, *argv, cwd=light.cwd)
    assert json.loads(stdout)["deployment"]["id"] == deploys["across"]
    assert loaded == []


def test_a_file_not_at_the_current_schema_goes_the_session_way(tmp_path: Path) -> None:
    """Another schema revision, a file that is no database, or one without our tables:
    the light path declines, and the session path migrates or refuses as always."""
    light, _, deploys = _project(tmp_path)
    db = Path(light.db_url.removeprefix("sqlite:///"))
    with sqlite_reader(db) as reader:
        assert reader is not None
    connection = sqlite3.connect(db)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    with sqlite_reader(db) as reader:
        assert reader is None
    refused = light("impact", str(deploys["across"]))
    assert refused.exit_code == 3
    assert "schema revision 9999" in refused.stderr

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database" * 100)
    with sqlite_reader(garbage) as reader:
        assert reader is None
    broken = Runner(light.cwd, f"sqlite:///{garbage}")("impact", "1")
    assert broken.exit_code == 3
    assert garbage.read_bytes() == b"not a database" * 100

    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with sqlite_reader(empty) as reader:
        assert reader is None
    assert empty.stat().st_size == 0
    assert SCHEMA_HEAD  # the revision the light path checks


def test_a_driver_error_on_the_light_path_names_the_database(tmp_path: Path) -> None:
    """A table gone from a file at the current schema: the light path's reads fail in
    the driver itself, and the user reads what the session path would say (exit 3)."""
    light, session, deploys = _project(tmp_path)
    db = Path(light.db_url.removeprefix("sqlite:///"))
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TABLE deployments")
    connection.close()
    for runner in (light, session):
        result = runner("impact", str(deploys["across"]), "--json")
        assert result.exit_code == 3, result.output
        assert result.stdout == ""
        assert f"error: the database {db} lacks part of its schema" in result.stderr
