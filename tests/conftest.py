"""Shared fixtures: real databases (SQLite, and PostgreSQL when a server is at hand)
and a small real project (git repo + config) with a CLI runner in its folder.

Helpers that tests import (``Runner``, ``CONFIG``, ``CUSTOMERS``) live in tests/helpers.py."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import CONFIG, CUSTOMERS, Runner

POSTGRES_URL = os.environ.get("RELEASECARE_TEST_POSTGRES_URL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("CI") and not POSTGRES_URL:
        raise pytest.UsageError(
            "CI must run the PostgreSQL tests: RELEASECARE_TEST_POSTGRES_URL is not set "
            "(scripts/system-deps.sh starts a server and prints it)"
        )


@pytest.fixture(autouse=True)
def _not_in_a_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as on a laptop, also when the suite runs in GitHub Actions or GitLab
    CI; a test that wants a CI sets its variables."""
    for name in ("GITHUB_ACTIONS", "GITLAB_CI"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _verdict_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Remembered voice verdicts go to the test's own folder, never the user's cache."""
    monkeypatch.setenv("RELEASECARE_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'releasecare.db'}"


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (a random name, so tests running at the same
    time never share one), dropped on leaving."""
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server (set RELEASECARE_TEST_POSTGRES_URL)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"rc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes ``db_url`` runs on SQLite and on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Runner:
    """A real git repository with three releases, a config and customers.

    v1.0.0: checkout; v1.1.0: invoices (with a Customer-Note) and a <script> subject;
    v1.2.0: search, and a docs change that touches no component.
    """
    from tests.gitfactory import GitRepoFactory

    repo = tmp_path / "shop"
    git = GitRepoFactory(repo)
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
    git.commit(
        "fix(checkout): <script>alert(1)</script> in totals",
        files={"services/checkout/app.py": "print('pay twice')\n"},
        when="2026-10-11T10:00:00+00:00",
    )
    git.tag("v1.1.0")
    git.commit(
        "perf(search): faster results",
        files={"services/search/index.py": "i = 1\n"},
        when="2026-10-20T10:00:00+00:00",
    )
    git.commit(
        "docs: explain setup",
        files={"docs/setup.md": "# Setup\n"},
        when="2026-10-21T10:00:00+00:00",
    )
    git.tag("v1.2.0")
    (tmp_path / "customers.json").write_text(json.dumps(CUSTOMERS), encoding="utf-8")
    return Runner(cwd=repo, db_url=db_url)
