"""``deploy ingest`` through the CLI: idempotent, atomic, and commits become releases."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.helpers import Runner

DATA = Path(__file__).parent / "data" / "deploylogs"


def test_helm_ingest_twice_adds_nothing_twice(project: Runner) -> None:
    project.ok("release", "scan")
    helm = [
        "deploy",
        "ingest",
        str(DATA / "helm-history.json"),
        "--format",
        "helm",
        "--env",
        "production-eu",
    ]
    # Revision 5 has no app_version, and its chart's version (1.2.0) is no release tag:
    # ingest refuses it as `deploy record` would, unless asked to skip it.
    refused = project(*helm)
    assert refused.exit_code == 2
    assert "$[4]: field 'version': version '1.2.0' is not a known release" in refused.output
    helm.append("--skip-invalid")
    first = project.json(*helm)
    assert (first["read"], first["created"]) == (4, 4)
    assert [s["location"].rsplit(" ", 1)[-1] for s in first["skipped"]] == ["$[4]"]
    again = project.json(*helm)
    assert (again["read"], again["created"], again["unchanged"]) == (4, 0, 4)
    listed = project.json("deploy", "list", "--env", "production-eu")["deployments"]
    assert [(d["version"], d["status"], d["previous_version"]) for d in listed] == [
        ("v1.0.0", "succeeded", None),
        ("v1.1.0", "failed", "v1.0.0"),
        ("v1.2.0", "succeeded", "v1.0.0"),
        ("v1.0.0", "succeeded", "v1.2.0"),
    ]
    rollback = project.json("impact", str(listed[3]["id"]))
    assert rollback["deployment"]["rollback"] is True
    assert rollback["deployment"]["previous_version"] == "v1.2.0"


def test_malformed_file_leaves_the_database_unchanged(project: Runner, tmp_path: Path) -> None:
    project.ok("release", "scan")
    good = {
        "environment": "production-eu",
        "version": "v1.0.0",
        "status": "succeeded",
        "deployed_at": "2026-11-01T10:00:00Z",
        "id": "p-1",
    }
    log = tmp_path / "deploys.jsonl"
    log.write_text(json.dumps(good) + "\n" + json.dumps(dict(good, id="p-2", version=3)) + "\n")
    result = project("deploy", "ingest", str(log), "--format", "jsonl")
    assert result.exit_code == 2
    assert f"{log}:2: field 'version': must be a non-empty string" in result.output
    assert project.json("deploy", "list")["deployments"] == []
    skipped = project("deploy", "ingest", str(log), "--format", "jsonl", "--skip-invalid")
    assert skipped.exit_code == 0
    assert "skipped 1 invalid records" in skipped.stderr
    assert len(project.json("deploy", "list")["deployments"]) == 1


def test_commit_versions_resolve_to_the_release_containing_them(
    project: Runner, tmp_path: Path
) -> None:
    project.ok("release", "scan")
    sha = subprocess.run(
        ["git", "rev-parse", "v1.1.0~1"],
        cwd=project.cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    log = tmp_path / "deploys.jsonl"
    log.write_text(
        json.dumps(
            {
                "environment": "production-eu",
                "version": sha,
                "status": "succeeded",
                "deployed_at": "2026-11-01T10:00:00Z",
            }
        )
    )
    project.ok("deploy", "ingest", str(log), "--format", "jsonl")
    (deployed,) = project.json("deploy", "list")["deployments"]
    assert (deployed["version"], deployed["sha"]) == ("v1.1.0", sha)


def test_env_is_required_where_the_format_has_none(project: Runner) -> None:
    result = project("deploy", "ingest", str(DATA / "revisions.log"), "--format", "capistrano")
    assert result.exit_code == 2
    assert "revisions.log:1: field 'environment': no environment in the record" in result.output


def test_stdin(project: Runner) -> None:
    project.ok("release", "scan")
    line = json.dumps(
        {
            "environment": "staging",
            "version": "v1.2.0",
            "status": "succeeded",
            "deployed_at": "2026-11-01T10:00:00+01:00",
            "id": "s-1",
        }
    )
    result = project("deploy", "ingest", "-", "--format", "jsonl", input=line + "\n")
    assert result.exit_code == 0, result.output
    assert "1 new" in result.stdout
