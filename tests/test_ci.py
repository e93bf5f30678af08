"""The CI's side of a step (``releasecare.ci``): what its variables say, its status
words, and the files a step writes for it within their rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasecare import ci
from releasecare.errors import InputError
from tests.test_after_deploy import outputs


def test_github_actions_is_read_from_its_variables(tmp_path: Path) -> None:
    run = ci.detect(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_REF": "refs/heads/main",
            "GITHUB_SHA": "abc1234",
            "GITHUB_RUN_ID": "77",
            "GITHUB_RUN_ATTEMPT": "3",
            "GITHUB_REPOSITORY": "acme/shop",
            "GITHUB_STEP_SUMMARY": str(tmp_path / "s.md"),
        },
        tmp_path,
    )
    assert (run.provider, run.version, run.run_id, run.attempt, run.source) == (
        "github",
        "abc1234",  # no tag: the commit
        "77",
        "3",
        "ci:github",
    )
    assert run.run_url == "https://github.com/acme/shop/actions/runs/77"
    assert run.environment is None  # GitHub has no variable naming it
    assert run.dotenv_path is None


def test_gitlab_ci_is_read_from_its_variables(tmp_path: Path) -> None:
    base = {"GITLAB_CI": "true", "CI_COMMIT_SHA": "abc1234", "CI_PIPELINE_ID": "9"}
    run = ci.detect(base | {"CI_COMMIT_TAG": "v2.0.0", "CI_ENVIRONMENT_NAME": "staging"}, tmp_path)
    assert (run.version, run.environment, run.run_id, run.source) == (
        "v2.0.0",
        "staging",
        "9",
        "ci:gitlab",
    )
    assert run.dotenv_path == tmp_path / "releasecare.env"
    # In the script CI_JOB_STATUS is "running": it says nothing about the deploy.
    assert ci.detect(base | {"CI_JOB_STATUS": "running"}, tmp_path).status is None
    assert ci.detect(base | {"CI_JOB_STATUS": "failed"}, tmp_path).status == "failed"
    assert ci.detect({}, tmp_path) == ci.CIRun()


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("success", "succeeded"),
        ("Failure", "failed"),
        ("cancelled", "failed"),
        ("canceled", "failed"),
        ("skipped", "failed"),
        ("failed", "failed"),
        ("running", "in_progress"),
        ("rolled_back", "rolled_back"),
        (None, "succeeded"),
    ],
)
def test_ci_status_words_map_onto_releasecares(word: str | None, status: str) -> None:
    assert ci.deploy_status(word, ci.CIRun()) == status


def test_gitlabs_job_status_is_the_default_and_an_unknown_word_is_refused() -> None:
    assert ci.deploy_status(None, ci.CIRun(provider="gitlab", status="failed")) == "failed"
    with pytest.raises(InputError, match="unknown status 'exploded'"):
        ci.deploy_status("exploded", ci.CIRun())


def test_outputs_use_a_delimiter_their_value_cannot_end(tmp_path: Path) -> None:
    path = tmp_path / "out"
    hostile = "a\nghadelimiter_x\nname<<EOF\n"
    ci.append_outputs(path, {"one": "1", "two": hostile})
    assert outputs(path) == {"one": "1", "two": hostile}


def test_the_summary_stays_within_the_limit_and_says_what_was_cut(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_text("x" * 300, encoding="utf-8")  # an earlier part of the same step
    lines = [f"- line {i} " + "é" * 50 for i in range(100)]
    cut = ci.append_summary(path, lines, limit=3000)
    text = path.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= 3000
    assert cut > 0
    assert f"_{cut} more line(s) left out" in text
    assert "- line 0 " in text
    assert ci.append_summary(tmp_path / "small.md", ["# ok"]) == 0


def test_the_dotenv_report_keeps_to_gitlabs_rules() -> None:
    text = ci.dotenv_text({"A": 'some "quoted"\nvalue', "B_2": "plain"})
    assert text == "A=some quotedvalue\nB_2=plain\n"
    with pytest.raises(ValueError):
        ci.dotenv_text({"BAD-KEY": "x"})
    big = ci.dotenv_text({f"K{i}": "v" * 600 for i in range(20)})
    assert len(big.encode()) <= ci.DOTENV_LIMIT
