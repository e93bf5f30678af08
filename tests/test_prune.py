"""customers import --prune never empties the registry by accident (issue #17, point 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.helpers import CUSTOMERS, Runner


def _ids(project: Runner) -> list[str]:
    return [c["id"] for c in project.json("customers", "list")["customers"]]


@pytest.fixture
def stored(project: Runner) -> Runner:
    project.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    return project


def test_an_empty_file_with_prune_removes_no_one(stored: Runner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    result = stored("customers", "import", str(empty), "--prune")
    assert result.exit_code == 2
    assert "--prune would remove 3 of the 3 stored customers" in result.output
    assert "--force" in result.output
    assert _ids(stored) == ["acme", "globex", "initech"]


def test_a_crm_answering_an_empty_list_removes_no_one(
    stored: Runner, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/customers.json").respond_with_json([])
    result = stored("customers", "import", httpserver.url_for("/customers.json"), "--prune")
    assert result.exit_code == 2
    assert _ids(stored) == ["acme", "globex", "initech"]


def test_force_removes_all_and_a_prune_of_some_goes_through(stored: Runner, tmp_path: Path) -> None:
    some = tmp_path / "some.json"
    some.write_text(json.dumps(CUSTOMERS[:2]))
    stored.ok("customers", "import", str(some), "--prune")
    assert _ids(stored) == ["acme", "globex"]
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    stored.ok("customers", "import", str(empty), "--prune", "--force")
    assert _ids(stored) == []


def test_a_configured_limit_refuses_a_larger_share(stored: Runner, tmp_path: Path) -> None:
    config = stored.cwd / "releasecare.toml"
    config.write_text(config.read_text() + "\n[customers]\nprune_limit = 0.2\n")
    one = tmp_path / "one.json"
    one.write_text(json.dumps(CUSTOMERS[:1]))
    result = stored("customers", "import", str(one), "--prune")
    assert result.exit_code == 2 and "would remove 2 of the 3" in result.output
