"""A large deploy log is read by a second process: same results, same errors, same atomicity."""

from __future__ import annotations

import json
import pickle
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from releasecare.errors import RecordError
from tests.helpers import Runner


@pytest.fixture
def in_background(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file goes to the second process, in small batches; records each use."""
    from releasecare import deployments

    used: list[str] = []
    real = deployments._rows_in_child

    def spy(source: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
        used.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(deployments, "BACKGROUND_FROM_BYTES", 0)
    monkeypatch.setattr(deployments, "_rows_in_child", spy)
    monkeypatch.setattr(deployments, "BATCH", 40)
    return used


def write_log(path: Path, count: int, **override: Any) -> Path:
    """``count`` deploys alternating over two environments; ``override`` maps line -> record."""
    with path.open("w", encoding="utf-8") as out:
        for n in range(1, count + 1):
            record = {
                "environment": ("production-eu", "staging")[n % 2],
                "version": ("v1.0.0", "v1.1.0", "v1.2.0")[n % 3],
                "status": "succeeded",
                "deployed_at": f"2026-11-01T10:{n // 60 % 60:02d}:{n % 60:02d}Z",
                "id": f"p-{n}",
            }
            out.write(json.dumps(override.get(f"line{n}", record)) + "\n")
    return path


def test_a_large_log_is_stored_the_same(
    project: Runner, tmp_path: Path, in_background: list[str]
) -> None:
    project.ok("release", "scan")
    sha = subprocess.run(
        ["git", "rev-parse", "v1.1.0~1"], cwd=project.cwd, capture_output=True, text=True
    ).stdout.strip()
    commit_deploy = {
        "environment": "staging",
        "version": sha,
        "status": "succeeded",
        "deployed_at": "2026-11-02T10:00:00Z",
        "id": "by-sha",
    }
    log = write_log(tmp_path / "deploys.jsonl", 300, line150=commit_deploy)
    first = project.json("deploy", "ingest", str(log), "--format", "jsonl")
    assert (first["read"], first["created"], first["skipped"]) == (300, 300, [])
    assert in_background == [str(log)]
    again = project.json("deploy", "ingest", str(log), "--format", "jsonl")
    assert (again["read"], again["created"], again["unchanged"]) == (300, 0, 300)
    listed = project.json("deploy", "list")["deployments"]
    assert len(listed) == 300
    (by_sha,) = [d for d in listed if d["sha"] == sha]
    assert by_sha["version"] == "v1.1.0"  # resolved by git in the reading process


def test_a_bad_record_stops_the_ingest_and_stores_nothing(
    project: Runner, tmp_path: Path, in_background: list[str]
) -> None:
    project.ok("release", "scan")
    log = write_log(tmp_path / "deploys.jsonl", 200, line170={"version": 3})
    result = project("deploy", "ingest", str(log), "--format", "jsonl")
    assert result.exit_code == 2
    assert f"{log}:170: field 'status': missing" in result.output
    assert "Traceback" not in result.output
    assert project.json("deploy", "list")["deployments"] == []

    skipping = project.json("deploy", "ingest", str(log), "--format", "jsonl", "--skip-invalid")
    assert (skipping["read"], skipping["created"]) == (199, 199)
    assert skipping["skipped"] == [{"location": f"{log}:170", "reason": "field 'status': missing"}]
    assert len(in_background) == 2


def test_an_unknown_environment_names_the_line(
    project: Runner, tmp_path: Path, in_background: list[str]
) -> None:
    record = {
        "environment": "production-ue",
        "version": "v1.0.0",
        "status": "succeeded",
        "deployed_at": "2026-11-01T10:00:00Z",
    }
    project.ok("release", "scan")
    log = write_log(tmp_path / "deploys.jsonl", 120, line90=record)
    result = project("deploy", "ingest", str(log), "--format", "jsonl")
    assert result.exit_code == 2
    assert f"{log}:90: field 'environment': unknown environment 'production-ue'" in result.output
    assert "production-eu" in result.output  # did you mean
    assert project.json("deploy", "list")["deployments"] == []


def test_small_files_standard_input_and_urls_stay_in_one_process(tmp_path: Path) -> None:
    from releasecare.deployments import BACKGROUND_FROM_BYTES, worth_a_second_process

    small = write_log(tmp_path / "small.jsonl", 10)
    large = tmp_path / "large.jsonl"
    large.write_bytes(b"\n" * BACKGROUND_FROM_BYTES)
    assert not worth_a_second_process(str(small))
    assert worth_a_second_process(str(large))
    assert not worth_a_second_process("-")
    assert not worth_a_second_process("https://api.github.com/repos/a/b/deployments")
    assert not worth_a_second_process(str(tmp_path / "missing.jsonl"))
    assert not worth_a_second_process(str(tmp_path))


def test_errors_cross_processes_whole() -> None:
    error = RecordError("deploys.jsonl:7", "must be a string", field="version")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is RecordError
    assert (copy.location, copy.field, str(copy)) == (error.location, "version", str(error))


def test_a_reader_that_dies_is_reported_and_nothing_is_stored(
    project: Runner, tmp_path: Path, in_background: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from releasecare import forked

    def killed(*args: Any) -> None:
        os._exit(9)  # what the kernel's OOM killer leaves behind

    monkeypatch.setattr(forked, "_produce", killed)
    log = write_log(tmp_path / "deploys.jsonl", 50)
    result = project("deploy", "ingest", str(log), "--format", "jsonl")
    assert result.exit_code == 3
    assert "the process reading it stopped unexpectedly (exit code 9)" in result.output
    assert project.json("deploy", "list")["deployments"] == []


def test_a_bug_in_the_reader_is_one_line_not_a_traceback(
    project: Runner, tmp_path: Path, in_background: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from releasecare import deployments

    def broken(*args: Any) -> Iterator[Any]:
        raise ZeroDivisionError("division by zero")
        yield

    monkeypatch.setattr(deployments, "rows_from_events", broken)
    log = write_log(tmp_path / "deploys.jsonl", 50)
    result = project("deploy", "ingest", str(log), "--format", "jsonl")
    assert result.exit_code == 70
    assert "ZeroDivisionError: division by zero" in result.output
    assert "Traceback" not in result.output
