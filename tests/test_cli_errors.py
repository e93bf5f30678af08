"""Exit codes for each error class, with a message and no traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import Runner


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "releasecare", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


def test_bad_config_is_exit_2_naming_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "releasecare.toml").write_text("[product]\nnmae = 'x'\n")
    result = run_cli("customers", "list", cwd=tmp_path)
    assert result.returncode == 2
    assert "releasecare.toml: key 'product.nmae': unknown key" in result.stderr
    assert "did you mean 'name'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_deployment_is_exit_2(project: Runner) -> None:
    project.ok("release", "scan")
    result = project("impact", "999")
    assert result.exit_code == 2
    assert "no deployment with id 999" in result.output


def test_unknown_version_names_nearest_tags(project: Runner) -> None:
    project.ok("release", "scan")
    result = project("deploy", "record", "--env", "production-eu", "--version", "v1.2.9")
    assert result.exit_code == 2
    assert "'v1.2.9' is not a known release" in result.output
    assert "v1.2.0" in result.output


def test_unknown_environment_suggests(project: Runner) -> None:
    result = project("deploy", "record", "--env", "production-ue", "--version", "v1.0.0")
    assert result.exit_code == 2
    assert "did you mean 'production-eu'?" in result.output


def test_naive_time_refused(project: Runner) -> None:
    project.ok("release", "scan")
    result = project(
        "deploy",
        "record",
        "--env",
        "production-eu",
        "--version",
        "v1.0.0",
        "--at",
        "2026-11-20T09:14:00",
    )
    assert result.exit_code == 2
    assert "has no UTC offset" in result.output


def test_freeze_conflict_strict_is_exit_1(project: Runner) -> None:
    project.ok("release", "scan")
    project.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    args = [
        "impact",
        "--env",
        "production-eu",
        "--version",
        "v1.1.0",
        "--at",
        "2026-11-27T12:00:00+01:00",
    ]
    assert project(*args).exit_code == 0
    result = project(*args, "--strict")
    assert result.exit_code == 1
    assert "acme" in result.output


def test_unreachable_database_is_exit_3(tmp_path: Path) -> None:
    result = run_cli(
        "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "customers", "list", cwd=tmp_path
    )
    assert result.returncode == 3
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_database_from_the_future_is_exit_3(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    run_cli("--db", f"sqlite:///{db}", "db", "upgrade", cwd=tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
    result = run_cli("--db", f"sqlite:///{db}", "customers", "list", cwd=tmp_path)
    assert result.returncode == 3
    assert "schema revision ffff" in result.stderr


def test_not_a_git_repository_is_exit_3(tmp_path: Path) -> None:
    (tmp_path / "releasecare.toml").write_text("[product]\nname = 'x'\n")
    result = run_cli("--db", f"sqlite:///{tmp_path / 'x.db'}", "release", "scan", cwd=tmp_path)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr


def test_a_named_database_in_a_missing_folder_is_exit_3_and_creates_nothing(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "typo" / "dir"
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for args in (["deploy", "list"], ["db", "upgrade"], ["init"]):
        result = run_cli("--db", f"sqlite:///{missing / 'x.db'}", *args, cwd=tmp_path)
        assert result.returncode == 3, (args, result.stderr)
        assert f"does not exist: {missing}" in result.stderr
        assert not (tmp_path / "typo").exists()
        assert not (tmp_path / "releasecare.toml").exists()  # init wrote nothing either


def test_a_command_outside_a_repository_creates_no_database(tmp_path: Path) -> None:
    (tmp_path / "releasecare.toml").write_text("[product]\nname = 'x'\n")
    result = run_cli("release", "scan", cwd=tmp_path)
    assert result.returncode == 3
    assert not (tmp_path / ".releasecare").exists()


def test_debug_env_shows_traceback(tmp_path: Path) -> None:
    (tmp_path / "releasecare.toml").write_text("[product]\nnmae = 'x'\n")
    result = run_cli("customers", "list", cwd=tmp_path, env={"RELEASECARE_DEBUG": "1"})
    assert result.returncode == 2
    assert "Traceback" in result.stderr


def test_a_closed_pipe_ends_quietly(project: Runner, tmp_path: Path) -> None:
    import json

    many = [{"id": f"c{n}", "name": f"Customer {n}", "environments": "*"} for n in range(3000)]
    (tmp_path / "many.json").write_text(json.dumps(many))
    project.ok("customers", "import", str(tmp_path / "many.json"))
    # 3,000 lines are far more than a pipe holds, so the writer meets a closed pipe.
    command = f"{sys.executable} -m releasecare --db '{project.db_url}' customers list | head -c 1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], cwd=project.cwd, capture_output=True, text=True
    )
    assert result.stderr == ""
    assert result.returncode == 0


def test_a_missing_dependency_is_an_environment_problem_not_a_bug(
    project: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade that added a dependency but was not reinstalled: exit 3, what to do."""
    project.ok("release", "scan")
    project.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    deploy = project.deploy("v1.2.0", "2026-11-20T10:00:00Z")
    monkeypatch.setitem(sys.modules, "babel", None)  # import babel now fails
    result = project(
        "notes", "render", str(deploy), "--format", "md", "--out", str(project.cwd / "out")
    )
    assert result.exit_code == 3, result.output
    assert "module 'babel' is missing" in result.output and "reinstall" in result.output


