"""``releasecare after-deploy`` end to end: a real repository, a real database (SQLite,
and PostgreSQL for the main flow), and the variables GitHub Actions and GitLab CI set,
with temporary step-summary, output and dotenv files.

Budget: about twenty CLI runs on a five-commit repository, a few seconds in all."""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from werkzeug import Response as WerkzeugResponse

from releasecare.cli import cli
from tests.helpers import CUSTOMERS, Runner

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
CI_VARIABLES = (
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_REF",
    "GITHUB_SHA",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_OUTPUT",
    "GITHUB_REPOSITORY",
    "GITHUB_SERVER_URL",
    "GITLAB_CI",
    "CI_ENVIRONMENT_NAME",
    "CI_COMMIT_TAG",
    "CI_COMMIT_SHA",
    "CI_PIPELINE_ID",
    "CI_PIPELINE_URL",
    "CI_JOB_STATUS",
    "RELEASECARE_DATABASE_URL",
)


def run(cwd: Path, db_url: str | None, *args: str, env: dict[str, str] | None = None) -> Result:
    """``releasecare [--db URL] ARGS`` in ``cwd`` with only the CI variables in ``env``."""
    environ: dict[str, str | None] = dict.fromkeys(CI_VARIABLES)
    environ.update(env or {})
    old = Path.cwd()
    os.chdir(cwd)
    try:
        prefix = ["--db", db_url] if db_url else []
        return CliRunner().invoke(cli, [*prefix, *args], env=environ, catch_exceptions=False)
    finally:
        os.chdir(old)


def github(
    tmp_path: Path, run_id: str = "9001", attempt: str = "1", **extra: str
) -> dict[str, str]:
    """The variables a GitHub Actions step sees (a tag push of v1.1.0 by default)."""
    summary, output = tmp_path / "step-summary.md", tmp_path / "github-output"
    summary.touch()
    output.touch()
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REF": "refs/tags/v1.1.0",
        "GITHUB_SHA": "0" * 40,
        "GITHUB_RUN_ID": run_id,
        "GITHUB_RUN_ATTEMPT": attempt,
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
        **extra,
    }


def outputs(path: Path) -> dict[str, str]:
    """``$GITHUB_OUTPUT`` read as the runner reads it (heredoc form); later wins."""
    found: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        name, _, delimiter = line.partition("<<")
        value = []
        for inner in lines:
            if inner == delimiter:
                break
            value.append(inner)
        found[name] = "\n".join(value)
    return found


def tree(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def dump(db_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: what "nothing changed" compares."""
    from sqlalchemy import MetaData, create_engine, select

    engine = create_engine(db_url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {
                name: sorted(
                    (tuple(str(v) for v in row) for row in conn.execute(select(table))),
                )
                for name, table in sorted(meta.tables.items())
            }
    finally:
        engine.dispose()


@pytest.fixture
def shop(project: Runner) -> Runner:
    return project


def test_github_actions_end_to_end(shop: Runner, tmp_path: Path) -> None:
    env = github(tmp_path)
    result = run(
        shop.cwd,
        shop.db_url,
        "after-deploy",
        "--env",
        "production-eu",
        "--customers",
        "../customers.json",
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "recorded deployment #1: v1.1.0 on production-eu (succeeded, run 9001)" in result.stdout
    assert (
        "v1.0.0 (assumed: first deploy recorded here) -> v1.1.0: "
        "2 added, 0 removed; 1 customer affected" in result.stdout
    )

    out = shop.cwd / "releasecare-notices"
    notices = sorted(p.name for p in (out / "acme").iterdir() if not p.name.startswith("."))
    stem = notices[0].rsplit(".", 1)[0]
    assert stem.endswith("-production-eu-v1.1.0-d1")
    assert notices == sorted(
        [f"{stem}.{fmt}" for fmt in ("md", "html", "txt", "json")] + ["index.html"]
    )
    assert not (out / "globex").exists()  # search did not change in v1.1.0
    assert "download invoices as PDF" in (out / "acme" / f"{stem}.md").read_text()

    # impact.json is the document `impact --json` prints.
    assert json.loads((out / "impact.json").read_text()) == shop.json("impact", "1")

    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert summary.startswith("## releasecare: v1.1.0 on Europe (production-eu)\n")
    # The first deploy recorded on an environment: what it had before is assumed, and said.
    assert json.loads((out / "impact.json").read_text())["deployment"]["previous_assumed"]
    assert (
        "Deployment #1 (succeeded): v1.0.0 (assumed: the first deploy recorded on "
        "production-eu) → v1.1.0 · run 9001"
    ) in summary
    assert "| Checkout | 1 | acme |" in summary
    assert "| Invoices | 1 | acme |" in summary
    assert f"releasecare-notices/acme/{stem}.html" in summary
    # Escaped where Markdown would read a tag: the summary shows the text, runs nothing.
    assert "\\<script>alert(1)\\</script>" in summary
    assert re.search(r"(?<!\\)<script", summary) is None

    assert outputs(Path(env["GITHUB_OUTPUT"])) == {
        "deployment-id": "1",
        "affected-customers": "1",
        "affected-customer-ids": "acme",
        "notices-dir": "releasecare-notices",
        "impact-json": "releasecare-notices/impact.json",
    }


def test_a_retried_attempt_and_a_rerun_change_nothing(shop: Runner, tmp_path: Path) -> None:
    args = ("after-deploy", "--env", "production-eu", "--customers", "../customers.json")
    first = run(shop.cwd, shop.db_url, *args, env=github(tmp_path))
    assert first.exit_code == 0, first.output
    out = shop.cwd / "releasecare-notices"
    database, files = dump(shop.db_url), tree(out)
    for attempt in ("2", "2"):  # a retried attempt, then the same attempt re-run
        again = run(shop.cwd, shop.db_url, *args, env=github(tmp_path, attempt=attempt))
        assert again.exit_code == 0, again.output
        assert "already recorded deployment #1" in again.stdout
        assert dump(shop.db_url) == database
        assert tree(out) == files


def test_a_failed_deploy_is_recorded_renders_nothing_and_a_retry_that_ships_tells(
    shop: Runner, tmp_path: Path
) -> None:
    shop.ok("customers", "import", "../customers.json")
    failed = run(
        shop.cwd,
        shop.db_url,
        "after-deploy",
        "--env",
        "production-eu",
        "--status",
        "failure",
        env=github(tmp_path),
    )
    assert failed.exit_code == 0, failed.output
    assert "deployment #1 failed: nothing changed for customers" in failed.stdout
    assert "no one is told" in failed.stdout
    out = shop.cwd / "releasecare-notices"
    assert sorted(tree(out)) == ["impact.json"]  # no notice for anyone
    assert json.loads((out / "impact.json").read_text())["customers"] == []
    assert outputs(tmp_path / "github-output")["affected-customers"] == "0"
    assert shop.json("deploy", "list")["deployments"][0]["status"] == "failed"

    shipped = run(
        shop.cwd,
        shop.db_url,
        "after-deploy",
        "--env",
        "production-eu",
        "--status",
        "success",
        env=github(tmp_path, attempt="2"),
    )
    assert shipped.exit_code == 0, shipped.output
    assert "already recorded deployment #1: v1.1.0 on production-eu (succeeded" in shipped.stdout
    assert "1 customer affected" in shipped.stdout
    assert any(name.startswith("acme/") and name.endswith(".html") for name in tree(out))
    assert [d["status"] for d in shop.json("deploy", "list")["deployments"]] == ["succeeded"]


@SQLITE_ONLY
def test_gitlab_ci_reads_its_variables_and_writes_the_dotenv_report(
    shop: Runner, tmp_path: Path
) -> None:
    sha = subprocess.run(
        ["git", "rev-parse", "v1.2.0~1"], cwd=shop.cwd, capture_output=True, text=True, check=True
    ).stdout.strip()
    env = {
        "GITLAB_CI": "true",
        "CI_ENVIRONMENT_NAME": "staging",
        "CI_COMMIT_SHA": sha,  # an untagged commit: it belongs to v1.2.0
        "CI_PIPELINE_ID": "4242",
        "CI_JOB_STATUS": "success",  # after_script
    }
    result = run(
        shop.cwd,
        shop.db_url,
        "after-deploy",
        "--customers",
        "../customers.json",
        "--out",
        "public/notices",
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "recorded deployment #1: v1.2.0 on staging (succeeded, run 4242)" in result.stdout
    deployment = shop.json("deploy", "list")["deployments"][0]
    assert (deployment["source"], deployment["external_id"], deployment["sha"]) == (
        "ci:gitlab",
        "4242",
        sha,
    )
    report = (shop.cwd / "releasecare.env").read_text(encoding="utf-8")
    assert report == (
        "RELEASECARE_DEPLOYMENT_ID=1\n"
        "RELEASECARE_AFFECTED_CUSTOMERS=1\n"
        "RELEASECARE_NOTICES_DIR=public/notices\n"
        "RELEASECARE_IMPACT_JSON=public/notices/impact.json\n"
    )
    assert (shop.cwd / "public" / "notices" / "initech").is_dir()
    assert "::warning" not in result.stdout  # annotations are GitHub's


@SQLITE_ONLY
def test_one_run_deploying_to_two_environments_records_both(shop: Runner, tmp_path: Path) -> None:
    env = github(tmp_path, GITHUB_REF="refs/tags/v1.2.0")
    for environment in ("staging", "production-eu"):
        result = run(
            shop.cwd,
            shop.db_url,
            "after-deploy",
            "--env",
            environment,
            "--customers",
            "../customers.json",
            "--out",
            f"notices-{environment}",
            env=env,
        )
        assert result.exit_code == 0, result.output
    deployments = shop.json("deploy", "list")["deployments"]
    assert sorted((d["environment"], d["external_id"]) for d in deployments) == [
        ("production-eu", "9001"),
        ("staging", "9001"),
    ]
    assert (shop.cwd / "notices-staging" / "initech").is_dir()
    assert (shop.cwd / "notices-production-eu" / "globex").is_dir()


def _clone(tmp_path: Path, source: Path, *args: str) -> Path:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", *args, source.as_uri(), str(clone)], check=True)
    return clone


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("clone_args", "expected"),
    [
        (("--depth", "1", "--no-tags"), "shallow clone"),
        (("--depth", "1"), "shallow clone"),
        (("--no-tags",), "has no release tags"),
    ],
)
def test_a_clone_that_cannot_place_the_deploy_is_exit_3_with_nothing_written(
    shop: Runner, tmp_path: Path, clone_args: tuple[str, ...], expected: str
) -> None:
    clone = _clone(tmp_path, shop.cwd, *clone_args)
    db = tmp_path / "fresh.db"
    env = github(tmp_path)
    result = run(
        clone,
        f"sqlite:///{db}",
        "after-deploy",
        "--env",
        "production-eu",
        "--customers",
        str(tmp_path / "customers.json"),
        env=env,
    )
    assert result.exit_code == 3, result.output
    assert expected in result.output
    assert "fetch-depth: 0" in result.output
    assert not db.exists()
    assert not (clone / "releasecare-notices").exists()
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text() == ""
    assert Path(env["GITHUB_OUTPUT"]).read_text() == ""


@SQLITE_ONLY
def test_notify_delivers_after_recording_once_per_run(
    shop: Runner, tmp_path: Path, httpserver: HTTPServer
) -> None:
    from standardwebhooks import Webhook

    secret = "whsec_" + "QWNtZVNlY3JldEFjbWVTZWNyZXRBY21lU2VjcmV0"
    got: list[Any] = []
    httpserver.expect_request("/hooks/acme", method="POST").respond_with_handler(
        lambda request: got.append(request) or WerkzeugResponse("ok")
    )
    customers = [dict(c) for c in CUSTOMERS]
    for c in customers:
        c.pop("freeze", None)
    customers[0]["contacts"] = {
        "webhook": {"url": httpserver.url_for("/hooks/acme"), "secret_env": "ACME_HOOK"}
    }
    (tmp_path / "customers.json").write_text(json.dumps(customers))

    def step(run_id: str, version: str) -> Result:
        return run(
            shop.cwd,
            shop.db_url,
            "after-deploy",
            "--env",
            "production-eu",
            "--version",
            version,
            "--customers",
            str(tmp_path / "customers.json"),
            "--notify",
            "--allow-insecure-localhost",
            "--run-id",
            run_id,
            env={"ACME_HOOK": secret},
        )

    first = step("1", "v1.0.0")  # the environment's first deploy: a baseline, quiet
    assert first.exit_code == 0, first.output
    assert "a baseline, nothing sent" in first.output and got == []
    second = step("2", "v1.1.0")
    assert second.exit_code == 0, second.output
    assert "deployment #2: 1 sent" in second.output
    (request,) = got
    body = Webhook(secret).verify(request.get_data(), dict(request.headers))
    assert "You can now download invoices as PDF." in body["data"]["markdown"]
    again = step("2", "v1.1.0")  # the job retried: recorded once, sent once
    assert "already recorded deployment #2" in again.output
    assert "1 skipped" in again.output and len(got) == 1
    assert secret not in first.output + second.output + again.output


@SQLITE_ONLY
def test_without_a_ci_the_run_id_keeps_it_idempotent(shop: Runner) -> None:
    args = ("after-deploy", "--env", "production-eu", "--version", "v1.2.0", "--run-id", "r-7")
    first = run(shop.cwd, shop.db_url, *args, "--customers", "../customers.json")
    assert first.exit_code == 0, first.output
    assert "recorded deployment #1: v1.2.0 on production-eu (succeeded, run r-7)" in first.stdout
    again = run(shop.cwd, shop.db_url, *args)
    assert "already recorded deployment #1" in again.stdout
    deployment = shop.json("deploy", "list")["deployments"][0]
    assert (deployment["source"], deployment["external_id"]) == ("cli", "r-7")
    assert not (shop.cwd / "releasecare.env").exists()


@SQLITE_ONLY
def test_no_version_outside_a_ci_is_bad_input(shop: Runner) -> None:
    result = run(shop.cwd, shop.db_url, "after-deploy", "--env", "production-eu")
    assert result.exit_code == 2
    assert "--version: which version was deployed is not known" in result.output


@SQLITE_ONLY
def test_an_unknown_status_word_is_bad_input_naming_the_known_ones(shop: Runner) -> None:
    result = run(
        shop.cwd,
        shop.db_url,
        "after-deploy",
        "--env",
        "production-eu",
        "--version",
        "v1.1.0",
        "--status",
        "exploded",
    )
    assert result.exit_code == 2
    assert "--status: unknown status 'exploded'" in result.output
    assert "cancelled" in result.output


# --- loud when something is off ----------------------------------------------------


@SQLITE_ONLY
def test_an_empty_registry_warns_and_strict_exits_1_keeping_the_record(
    shop: Runner, tmp_path: Path
) -> None:
    result = run(
        shop.cwd,
        shop.db_url,
        "after-deploy",
        "--env",
        "production-eu",
        "--strict",
        env=github(tmp_path),
    )
    assert result.exit_code == 1, result.output
    assert "warning: no-customers: the customer registry is empty" in result.stderr
    assert "(the deployment is recorded)" in result.stderr
    assert "::warning title=releasecare no-customers::the customer registry is empty" in (
        result.stdout
    )
    assert len(shop.json("deploy", "list")["deployments"]) == 1
    summary = (tmp_path / "step-summary.md").read_text(encoding="utf-8")
    assert "### Warnings (1)" in summary
    assert "**no-customers**" in summary
    assert outputs(tmp_path / "github-output")["deployment-id"] == "1"


@SQLITE_ONLY
def test_a_freeze_nobody_affected_and_unmapped_changes_each_warn(
    shop: Runner, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    customers = [
        dict(
            CUSTOMERS[0],
            freeze=[
                {
                    "start": (now - timedelta(days=1)).isoformat(),
                    "end": (now + timedelta(days=1)).isoformat(),
                    "reason": "Year-end close",
                }
            ],
        ),
    ]
    (tmp_path / "frozen.json").write_text(json.dumps(customers), encoding="utf-8")
    shop.ok("customers", "import", "../frozen.json")
    frozen = run(
        shop.cwd,
        shop.db_url,
        "after-deploy",
        "--env",
        "production-eu",
        "--version",
        "v1.1.0",
        "--run-id",
        "1",
    )
    assert frozen.exit_code == 0, frozen.output
    assert (
        "warning: freeze: deployed to production-eu inside the change freeze of customer "
        "acme (Year-end close until" in frozen.stderr
    )
    # v1.2.0 changes search, which no customer on production-eu uses now.
    nobody = run(
        shop.cwd,
        shop.db_url,
        "after-deploy",
        "--env",
        "production-eu",
        "--version",
        "v1.2.0",
        "--run-id",
        "2",
        "--strict",
    )
    assert nobody.exit_code == 1
    assert (
        "nobody-affected: 1 customer-facing change touch search, but no customer on "
        "production-eu uses them" in nobody.stderr
    )


@SQLITE_ONLY
def test_the_annotations_stay_within_githubs_limit(shop: Runner, tmp_path: Path) -> None:
    from releasecare.annotations import PER_KIND
    from releasecare.ci import CIRun
    from releasecare.domain import Impact
    from releasecare.pipeline import StepResult
    from releasecare.voice import Finding

    impact = Impact("production-eu", "v1", None, (), (), (), ())
    warnings = [Finding("freeze", f"warning %{i}: a\nb", "") for i in range(25)]
    lines = StepResult(CIRun(provider="github"), impact, warnings).annotations
    assert len(lines) == PER_KIND
    assert lines[0] == "::warning title=releasecare freeze::warning %250: a%0Ab"
    assert lines[-1] == "::warning title=releasecare::16 more warnings; the log lists them all"
    assert StepResult(CIRun(), impact, warnings).annotations == []


# --- a failed command leaves the database and --out as they were ------------------


@SQLITE_ONLY
def test_a_command_failing_after_rendering_puts_everything_back(
    shop: Runner, tmp_path: Path
) -> None:
    args = ("after-deploy", "--env", "production-eu", "--customers", "../customers.json")
    assert run(shop.cwd, shop.db_url, *args, "--version", "v1.1.0", "--run-id", "1").exit_code == 0
    out = shop.cwd / "releasecare-notices"
    (out / "impact.json").unlink()
    (out / "impact.json").symlink_to(tmp_path / "elsewhere.json")  # refused: after the notices
    database, files = dump(shop.db_url), tree(out)
    listing = sorted(p.name for p in out.rglob("*"))
    failed = run(shop.cwd, shop.db_url, *args, "--version", "v1.2.0", "--run-id", "2")
    assert failed.exit_code == 2, failed.output
    assert "symbolic link" in failed.output
    assert dump(shop.db_url) == database
    assert tree(out) == files
    assert sorted(p.name for p in out.rglob("*")) == listing
    assert not (tmp_path / "elsewhere.json").exists()


# --- the config's customer source, --json, and the gate before a deploy ------------


@SQLITE_ONLY
def test_the_configs_customer_source_is_imported_and_json_is_one_document(
    shop: Runner, tmp_path: Path
) -> None:
    config = shop.cwd / "releasecare.toml"
    config.write_text(
        config.read_text() + '\n[customers]\nsource = "../customers.json"\n', encoding="utf-8"
    )
    result = run(
        shop.cwd,
        shop.db_url,
        "after-deploy",
        "--env",
        "production-eu",
        "--json",
        env=github(tmp_path),
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == "after-deploy/1"
    assert document["deployment"]["created"] is True
    assert document["ci"] == {"provider": "github", "run_id": "9001", "attempt": "1"}
    assert [c["id"] for c in document["impact"]["customers"]] == ["acme"]
    assert {n["format"] for n in document["notices"]} == {"md", "html", "txt", "json"}
    assert document["outputs"]["affected-customer-ids"] == "acme"
    assert "::warning" not in result.stdout  # annotations go to stderr with --json
    assert len(shop.json("customers", "list")["customers"]) == 3


@SQLITE_ONLY
def test_before_deploy_previews_records_nothing_and_strict_fails_on_a_freeze_only(
    shop: Runner, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    window = {
        "start": (now - timedelta(hours=1)).isoformat(),
        "end": (now + timedelta(hours=1)).isoformat(),
        "reason": "Launch day",
    }
    (tmp_path / "frozen.json").write_text(json.dumps([dict(CUSTOMERS[0], freeze=[window])]))
    env = github(tmp_path)
    gate = run(
        shop.cwd,
        shop.db_url,
        "before-deploy",
        "--env",
        "production-eu",
        "--version",
        "v1.1.0",
        "--customers",
        "../frozen.json",
        "--strict",
        env=env,
    )
    assert gate.exit_code == 1, gate.output
    assert "preview: v1.0.0 -> v1.1.0 on production-eu" in gate.stdout
    assert "1 freeze conflict(s)" in gate.stderr
    assert (
        "::warning title=releasecare freeze::deploying to production-eu inside the change "
        "freeze of customer acme" in gate.stdout
    )
    summary = (tmp_path / "step-summary.md").read_text(encoding="utf-8")
    assert summary.startswith(
        "## releasecare: deploying v1.1.0 to Europe (production-eu) (preview)"
    )
    assert outputs(tmp_path / "github-output")["freeze-conflicts"] == "acme"
    assert shop.json("deploy", "list")["deployments"] == []
    # Outside the freeze (search only: acme untouched) the gate passes, warnings or not.
    calm = run(
        shop.cwd,
        shop.db_url,
        "before-deploy",
        "--env",
        "production-eu",
        "--version",
        "v1.2.0",
        "--strict",
        env=env,
    )
    assert calm.exit_code == 0, calm.output
