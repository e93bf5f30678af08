"""Untrusted text stays inert: no control character from a commit or a deploy log
reaches a terminal, a file or a notice (issue #17, point 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from releasecare.text import inert
from tests.gitfactory import GitRepoFactory
from tests.helpers import Runner

CLEAR = "\x1b[2J\x1b[H"
HIDDEN_LINK = "\x1b]8;;https://evil.example\x1b\\\\here\x1b]8;;\x1b\\\\"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"Faster{CLEAR} search", "Faster[2J[H search"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("bell\x07 nul\x00 del\x7f c1\x9b", "bell nul del c1"),
        ("windows\r\nline", "windows\nline"),
    ],
)
def test_inert_takes_out_control_characters_only(text: str, kept: str) -> None:
    assert inert(text) == kept


def test_a_commit_with_terminal_escapes_reaches_no_output_raw(
    project: Runner, tmp_path: Path
) -> None:
    git = GitRepoFactory(project.cwd)
    git.commit(
        f"feat(checkout): pay{CLEAR} by card {HIDDEN_LINK}\n\nCustomer-Note: You can pay{CLEAR}.",
        files={"services/checkout/x.py": "1"},
    )
    git.tag("v1.3.0")
    project.ok("release", "scan")
    project.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    shown = project.ok("release", "show", "v1.3.0").output
    deploy = project.deploy("v1.3.0", "2026-11-20T10:00:00Z")
    out = tmp_path / "out"
    project.ok(
        "notes",
        "render",
        str(deploy),
        "--format",
        "md",
        "--format",
        "txt",
        "--format",
        "html",
        "--out",
        str(out),
    )
    outputs = [shown, project.ok("impact", str(deploy)).output]
    outputs += [p.read_text() for p in out.rglob("*") if p.is_file()]
    assert all("\x1b" not in text for text in outputs)


def test_a_deploy_log_with_control_characters_in_a_version_is_refused_by_line(
    project: Runner, tmp_path: Path
) -> None:
    project.ok("release", "scan")
    log = tmp_path / "deploys.jsonl"
    log.write_text(
        json.dumps(
            {
                "environment": "production-eu",
                "version": "v1.0.0",
                "status": "succeeded",
                "deployed_at": "2026-11-01T10:00:00Z",
            }
        )
        + "\n"
        + json.dumps(
            {
                "environment": "production-eu",
                "version": "v1.1.0\x1b[2J",
                "status": "succeeded",
                "deployed_at": "2026-11-02T10:00:00Z",
            }
        )
        + "\n"
    )
    result = project("deploy", "ingest", str(log), "--format", "jsonl")
    assert result.exit_code == 2
    assert "deploys.jsonl:2" in result.output and "version" in result.output
    assert "\x1b" not in result.output
    assert project.json("deploy", "list")["deployments"] == []