def test_a_clone_missing_objects_is_exit_3_in_git_s_words(tmp_path: Path) -> None:
    from tests.gitfactory import GitRepoFactory

    repo = GitRepoFactory(tmp_path / "repo")
    body = "".join(f"line {n}\n" for n in range(200))
    repo.commit("feat: a", files={"a.txt": body})
    repo.commit("feat: b", files={"a.txt": None, "b.txt": body + "more\n"})  # a rename
    repo.tag("v1.0.0")
    blob = repo.git("rev-parse", "HEAD~1:a.txt").strip()
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    (repo.path / "releasecare.toml").write_text("[product]\nname = 'x'\n")
    result = run_cli("release", "scan", cwd=repo.path)
    assert result.returncode == 3, result.stderr
    first, hint = result.stderr.strip().splitlines()
    assert first == f"error: git log failed: fatal: unable to read {blob}"
    assert "missing objects" in hint and "git fsck" in hint
    assert "cmdline" not in result.stderr


def test_a_failed_command_keeps_a_new_database_another_pipeline_wrote_into(
    tmp_path: Path,
) -> None:
    from releasecare.cli.app import App

    db = tmp_path / "new.db"
    app = App(db_url=f"sqlite:///{db}")
    with pytest.raises(RuntimeError), app.transaction():
        # Meanwhile another pipeline, started at the same time, stores its deploy.
        other = sqlite3.connect(db)
        other.execute("INSERT INTO settings (key, value) VALUES ('other', 'pipeline')")
        other.commit()
        other.close()
        raise RuntimeError("this command fails")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM settings").fetchall() == [("pipeline",)]
    alone = App(db_url=f"sqlite:///{tmp_path / 'alone.db'}")
    with pytest.raises(RuntimeError), alone.transaction():
        raise RuntimeError("nobody else used it")
    assert not (tmp_path / "alone.db").exists()


def test_a_raw_driver_error_is_a_database_problem_not_a_bug(tmp_path: Path) -> None:
    from releasecare.cli import _translate

    translated = _translate(sqlite3.OperationalError("database is locked"), None)
    assert translated is not None and translated.exit_code == 3


def test_a_database_releasecare_does_not_store_in_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "releasecare.toml").write_text("[product]\nname = 'x'\n")
    result = run_cli("--db", "mysql://user:s3cret@db.example/rc", "deploy", "list", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "stores its history in SQLite or PostgreSQL, not mysql" in result.stderr
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr
